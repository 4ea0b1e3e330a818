"""Random over- and undersampling, fully or partially (to a maximum imbalance ratio).

Index-level twins of imbalanced-learn's ``RandomOverSampler`` and
``RandomUnderSampler``: the same counts for the same ``y`` and
``sampling_strategy``, drawn as indices so that pipelines never copy data.
"""

from __future__ import annotations

import math

import numpy as np

from imbkeras._validation import check_ratio
from imbkeras.sampling._base import _class_counts, _StrategySampler
from imbkeras.sampling._registry import register_sampler


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

    Examples:
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

    Examples:
        >>> import numpy as np
        >>> y = np.array([0] * 100 + [1] * 4)
        >>> s = RandomOverSampler(sampling_strategy=ratio_strategy(5), seed=0)
        >>> s.target_counts(y)
        {0: 100, 1: 20}
    """
    return RatioStrategy(max_ratio, kind)


class _RandomSampler(_StrategySampler):
    """Shared constructor of the random samplers: ``sampling_strategy`` or ``max_ratio``."""

    def __init__(self, sampling_strategy="auto", seed: int | None = None, *,
                 max_ratio: float | None = None, random_state=None):
        super().__init__(sampling_strategy, seed, random_state=random_state)
        self.max_ratio = max_ratio

    def _strategy(self):
        # Built from the current attributes at every use (so ``set_params`` takes effect);
        # validates ``max_ratio`` and its pairing with ``sampling_strategy``.
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
        random_state: imbalanced-learn's name for ``seed`` (an alias, see
            :class:`BaseSampler`).

    Examples:
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
        random_state: imbalanced-learn's name for ``seed`` (an alias, see
            :class:`BaseSampler`).

    Examples:
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
        return _undersample(y, targets, rng)


def _undersample(y: np.ndarray, targets: dict, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``y`` keeping ``targets[c]`` random samples of each class ``c`` in
    ``targets`` (without replacement) and every sample of the others, grouped by class."""
    parts = []
    for c in np.unique(y).tolist():
        members = np.flatnonzero(y == c)
        if c in targets:
            members = np.sort(rng.choice(members, size=targets[c], replace=False))
        parts.append(members)
    return np.concatenate(parts)
