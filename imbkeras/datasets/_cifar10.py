"""CIFAR-10 from the official "python version" batches (``cifar-10-batches-py``)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np

from imbkeras.datasets._intensity import to_unit_range

DOWNLOAD_HINT = "`python data_scripts/download_cifar10.py DIR` fetches them"
FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_BATCHES = ("test_batch",)
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck")
_PIXELS = 32 * 32 * 3


def _directory(path) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a str or os.PathLike directory; received {path!r}.")
    directory = Path(os.path.expanduser(os.fspath(path)))
    if (directory / FOLDER).is_dir():
        directory = directory / FOLDER
    if not directory.is_dir():
        raise FileNotFoundError(f"CIFAR-10 directory `path`={str(directory)!r} does not exist; "
                                f"{DOWNLOAD_HINT}.")
    return directory


def read_cifar_batch(file) -> tuple[np.ndarray, np.ndarray]:
    """One official CIFAR-10 python batch -> ``(uint8 images (n, 32, 32, 3), int64 labels)``.

    A batch is a pickled dict with ``data`` (``n x 3072`` uint8: the 1024 red,
    then green, then blue values of each 32x32 image, row-major) and
    ``labels`` (n ints in 0-9). Read only files you trust: pickle can run
    code (the official files from the CIFAR page are plain data).

    Raises:
        FileNotFoundError: if the file is missing.
        ValueError: if the file is truncated, not a pickle, or not a CIFAR-10
            python batch (e.g. CIFAR-100's ``fine_labels``, the binary or MATLAB
            version); the message names the file.
    """
    file = Path(file)
    if not file.is_file():
        raise FileNotFoundError(f"CIFAR-10 batch {str(file)!r} not found; {DOWNLOAD_HINT}.")
    try:
        with open(file, "rb") as fh:
            batch = pickle.load(fh, encoding="bytes")
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            ImportError, IndexError) as err:
        raise ValueError(f"CIFAR-10 batch {str(file)!r} is truncated or not a python pickle "
                         f"({type(err).__name__}: {err}); the loader reads the official "
                         f"'python version' batches; {DOWNLOAD_HINT}.") from err
    if not isinstance(batch, dict):
        raise ValueError(f"CIFAR-10 batch {str(file)!r} holds a {type(batch).__name__}, not "
                         f"the dict of the official python batches.")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "labels" not in batch or "data" not in batch:
        hint = " (a CIFAR-100 file?)" if "fine_labels" in batch else ""
        raise ValueError(f"CIFAR-10 batch {str(file)!r} has no 'data' and 'labels' "
                         f"entries{hint}; found {sorted(map(str, batch))}.")
    data = np.asarray(batch["data"])
    labels = np.asarray(batch["labels"])
    if data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != _PIXELS:
        raise ValueError(f"CIFAR-10 batch {str(file)!r}: 'data' must be uint8 of shape "
                         f"(n, {_PIXELS}); found {data.dtype} {data.shape}.")
    if labels.ndim != 1 or len(labels) != len(data):
        raise ValueError(f"CIFAR-10 batch {str(file)!r}: {len(labels)} labels for "
                         f"{len(data)} images.")
    if len(labels) and (not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0
                        or labels.max() > 9):
        raise ValueError(f"CIFAR-10 batch {str(file)!r}: labels must be integers 0-9; found "
                         f"values in [{labels.min()}, {labels.max()}] of dtype {labels.dtype}.")
    images = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images, labels.astype(np.int64)


def load_cifar10(path: str | os.PathLike, kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load the official CIFAR-10 train (50,000) or test (10,000) split.

    Reads ``data_batch_1`` ... ``data_batch_5`` (``kind="train"``) or
    ``test_batch`` (``kind="test"``) from ``path`` (the ``cifar-10-batches-py``
    folder or the folder that contains it). Intensities follow the file's
    dtype: uint8 values / 255.

    Args:
        path: directory of the batches; ``~`` is expanded.
        kind: ``"train"`` or ``"test"``.

    Returns:
        ``(x, y)``: float32 images ``(n, 32, 32, 3)`` in [0, 1] and int64
        labels 0-9 (:data:`CLASSES` order), in file order.

    Raises:
        ValueError: for another ``kind`` or a batch that is truncated or not a
            CIFAR-10 python batch (the message names the file).
        FileNotFoundError: if the directory or a batch is missing.

    Examples:
        >>> x, y = load_cifar10("~/.imbkeras/cifar10", kind="test")  # doctest: +SKIP
        >>> x.shape, x.dtype.name, y.dtype.name  # doctest: +SKIP
        ((10000, 32, 32, 3), 'float32', 'int64')

    Reference:
        Krizhevsky (2009), Learning multiple layers of features from tiny
        images (tech. report); file format: https://www.cs.toronto.edu/~kriz/cifar.html.
    """
    if not isinstance(kind, str) or kind not in ("train", "test"):
        raise ValueError(f"`kind` must be 'train' or 'test'; received {kind!r}.")
    directory = _directory(path)
    names = TRAIN_BATCHES if kind == "train" else TEST_BATCHES
    parts = [read_cifar_batch(directory / name) for name in names]
    x = to_unit_range(np.concatenate([p[0] for p in parts]), f"CIFAR-10 {kind} batches in "
                      f"{str(directory)!r}")
    y = np.concatenate([p[1] for p in parts])
    return x, y
