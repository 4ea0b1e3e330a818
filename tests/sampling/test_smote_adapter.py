"""SMOTE on images/volumes/features and the imbalanced-learn adapter."""

import numpy as np
import pytest
from imblearn.combine import SMOTEENN
from imblearn.over_sampling import ADASYN
from imblearn.over_sampling import RandomOverSampler as ImbROS
from imblearn.over_sampling import SMOTE as ImbSMOTE
from imblearn.under_sampling import ClusterCentroids, NearMiss, TomekLinks
from imblearn.under_sampling import RandomUnderSampler as ImbRUS

from imbkeras.sampling import SMOTE, ImblearnSampler, as_sampler

RNG = np.random.default_rng(0)
Y = np.repeat([0, 1, 2], [30, 12, 7])


def _counts(y):
    return dict(zip(*[a.tolist() for a in np.unique(y, return_counts=True)]))


@pytest.mark.parametrize("shape", [(5,), (6, 6, 1), (4, 4, 4, 1)])
@pytest.mark.parametrize("strategy", ["auto", "minority", {1: 20, 2: 25}])
def test_smote_counts_equal_imblearn_any_rank(shape, strategy):
    x = RNG.random((len(Y),) + shape).astype(np.float32)
    _, y_ref = ImbSMOTE(sampling_strategy=strategy, random_state=0).fit_resample(
        x.reshape(len(Y), -1), Y)
    xr, yr = SMOTE(sampling_strategy=strategy, seed=0).fit_resample(x, Y)
    assert _counts(yr) == _counts(y_ref)
    assert xr.shape == (len(yr),) + shape and xr.dtype == np.float32
    np.testing.assert_array_equal(xr[:len(Y)], x)  # originals first, untouched


def test_smote_samples_lie_between_same_class_samples():
    x = np.concatenate([RNG.uniform(0, 1, 30), RNG.uniform(5, 6, 12),
                        RNG.uniform(10, 11, 7)]).astype(np.float32)[:, None, None]
    xr, yr = SMOTE(k_neighbors=3, seed=1).fit_resample(x, Y)
    for c, (lo, hi) in enumerate([(0, 1), (5, 6), (10, 11)]):
        vals = xr[len(Y):][yr[len(Y):] == c].ravel()
        assert np.all((vals >= x[Y == c].min()) & (vals <= x[Y == c].max()))
        if c:
            assert len(np.unique(vals)) > 1  # new values, not copies


