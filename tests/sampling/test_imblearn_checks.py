"""imbalanced-learn's own sampler checks over every registered single-label sampler.

``imblearn.utils.estimator_checks`` yields the checks a sampler's tags call
for; every one of its 17 sampler checks is listed here, run where it is
yielded, and skipped with the reason where it does not apply (then the test
also asserts that the sampler's tags leave it out, so a skip cannot hide a
check that imbalanced-learn would run). Samplers are built with a fixed
``random_state``, as imbalanced-learn's own samplers are checked.

The rest of the file: ``random_state`` as the alias of ``seed``, and labels
other than class ids (strings, negative ints) in ``fit_resample``.
"""

import warnings

import numpy as np
import pytest
import sklearn.base
from imblearn.utils import estimator_checks as ec
from scipy import sparse

from imbkeras import sampling

SINGLE = sampling.list_samplers("single")

CHECKS = [
    "check_target_type", "check_samplers_one_label", "check_samplers_fit",
    "check_samplers_fit_resample", "check_samplers_sampling_strategy_fit_resample",
    "check_samplers_sparse", "check_samplers_pandas", "check_samplers_pandas_sparse",
    "check_samplers_string", "check_samplers_nan", "check_samplers_list",
    "check_samplers_multiclass_ova", "check_samplers_preserve_dtype",
    "check_samplers_sample_indices", "check_samplers_2d_target",
    "check_sampler_get_feature_names_out", "check_sampler_get_feature_names_out_pandas",
]

_SMOTE_NUMERIC = ("SMOTE interpolates between samples, so it needs dense numbers "
                  "(input tags sparse/string/allow_nan = False)")
_NEARMISS = ("the adapter declares the input tags of the sampler it wraps; the wrapped "
             "NearMiss computes distances (no strings, no NaN)")
# (sampler, check): why the check does not apply. For the tag-driven ones the test asserts
# that imbalanced-learn's generator does not yield the check either.
NOT_APPLICABLE = {
    ("smote", "check_samplers_sparse"): _SMOTE_NUMERIC + "; a sparse X gets a TypeError "
                                        "that names the fix (test below).",
    ("smote", "check_samplers_string"): _SMOTE_NUMERIC + ".",
    ("smote", "check_samplers_nan"): _SMOTE_NUMERIC + "; NaN is named by sample "
                                     "(test_smote_adapter).",
    ("imblearn", "check_samplers_string"): _NEARMISS + ".",
    ("imblearn", "check_samplers_nan"): _NEARMISS + ".",
    ("class_aware", "check_target_type"): (
        "class-aware sampling also takes multi-hot targets (targets ('single', 'multi')): the "
        "check's multi-label y is valid input for it (it would pass only because that y has "
        "rows without a label); continuous y is still rejected (test below)."),
}
TAG_DRIVEN = {"check_samplers_sparse", "check_samplers_pandas", "check_samplers_pandas_sparse",
              "check_samplers_string", "check_samplers_nan"}


def _sampler(name):
    kwargs = sampling.sampler_info(name)["test_kwargs"]
    if name == "imblearn":  # the adapter's randomness is the wrapped sampler's random_state
        return sampling.create_sampler(name, **kwargs)
    return sampling.create_sampler(name, **kwargs, random_state=0)


def _yielded(sampler):
    return {ec._check_name(check): (est, check)
            for est, check in ec.estimator_checks_generator(sampler, legacy=True)}


def test_the_list_is_imblearns_list():
    """Every sampler check imbalanced-learn has is listed above (a new one shows up here)."""
    from imblearn.over_sampling import RandomOverSampler

    assert set(_yielded(RandomOverSampler(random_state=0))) == set(CHECKS)


