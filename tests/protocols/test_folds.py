"""stratified_folds: single-label equals StratifiedKFold; multi-label keeps label shares."""

import numpy as np
import pytest
import sklearn.model_selection

from imbkeras.protocols import stratified_folds


def test_single_label_is_sklearns_stratified_kfold():
    y = np.repeat(np.arange(3), [30, 12, 6])
    ours = stratified_folds(y, 3, seed=4)
    ref = sklearn.model_selection.StratifiedKFold(3, shuffle=True, random_state=4).split(y, y)
    for (a, b), (c, d) in zip(ours, ref):
        assert np.array_equal(a, c) and np.array_equal(b, d)


def test_multilabel_folds_keep_every_label_share():
    rng = np.random.default_rng(0)
    freq = np.array([0.4, 0.2, 0.1, 0.05, 0.03])
    y = (rng.random((600, 5)) < freq).astype(int)
    y[y.sum(1) == 0, 0] = 1
    folds = stratified_folds(y, 5, seed=0)
    tests = np.concatenate([te for _, te in folds])
    assert np.array_equal(np.sort(tests), np.arange(600))  # a partition
    for tr, te in folds:
        assert not set(tr) & set(te)
        # each fold holds about 1/5 of every label's positives (iterative stratification)
        assert np.all(np.abs(y[te].sum(0) - y.sum(0) / 5) <= 1.5), y[te].sum(0)
        assert abs(len(te) - 120) <= 10
    again = stratified_folds(y, 5, seed=0)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_splits"):
        stratified_folds([0, 1, 0, 1], 1)
    with pytest.raises(ValueError, match="more than the 3 samples"):
        stratified_folds([0, 1, 0], 5)


def test_multilabel_balance_matches_scikit_multilearn():
    from skmultilearn.model_selection import IterativeStratification

    rng = np.random.default_rng(1)
    y = (rng.random((400, 8)) < np.geomspace(0.4, 0.01, 8)).astype(int)

    def worst(folds):
        return max(np.abs(y[te].sum(0) - y.sum(0) / 4).max() for _, te in folds)

    np.random.seed(0)  # scikit-multilearn draws from the global state
    ref = list(IterativeStratification(n_splits=4, order=1).split(np.zeros((400, 1)), y))
    assert worst(stratified_folds(y, 4, seed=0)) <= worst(ref) + 1.0
