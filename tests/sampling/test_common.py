"""Common checks over every registered sampler (in the spirit of imbalanced-learn's).

One parametrised suite: the declared protocol, scikit-learn's estimator
contract (``__init__`` only stores, parameters are validated at use, clone
and set_params agree, repr, pickle), seeding (same seed, same draw;
seed=None, fresh entropy), shapes and dtypes of any rank, no mutation of the
inputs, and an epoch of ``make_dataset``.
"""

import inspect
import pickle

import numpy as np
import pytest
import sklearn.base

from imbkeras import sampling
from imbkeras._validation import epoch_rng
from imbkeras.pipeline import make_dataset

NAMES = sampling.list_samplers()


def _y(name, n=60):
    rng = np.random.default_rng(0)
    if "single" in sampling.sampler_info(name)["targets"]:
        return np.repeat([0, 1, 2], [36, 16, 8])[:n]
    y = (rng.random((n, 4)) < [0.7, 0.3, 0.15, 0.08]).astype(np.int64)
    y[y.sum(1) == 0, 0] = 1
    return y


def _x(n, shape=(5, 5, 1), dtype=np.float32):
    return np.random.default_rng(1).random((n,) + shape).astype(dtype)


def _make(name, **kw):
    kwargs = sampling.sampler_info(name)["test_kwargs"]  # built afresh per call
    if name == "imblearn":  # seeded through the wrapped sampler's random_state
        return sampling.reseeded(sampling.create_sampler(name, **kwargs), kw.get("seed", 0))
    return sampling.create_sampler(name, **kwargs, **kw)


def _draw(s, x, y, rng=None):
    idx, x_new, y_new = s.resample(x, y, rng=rng)
    return np.asarray(idx), (None if x_new is None else np.asarray(x_new))


@pytest.mark.parametrize("name", NAMES)
def test_make_dataset_honours_the_declared_attributes(name, tmp_path):
    """``keeps_order``: the epoch is the draw, unshuffled; ``needs_data``: no files."""
    s = _make(name, seed=0)
    assert isinstance(s, sampling.BaseSampler) and sampling.as_sampler(s) is s
    y = _y(name)
    x = _x(len(y))
    labels = np.concatenate([np.asarray(b) for _, b in
                             make_dataset(x, y, 8, sampler=s, seed=3, shuffle=True)])
    rng = epoch_rng(3, 0)  # the pipeline's epoch 0
    idx, _, y_new = s.resample(x, y, rng=rng)
    drawn = np.concatenate([y, y_new]) if y_new is not None and len(y_new) else y
    if s.keeps_order:
        np.testing.assert_array_equal(labels, drawn[idx])
    else:  # shuffled by the pipeline: same multiset of labels
        assert sorted(map(tuple, np.atleast_2d(labels.T).T.tolist())) == \
            sorted(map(tuple, np.atleast_2d(drawn[idx].T).T.tolist()))
    paths = []
    for i in range(len(y)):
        np.save(tmp_path / f"{i}.npy", x[i])
        paths.append(str(tmp_path / f"{i}.npy"))
    if s.needs_data:
        with pytest.raises(ValueError, match="sampler"):
            make_dataset(paths, y, 8, sampler=s, loader=np.load)
    else:
        assert len(list(make_dataset(paths, y, 8, sampler=s, loader=np.load))) > 0


@pytest.mark.parametrize("name", NAMES)
def test_clone_params_repr_and_pickle(name):
    s = _make(name)
    c = sklearn.base.clone(s)
    assert type(c) is type(s) and c is not s
    assert repr(c) == repr(s) and repr(s).startswith(type(s).__name__ + "(")
    params = s.get_params(deep=False)
    assert c.set_params(**params) is c
    if "seed" in params:
        assert c.set_params(seed=7).get_params()["seed"] == 7 and s.seed != 7
    y = _y(name)
    x = _x(len(y))
    a = pickle.loads(pickle.dumps(s))
    np.testing.assert_array_equal(_draw(a, x, y, rng=3)[0], _draw(s, x, y, rng=3)[0])


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_draw_new_rng_new_draw(name):
    y = _y(name)
    x = _x(len(y))
    a, b = _make(name, seed=5), _make(name, seed=5)
    ia, xa = _draw(a, x, y)
    ib, xb = _draw(b, x, y)
    np.testing.assert_array_equal(ia, ib)
    if xa is not None:
        np.testing.assert_array_equal(xa, xb)
    np.testing.assert_array_equal(_draw(a, x, y, rng=1)[0], _draw(b, x, y, rng=1)[0])
    if name != "imblearn":  # NearMiss is deterministic
        draws = {tuple(_draw(a, x, y, rng=r)[0]) for r in range(4)}
        xs = [_draw(a, x, y, rng=r)[1] for r in range(2)]
        assert len(draws) > 1 or (xs[0] is not None and not np.array_equal(*xs))


@pytest.mark.parametrize("name", [n for n in NAMES if n != "imblearn"])
def test_seed_none_draws_fresh_entropy(name):
    y = _y(name)
    x = _x(len(y))
    s = _make(name, seed=None)
    draws = [_draw(s, x, y) for _ in range(4)]
    assert len({tuple(d[0]) for d in draws}) > 1 or (
        draws[0][1] is not None and not np.array_equal(draws[0][1], draws[1][1]))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_bad_seed_named_at_use(name, bad):
    if name == "imblearn":
        pytest.skip("the adapter takes its seed from the wrapped sampler's random_state")
    s = _make(name, seed=bad)  # stored as given
    assert s.seed is bad
    y = _y(name)
    with pytest.raises(TypeError, match="`seed`"):
        s.resample(_x(len(y)), y)


