"""Datasets as ``(x, y)`` arrays: images ``(n, h, w, c)`` / volumes ``(n, d, h, w, c)``."""

from imbkeras.datasets._digits import load_digits, train_test_split

__all__ = ["load_digits", "train_test_split"]
