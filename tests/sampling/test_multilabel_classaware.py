"""MultilabelHybridSampler, check_multihot and ClassAwareSampler."""

import numpy as np
import pandas as pd
import pytest

from imbkeras.sampling import (ClassAwareSampler, MultilabelHybridSampler, check_multihot,
                               label_counts)


def _multilabel(n=300, seed=0):
    """Skewed labels with co-occurrence: label j has probability ~ 0.6 / (j + 1)^1.5."""
    rng = np.random.default_rng(seed)
    p = 0.6 / (np.arange(6) + 1.0) ** 1.5
    y = (rng.random((n, 6)) < p).astype(np.uint8)
    y[y.sum(axis=1) == 0, 0] = 1
    return y


def test_multilabel_hybrid_moves_every_label_toward_target():
    y = _multilabel()
    s = MultilabelHybridSampler("median", seed=0)
    t = s.resolve_target(y)
    before = label_counts(y)
    assert t == int(np.floor(np.median(before) + 0.5))
    after = label_counts(y, s.resample_indices(y))
    assert np.abs(after - t).sum() < 0.5 * np.abs(before - t).sum()
    for j in range(y.shape[1]):
        assert abs(after[j] - t) <= abs(before[j] - t)  # no label moves away
        if before[j] < t:
            assert after[j] >= t  # rare labels reach the target
    assert after.max() / after.min() < before.max() / before.min()


def test_multilabel_hybrid_never_drops_samples_carrying_rare_labels():
    y = _multilabel(seed=1)
    s = MultilabelHybridSampler(target=60, seed=0)
    idx = s.resample_indices(y)
    rare = np.flatnonzero(label_counts(y) <= 60)
    carriers = np.flatnonzero(y[:, rare].any(axis=1))
    assert set(carriers.tolist()) <= set(idx.tolist())


def test_multilabel_hybrid_epochs_differ_same_seed_same_draw():
    y = _multilabel()
    s = MultilabelHybridSampler(seed=3)
    a, b = s.resample_indices(y), s.resample_indices(y)
    np.testing.assert_array_equal(a, b)
    c = s.resample_indices(y, rng=np.random.default_rng(1))
    assert not np.array_equal(np.sort(a), np.sort(c))


def test_multilabel_hybrid_fit_resample_reports_distribution():
    y = _multilabel()
    x = np.random.default_rng(0).random((len(y), 4, 4, 1))
    s = MultilabelHybridSampler(seed=0)
    xr, yr = s.fit_resample(x, y)
    np.testing.assert_array_equal(xr, x[s.sample_indices_])
    np.testing.assert_array_equal(s.label_counts_before_, y.sum(0))
    np.testing.assert_array_equal(s.label_counts_after_, yr.sum(0))
    rep = s.report(y, s.sample_indices_)
    assert isinstance(rep, pd.DataFrame)
    assert list(rep.columns) == ["label", "before", "after", "target"]
    assert rep["after"].tolist() == yr.sum(0).tolist()
    assert set(s.target_counts(y).values()) == {s.target_}


def test_multilabel_hybrid_ignores_labels_that_never_occur():
    y = np.array([[1, 0, 0]] * 9 + [[0, 1, 0]] * 3)
    idx = MultilabelHybridSampler(target=5, seed=0).resample_indices(y)
    assert label_counts(y, idx).tolist() == [5, 5, 0]


@pytest.mark.parametrize("bad,match", [
    (np.array([[1, 0], [0, 0], [1, 1]]), r"row 1"),
    (np.array([0, 1, 1]), "2-D"),
    (np.array([[1, 2], [0, 1]]), "0/1"),
    (np.array([["a", "b"]]), "0/1"),
    (np.zeros((0, 3)), "empty"),
])
def test_multihot_bad_input(bad, match):
    with pytest.raises(ValueError, match=match):
        check_multihot(bad)
    with pytest.raises(ValueError, match=match):
        MultilabelHybridSampler().resample_indices(bad)


def test_multihot_rows_without_label_rejected_everywhere():
    y = np.array([[1, 0], [0, 0], [0, 1]])
    with pytest.raises(ValueError, match="no positive label"):
        ClassAwareSampler().resample_indices(y)


def test_class_aware_batches_uniform_over_classes():
    y = np.repeat([0, 1, 2, 3], [500, 60, 12, 3])
    seq = ClassAwareSampler(seed=0).resample_indices(y)
    assert len(seq) == len(y)
    batch = 32
    for b in range(len(seq) // batch):
        counts = np.bincount(y[seq[b * batch:(b + 1) * batch]], minlength=4)
        assert counts.min() >= batch // 4 - 1 and counts.max() <= batch // 4 + 1
    total = np.bincount(y[seq], minlength=4)
    assert total.max() - total.min() <= 1
    # within a class, every sample is used before any repeats
    idx3 = seq[y[seq] == 3]
    assert sorted(idx3[:3].tolist()) == np.flatnonzero(y == 3).tolist()


def test_class_aware_multilabel_draws_labels_uniformly():
    y = _multilabel(400)
    s = ClassAwareSampler(num_samples=600, seed=0)
    seq = s.resample_indices(y)
    assert len(seq) == 600 == s.epoch_size(y)
    # every window of 6 draws covers every label (the anchor labels)
    for w in range(0, 600, 6):
        win = y[seq[w:w + 6]]
        assert win.any(axis=0).all()
    carried = label_counts(y, seq)
    assert carried.min() >= 100  # each label anchors 100 draws
    before = label_counts(y)
    assert carried.max() / carried.min() < before.max() / before.min()


def test_class_aware_target_counts_seed_and_bad_args():
    y = np.repeat([0, 1, 2], [10, 5, 1])
    s = ClassAwareSampler(num_samples=10, seed=0)
    assert s.target_counts(y) == {0: 4, 1: 3, 2: 3}
    np.testing.assert_array_equal(s.resample_indices(y), s.resample(None, y)[0])
    assert not np.array_equal(s.resample_indices(y), s.resample_indices(y, rng=1))
    x = np.arange(16)[:, None]
    xr, yr = s.fit_resample(x, y)
    np.testing.assert_array_equal(xr[:, 0], s.sample_indices_)
    with pytest.raises(ValueError, match="num_samples"):  # validated at use
        ClassAwareSampler(num_samples=0).resample_indices(y)
    with pytest.raises(TypeError, match="num_samples"):
        ClassAwareSampler(num_samples=2.5).epoch_size(y)