def _params(name):
    """The constructor's parameter names (scikit-learn reads them the same way)."""
    return [p for p in inspect.signature(sampling.get_sampler(name)).parameters]


@pytest.mark.parametrize("name", NAMES)
def test_init_only_stores_its_arguments(name):
    """Any value is stored untouched (no validation, no derived state in ``__init__``)."""
    cls = sampling.get_sampler(name)
    junk = {p: object() for p in _params(name)}
    s = cls(**junk)
    assert all(s.get_params(deep=False)[p] is v for p, v in junk.items())
    assert set(vars(s)) == set(junk), f"{name}: __init__ sets {sorted(vars(s))}"


@pytest.mark.parametrize("name", NAMES)
def test_bad_parameter_raises_at_use_naming_it(name):
    """Each parameter set to junk (by the constructor or by set_params) is named at use."""
    y = _y(name)
    x = _x(len(y))
    for p in _params(name):
        for s in (_make(name, seed=0).set_params(**{p: object()}),
                  sampling.get_sampler(name)(**{**_make(name, seed=0).get_params(deep=False),
                                                p: object()})):
            with pytest.raises((TypeError, ValueError), match=f"`{p}`"):
                s.resample(x, y, rng=0)
            with pytest.raises((TypeError, ValueError), match=f"`{p}`"):
                s.fit_resample(x, y)


@pytest.mark.parametrize("name", NAMES)
def test_clone_and_set_params_agree_with_the_constructor(name):
    """``clone(s)``, ``s.set_params(**s.get_params())`` and a fresh sampler draw alike."""
    y = _y(name)
    x = _x(len(y))
    s = _make(name, seed=4)
    params = s.get_params(deep=False)
    built = sampling.get_sampler(name)(**params)
    reset = _make(name, seed=0).set_params(**params)
    for other in (sklearn.base.clone(s), reset, built):
        assert repr(other) == repr(s)
        np.testing.assert_array_equal(_draw(other, x, y, rng=2)[0], _draw(s, x, y, rng=2)[0])
        np.testing.assert_array_equal(_draw(other, x, y)[0], _draw(s, x, y)[0])
        if s.epoch_size(y) is not None:
            assert other.epoch_size(y) == s.epoch_size(y)


@pytest.mark.parametrize("name", NAMES)
def test_capabilities_are_class_attributes(name):
    cls = sampling.get_sampler(name)
    s = _make(name, seed=0)
    for attr in ("targets", "needs_data", "keeps_order"):
        assert attr in dir(cls) and not isinstance(inspect.getattr_static(cls, attr), property)
        assert attr not in vars(s) and getattr(s, attr) == getattr(cls, attr)
    assert set(cls.targets) <= {"single", "multi"} and cls.targets
    assert sampling.sampler_info(name)["targets"] == cls.targets
    assert (name in sampling.list_samplers("multi")) == ("multi" in cls.targets)


@pytest.mark.parametrize("name", NAMES)
def test_epoch_indices_are_the_pipeline_epochs(name):
    """One per-epoch generator: ``epoch_indices(y, e)`` is epoch ``e`` of a pipeline of that
    seed."""
    s = _make(name, seed=6)
    if s.needs_data:
        return
    y = _y(name)
    for e in range(2):
        np.testing.assert_array_equal(s.epoch_indices(y, e),
                                      s.resample_indices(y, rng=epoch_rng(6, e)))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape,dtype", [((5, 5, 1), np.float32), ((4, 4, 4, 1), np.float32),
                                         ((6, 6, 3), np.uint8), ((7,), np.float64)])
def test_fit_resample_any_rank_keeps_shape_dtype_and_inputs(name, shape, dtype):
    y = _y(name)
    x = _x(len(y), shape, np.float32)
    x = (x * 255).astype(dtype) if dtype == np.uint8 else x.astype(dtype)
    x0, y0 = x.copy(), y.copy()
    s = _make(name, seed=0)
    xr, yr = s.fit_resample(x, y)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
    assert xr.shape[1:] == shape and xr.dtype == dtype and len(xr) == len(yr) > 0
    assert np.asarray(yr).ndim == y.ndim
    if y.ndim == 1:
        assert set(np.unique(yr)) <= set(np.unique(y))
    size = s.epoch_size(y)
    if size is not None:
        assert len(yr) == size
    if hasattr(s, "sample_indices_") and not s.needs_data or name == "imblearn":
        np.testing.assert_array_equal(xr, x[s.sample_indices_])
        np.testing.assert_array_equal(yr, y[s.sample_indices_])


@pytest.mark.parametrize("name", NAMES)
def test_index_level_contract(name):
    y = _y(name)
    s = _make(name, seed=0)
    if s.needs_data:
        with pytest.raises(TypeError):
            s.resample_indices(y)
        return
    idx = s.resample_indices(y, rng=2)
    assert idx.dtype == np.int64 and idx.min() >= 0 and idx.max() < len(y)
    np.testing.assert_array_equal(idx, s.resample(None, y, rng=2)[0])


@pytest.mark.parametrize("name", NAMES)
def test_feeds_make_dataset_one_fresh_epoch_after_another(name):
    y = _y(name)
    x = _x(len(y))
    s = _make(name, seed=0)
    ds = make_dataset(x, y, batch_size=8, sampler=s, seed=0)
    epochs = [np.concatenate([np.asarray(b) for _, b in ds]) for _ in range(2)]
    size = s.epoch_size(y)
    for e in epochs:
        assert len(e) > 0 and (size is None or len(e) == size)
    xb, _ = next(iter(ds))
    assert xb.shape[1:] == x.shape[1:] and xb.dtype == x.dtype
