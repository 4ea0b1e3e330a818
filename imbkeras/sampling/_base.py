"""Index-level samplers following imbalanced-learn's contract.

A sampler decides *which indices* to draw; the data are never flattened or
copied until the caller gathers them. ``fit_resample(X, y)`` works on arrays
of any rank (images ``(n, h, w, c)``, volumes ``(n, d, h, w, c)``) and sets
``sample_indices_``; pipelines call :meth:`BaseSampler.resample_indices` with
a fresh random generator each epoch.
"""

from __future__ import annotations

import copy
import numbers

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin

from imbkeras._validation import (_short, as_generator, as_sample_array, check_count_dict,
                                  check_labels, check_multihot, check_positive_int, check_seed,
                                  epoch_rng)

_RANDOM_STATES = (np.random.RandomState, np.random.Generator)


def _class_counts(y: np.ndarray) -> dict[int, int]:
    classes, counts = np.unique(y, return_counts=True)
    return dict(zip(classes.tolist(), counts.tolist()))


def _check_two_classes(counts: dict, who: str) -> None:
    """A sampler balances classes: ``y`` with a single class is an error (as in imbalanced-learn)."""
    if len(counts) < 2:
        raise ValueError(f"{who} needs `y` with at least 2 classes to balance; received a single "
                         f"class (class counts {counts}).")


def _check_random_state(value):
    """``random_state``: None, a non-negative int, a ``RandomState`` or a ``Generator``."""
    if value is None or isinstance(value, _RANDOM_STATES):
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or value < 0:
        raise TypeError(f"`random_state` must be None, a non-negative int, a "
                        f"numpy.random.RandomState or a numpy.random.Generator; received "
                        f"{_short(value)}.")
    return value


def _n_rows(X) -> int:
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) else len(X)


def _ndim(X) -> int:
    shape = getattr(X, "shape", None)
    return len(shape) if shape is not None else np.ndim(X)


def _take(data, idx):
    """Rows ``idx`` of ``data`` in its own container (list, DataFrame, Series, sparse, array)."""
    if isinstance(data, list):
        return [data[i] for i in idx.tolist()]
    if hasattr(data, "iloc"):  # pandas: a fresh index, as imbalanced-learn returns
        return data.iloc[idx].reset_index(drop=True)
    if hasattr(data, "tocsr"):  # scipy.sparse
        return data.tocsr()[idx].asformat(data.format)
    return np.asarray(data)[idx]


def _like(template, arr):
    """``arr`` (a dense array) in the container of ``template`` (list, DataFrame, Series)."""
    if isinstance(template, list):
        return arr.tolist()
    if hasattr(template, "columns"):
        import pandas as pd

        return pd.DataFrame(arr, columns=template.columns).astype(template.dtypes.to_dict())
    if hasattr(template, "iloc"):
        import pandas as pd

        return pd.Series(arr, name=template.name).astype(template.dtype)
    return arr


def _dense(X, who: str):
    """``X`` as a dense array for samplers that compute with the data."""
    if hasattr(X, "tocsr"):
        raise TypeError(f"{who} computes with the samples and needs a dense `X`; received a "
                        f"scipy sparse matrix of shape {X.shape} (call `X.toarray()` first).")
    if hasattr(X, "iloc"):
        return X.to_numpy()
    return np.asarray(as_sample_array(X, "X"))


def _single_labels(y, who: str):
    """Validate single-label targets as imbalanced-learn does: ``(labels_1d, form)``.

    ``form`` is ``"1d"``, ``"column"`` (an ``(n, 1)`` column) or ``"onehot"``
    (one-hot rows, turned into their column index).
    """
    from sklearn.utils.multiclass import type_of_target

    arr = np.asarray(y)
    form = "1d"
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr, form = arr[:, 0], "column"
    elif arr.ndim == 2:
        if arr.dtype.kind in "biuf" and np.isin(arr, (0, 1)).all() \
                and (arr.sum(axis=1) == 1).all():
            return arr.argmax(axis=1), "onehot"
        raise ValueError(f"{who} takes single-label targets: `y` must be 1-D class labels or "
                         f"one-hot rows; received a 2-D `y` of shape {arr.shape} whose rows are "
                         f"not one-hot (multi-label targets need a sampler whose `targets` "
                         f"include 'multi').")
    if arr.ndim != 1:
        raise ValueError(f"`y` must be 1-D class labels; received shape {arr.shape}.")
    if not len(arr):
        raise ValueError("`y` must not be empty; received 0 labels.")
    try:
        kind = type_of_target(arr)
    except (TypeError, ValueError) as err:
        raise ValueError(f"`y` must hold class labels; received {_short(arr[:5].tolist())} "
                         f"({err}).") from None
    if kind not in ("binary", "multiclass"):
        raise ValueError(f"`y` must hold class labels (binary or multiclass); received "
                         f"'{kind}' targets, e.g. {_short(arr[:5].tolist())}. A sampler "
                         f"balances classes: discretise continuous targets first.")
    return arr, form


