"""Partial ratios, HybridSampler and EpochUndersampler (counts vs imbalanced-learn)."""

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler as ImbROS
from imblearn.under_sampling import RandomUnderSampler as ImbRUS

from imbkeras.sampling import (EpochUndersampler, HybridSampler, RandomOverSampler,
                               RandomUnderSampler, RatioStrategy, ratio_strategy)

Y = np.repeat([0, 1, 2, 3, 4], [200, 150, 40, 9, 2])
X = np.zeros((len(Y), 2, 2, 1), np.float32)


def _counts(y):
    return dict(zip(*[a.tolist() for a in np.unique(y, return_counts=True)]))


@pytest.mark.parametrize("ratio", [1, 2, 5.5, 10, 100, 1000])
def test_partial_over_counts_equal_imblearn_and_reach_ratio(ratio):
    _, y_ref = ImbROS(sampling_strategy=ratio_strategy(ratio, "over"),
                      random_state=0).fit_resample(X.reshape(len(Y), -1), Y)
    _, y_ours = RandomOverSampler(max_ratio=ratio, seed=0).fit_resample(X, Y)
    assert _counts(y_ours) == _counts(y_ref)
    c = np.bincount(y_ours)
    assert c.max() / c.min() <= ratio + 1e-9
    assert c.max() == 200  # oversampling never touches the largest class


@pytest.mark.parametrize("ratio", [1, 2, 10, 60, 1000])
def test_partial_under_counts_equal_imblearn_and_reach_ratio(ratio):
    _, y_ref = ImbRUS(sampling_strategy=ratio_strategy(ratio, "under"),
                      random_state=0).fit_resample(X.reshape(len(Y), -1), Y)
    _, y_ours = RandomUnderSampler(max_ratio=ratio, seed=0).fit_resample(X, Y)
    assert _counts(y_ours) == _counts(y_ref)
    c = np.bincount(y_ours)
    assert c.max() / c.min() <= ratio + 1e-9 and c.min() == 2


def test_ratio_one_is_full_balancing():
    assert RandomOverSampler(max_ratio=1).target_counts(Y) == RandomOverSampler().target_counts(Y)
    assert RandomUnderSampler(max_ratio=1).target_counts(Y) == \
        RandomUnderSampler().target_counts(Y)


@pytest.mark.parametrize("bad", [0.5, 0, -3, float("nan"), "10", None, True])
def test_ratio_strategy_rejects_bad_ratio(bad):
    with pytest.raises(ValueError, match="max_ratio"):
        RatioStrategy(bad)


def test_ratio_strategy_bad_kind_and_conflict():
    with pytest.raises(ValueError, match="kind"):
        ratio_strategy(2, "both")
    with pytest.raises(ValueError, match="max_ratio"):  # validated at use
        RandomOverSampler(sampling_strategy="minority", max_ratio=2).target_counts(Y)


@pytest.mark.parametrize("target", ["median", 40, 5, 500])
def test_hybrid_counts_equal_imblearn_over_then_under(target):
    counts = _counts(Y)
    t = 40 if target == "median" else target
    s = HybridSampler(target, seed=0)
    assert s.target_counts(Y) == {c: t for c in counts}
    idx = s.resample_indices(Y)
    # reference: imblearn ROS on the classes below t, RUS on those above
    Xf = np.arange(len(Y))[:, None]
    _, y1 = ImbROS(sampling_strategy={c: t for c, n in counts.items() if n < t},
                   random_state=0).fit_resample(Xf, Y)
    ref = {c: (t if n != t else n) for c, n in counts.items()}
    under = {c: t for c, n in counts.items() if n > t}
    if under:
        _, y2 = ImbRUS(sampling_strategy=under, random_state=0).fit_resample(
            np.arange(len(y1))[:, None], y1)
        assert _counts(y2) == ref
    assert _counts(Y[idx]) == ref


def test_hybrid_keeps_all_samples_of_small_classes_and_subsets_large_ones():
    idx = HybridSampler(40, seed=1).resample_indices(Y)
    for c in (3, 4):  # below the target: every sample kept, then duplicates
        assert set(np.flatnonzero(Y == c)) <= set(idx.tolist())
    for c in (0, 1):  # above: a subset without repetition
        sel = idx[Y[idx] == c]
        assert len(np.unique(sel)) == len(sel) == 40


def test_hybrid_median_rounds_half_up_and_bad_target():
    y = np.repeat([0, 1, 2, 3], [10, 5, 4, 1])  # median 4.5 -> 5
    assert set(HybridSampler().target_counts(y).values()) == {5}
    for bad in ["mean", 0, -1, 2.5, True]:
        with pytest.raises(ValueError, match="target"):
            HybridSampler(bad).resample_indices(y)


def test_hybrid_any_rank_fit_resample():
    x = np.random.default_rng(0).random((len(Y), 3, 3, 3, 1))
    s = HybridSampler("median", seed=0)
    xr, yr = s.fit_resample(x, Y)
    np.testing.assert_array_equal(xr, x[s.sample_indices_])
    assert xr.shape == (5 * 40, 3, 3, 3, 1)


def test_epoch_undersampler_epochs_differ_and_keep_minority():
    y = np.repeat([0, 1, 2], [50, 50, 5])
    s = EpochUndersampler(0.2, seed=0)
    assert s.target_counts(y) == {0: 40, 1: 40, 2: 5}
    epochs = [s.epoch_indices(y, e) for e in range(4)]
    for idx in epochs:
        assert np.bincount(y[idx]).tolist() == [40, 40, 5]
        assert set(np.flatnonzero(y == 2)) <= set(idx.tolist())
        assert len(np.unique(idx)) == len(idx)
    kept = [frozenset(idx.tolist()) for idx in epochs]
    assert len(set(kept)) == 4
    # over the epochs, more of the majority is seen than in any single epoch
    assert len(frozenset().union(*kept)) > len(kept[0])
    # the pipeline's per-epoch generator gives the same draws
    rng = np.random.default_rng(np.random.SeedSequence([0, 2]))
    np.testing.assert_array_equal(s.resample_indices(y, rng=rng), epochs[2])


def test_epoch_undersampler_class_choices():
    y = np.repeat([0, 1, 2], [50, 20, 5])
    assert EpochUndersampler(0.5, classes="not minority").target_counts(y) == {0: 25, 1: 10, 2: 5}
    assert EpochUndersampler(0.5, classes=[1]).target_counts(y) == {0: 50, 1: 10, 2: 5}
    assert EpochUndersampler(0.0).target_counts(y) == {0: 50, 1: 20, 2: 5}
    with pytest.raises(ValueError, match="classes"):
        EpochUndersampler(0.2, classes=[7]).target_counts(y)
    with pytest.raises(ValueError, match="classes"):
        EpochUndersampler(0.2, classes="minority").resample_indices(y)


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, float("nan"), "0.2", None, True])
def test_epoch_undersampler_drop_fraction_outside_unit_interval(bad):
    with pytest.raises(ValueError, match=r"drop_fraction.*\[0, 1\)"):
        EpochUndersampler(bad).target_counts(Y)
