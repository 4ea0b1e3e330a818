"""Index-level samplers following imbalanced-learn's contract.

A sampler decides *which indices* to draw; the data are never flattened or
copied until the caller gathers them. ``fit_resample(X, y)`` works on arrays
of any rank (images ``(n, h, w, c)``, volumes ``(n, d, h, w, c)``) and sets
``sample_indices_``; pipelines call :meth:`BaseSampler.resample_indices` with
a fresh random generator each epoch.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from imblearn.utils import check_sampling_strategy
from sklearn.base import BaseEstimator

from imbkeras._validation import (_short, as_generator, as_sample_array, check_count_dict,
                                  check_labels, check_positive_int, check_ratio,
                                  check_same_length, check_seed)
from imbkeras.sampling._registry import register_sampler


def _class_counts(y: np.ndarray) -> dict[int, int]:
    classes, counts = np.unique(y, return_counts=True)
    return dict(zip(classes.tolist(), counts.tolist()))


class RatioStrategy:
    """``sampling_strategy`` callable: resample only until max/min <= ``max_ratio``.

    Buda et al. (2018, section 4.5) over- or undersample *partially*: the
    imbalance ratio rho = max / min class size is reduced to ``max_ratio``
    instead of 1. Oversampling raises every class below ``ceil(n_max /
    max_ratio)`` to that size; undersampling lowers every class above
    ``floor(n_min * max_ratio)`` to that size. ``max_ratio=1`` is full
    balancing (imbalanced-learn's ``"auto"``).

    Instances are callables ``y -> {class: n_samples}``, the dict form
    imbalanced-learn accepts, so they work with imbalanced-learn samplers too.

    Args:
        max_ratio: the imbalance ratio to reach, >= 1.
        kind: ``"over"`` or ``"under"``.

    Raises:
        ValueError: for ``max_ratio < 1`` (or not a finite number) or an
            unknown ``kind``.

    Example:
        >>> import numpy as np
        >>> y = np.array([0] * 100 + [1] * 10 + [2] * 1)
        >>> RatioStrategy(10, "over")(y)
        {0: 100, 1: 10, 2: 10}
        >>> RatioStrategy(10, "under")(y)
        {0: 10, 1: 10, 2: 1}

    Reference:
        Buda, Maki, Mazurowski (2018), section 4.5 and Fig. 7.
    """

    def __init__(self, max_ratio: float, kind: str = "over"):
        check_ratio(max_ratio, "max_ratio", "max/min class size after resampling")
        if kind not in ("over", "under"):
            raise ValueError(f"`kind` must be 'over' or 'under'; received {kind!r}.")
        self.max_ratio = float(max_ratio)
        self.kind = kind

    def __repr__(self):
        return f"RatioStrategy(max_ratio={self.max_ratio!r}, kind={self.kind!r})"

    def __call__(self, y) -> dict[int, int]:
        counts = _class_counts(np.asarray(y))
        if self.kind == "over":
            floor_n = math.ceil(max(counts.values()) / self.max_ratio - 1e-9)
            return {c: max(n, floor_n) for c, n in counts.items()}
        cap = math.floor(min(counts.values()) * self.max_ratio + 1e-9)
        return {c: min(n, cap) for c, n in counts.items()}


def ratio_strategy(max_ratio: float, kind: str = "over") -> RatioStrategy:
    """Partial-ratio ``sampling_strategy`` (see :class:`RatioStrategy`).

    Example:
        >>> import numpy as np
        >>> y = np.array([0] * 100 + [1] * 4)
        >>> s = RandomOverSampler(sampling_strategy=ratio_strategy(5), seed=0)
        >>> s.target_counts(y)
        {0: 100, 1: 20}
    """
    return RatioStrategy(max_ratio, kind)


class BaseSampler(BaseEstimator):
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
    * Class attributes: ``needs_data`` (a draw looks at or creates samples:
      SMOTE, NearMiss, ...; such samplers cannot stream files) and
      ``keeps_order`` (the draw's order is part of the method, as in
      class-aware sampling; pipelines do not shuffle it).

    Subclasses implement ``resample_indices`` (index-level samplers) or
    ``resample`` (data-aware ones). ``seed`` fixes the draws; ``None`` draws
    from fresh entropy each time. ``rng`` arguments accept ``None`` (use
    ``seed``), an int, a sequence of ints or a ``numpy.random.Generator``.
    """

    needs_data = False
    keeps_order = False

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

        Uses ``numpy.random.SeedSequence([seed, epoch])`` (``seed=None``
        counts as 0), the generator the pipelines derive for the same epoch.
        """
        epoch = check_positive_int(epoch, "epoch", minimum=0)
        seed = 0 if self.seed is None else check_seed(self.seed)
        return self.resample_indices(y, rng=np.random.default_rng(
            np.random.SeedSequence([seed, epoch])))

    def fit_resample(self, X, y):
        """Resample ``X`` (any rank) and ``y`` once (imbalanced-learn's contract).

        Sets ``sample_indices_`` when every returned sample is an original
        one (as imbalanced-learn's index-selecting samplers do).

        Returns:
            ``(X_resampled, y_resampled)``: originals gathered by the draw's
            indices, synthetic samples appended in their order.
        """
        X = as_sample_array(X, "X")
        check_same_length(X, y, "X", "y")
        idx, x_new, y_new = self.resample(X, y)
        X, y = np.asarray(X), np.asarray(y)
        n = len(y)
        if y_new is None or not len(y_new):
            self.sample_indices_ = idx
            return X[idx], y[idx]
        real = idx[idx < n]
        x_new, y_new = np.asarray(x_new), np.asarray(y_new)
        syn = idx[idx >= n] - n
        return (np.concatenate([X[real], x_new[syn]]),
                np.concatenate([y[real], y_new[syn].astype(y.dtype, copy=False)]))


def _check_strategy_form(strategy) -> None:
    """Checks of ``sampling_strategy`` that need no labels (the rest is imbalanced-learn's)."""
    if isinstance(strategy, (bool, np.bool_)) or not (
            isinstance(strategy, (str, dict, numbers.Real)) or callable(strategy)):
        raise TypeError(f"`sampling_strategy` must be a string, a float, a dict {{class id: "
                        f"n_samples}} or a callable; received {_short(strategy)} of type "
                        f"{type(strategy).__name__}.")
    if isinstance(strategy, dict):
        check_count_dict(strategy, "sampling_strategy")


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
    """

    _sampling_type = "over-sampling"

    def __init__(self, sampling_strategy="auto", seed: int | None = None):
        _check_strategy_form(sampling_strategy)
        self.sampling_strategy = sampling_strategy
        self.seed = check_seed(seed)

    def target_counts(self, y) -> dict[int, int]:
        """Per-class sample counts after resampling ``y``."""
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
        y = check_labels(y)
        targets = self._targets(y)
        gen = as_generator(check_seed(self.seed) if rng is None else rng)
        return np.asarray(self._draw(y, targets, gen), dtype=np.int64)

    def fit_resample(self, X, y):
        """Resample ``X`` (any rank) and ``y``; sets ``sample_indices_`` and
        ``sampling_strategy_``.

        Returns:
            ``(X[idx], y[idx])`` with ``idx = self.sample_indices_`` (and
            the synthetic samples appended, for samplers that create them).
        """
        out = super().fit_resample(X, y)
        self.sampling_strategy_ = self._targets(check_labels(y))
        return out

    # -- internals ----------------------------------------------------------
    def _strategy(self):
        """The ``sampling_strategy`` handed to imbalanced-learn's validation."""
        return self.sampling_strategy

    def _targets(self, y: np.ndarray) -> dict[int, int]:
        strategy = self._strategy()
        _check_strategy_form(strategy)
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


class _RandomSampler(_StrategySampler):
    """Shared constructor of the random samplers: ``sampling_strategy`` or ``max_ratio``."""

    def __init__(self, sampling_strategy="auto", seed: int | None = None, *,
                 max_ratio: float | None = None):
        super().__init__(sampling_strategy, seed)
        self.max_ratio = max_ratio
        self._strategy()  # validates max_ratio and its pairing with sampling_strategy

    def _strategy(self):
        # Built from the current attributes at every draw, so ``set_params`` takes effect.
        if self.max_ratio is None:
            return self.sampling_strategy
        if not (isinstance(self.sampling_strategy, str) and self.sampling_strategy == "auto"):
            raise ValueError(f"`max_ratio` replaces `sampling_strategy`; pass one of them, "
                             f"received sampling_strategy={self.sampling_strategy!r} and "
                             f"max_ratio={self.max_ratio!r}.")
        kind = "over" if self._sampling_type == "over-sampling" else "under"
        return RatioStrategy(self.max_ratio, kind)  # validates max_ratio


@register_sampler("ros")
class RandomOverSampler(_RandomSampler):
    """Random oversampling: replicate randomly chosen samples of the targeted classes.

    Index-level twin of ``imblearn.over_sampling.RandomOverSampler``: the same
    counts for the same ``y`` and ``sampling_strategy``; original samples come
    first, then the drawn duplicates.

    Args:
        sampling_strategy: see :class:`BaseSampler`.
        seed: seed of the draw.
        max_ratio: partial oversampling (Buda section 4.5): raise the smaller
            classes only until max/min <= ``max_ratio``; replaces
            ``sampling_strategy`` (see :class:`RatioStrategy`).

    Example:
        >>> import numpy as np
        >>> y = np.array([0] * 6 + [1] * 2)
        >>> idx = RandomOverSampler(seed=0).resample_indices(y)
        >>> np.bincount(y[idx]).tolist()
        [6, 6]
        >>> RandomOverSampler(max_ratio=2).target_counts(y)
        {0: 6, 1: 3}

    Reference:
        Buda et al. (2018), sections 2.2.1 and 4.5.
    """

    _sampling_type = "over-sampling"

    def _draw(self, y, targets, rng):
        extra = [rng.choice(np.flatnonzero(y == c), size=n, replace=True)
                 for c, n in targets.items() if n > 0]
        return np.concatenate([np.arange(len(y))] + extra)


@register_sampler("rus")
class RandomUnderSampler(_RandomSampler):
    """Random undersampling: keep a random subset of the targeted classes.

    Index-level twin of ``imblearn.under_sampling.RandomUnderSampler``
    (sampling without replacement, same counts, indices grouped by class).

    Args:
        sampling_strategy: see :class:`BaseSampler`.
        seed: seed of the draw.
        max_ratio: partial undersampling (Buda section 4.5): lower the larger
            classes only until max/min <= ``max_ratio``; replaces
            ``sampling_strategy`` (see :class:`RatioStrategy`).

    Example:
        >>> import numpy as np
        >>> y = np.array([0] * 6 + [1] * 2)
        >>> idx = RandomUnderSampler(seed=0).resample_indices(y)
        >>> np.bincount(y[idx]).tolist()
        [2, 2]
        >>> RandomUnderSampler(max_ratio=2).target_counts(y)
        {0: 4, 1: 2}

    Reference:
        Buda et al. (2018), sections 2.2.2 and 4.5.
    """

    _sampling_type = "under-sampling"

    def _draw(self, y, targets, rng):
        parts = []
        for c in np.unique(y).tolist():
            members = np.flatnonzero(y == c)
            if c in targets:
                members = np.sort(rng.choice(members, size=targets[c], replace=False))
            parts.append(members)
        return np.concatenate(parts)