@pytest.mark.parametrize("check_name", CHECKS)
@pytest.mark.parametrize("name", SINGLE)
def test_imblearn_sampler_check(name, check_name):
    sampler = _sampler(name)
    yielded = _yielded(sampler)
    reason = NOT_APPLICABLE.get((name, check_name))
    if reason is not None:
        if check_name in TAG_DRIVEN:
            assert check_name not in yielded, f"{name}'s tags call for {check_name}"
        pytest.skip(reason)
    assert check_name in yielded, f"imbalanced-learn does not run {check_name} on {name}"
    est, check = yielded[check_name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. SMOTE's small-class warnings are not the point
        check(est)


def test_class_aware_rejects_continuous_targets():
    s = sampling.ClassAwareSampler(random_state=0)
    with pytest.raises(ValueError, match="continuous"):
        s.fit_resample(np.zeros((20, 2)), np.linspace(0, 1, 20))


def test_smote_rejects_sparse_x_naming_the_fix():
    x = sparse.csr_matrix(np.random.default_rng(0).random((30, 3)))
    with pytest.raises(TypeError, match=r"dense `X`.*toarray"):
        sampling.SMOTE(k_neighbors=2, seed=0).fit_resample(x, np.repeat([0, 1], [20, 10]))


# -- random_state, the alias of seed -------------------------------------------------------

Y = np.repeat([0, 1, 2], [30, 12, 6])
X = np.random.default_rng(1).random((len(Y), 3, 3, 1)).astype(np.float32)
SEEDED = [n for n in sampling.list_samplers() if n != "imblearn"]


def _y_for(name):
    if "single" in sampling.sampler_info(name)["targets"]:
        return Y
    y = (np.random.default_rng(0).random((len(Y), 3)) < [0.7, 0.3, 0.1]).astype(np.int64)
    y[y.sum(1) == 0, 0] = 1
    return y


def _make(name, **kw):
    return sampling.create_sampler(name, **sampling.sampler_info(name)["test_kwargs"], **kw)


@pytest.mark.parametrize("name", SEEDED)
def test_random_state_draws_as_seed(name):
    y = _y_for(name)
    a = _make(name, seed=3).fit_resample(X, y)
    b = _make(name, random_state=3).fit_resample(X, y)
    c = _make(name, seed=3, random_state=3).fit_resample(X, y)  # the same int: fine
    for other in (b, c):
        np.testing.assert_array_equal(a[0], other[0])
        np.testing.assert_array_equal(a[1], other[1])


@pytest.mark.parametrize("name", SEEDED)
def test_seed_and_random_state_disagreeing_is_an_error_naming_both(name):
    y = _y_for(name)
    for rs in (4, np.random.default_rng(0), np.random.RandomState(0)):
        s = _make(name, seed=3, random_state=rs)  # stored as given
        assert s.random_state is rs
        with pytest.raises(ValueError, match=r"`seed`=3 and `random_state`=.* disagree"):
            s.fit_resample(X, y)


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True, np.random.SeedSequence(0)])
def test_bad_random_state_named_at_use(bad):
    s = sampling.RandomOverSampler(random_state=bad)
    with pytest.raises(TypeError, match=r"`random_state` must be None, a non-negative int, a "
                                        r"numpy.random.RandomState or a numpy.random.Generator"):
        s.fit_resample(X, Y)


def test_random_state_generator_and_randomstate():
    """A Generator is drawn from and a RandomState seeds each draw: reproducible from a
    fixed start, and successive calls differ (imbalanced-learn's behaviour)."""
    for make in (np.random.default_rng, np.random.RandomState):
        s1, s2 = (sampling.RandomUnderSampler(random_state=make(5)) for _ in range(2))
        first = [s1.fit_resample(X, Y)[0] for _ in range(3)]
        again = [s2.fit_resample(X, Y)[0] for _ in range(3)]
        for f, a in zip(first, again):
            np.testing.assert_array_equal(f, a)
        assert not np.array_equal(first[0], first[1])
        with pytest.raises(TypeError, match="integer seed"):
            s1.epoch_indices(Y, 0)


def test_clone_and_reseeded_keep_random_state_an_alias():
    s = sampling.RandomOverSampler(random_state=2)
    assert sklearn.base.clone(s).get_params()["random_state"] == 2
    assert repr(s) == "RandomOverSampler(random_state=2)"
    kept = sampling.reseeded(s, 9, keep_set=True)
    assert (kept.seed, kept.random_state) == (None, 2)
    new = sampling.reseeded(s, 9)
    assert (new.seed, new.random_state) == (9, None)
    np.testing.assert_array_equal(new.fit_resample(X, Y)[1],
                                  sampling.RandomOverSampler(seed=9).fit_resample(X, Y)[1])


# -- labels other than class ids -----------------------------------------------------------

YS = np.array(["cat"] * 30 + ["dog"] * 12 + ["eel"] * 6, dtype=object)


@pytest.mark.parametrize("name", sampling.list_samplers("single"))
def test_string_labels_come_back_as_the_same_labels(name):
    s = _sampler(name)
    xr, yr = s.fit_resample(X, YS)
    codes = np.searchsorted(["cat", "dog", "eel"], YS)
    xc, yc = _sampler(name).fit_resample(X, codes)
    np.testing.assert_array_equal(xr, xc)
    assert yr.dtype == YS.dtype and set(yr) <= set(YS)
    np.testing.assert_array_equal(yr, np.array(["cat", "dog", "eel"], dtype=object)[yc])
    if hasattr(s, "sampling_strategy_") and name != "imblearn":
        assert set(s.sampling_strategy_) <= {"cat", "dog", "eel"}


