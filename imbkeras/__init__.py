"""imbkeras: deep learning on class-imbalanced images (2D) and volumes (3D).

Keras 3 / TensorFlow building blocks (samplers, tf.data pipelines, models,
thresholding, metrics) and runnable reproductions of five papers on class
imbalance. See ``README.md`` for the quick start.

Subpackages are imported when first used (PEP 562), so ``import imbkeras``
is cheap and ``import imbkeras.sampling`` loads neither TensorFlow nor the
experiment engine.
"""

import importlib

from imbkeras._version import __version__

# In data-flow order: a subpackage imports only from those above it.
_SUBPACKAGES = ("datasets", "synthetic", "protocols", "sampling", "pipeline", "layers", "losses",
                "models", "training", "ensemble", "baselines", "metrics", "thresholding",
                "experiments")

__all__ = [*_SUBPACKAGES, "__version__"]


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"imbkeras.{name}")  # also sets the attribute
    raise AttributeError(f"module 'imbkeras' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
