"""Index-level samplers following imbalanced-learn's contract.

A sampler decides *which indices* to draw; the data are never flattened or
copied until the caller gathers them. ``fit_resample(X, y)`` works on arrays
of any rank (images ``(n, h, w, c)``, volumes ``(n, d, h, w, c)``) and sets
``sample_indices_``; pipelines call :meth:`BaseSampler.resample_indices` with
a fresh random generator each epoch.
"""

from __future__ import annotations

import numpy as np
from imblearn.utils import check_sampling_strategy

from imbkeras._validation import check_labels, check_same_length


def as_generator(rng) -> np.random.Generator:
    """Turn ``None`` / an int / a sequence of ints / a Generator into a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    return np.random.default_rng(np.random.SeedSequence(rng))


class BaseSampler:
    """Base class of imbkeras's index-level samplers.

    Subclasses set ``_sampling_type`` (``"over-sampling"`` or
    ``"under-sampling"``, as imbalanced-learn names them) and implement
    ``_draw(y, targets, rng)``.

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
        self.sampling_strategy = sampling_strategy
        self.seed = seed

    def __repr__(self):
        return (f"{type(self).__name__}(sampling_strategy={self.sampling_strategy!r}, "
                f"seed={self.seed!r})")

    # -- public API ---------------------------------------------------------
    def target_counts(self, y) -> dict[int, int]:
        """Per-class sample counts after resampling ``y``."""
        y = check_labels(y)
        classes, counts = np.unique(y, return_counts=True)
        out = dict(zip(classes.tolist(), counts.tolist()))
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
        gen = as_generator(self.seed if rng is None else rng)
        return np.asarray(self._draw(y, targets, gen), dtype=np.int64)

    def fit_resample(self, X, y):
        """Resample ``X`` (any rank) and ``y``; sets ``sample_indices_``.

        Returns:
            ``(X[idx], y[idx])`` with ``idx = self.sample_indices_``.
        """
        check_same_length(X, y, "X", "y")
        idx = self.resample_indices(y)
        self.sample_indices_ = idx
        self.sampling_strategy_ = self._targets(check_labels(y))
        return X[idx], np.asarray(y)[idx]

    # -- internals ----------------------------------------------------------
    def _targets(self, y: np.ndarray) -> dict[int, int]:
        try:
            strategy = check_sampling_strategy(self.sampling_strategy, y, self._sampling_type)
        except ValueError as err:
            raise ValueError(
                f"`sampling_strategy`={self.sampling_strategy!r} is invalid for y with "
                f"class counts {dict(zip(*[a.tolist() for a in np.unique(y, return_counts=True)]))}: "
                f"{err}") from None
        return {int(c): int(n) for c, n in strategy.items()}

    def _draw(self, y, targets, rng):  # pragma: no cover - abstract
        raise NotImplementedError


class RandomOverSampler(BaseSampler):
    """Random oversampling: replicate randomly chosen samples of the targeted classes.

    Index-level twin of ``imblearn.over_sampling.RandomOverSampler``: the same
    counts for the same ``y`` and ``sampling_strategy``; original samples come
    first, then the drawn duplicates.

    Example:
        >>> import numpy as np
        >>> y = np.array([0] * 6 + [1] * 2)
        >>> idx = RandomOverSampler(seed=0).resample_indices(y)
        >>> np.bincount(y[idx]).tolist()
        [6, 6]

    Reference:
        Buda et al. (2018), section 2.2.1.
    """

    _sampling_type = "over-sampling"

    def _draw(self, y, targets, rng):
        extra = [rng.choice(np.flatnonzero(y == c), size=n, replace=True)
                 for c, n in targets.items() if n > 0]
        return np.concatenate([np.arange(len(y))] + extra)


class RandomUnderSampler(BaseSampler):
    """Random undersampling: keep a random subset of the targeted classes.

    Index-level twin of ``imblearn.under_sampling.RandomUnderSampler``
    (sampling without replacement, same counts, indices grouped by class).

    Example:
        >>> import numpy as np
        >>> y = np.array([0] * 6 + [1] * 2)
        >>> idx = RandomUnderSampler(seed=0).resample_indices(y)
        >>> np.bincount(y[idx]).tolist()
        [2, 2]
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
