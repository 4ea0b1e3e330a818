import numpy as np
import pytest
import sklearn.datasets

from imbkeras import datasets


def test_load_digits_shape_range_labels():
    x, y = datasets.load_digits()
    ref = sklearn.datasets.load_digits()
    assert x.shape == (1797, 28, 28, 1) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    np.testing.assert_array_equal(y, ref.target)


def test_load_digits_size8_is_the_original_scaled():
    x, _ = datasets.load_digits(size=8)
    np.testing.assert_allclose(x[..., 0], sklearn.datasets.load_digits().images / 16.0, atol=1e-6)


def test_load_digits_rejects_small_size():
    with pytest.raises(ValueError, match="size"):
        datasets.load_digits(size=4)


def test_stratified_split_is_stratified_and_seeded():
    x, y = datasets.load_digits(size=8)
    (xtr, ytr), (xte, yte) = datasets.stratified_split(x, y, test_size=0.3, seed=1)
    (_, ytr2), _ = datasets.stratified_split(x, y, test_size=0.3, seed=1)
    np.testing.assert_array_equal(ytr, ytr2)
    frac = np.bincount(yte) / np.bincount(y)
    assert np.all(np.abs(frac - 0.3) < 0.02)
    assert len(xtr) + len(xte) == len(x)


def test_stratified_split_length_mismatch():
    with pytest.raises(ValueError, match="len"):
        datasets.stratified_split(np.zeros((5, 2)), np.zeros(4, int))