def test_strategy_dicts_callables_and_classes_name_the_labels():
    xr, yr = sampling.RandomOverSampler(sampling_strategy={"eel": 20}, seed=0).fit_resample(
        X, YS)
    assert dict(zip(*np.unique(yr, return_counts=True))) == {"cat": 30, "dog": 12, "eel": 20}
    s = sampling.RandomUnderSampler(sampling_strategy=lambda y: {"cat": int((y == "dog").sum())},
                                    seed=0)
    _, yr = s.fit_resample(X, YS)
    assert s.sampling_strategy_ == {"cat": 12}
    assert dict(zip(*np.unique(yr, return_counts=True))) == {"cat": 12, "dog": 12, "eel": 6}
    _, yr = sampling.SMOTE(sampling_strategy={"dog": 30, "eel": 30}, k_neighbors=2,
                           seed=0).fit_resample(X, YS)
    assert dict(zip(*np.unique(yr, return_counts=True))) == {"cat": 30, "dog": 30, "eel": 30}
    s = sampling.EpochUndersampler(0.5, classes=["dog"], seed=0)
    _, yr = s.fit_resample(X, YS)
    assert dict(zip(*np.unique(yr, return_counts=True))) == {"cat": 30, "dog": 6, "eel": 6}
    with pytest.raises(ValueError, match=r"`sampling_strategy` names class 'owl'.*'cat'"):
        sampling.RandomOverSampler(sampling_strategy={"owl": 40}).fit_resample(X, YS)
    with pytest.raises(ValueError, match=r"`classes` names class 'owl'"):
        sampling.EpochUndersampler(classes=["owl"]).fit_resample(X, YS)


def test_negative_and_sparse_int_labels_and_containers():
    import pandas as pd

    y = np.repeat([-1, 7], [30, 18])
    xr, yr = sampling.RandomUnderSampler(sampling_strategy={7: 10}, seed=0).fit_resample(X, y)
    assert sorted(set(yr.tolist())) == [-1, 7] and (yr == 7).sum() == 10
    df = pd.DataFrame(X.reshape(len(X), -1)).add_prefix("f")
    ys = pd.Series(YS, name="animal")
    xr, yr = sampling.RandomOverSampler(seed=0).fit_resample(df, ys)
    assert list(xr.columns) == list(df.columns) and yr.name == "animal" and len(xr) == 90
    s = sampling.SMOTE(k_neighbors=2, seed=0)
    xr, yr = s.fit_resample(df, ys)
    assert isinstance(xr, pd.DataFrame) and list(s.get_feature_names_out()) == list(df.columns)
    assert yr.value_counts().to_dict() == {"cat": 30, "dog": 30, "eel": 30}


def test_bad_targets_are_named():
    s = sampling.RandomOverSampler(seed=0)
    with pytest.raises(ValueError, match=r"`y` must hold class labels.*'continuous'"):
        s.fit_resample(X, np.linspace(0, 1, len(X)))
    multi = np.zeros((len(X), 3), dtype=int)
    multi[:, 0] = 1
    multi[::2, 1] = 1
    with pytest.raises(ValueError, match=r"single-label targets.*not one-hot.*'multi'"):
        s.fit_resample(X, multi)
    with pytest.raises(ValueError, match=r"at least 2 classes.*\{'cat': 48\}|at least 2 class"):
        sampling.HybridSampler(seed=0).fit_resample(X, np.array(["cat"] * len(X)))


@pytest.mark.parametrize("name", [n for n in sampling.list_samplers("multi")
                                  if n not in sampling.list_samplers("single")])
def test_multilabel_samplers_still_require_multihot(name):
    with pytest.raises(ValueError, match="`y`"):
        _make(name, seed=0).fit_resample(X, YS)
    with pytest.raises(ValueError, match="`y`"):
        sampling.OneShotHybridSampler(seed=0).fit_resample(X, YS)


@pytest.mark.parametrize("name,kind", [("ros", "over"), ("smote", "over"), ("rus", "under")])
def test_counts_imblearn_checks_only_assert_for_its_own_base_classes(name, kind):
    """check_samplers_fit_resample / _sampling_strategy_fit_resample assert counts only for
    imbalanced-learn's base classes; the same assertions for ours."""
    from collections import Counter

    X, y = ec.sample_dataset_generator()
    stats = Counter(y)
    _, yr = _sampler(name).fit_resample(X, y)
    if kind == "over":
        assert all(v >= max(stats.values()) for v in Counter(yr).values())
        strategy = {2: 498, 0: 498}
    else:
        assert all(v == min(stats.values()) for v in Counter(yr).values())
        strategy = {2: 201, 0: 201}
    _, yr = _sampler(name).set_params(sampling_strategy=strategy).fit_resample(X, y)
    assert Counter(yr)[1] == stats[1]
