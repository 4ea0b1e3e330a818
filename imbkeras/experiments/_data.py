"""Datasets that experiments can name, as fixed train/test splits."""

from __future__ import annotations

import os

from imbkeras import datasets

EXPERIMENT_DATASETS = ("digits", "mnist")

MNIST_DIR_ENV = "IMBKERAS_MNIST_DIR"
MNIST_DIR_DEFAULT = "~/.imbkeras/mnist"


def mnist_dir() -> str:
    """The MNIST directory: ``$IMBKERAS_MNIST_DIR``, else ``~/.imbkeras/mnist`` (expanded)."""
    return os.path.expanduser(os.environ.get(MNIST_DIR_ENV) or MNIST_DIR_DEFAULT)


def load_split(name: str, seed: int = 0, test_size: float = 0.3):
    """Return ``(x_train, y_train), (x_test, y_test)`` of a named dataset.

    ``"digits"``: scikit-learn's bundled digits at 28x28, stratified split
    (``seed``, ``test_size``).

    ``"mnist"``: the official MNIST split (60,000 train / 10,000 test images,
    28x28x1 in [0, 1]) read from the IDX files in the directory named by the
    environment variable ``IMBKERAS_MNIST_DIR`` (default ``~/.imbkeras/mnist``);
    ``seed`` and ``test_size`` are ignored. ``python
    data_scripts/download_mnist.py DIR`` downloads the files.

    Raises:
        ValueError: for an unknown ``name`` (the message lists the known ones).
        FileNotFoundError: for ``"mnist"`` when the directory or a file is
            missing (the message names the environment variable and the script).
    """
    if name == "digits":
        x, y = datasets.load_digits(size=28)
        return datasets.train_test_split(x, y, test_size=test_size, seed=seed)
    if name == "mnist":
        directory = mnist_dir()
        try:
            return (datasets.load_mnist(directory, kind="train"),
                    datasets.load_mnist(directory, kind="test"))
        except FileNotFoundError as err:
            source = (f"${MNIST_DIR_ENV}={os.environ[MNIST_DIR_ENV]!r}"
                      if os.environ.get(MNIST_DIR_ENV)
                      else f"${MNIST_DIR_ENV} is unset, so the default {MNIST_DIR_DEFAULT!r}")
            raise FileNotFoundError(
                f"dataset='mnist' needs the MNIST IDX files in the directory named by the "
                f"environment variable {MNIST_DIR_ENV} ({source} was used). Download them "
                f"with `python data_scripts/download_mnist.py {directory}` or set "
                f"{MNIST_DIR_ENV} to where they are. Details: {err}"
            ) from err
    raise ValueError(f"Unknown dataset={name!r}; known datasets: {', '.join(EXPERIMENT_DATASETS)}.")