def _encode(labels: np.ndarray):
    """``(classes, codes)``: ``classes`` is None when the labels are already class ids
    (non-negative integers), else the sorted distinct labels with ``codes`` indexing them."""
    if labels.dtype.kind in "iuf" and labels.dtype.kind != "b":
        if labels.dtype.kind in "iu" or (labels == np.round(labels)).all():
            if (labels >= 0).all():
                return None, labels.astype(np.int64)
    try:
        classes, codes = np.unique(labels, return_inverse=True)
    except TypeError:
        raise ValueError(f"`y` holds labels that cannot be ordered (mixed types?); received "
                         f"{_short(labels[:5].tolist())}.") from None
    return classes, codes.astype(np.int64).ravel()


def _label_map(classes, mapping: dict, name: str) -> dict:
    """``{label: value}`` to ``{class id: value}`` for the labels ``classes``."""
    to_code = {c: i for i, c in enumerate(classes.tolist())}
    out = {}
    for key, value in mapping.items():
        key_ = key.item() if isinstance(key, np.generic) else key
        if key_ not in to_code:
            raise ValueError(f"`{name}` names class {key!r}, which is not in `y` (its classes: "
                             f"{_short(classes.tolist())}).")
        out[to_code[key_]] = value
    return out


class _CodedStrategy:
    """A ``sampling_strategy`` callable written for the original labels, called on class ids."""

    def __init__(self, fn, classes):
        self.fn, self.classes = fn, classes

    def __repr__(self):
        return repr(self.fn)

    def __call__(self, codes):
        out = self.fn(self.classes[np.asarray(codes)])
        return _label_map(self.classes, out, "sampling_strategy") if isinstance(out, dict) \
            else out


