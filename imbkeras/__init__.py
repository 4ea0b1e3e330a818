"""imbkeras: deep learning on class-imbalanced images (2D) and volumes (3D).

Keras 3 / TensorFlow building blocks (samplers, tf.data pipelines, models,
thresholding, metrics) and runnable reproductions of five papers on class
imbalance. See ``README.md`` for the quick start.
"""

__version__ = "0.1.0"

# In data-flow order: a subpackage imports only from those above it.
from imbkeras import datasets, synthetic, protocols, sampling, pipeline  # noqa: E402
from imbkeras import metrics, thresholding, layers, losses  # noqa: E402
from imbkeras import models, training, ensemble, baselines, experiments  # noqa: E402

__all__ = [
    "datasets",
    "synthetic",
    "protocols",
    "sampling",
    "pipeline",
    "layers",
    "losses",
    "models",
    "thresholding",
    "metrics",
    "training",
    "ensemble",
    "baselines",
    "experiments",
    "__version__",
]
