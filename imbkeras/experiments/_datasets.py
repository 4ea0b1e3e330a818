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


CIFAR10_DIR_ENV = "IMBKERAS_CIFAR10_DIR"
CIFAR10_DIR_DEFAULT = "~/.imbkeras/cifar10"


def cifar10_dir() -> str:
    """The CIFAR-10 directory: ``$IMBKERAS_CIFAR10_DIR``, else ``~/.imbkeras/cifar10``."""
    return os.path.expanduser(os.environ.get(CIFAR10_DIR_ENV) or CIFAR10_DIR_DEFAULT)


def _gcn_zca(x_train: np.ndarray, x_test: np.ndarray, scale: float = 55.0,
             eps: float = 1e-2) -> tuple[np.ndarray, np.ndarray]:
    """Global contrast normalisation per image, then ZCA whitening fitted on the training set.

    Goodfellow et al. (2013)'s preprocessing of CIFAR-10 (pylearn2: GCN with
    scale 55, ZCA with a small regulariser), as Buda et al. 2018 use it.
    """
    def gcn(x):
        flat = x.reshape(len(x), -1).astype(np.float64)
        flat -= flat.mean(axis=1, keepdims=True)
        norm = np.sqrt((flat ** 2).mean(axis=1, keepdims=True))
        return scale * flat / np.maximum(norm, 1e-8)

    tr, te = gcn(x_train), gcn(x_test)
    mean = tr.mean(axis=0)
    cov = np.cov(tr - mean, rowvar=False)
    vals, vecs = np.linalg.eigh(cov)
    w = (vecs / np.sqrt(vals + eps)) @ vecs.T
    return (((tr - mean) @ w).astype(np.float32).reshape(x_train.shape),
            ((te - mean) @ w).astype(np.float32).reshape(x_test.shape))


@register_dataset("cifar10")
def cifar10(preprocess: str = "gcn_zca") -> DataBundle:
    """The official CIFAR-10 split (50,000 / 10,000, 32x32x3) from ``$IMBKERAS_CIFAR10_DIR``.

    ``preprocess="gcn_zca"`` (Buda et al. 2018) applies global contrast
    normalisation and ZCA whitening fitted on the training set; ``"none"``
    keeps the [0, 1] intensities.

    Raises:
        FileNotFoundError: naming the environment variable and the download script.
        ValueError: for another ``preprocess``.
    """
    if preprocess not in ("gcn_zca", "none"):
        raise ValueError(f"`preprocess` must be 'gcn_zca' or 'none'; received {preprocess!r}.")
    directory = cifar10_dir()
    try:
        (x, y), (x_te, y_te) = (datasets.load_cifar10(directory, kind="train"),
                                datasets.load_cifar10(directory, kind="test"))
    except FileNotFoundError as err:
        raise FileNotFoundError(
            f"dataset='cifar10' needs the CIFAR-10 python batches in the directory named by "
            f"the environment variable {CIFAR10_DIR_ENV} ({directory!r} was used). Download "
            f"them with `python data_scripts/download_cifar10.py {directory}` or set "
            f"{CIFAR10_DIR_ENV} to where they are. Details: {err}") from err
    if preprocess == "gcn_zca":
        x, x_te = _gcn_zca(x, x_te)
    return DataBundle(x, y, x_test=x_te, y_test=y_te, class_names=list(datasets.CIFAR10_CLASSES))


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