class BaseSampler(OneToOneFeatureMixin, BaseEstimator):
    """The sampler protocol every imbkeras sampler implements.

    A scikit-learn estimator (``get_params`` / ``set_params``,
    ``sklearn.base.clone``, a readable repr) with imbalanced-learn's
    ``fit_resample`` and the per-epoch contract of
    :func:`imbkeras.pipeline.make_dataset`:

    * ``resample(x, y, rng) -> (indices, x_new, y_new)``: one epoch's draw.
      Indices below ``len(y)`` select original samples, ``len(y) + j``
      selects the synthetic sample ``x_new[j]`` (label ``y_new[j]``).
      Index-level samplers ignore ``x`` (it may be ``None``) and return no
      synthetic samples.
    * ``resample_indices(y, rng)``: the indices alone, for samplers whose
      choice ignores the data (``needs_data = False``); a ``TypeError``
      for the others.
    * ``epoch_size(y)``: samples per epoch (``None`` when it varies with
      the draw); ``target_counts(y)``: per-class counts after resampling.

    Capabilities are class attributes (never per instance, never in the
    registry): ``targets`` (the labels it takes: ``"single"`` 1-D class ids,
    ``"multi"`` 2-D multi-hot), ``needs_data`` (a draw looks at or creates
    samples: SMOTE, NearMiss, ...; such samplers cannot stream files) and
    ``keeps_order`` (the draw's order is part of the method, as in
    class-aware sampling; pipelines do not shuffle it).

    Parameters follow scikit-learn's contract: ``__init__`` only stores its
    arguments, and they are validated when used (every public method checks
    them first, as imbalanced-learn's parameter constraints do at
    ``fit_resample``), so ``set_params`` and ``sklearn.base.clone`` give the
    same sampler as the constructor. A bad parameter raises at use, naming
    the argument and the value.

    Randomness: a draw uses the generator it is given and nothing else.
    ``rng`` accepts ``None`` (the sampler's own ``seed``: for draws made
    alone, e.g. ``fit_resample``), an int, a sequence of ints or a
    ``numpy.random.Generator``. Epoch ``e`` of a seed is drawn with
    ``epoch_rng(seed, e)`` (:meth:`epoch_indices`); a pipeline draws its
    epochs the same way from *its* ``seed``, so one seed fixes a whole
    pipeline and the sampler's own ``seed`` is not read there. ``seed=None``
    draws from fresh entropy each time.

    ``random_state`` (imbalanced-learn's name) is an alias of ``seed``, stored
    as given and resolved at use: pass either. It accepts ``None``, a
    non-negative int (the same as ``seed``), a ``numpy.random.Generator``
    (drawn from, so successive ``fit_resample`` calls differ) or a
    ``numpy.random.RandomState`` (a generator is seeded from it at each
    draw, advancing it, as imbalanced-learn does). Giving both with
    different values (anything but the same int, or one of them ``None``)
    raises a ``ValueError`` naming both. :meth:`epoch_indices` needs an
    integer seed (or none).

    ``fit_resample(X, y)`` follows imbalanced-learn's contract: ``X`` may be
    an array of any rank, a list, a ``pandas.DataFrame`` or (for samplers
    that never read ``X``) a scipy sparse matrix, and comes back in the same
    container; ``y`` may hold any class labels (strings, negative or
    non-contiguous ints, booleans), an ``(n, 1)`` column or one-hot rows,
    and comes back in the same form. Labels other than non-negative ints
    are encoded as class ids ``0..K-1`` (sorted), resampled and mapped back;
    ``sampling_strategy`` dicts and callables (and ``classes`` lists) then
    name the original labels. The per-epoch methods (``resample``,
    ``resample_indices``, ``target_counts``) take class ids, the pipeline's
    labels. ``__sklearn_tags__`` declares imbalanced-learn's sampler tags
    (``sample_indices`` for samplers that only select samples), and 2-D
    inputs give ``n_features_in_`` / ``get_feature_names_out``.

    Subclasses implement ``resample_indices`` (index-level samplers) or
    ``resample`` (data-aware ones), and extend ``_check_params``.
    """

    targets = ("single",)
    needs_data = False
    keeps_order = False

    _estimator_type = "sampler"

    def _check_params(self) -> None:
        """Validate the parameters (called by every public method before it uses them)."""
        check_seed(self.seed)
        _check_random_state(getattr(self, "random_state", None))
        self._seed_source()

    def _seed_source(self):
        """The sampler's randomness: ``seed`` or its alias ``random_state`` (checked to agree)."""
        seed, rs = self.seed, getattr(self, "random_state", None)
        if rs is None:
            return seed
        if seed is None or (not isinstance(rs, _RANDOM_STATES) and int(rs) == int(seed)):
            return rs
        raise ValueError(f"`seed`={seed!r} and `random_state`={_short(rs)} disagree: "
                         f"`random_state` is imbalanced-learn's name for `seed`; pass one of "
                         f"them (or the same int to both).")

    def _generator(self, rng) -> np.random.Generator:
        """The generator of one draw: ``rng``, or the sampler's ``seed`` / ``random_state``
        when ``rng`` is None."""
        if rng is not None:
            return as_generator(rng)
        src = self._seed_source()
        if isinstance(src, np.random.RandomState):
            return np.random.default_rng(int(src.randint(np.iinfo(np.int32).max)))
        return as_generator(src)

    def __sklearn_tags__(self):
        from imblearn.utils._tags import InputTags, SamplerTags, Tags
        from sklearn.utils import TargetTags

        reads_x = self.needs_data
        return Tags(estimator_type="sampler", target_tags=TargetTags(required=True),
                    sampler_tags=SamplerTags(sample_indices=not reads_x),
                    input_tags=InputTags(two_d_array=True, three_d_array=True,
                                         dataframe=True, sparse=not reads_x,
                                         string=not reads_x, allow_nan=not reads_x))

    def resample_indices(self, y, rng=None) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def resample(self, x, y, rng=None):
        """One epoch's draw: ``(indices, x_new, y_new)`` (see the class docs)."""
        idx = np.asarray(self.resample_indices(y, rng=rng), dtype=np.int64)
        return idx, None, None

    def epoch_size(self, y) -> int | None:
        """Number of samples one resampled epoch holds (``None`` if it varies)."""
        return int(sum(self.target_counts(y).values()))

    def epoch_indices(self, y, epoch: int) -> np.ndarray:
        """Indices of epoch ``epoch``: a fresh, reproducible draw per epoch.

        Drawn with ``epoch_rng(seed, epoch)`` (``seed=None`` counts as 0),
        the generator a pipeline of the same ``seed`` uses for that epoch.
        """
        epoch = check_positive_int(epoch, "epoch", minimum=0)
        self._check_params()
        src = self._seed_source()
        if isinstance(src, _RANDOM_STATES):
            raise TypeError(f"`epoch_indices` draws epoch e from an integer seed; this sampler "
                            f"has random_state={_short(src)}. Pass an int `seed` (or "
                            f"`random_state`), or call `resample_indices(y, rng)`.")
        return self.resample_indices(y, rng=epoch_rng(src or 0, epoch))

    def _coded_params(self, classes) -> dict:
        """Parameters that name classes, rewritten for class ids ``0..K-1`` of ``classes``."""
        return {}

    def _fit_attributes(self, y, idx, y_new) -> dict:
        """Fitted attributes of one ``fit_resample`` on class ids ``y`` (the draw ``idx``)."""
        return {}

    def fit(self, X, y):
        """Check the inputs and set the fitted attributes; returns ``self``.

        As in imbalanced-learn, use :meth:`fit_resample` to get the
        resampled data (``fit`` runs one draw and discards it).
        """
        self.fit_resample(X, y)
        return self

    def fit_resample(self, X, y):
        """Resample ``X`` and ``y`` once (imbalanced-learn's contract, see the class docs).

        Sets ``sample_indices_`` when every returned sample is an original
        one (as imbalanced-learn's index-selecting samplers do), and the
        sampler's fitted attributes (``sampling_strategy_``, keyed by the
        original labels).

        Returns:
            ``(X_resampled, y_resampled)`` in the containers of ``X`` and
            ``y``: originals gathered by the draw's indices, synthetic
            samples appended in their order.
        """
        self._check_params()
        who = type(self).__name__
        X = X if hasattr(X, "shape") or isinstance(X, list) else as_sample_array(X, "X")
        y_arr = np.asarray(y)
        multi = "multi" in self.targets and y_arr.ndim == 2 and y_arr.shape[1] > 1
        if multi or "single" not in self.targets:
            codes, classes, form = check_multihot(y_arr), None, "multi"
        else:
            labels, form = _single_labels(y, who)
            classes, codes = _encode(labels)
        if _n_rows(X) != len(codes):
            raise ValueError(f"`X` and `y` must have the same length; received {_n_rows(X)} "
                             f"samples in X and {len(codes)} labels in y.")
        drawer = self
        if classes is not None:
            drawer = copy.copy(self)
            for key, value in self._coded_params(classes).items():
                setattr(drawer, key, value)
        Xd = _dense(X, who) if self.needs_data else X
        idx, x_new, y_new = drawer.resample(Xd, codes)
        idx = np.asarray(idx, dtype=np.int64)
        for key, value in drawer._fit_attributes(codes, idx, y_new).items():
            if key == "sampling_strategy_" and classes is not None:
                value = {classes[c].item() if isinstance(classes[c], np.generic)
                         else classes[c]: n for c, n in value.items()}
            setattr(self, key, value)
        if _ndim(X) == 2:
            from sklearn.utils.validation import validate_data

            validate_data(self, X, skip_check_array=True, reset=True)
        else:
            for attr in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(attr, None)
        n = len(codes)
        if y_new is None or not len(y_new):
            self.sample_indices_ = idx
            return _take(X, idx), _take(y, idx)
        self.__dict__.pop("sample_indices_", None)
        real = idx[idx < n]
        syn = idx[idx >= n] - n
        Xd = np.asarray(Xd)
        x_out = np.concatenate([Xd[real], np.asarray(x_new)[syn]])
        new = np.asarray(y_new, dtype=np.int64)[syn]
        y_orig = y_arr
        if form == "onehot":
            rows = np.eye(y_arr.shape[1], dtype=y_arr.dtype)[new]
        else:
            lab = new if classes is None else classes[new]
            rows = np.asarray(lab).astype(y_arr.dtype, copy=False)
            if form == "column":
                rows = rows.reshape(-1, 1)
        y_out = np.concatenate([y_orig[real], rows])
        return _like(X, x_out), _like(y, y_out)


