"""Datasets as ``(x, y)`` arrays: images ``(n, h, w, c)`` / volumes ``(n, d, h, w, c)``."""

from imbkeras.datasets._digits import load_digits, train_test_split
from imbkeras.datasets._mnist import load_mnist

__all__ = ["load_digits", "load_mnist", "train_test_split"]
