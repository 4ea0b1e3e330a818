"""Datasets and post-processors every experiment can name (registered on import)."""

from __future__ import annotations

import os

import numpy as np

from imbkeras import datasets, thresholding
from imbkeras.experiments._registry import (DataBundle, register_dataset,
                                            register_postprocessor)

MNIST_DIR_ENV = "IMBKERAS_MNIST_DIR"
MNIST_DIR_DEFAULT = "~/.imbkeras/mnist"


def mnist_dir() -> str:
    """The MNIST directory: ``$IMBKERAS_MNIST_DIR``, else ``~/.imbkeras/mnist`` (expanded)."""
    return os.path.expanduser(os.environ.get(MNIST_DIR_ENV) or MNIST_DIR_DEFAULT)


@register_dataset("digits")
def digits(size: int = 28, channels: int = 1) -> DataBundle:
    """scikit-learn's bundled digits (1,797 images, 10 classes) at ``size`` x ``size``.

    ``channels=3`` repeats the gray channel (for backbones that expect RGB).
    """
    if channels not in (1, 3):
        raise ValueError(f"`channels` must be 1 or 3; received {channels!r}.")
    x, y = datasets.load_digits(size=size)
    if channels == 3:
        x = np.repeat(x, 3, axis=-1)
    return DataBundle(x, y, class_names=[str(i) for i in range(10)])


@register_dataset("mnist")
def mnist() -> DataBundle:
    """The official MNIST split (60,000 / 10,000, 28x28x1) from ``$IMBKERAS_MNIST_DIR``.

    Raises:
        FileNotFoundError: naming the environment variable and the download script.
    """
    directory = mnist_dir()
    try:
        (x, y), (x_te, y_te) = (datasets.load_mnist(directory, kind="train"),
                                datasets.load_mnist(directory, kind="test"))
    except FileNotFoundError as err:
        source = (f"${MNIST_DIR_ENV}={os.environ[MNIST_DIR_ENV]!r}"
                  if os.environ.get(MNIST_DIR_ENV)
                  else f"${MNIST_DIR_ENV} is unset, so the default {MNIST_DIR_DEFAULT!r}")
        raise FileNotFoundError(
            f"dataset='mnist' needs the MNIST IDX files in the directory named by the "
            f"environment variable {MNIST_DIR_ENV} ({source} was used). Download them "
            f"with `python data_scripts/download_mnist.py {directory}` or set "
            f"{MNIST_DIR_ENV} to where they are. Details: {err}") from err
    return DataBundle(x, y, x_test=x_te, y_test=y_te, class_names=[str(i) for i in range(10)])


@register_postprocessor("prior_correction")
def prior_correction(outputs: dict, ctx, output: str = "default") -> np.ndarray:
    """Thresholding (Buda et al. 2018): divide the outputs by the training-set priors.

    The priors are those of the imbalanced training fold, before any resampling.
    """
    priors = thresholding.class_priors(ctx.y_train, ctx.num_classes)
    return thresholding.prior_correction(outputs[output], priors)


@register_postprocessor("tune_thresholds")
def tune_thresholds(outputs: dict, ctx, output: str = "default"):
    """Multi-label: per-label thresholds that maximise F1 on validation scores.

    Needs the trainer to return ``val_prob`` and ``val_true`` outputs.
    """
    for key in ("val_prob", "val_true"):
        if key not in outputs:
            raise ValueError(f"post-processor 'tune_thresholds' needs the trainer output "
                             f"{key!r}; the trainer returned {sorted(outputs)}.")
    thr = thresholding.tune_thresholds(outputs["val_true"], outputs["val_prob"])
    return outputs[output], thr