def _check_strategy_form(strategy) -> None:
    """Checks of ``sampling_strategy`` that need no labels (the rest is imbalanced-learn's).

    Dict keys are checked against ``y`` at use (they may name string labels in
    ``fit_resample``); the counts are checked here.
    """
    if isinstance(strategy, (bool, np.bool_)) or not (
            isinstance(strategy, (str, dict, numbers.Real)) or callable(strategy)):
        raise TypeError(f"`sampling_strategy` must be a string, a float, a dict {{class: "
                        f"n_samples}} or a callable; received {_short(strategy)} of type "
                        f"{type(strategy).__name__}.")
    if isinstance(strategy, dict):
        check_count_dict({i: n for i, n in enumerate(strategy.values())}, "sampling_strategy")


class _StrategySampler(BaseSampler):
    """Samplers driven by an imbalanced-learn ``sampling_strategy``.

    Subclasses set ``_sampling_type`` (``"over-sampling"`` or
    ``"under-sampling"``, as imbalanced-learn names them, or ``"hybrid"`` when
    ``_targets`` returns final counts) and implement ``_draw(y, targets, rng)``.

    Args:
        sampling_strategy: any form imbalanced-learn accepts: a string
            (``"auto"``, ``"minority"``, ``"not minority"``, ``"not majority"``,
            ``"all"``, ``"majority"``), a float (binary targets only), a dict
            ``{class: n_samples}`` or a callable ``y -> dict``. Validated at fit
            time against ``y``.
        seed: seed of the draw; the same seed gives the same indices.
            ``None`` draws from fresh entropy each time.
        random_state: imbalanced-learn's name for ``seed`` (see
            :class:`BaseSampler`).
    """

    _sampling_type = "over-sampling"

    def __init__(self, sampling_strategy="auto", seed: int | None = None, *,
                 random_state=None):
        self.sampling_strategy = sampling_strategy
        self.seed = seed
        self.random_state = random_state

    def _check_params(self) -> None:
        super()._check_params()
        _check_strategy_form(self._strategy())

    def target_counts(self, y) -> dict[int, int]:
        """Per-class sample counts after resampling ``y``."""
        self._check_params()
        y = check_labels(y)
        out = _class_counts(y)
        for c, n in self._targets(y).items():
            out[c] = out[c] + n if self._sampling_type == "over-sampling" else n
        return out

    def resample_indices(self, y, rng=None) -> np.ndarray:
        """Draw the indices of one resampled set of ``y`` (no data touched).

        Args:
            y: 1-D integer labels.
            rng: ``None`` (use ``self.seed``), an int / sequence of ints, or a
                ``numpy.random.Generator``. Pipelines pass a new one per epoch.

        Returns:
            int64 indices into ``y``.
        """
        self._check_params()
        y = check_labels(y)
        targets = self._targets(y)
        return np.asarray(self._draw(y, targets, self._generator(rng)), dtype=np.int64)

    def _coded_params(self, classes) -> dict:
        if "sampling_strategy" not in self.get_params(deep=False):
            return {}
        strategy = self.sampling_strategy
        if isinstance(strategy, dict):
            return {"sampling_strategy": _label_map(classes, strategy, "sampling_strategy")}
        if callable(strategy):
            return {"sampling_strategy": _CodedStrategy(strategy, classes)}
        return {}

    def _fit_attributes(self, y, idx, y_new) -> dict:
        return {"sampling_strategy_": self._targets(y)}

    # -- internals ----------------------------------------------------------
    def _strategy(self):
        """The ``sampling_strategy`` handed to imbalanced-learn's validation."""
        return self.sampling_strategy

    def _targets(self, y: np.ndarray) -> dict[int, int]:
        from imblearn.utils import check_sampling_strategy  # imblearn loads all its samplers

        strategy = self._strategy()
        if callable(strategy):
            # a callable's answer must be a dict of integer counts, as a dict argument
            out = strategy(y)
            if not isinstance(out, dict):
                raise TypeError(f"`sampling_strategy`={self.sampling_strategy!r} must return a "
                                f"dict {{class id: n_samples}}; it returned {_short(out)}.")
            strategy = check_count_dict(out, "sampling_strategy")
        elif isinstance(strategy, dict):
            strategy = check_count_dict(strategy, "sampling_strategy")
        try:
            strategy = check_sampling_strategy(strategy, y, self._sampling_type)
        except ValueError as err:
            raise ValueError(
                f"`sampling_strategy`={self.sampling_strategy!r} is invalid for y with "
                f"class counts {_class_counts(y)}: {err}") from None
        return {int(c): int(n) for c, n in strategy.items()}

    def _draw(self, y, targets, rng):  # pragma: no cover - abstract
        raise NotImplementedError
