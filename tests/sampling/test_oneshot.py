"""The one-shot multi-label hybrid resampler (Al-joudi & Arif 2023, section 3.2)."""

import numpy as np
import pytest
import sklearn.base

from imbkeras.sampling import OneShotHybridSampler, label_counts
from imbkeras.synthetic import draw_labels


def _toy():
    rng = np.random.default_rng(0)
    return draw_labels(600, rng, frequencies=np.r_[0.4, 0.2, 0.1, 0.05, 0.02, 0.01])


def test_counts_move_toward_the_target_and_never_below_it():
    y = _toy()
    s = OneShotHybridSampler(target=40, seed=0)
    x = np.arange(len(y) * 4, dtype=np.float32).reshape(len(y), 2, 2, 1)
    xr, yr = s.fit_resample(x, y)
    before, after = label_counts(y), label_counts(yr)
    assert np.array_equal(after, s.label_counts_after_)
    assert (np.abs(after - 40) <= np.abs(before - 40)).all()
    assert (after >= 40).all()                       # oversampling reaches the target
    assert after[0] < before[0] and after[0] < 80    # the frequent label is cut back
    assert np.array_equal(xr, x[s.sample_indices_]) and np.array_equal(yr, y[s.sample_indices_])


def test_removed_images_take_all_their_labels_and_the_counts_are_reported():
    # label 0 is frequent; 15 images carry labels 0 and 1 together
    y = np.array([[1, 0]] * 30 + [[1, 1]] * 15)
    s = OneShotHybridSampler(target=10, seed=0)
    _, yr = s.fit_resample(np.zeros((45, 3)), y)
    rep = s.report()
    assert yr.sum(0).tolist() == [10, 10]
    assert rep["removed"].tolist() == [35, 5]        # label 1 left with the shared images
    assert (rep["after"] == rep["before"] + rep["added"] - rep["removed"]).all()
    assert s.n_removed_ == 35 and s.n_duplicated_ == 0 and not s.is_copy_.any()


def test_duplicates_are_marked_and_carry_a_label_below_the_target():
    y = _toy()
    s = OneShotHybridSampler(target=40, seed=1)
    _, yr = s.fit_resample(np.zeros((len(y), 1)), y)
    copies = s.sample_indices_[s.is_copy_]
    assert len(copies) > 0 and s.n_duplicated_ >= len(copies)
    rare = np.flatnonzero(label_counts(y) < 40)
    assert y[copies][:, rare].any(axis=1).all()
    assert (s.report()["added"] >= label_counts(y, copies)).all()  # some copies may go again
    assert not s.is_copy_[:(~s.is_copy_).sum()].any()  # originals first, then the copies


def test_target_scaled_to_the_set_size_and_median():
    y = _toy()
    # the paper's 500 for 24,858 training images, scaled to 600 images
    assert OneShotHybridSampler(500, reference_size=24858).resolve_target(y) == 12
    assert OneShotHybridSampler("median").resolve_target(y) == int(
        np.floor(np.median(label_counts(y)) + 0.5))


def test_label_without_positive_warns_naming_it_and_the_rest_is_resampled():
    y = _toy()
    y = np.c_[y, np.zeros(len(y), int)]
    names = [f"L{j}" for j in range(6)] + ["Rods & rings"]
    s = OneShotHybridSampler(target=40, label_names=names, seed=0)
    with pytest.warns(UserWarning, match="Rods & rings"):
        _, yr = s.fit_resample(np.zeros((len(y), 1)), y)
    assert s.missing_labels_ == ["Rods & rings"] and yr[:, -1].sum() == 0
    assert (yr[:, :-1].sum(0) >= 40).all()


@pytest.mark.parametrize("kwargs, match", [({"target": 0}, "`target`.*received 0"),
                                           ({"target": -3}, "`target`.*received -3"),
                                           ({"target": 2.5}, "`target`"),
                                           ({"target": "mean"}, "`target`"),
                                           ({"reference_size": 0}, "`reference_size`"),
                                           ({"label_names": ["a"]}, "`label_names`")])
def test_bad_parameters_raise_at_fit_not_at_construction(kwargs, match):
    s = OneShotHybridSampler(**kwargs)           # __init__ only stores (imbalanced-learn)
    with pytest.raises(ValueError, match=match):
        s.fit_resample(np.zeros((3, 1)), np.array([[1, 0], [0, 1], [1, 1]]))


def test_same_seed_same_draw_and_clone():
    y = _toy()
    a = OneShotHybridSampler(target=30, seed=3)
    b = sklearn.base.clone(a)
    assert np.array_equal(a.resample_indices(y), b.resample_indices(y))
    assert not np.array_equal(a.resample_indices(y), a.set_params(seed=4).resample_indices(y))
    assert b.get_params()["target"] == 30


def test_report_before_fit_and_bad_labels():
    with pytest.raises(RuntimeError, match="fit_resample"):
        OneShotHybridSampler().report()
    with pytest.raises(ValueError, match="0/1"):
        OneShotHybridSampler().fit_resample(np.zeros((2, 1)), np.array([[2, 0], [0, 1]]))
