"""RandomOverSampler / RandomUnderSampler against imbalanced-learn's counts."""

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler as ImbROS
from imblearn.under_sampling import RandomUnderSampler as ImbRUS

from imbkeras.sampling import RandomOverSampler, RandomUnderSampler

RNG = np.random.default_rng(0)
Y_MULTI = np.repeat([0, 1, 2, 3], [50, 7, 20, 3])
Y_BIN = np.repeat([0, 1], [40, 9])


def _counts(y):
    return dict(zip(*[a.tolist() for a in np.unique(y, return_counts=True)]))


OVER = ["auto", "minority", "not minority", "not majority", "all", {1: 30, 3: 10},
        lambda y: {3: 25}]
UNDER = ["auto", "majority", "not minority", "not majority", "all", {0: 10, 2: 5},
         lambda y: {0: 3}]


@pytest.mark.parametrize("strategy", OVER)
def test_over_counts_equal_imblearn(strategy):
    X = RNG.normal(size=(len(Y_MULTI), 3))
    _, y_ref = ImbROS(sampling_strategy=strategy, random_state=0).fit_resample(X, Y_MULTI)
    _, y_ours = RandomOverSampler(sampling_strategy=strategy, seed=0).fit_resample(X, Y_MULTI)
    assert _counts(y_ours) == _counts(y_ref)


@pytest.mark.parametrize("strategy", UNDER)
def test_under_counts_equal_imblearn(strategy):
    X = RNG.normal(size=(len(Y_MULTI), 3))
    _, y_ref = ImbRUS(sampling_strategy=strategy, random_state=0).fit_resample(X, Y_MULTI)
    _, y_ours = RandomUnderSampler(sampling_strategy=strategy, seed=0).fit_resample(X, Y_MULTI)
    assert _counts(y_ours) == _counts(y_ref)


@pytest.mark.parametrize("cls,ref", [(RandomOverSampler, ImbROS), (RandomUnderSampler, ImbRUS)])
def test_float_strategy_binary(cls, ref):
    X = np.zeros((len(Y_BIN), 1))
    _, y_ref = ref(sampling_strategy=0.5, random_state=0).fit_resample(X, Y_BIN)
    _, y_ours = cls(sampling_strategy=0.5, seed=0).fit_resample(X, Y_BIN)
    assert _counts(y_ours) == _counts(y_ref)


def test_any_rank_without_flattening_and_sample_indices():
    X = RNG.normal(size=(len(Y_MULTI), 4, 4, 4, 2)).astype(np.float32)
    s = RandomOverSampler(seed=1)
    Xr, yr = s.fit_resample(X, Y_MULTI)
    assert Xr.shape == (200, 4, 4, 4, 2)
    np.testing.assert_array_equal(Xr, X[s.sample_indices_])
    np.testing.assert_array_equal(yr, Y_MULTI[s.sample_indices_])
    # the originals come first, like imbalanced-learn
    np.testing.assert_array_equal(s.sample_indices_[:len(Y_MULTI)], np.arange(len(Y_MULTI)))


def test_under_sampling_draws_without_replacement_within_class():
    s = RandomUnderSampler(seed=0)
    s.fit_resample(np.zeros((len(Y_MULTI), 1)), Y_MULTI)
    idx = s.sample_indices_
    assert len(np.unique(idx)) == len(idx) == 12


def test_same_seed_same_indices_other_seed_differs():
    a = RandomUnderSampler(seed=3).resample_indices(Y_MULTI)
    b = RandomUnderSampler(seed=3).resample_indices(Y_MULTI)
    c = RandomUnderSampler(seed=4).resample_indices(Y_MULTI)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_target_counts():
    assert RandomOverSampler().target_counts(Y_MULTI) == {0: 50, 1: 50, 2: 50, 3: 50}
    assert RandomUnderSampler().target_counts(Y_MULTI) == {0: 3, 1: 3, 2: 3, 3: 3}


def test_dict_with_unknown_class():
    with pytest.raises(ValueError, match=r"sampling_strategy.*\{9\}"):
        RandomOverSampler(sampling_strategy={9: 10}).fit_resample(np.zeros((80, 1)), Y_MULTI)


def test_undersampler_asked_for_more_than_exists():
    with pytest.raises(ValueError, match=r"sampling_strategy.*less or equal"):
        RandomUnderSampler(sampling_strategy={3: 10}).resample_indices(Y_MULTI)


def test_float_strategy_on_multiclass_rejected():
    with pytest.raises(ValueError, match="sampling_strategy"):
        RandomOverSampler(sampling_strategy=0.5).resample_indices(Y_MULTI)


def test_length_mismatch_and_bad_labels():
    with pytest.raises(ValueError, match="same length"):
        RandomOverSampler().fit_resample(np.zeros((3, 1)), Y_MULTI)
    with pytest.raises(ValueError, match="non-negative"):
        RandomOverSampler().resample_indices(np.array([0, -2, 1]))