def test_smote_resample_protocol_and_fresh_draws():
    x = RNG.random((len(Y), 3, 3, 1))
    s = SMOTE(seed=0)
    assert s.needs_data
    idx, xn, yn = s.resample(x, Y, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(idx, np.arange(len(Y) + len(yn)))
    assert xn.shape == (len(yn), 3, 3, 1) and _counts(yn) == {1: 18, 2: 23}
    _, xn2, _ = s.resample(x, Y, rng=np.random.default_rng(2))
    assert not np.allclose(xn, xn2)
    with pytest.raises(TypeError, match="fit_resample"):
        s.resample_indices(Y)
    assert s.epoch_size(Y) == 90


def test_smote_uint8_images_keep_dtype():
    x = RNG.integers(0, 256, (len(Y), 4, 4, 3), dtype=np.uint8)
    xr, _ = SMOTE(seed=0).fit_resample(x, Y)
    assert xr.dtype == np.uint8 and xr.shape[1:] == (4, 4, 3)


def test_smote_class_smaller_than_k_plus_one_names_class_and_count():
    y = np.repeat([0, 1, 2], [30, 12, 4])
    x = RNG.random((len(y), 2, 2))
    with pytest.raises(ValueError, match=r"k_neighbors=5.*at least 6.*class 2 has 4"):
        SMOTE(k_neighbors=5).fit_resample(x, y)
    # documented fallback: fewer neighbours for that class, with a warning
    with pytest.warns(UserWarning, match=r"class 2 has 4 sample.*using 3 neighbour"):
        xr, yr = SMOTE(k_neighbors=5, small_classes="adapt", seed=0).fit_resample(x, y)
    assert _counts(yr) == {0: 30, 1: 30, 2: 30}
    y1 = np.repeat([0, 1], [10, 1])
    with pytest.warns(UserWarning, match="random duplication"):
        xr, yr = SMOTE(small_classes="adapt", seed=0).fit_resample(RNG.random((11, 2)), y1)
    assert _counts(yr) == {0: 10, 1: 10}


@pytest.mark.parametrize("value,kind", [(np.nan, "NaN"), (np.inf, "inf")])
def test_smote_rejects_nan_and_inf_naming_the_sample(value, kind):
    x = RNG.random((len(Y), 3, 3, 1))
    x[17, 1, 2, 0] = value
    with pytest.raises(ValueError, match=rf"{kind} values \(first in sample 17"):
        SMOTE().fit_resample(x, Y)


def test_smote_bad_arguments():
    x = RNG.random((len(Y), 2, 2, 1))
    with pytest.raises(ValueError, match="k_neighbors"):  # validated at use
        SMOTE(k_neighbors=0).fit_resample(x, Y)
    with pytest.raises(ValueError, match="small_classes"):
        SMOTE(small_classes="skip").resample(x, Y)


def test_adapter_random_samplers_use_index_column():
    for imb in (ImbROS(random_state=0), ImbRUS(random_state=0)):
        s = ImblearnSampler(imb)
        # indices without the data; the class still declares needs_data (files: use ours)
        assert s.index_only and s.needs_data is ImblearnSampler.needs_data is True
        idx = s.resample_indices(Y, rng=np.random.default_rng(0))
        _, y_ref = imb.fit_resample(np.zeros((len(Y), 1)), Y)
        assert _counts(Y[idx]) == _counts(y_ref)
        assert s.epoch_size(Y) == len(y_ref)


def test_adapter_data_samplers_any_rank():
    x = RNG.random((len(Y), 4, 4, 1))
    nm = ImblearnSampler(NearMiss())
    assert nm.needs_data
    with pytest.raises(TypeError, match="needs the data"):
        nm.resample_indices(Y)
    xr, yr = nm.fit_resample(x, Y)
    assert xr.shape == (21, 4, 4, 1)
    np.testing.assert_array_equal(xr, x[nm.sample_indices_])
    idx, xn, yn = nm.resample(x, Y, rng=np.random.default_rng(0))
    assert len(xn) == 0 and _counts(Y[idx]) == {0: 7, 1: 7, 2: 7}


def test_adapter_synthetic_samplers_are_appended():
    x = RNG.random((len(Y), 3, 3, 1))
    for imb in (ImbSMOTE(k_neighbors=3), ADASYN(n_neighbors=3)):
        idx, xn, yn = ImblearnSampler(imb).resample(x, Y, rng=np.random.default_rng(0))
        assert xn.shape[1:] == (3, 3, 1) and len(xn) == len(yn) > 0
        np.testing.assert_array_equal(idx[:len(Y)], np.arange(len(Y)))  # originals kept
        assert len(idx) == len(Y) + len(yn)
    # samplers whose output replaces the data (no sample_indices_, not over-sampling)
    idx, xn, yn = ImblearnSampler(ClusterCentroids(random_state=0)).resample(x, Y)
    assert np.all(idx >= len(Y)) and len(idx) == len(yn) == 21
    idx, xn, yn = ImblearnSampler(SMOTEENN(random_state=0)).resample(x, Y)
    assert len(idx) == len(yn) + np.sum(idx < len(Y))
    idx, xn, yn = ImblearnSampler(TomekLinks()).resample(x, Y)
    assert len(xn) == 0 and np.all(idx < len(Y))


def test_adapter_does_not_mutate_the_wrapped_sampler_and_rejects_non_samplers():
    imb = ImbRUS(random_state=5)
    ImblearnSampler(imb).resample_indices(Y, rng=np.random.default_rng(0))
    assert imb.random_state == 5
    with pytest.raises(TypeError, match="fit_resample"):  # validated at use
        ImblearnSampler(object()).resample(np.zeros((len(Y), 1)), Y)
    with pytest.raises(TypeError, match="sampler"):
        as_sampler(42)
    assert isinstance(as_sampler(imb), ImblearnSampler)
    s = SMOTE()
    assert as_sampler(s) is s
