"""Samplers that need the data: SMOTE on any-rank arrays and an imbalanced-learn adapter.

Both follow the data-aware sampler protocol: ``needs_data = True`` and
``resample(x, y, rng) -> (indices, x_new, y_new)``, where ``indices`` below
``len(x)`` select original samples and ``len(x) + j`` selects ``x_new[j]``.
Pipelines gather originals from ``x`` as usual and append the synthetic rows.
"""

from __future__ import annotations

import warnings

import numpy as np

from imbkeras._validation import (as_generator, as_sample_array, check_labels,
                                  check_positive_int, check_same_length)
from imbkeras.sampling._base import BaseSampler, _class_counts, _StrategySampler
from imbkeras.sampling._registry import register_sampler


def _flatten(X, name: str = "X") -> np.ndarray:
    X = np.asarray(X) if not isinstance(X, np.ndarray) else X
    if X.ndim < 2:
        raise ValueError(f"`{name}` must have a sample axis and at least one feature axis; "
                         f"received shape {X.shape}.")
    return X.reshape(len(X), -1)


def _check_finite(flat: np.ndarray, name: str = "X") -> None:
    if flat.dtype.kind not in "fc":
        return
    bad = ~np.isfinite(flat).all(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        kind = "NaN" if np.isnan(flat[i]).any() else "inf"
        raise ValueError(f"`{name}` holds {kind} values (first in sample {i}; {int(bad.sum())} "
                         f"sample(s) affected); SMOTE interpolates between samples and needs "
                         f"finite inputs. Impute or drop them first.")


def _seed_from(rng: np.random.Generator) -> int:
    return int(rng.integers(2**31 - 1))


@register_sampler("smote", test_kwargs={"k_neighbors": 2})
class SMOTE(_StrategySampler):
    """SMOTE for images, volumes and feature vectors (any-rank ``X``).

    Each sample is vectorised, imbalanced-learn's ``SMOTE`` creates the new
    samples (interpolations between a sample and one of its ``k_neighbors``
    nearest same-class neighbours), and they are reshaped back to the
    sample shape. Integer inputs (``uint8`` images) are interpolated in
    float32 and rounded back to their dtype; boolean inputs (masks, binary
    features) are interpolated in float32 and each value is set to the
    nearer of False / True (so a synthetic sample agrees with both parents
    wherever they agree).

    Args:
        sampling_strategy: any imbalanced-learn form (see :class:`BaseSampler`).
        k_neighbors: neighbours per sample, >= 1 (imbalanced-learn's default 5;
            Koziarski 2020 uses 5).
        seed: seed of the draw.
        random_state: imbalanced-learn's name for ``seed`` (an alias, see
            :class:`BaseSampler`).
        small_classes: what to do with an oversampled class of fewer than
            ``k_neighbors + 1`` samples: ``"error"`` (default) raises;
            ``"adapt"`` warns and uses ``k = n_c - 1`` neighbours for it
            (random duplication when ``n_c == 1``).

    Raises:
        ValueError: for ``k_neighbors < 1`` or an unknown ``small_classes``
            (when the sampler is used), NaN or inf in ``X`` (naming the first sample), or (with
            ``small_classes="error"``) a class too small for ``k_neighbors``
            (naming the class and its count).

    Examples:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> x = rng.random((26, 4, 4, 1)).astype("float32"); y = np.array([0] * 20 + [1] * 6)
        >>> xr, yr = SMOTE(k_neighbors=5, seed=0).fit_resample(x, y)
        >>> xr.shape, np.bincount(yr).tolist()
        ((40, 4, 4, 1), [20, 20])

    Reference:
        Chawla et al. (2002); Luo et al. (2019), Algorithm 1; Koziarski (2020),
        section 3 (SMOTE in image and feature space).
    """

    _sampling_type = "over-sampling"
    needs_data = True

    def __init__(self, sampling_strategy="auto", k_neighbors: int = 5, seed: int | None = None,
                 *, small_classes: str = "error", random_state=None):
        super().__init__(sampling_strategy, seed, random_state=random_state)
        self.k_neighbors = k_neighbors
        self.small_classes = small_classes

    def _check_params(self) -> None:
        super()._check_params()
        check_positive_int(self.k_neighbors, "k_neighbors")
        if self.small_classes not in ("error", "adapt"):
            raise ValueError(f"`small_classes` must be 'error' or 'adapt'; received "
                             f"{self.small_classes!r}.")

    def resample_indices(self, y, rng=None):
        raise TypeError("SMOTE creates new samples and cannot resample indices alone; use "
                        "`fit_resample(X, y)` or `resample(x, y, rng)` (make_dataset does).")

    def resample(self, x, y, rng=None):
        """One draw: ``(indices, x_new, y_new)`` with all originals then the synthetic samples.

        Args:
            x: samples of any rank ``(n, ...)``.
            y: 1-D integer labels.
            rng: ``None`` (use ``seed``), an int or a ``numpy.random.Generator``.

        Returns:
            ``indices = arange(n + m)``, ``x_new`` of shape ``(m,) + x.shape[1:]``
            and dtype ``x.dtype``, ``y_new`` int64 labels.
        """
        from imblearn.over_sampling import SMOTE as _ImbSMOTE

        self._check_params()
        x = as_sample_array(x, "x")
        y = check_labels(y)
        check_same_length(x, y, "x", "y")
        flat = _flatten(x, "x")
        _check_finite(flat, "x")
        gen = self._generator(rng)
        counts = _class_counts(y)
        targets = {c: n for c, n in self._targets(y).items() if n > 0}
        k = int(self.k_neighbors)
        small = {c: counts[c] for c in targets if counts[c] < k + 1}
        if small and self.small_classes == "error":
            c, n_c = next(iter(small.items()))
            raise ValueError(
                f"SMOTE with k_neighbors={k} needs at least {k + 1} samples in every class it "
                f"oversamples; class {c} has {n_c} (all too small: {small}). Lower "
                f"`k_neighbors`, or pass small_classes='adapt' to use n_c - 1 neighbours there.")
        work = flat.astype(np.float32) if flat.dtype.kind in "biu" else flat
        n = len(y)
        new_x, new_y = [], []
        groups = [({c: counts[c] + m for c, m in targets.items() if c not in small}, k)]
        for c, n_c in small.items():
            warnings.warn(f"SMOTE: class {c} has {n_c} sample(s), fewer than k_neighbors + 1 = "
                          f"{k + 1}; using {max(n_c - 1, 0)} neighbour(s)"
                          f"{' (random duplication)' if n_c == 1 else ''} for it.",
                          UserWarning, stacklevel=2)
            groups.append(({c: n_c + targets[c]}, n_c - 1))
        for strategy, kk in groups:
            if not strategy:
                continue
            if kk == 0:  # a single sample: nothing to interpolate with
                (c, t), = strategy.items()
                new_x.append(np.repeat(work[y == c], t - counts[c], axis=0))
                new_y.append(np.full(t - counts[c], c, dtype=np.int64))
                continue
            sm = _ImbSMOTE(sampling_strategy=strategy, k_neighbors=kk, random_state=_seed_from(gen))
            xr, yr = sm.fit_resample(work, y)
            new_x.append(xr[n:])
            new_y.append(np.asarray(yr[n:], dtype=np.int64))
        if new_x:
            xn = np.concatenate(new_x)
            yn = np.concatenate(new_y)
        else:
            xn = np.empty((0, flat.shape[1]), dtype=work.dtype)
            yn = np.empty(0, dtype=np.int64)
        if flat.dtype.kind == "b":  # an interpolation between False and True: the nearer
            xn = xn >= 0.5
        elif flat.dtype.kind in "iu":
            info = np.iinfo(flat.dtype)
            xn = np.clip(np.rint(xn), info.min, info.max)
        xn = xn.astype(flat.dtype, copy=False).reshape((len(xn),) + tuple(np.shape(x)[1:]))
        return np.arange(n + len(yn), dtype=np.int64), xn, yn

    def _fit_attributes(self, y, idx, y_new) -> dict:
        """``sampling_strategy_`` (samples added per class) and ``n_synthetic_``.

        ``fit_resample`` returns the originals first, then the synthetic
        samples. Like imbalanced-learn's SMOTE, there is no
        ``sample_indices_``: the new samples are not in ``X``.
        """
        return {"sampling_strategy_": self._targets(y), "n_synthetic_": len(y_new)}


def _imblearn_test_kwargs():
    """What the common checks wrap: imbalanced-learn's NearMiss (it looks at the data)."""
    from imblearn.under_sampling import NearMiss

    return {"sampler": NearMiss(n_neighbors=2)}


def _is_index_only(sampler) -> bool:
    """True for imbalanced-learn samplers whose choice of indices ignores X."""
    from imblearn.over_sampling import RandomOverSampler as _ROS
    from imblearn.under_sampling import RandomUnderSampler as _RUS

    if isinstance(sampler, _RUS):
        return True
    return isinstance(sampler, _ROS) and getattr(sampler, "shrinkage", None) is None


@register_sampler("imblearn", test_kwargs=_imblearn_test_kwargs)
class ImblearnSampler(BaseSampler):
    """Adapter that lets any imbalanced-learn sampler act as an imbkeras sampler.

    * ``RandomOverSampler`` / ``RandomUnderSampler`` (their choice ignores
      ``X``) are run on an index column: no data touched, and
      :meth:`resample_indices` works. The adapter still declares
      ``needs_data = True`` (a capability of the class, whatever it wraps):
      to stream files, use imbkeras's own
      :class:`~imbkeras.sampling.RandomOverSampler` /
      :class:`~imbkeras.sampling.RandomUnderSampler`, their index-level twins.
    * Every other sampler is run on the vectorised data (any rank, reshaped
      back). Samplers exposing ``sample_indices_`` (NearMiss, Tomek links,
      ENN, ...) yield indices into the original data; the others (SMOTE,
      ADASYN, ClusterCentroids, SMOTEENN, ...) yield synthetic samples that
      pipelines append: over-samplers keep the originals and append only the
      new rows, anything else replaces the epoch by its output.

    The wrapped sampler is cloned for every draw, with ``random_state`` taken
    from the draw's generator, so epochs differ and the object passed in is not
    modified (``fit_resample`` runs the object itself, so its fitted
    attributes can be inspected).

    Args:
        sampler: an object with ``fit_resample(X, y)`` (an imbalanced-learn
            sampler or a compatible one).

    Raises:
        TypeError: if ``sampler`` has no ``fit_resample`` or is already an
            imbkeras sampler (when the adapter is used).

    Examples:
        >>> import numpy as np
        >>> from imblearn.under_sampling import NearMiss
        >>> x = np.random.default_rng(0).random((12, 3, 3, 1)); y = np.array([0] * 8 + [1] * 4)
        >>> xr, yr = ImblearnSampler(NearMiss()).fit_resample(x, y)
        >>> xr.shape
        (8, 3, 3, 1)

    Reference:
        Lemaitre, Nogueira, Aridas (2017), imbalanced-learn.
    """

    needs_data = True

    def __init__(self, sampler):
        self.sampler = sampler

    def _check_params(self) -> None:
        if isinstance(self.sampler, BaseSampler) or not hasattr(self.sampler, "fit_resample"):
            raise TypeError(f"`sampler` must be an imbalanced-learn sampler (an object with "
                            f"`fit_resample(X, y)` that is not already an imbkeras sampler); "
                            f"received {self.sampler!r}.")
        super()._check_params()

    def __sklearn_tags__(self):
        from imblearn.utils._tags import get_tags

        tags = super().__sklearn_tags__()
        try:
            inner = get_tags(self.sampler)
        except Exception:  # not an estimator with tags: only what the adapter itself takes
            return tags
        tags.input_tags = inner.input_tags
        tags.input_tags.three_d_array = True
        tags.sampler_tags.sample_indices = bool(
            getattr(inner.sampler_tags, "sample_indices", False))
        return tags

    def get_feature_names_out(self, input_features=None):
        """The wrapped sampler's output feature names (after a 2-D ``fit_resample``)."""
        return self.sampler.get_feature_names_out(input_features)

    @property
    def seed(self):
        """The wrapped sampler's ``random_state`` when it is an int (else ``None``)."""
        rs = getattr(self.sampler, "random_state", None)
        return rs if isinstance(rs, (int, np.integer)) and not isinstance(rs, bool) else None

    @property
    def index_only(self) -> bool:
        """Whether the wrapped sampler's choice of indices ignores ``X`` (then
        :meth:`resample_indices` works)."""
        return _is_index_only(self.sampler)

    @property
    def sample_indices_(self):
        """The wrapped sampler's ``sample_indices_`` after :meth:`fit_resample`."""
        try:
            return np.asarray(self.sampler.sample_indices_, dtype=np.int64)
        except AttributeError:
            raise AttributeError(f"{self.sampler!r} has no `sample_indices_` (not fitted, or "
                                 f"it creates samples).") from None

    def _fresh(self, rng):
        """A clone of the wrapped sampler, seeded from ``rng`` (``None``: its own seed)."""
        if rng is None:
            return reseeded(self.sampler, None, keep_set=True)
        return reseeded(self.sampler, _seed_from(as_generator(rng)))

    def _targets(self, y):
        from imblearn.utils import check_sampling_strategy

        self._check_params()
        kind = getattr(self.sampler, "_sampling_type", None)
        if kind not in ("over-sampling", "under-sampling") or not hasattr(
                self.sampler, "sampling_strategy"):
            return None
        y = check_labels(y)
        targets = check_sampling_strategy(self.sampler.sampling_strategy, y, kind)
        counts = _class_counts(y)
        for c, n in targets.items():
            counts[int(c)] = counts[int(c)] + int(n) if kind == "over-sampling" else int(n)
        return counts

    def target_counts(self, y) -> dict[int, int]:
        """Per-class counts after resampling (over- and under-samplers only).

        Raises:
            TypeError: for cleaning samplers, whose counts depend on the data.
        """
        out = self._targets(y)
        if out is None:
            raise TypeError(f"the counts of {self.sampler!r} depend on the data; only over- "
                            f"and under-samplers define target counts.")
        return out

    def epoch_size(self, y) -> int | None:
        """Samples per epoch for the random samplers; ``None`` (varies) for the others.

        Many data-aware samplers (ADASYN, SMOTEENN, SVMSMOTE, cleaning
        methods) do not produce exactly their nominal counts.
        """
        return int(sum(self._targets(y).values())) if self.index_only else None

    def resample_indices(self, y, rng=None) -> np.ndarray:
        """Indices of one draw, for samplers whose choice ignores ``X``.

        Raises:
            TypeError: for samplers that need the data (use :meth:`resample`).
        """
        self._check_params()
        if not self.index_only:
            raise TypeError(f"{self.sampler!r} needs the data to choose samples; call "
                            f"`resample(x, y, rng)` (make_dataset does) instead of "
                            f"`resample_indices`.")
        y = check_labels(y)
        s = self._fresh(rng)
        s.fit_resample(np.arange(len(y))[:, None], y)
        return np.asarray(s.sample_indices_, dtype=np.int64)

    def resample(self, x, y, rng=None):
        """One draw on the data: ``(indices, x_new, y_new)`` (see the module docs)."""
        self._check_params()
        x = as_sample_array(x, "x")
        y = np.asarray(y)
        check_same_length(x, y, "x", "y")
        if self.index_only:
            idx = self.resample_indices(y, rng)
            return idx, np.empty((0,) + tuple(np.shape(x)[1:]), dtype=np.asarray(x[:0]).dtype), \
                y[:0]
        flat = _flatten(x, "x")
        s = self._fresh(rng)
        xr, yr = s.fit_resample(flat, y)
        n, shape = len(y), tuple(np.shape(x)[1:])
        xr, yr = np.asarray(xr), np.asarray(yr)
        if hasattr(s, "sample_indices_"):
            return np.asarray(s.sample_indices_, dtype=np.int64), xr[:0].reshape((0,) + shape), \
                yr[:0]
        if getattr(s, "_sampling_type", None) == "over-sampling" and len(yr) >= n \
                and np.array_equal(yr[:n], y) and np.array_equal(xr[:n], flat):
            return (np.arange(len(yr), dtype=np.int64), xr[n:].reshape((len(yr) - n,) + shape),
                    yr[n:])
        return n + np.arange(len(yr), dtype=np.int64), xr.reshape((len(yr),) + shape), yr

    def fit_resample(self, X, y):
        """Run the wrapped sampler: on ``X`` as it is when 2-D (lists, DataFrames, sparse
        matrices, string labels: whatever the wrapped sampler takes, returned as it returns
        them), on vectorised ``X`` reshaped back for arrays of higher rank.

        ``sample_indices_`` and ``sampling_strategy_`` are the wrapped sampler's.
        """
        self._check_params()
        X = X if hasattr(X, "shape") or isinstance(X, list) else as_sample_array(X, "X")
        if np.ndim(X) == 2 if not hasattr(X, "shape") else len(X.shape) == 2:
            out = self.sampler.fit_resample(X, y)
            self.sampling_strategy_ = self.sampler.sampling_strategy_
            return out
        check_same_length(X, y, "X", "y")
        shape = tuple(np.shape(X)[1:])
        xr, yr = self.sampler.fit_resample(_flatten(X), np.asarray(y))
        self.sampling_strategy_ = getattr(self.sampler, "sampling_strategy_", None)
        return np.asarray(xr).reshape((len(yr),) + shape), yr


def as_sampler(sampler):
    """Return ``sampler`` ready for imbkeras: imbalanced-learn objects get wrapped.

    imbkeras samplers (instances of :class:`BaseSampler`, the declared
    protocol) are returned unchanged; other objects with ``fit_resample``
    (imbalanced-learn samplers) are wrapped in :class:`ImblearnSampler`.

    Raises:
        TypeError: for objects that are no sampler.
    """
    if sampler is None:
        return None
    if isinstance(sampler, BaseSampler):
        return sampler
    if hasattr(sampler, "fit_resample"):
        return ImblearnSampler(sampler)
    raise TypeError(f"`sampler` must be an imbkeras sampler or have `fit_resample` (an "
                    f"imbalanced-learn sampler); received {sampler!r}.")


def reseeded(sampler, seed, *, keep_set: bool = False):
    """A clone of ``sampler`` with its seed set (``seed`` or imbalanced-learn's ``random_state``).

    Args:
        sampler: an imbkeras sampler or an imbalanced-learn one (any
            scikit-learn estimator). ``None`` and objects without
            ``get_params`` (no declared seed) are returned as they are.
        seed: the new seed (an int or ``None``).
        keep_set: only replace a seed that is ``None`` (keep one the user set).

    Returns:
        A new sampler (``sklearn.base.clone``); the argument is not modified.

    Examples:
        >>> from imbkeras.sampling import RandomOverSampler
        >>> s = reseeded(RandomOverSampler(), 3)
        >>> s.seed, reseeded(s, 4, keep_set=True).seed
        (3, 3)
    """
    from sklearn.base import clone

    if sampler is None:
        return None
    if isinstance(sampler, ImblearnSampler):
        return ImblearnSampler(reseeded(sampler.sampler, seed, keep_set=keep_set))
    if not hasattr(sampler, "get_params"):
        return sampler
    out = clone(sampler)
    params = out.get_params(deep=False)
    if isinstance(out, BaseSampler) and "random_state" in params:  # an alias of ``seed``
        if not (keep_set and (params["seed"] is not None or params["random_state"] is not None)):
            out.set_params(seed=seed, random_state=None)
        return out
    for key in ("seed", "random_state"):
        if key in params and not (keep_set and params[key] is not None):
            out.set_params(**{key: seed})
    return out
