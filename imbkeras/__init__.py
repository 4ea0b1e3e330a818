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

__all__ = [*_SUBPACKAGES, "__version__", "keras_objects"]

# The modules that define Keras-serializable objects (registered as "imbkeras>Name").
_KERAS_MODULES = ("imbkeras.layers", "imbkeras.losses", "imbkeras.training",
                  "imbkeras.metrics._streaming")


def keras_objects() -> dict:
    """Register every Keras object of imbkeras with Keras; return them by registered name.

    The subpackages load when first used, so a fresh process that only ran
    ``import imbkeras`` has registered none of our layers, losses, metrics,
    schedules or callbacks, and ``keras.models.load_model`` cannot find them
    (importing the subpackage that defines one registers it too). Call this
    once before loading, or pass its result as ``custom_objects``.

    Returns:
        ``{"imbkeras>Name": class or function}`` for every registered object.

    Examples:
        >>> import imbkeras
        >>> objects = imbkeras.keras_objects()
        >>> {"imbkeras>MacroF1", "imbkeras>FocalLoss", "imbkeras>MixUp"} <= set(objects)
        True
    """
    for module in _KERAS_MODULES:
        importlib.import_module(module)
    import keras

    return {name: obj for name, obj in keras.saving.get_custom_objects().items()
            if name.startswith("imbkeras>")}


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"imbkeras.{name}")  # also sets the attribute
    raise AttributeError(f"module 'imbkeras' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
