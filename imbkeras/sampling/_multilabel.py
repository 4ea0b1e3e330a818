"""Multi-label (multi-hot) targets: validation and label-set-aware hybrid sampling."""

from __future__ import annotations

import numpy as np

from imbkeras._validation import as_sample_array, check_multihot, check_same_length
from imbkeras.sampling._base import BaseSampler
from imbkeras.sampling._hybrid import _check_target, _resolve_target
from imbkeras.sampling._registry import register_sampler


def label_counts(y, indices=None) -> np.ndarray:
    """Occurrences of each label in multi-hot ``y`` (optionally of ``y[indices]``)."""
    y = np.asarray(y)
    if indices is not None:
        return np.bincount(np.asarray(indices), minlength=len(y)) @ y.astype(np.int64)
    return y.astype(np.int64).sum(axis=0)


@register_sampler("multilabel_hybrid")
class MultilabelHybridSampler(BaseSampler):
    """Hybrid over/undersampling of multi-hot targets toward a per-label target count.

    A label's count is the number of samples carrying it. Each draw works on
    whole samples, so it looks at their label sets:

    1. Oversampling: labels below the target, rarest first, get random
       duplicates of samples carrying them (preferring samples whose other
       labels are still below the target) until the label reaches it.
    2. Undersampling: the samples (originals and duplicates) are visited in
       random order and dropped when *every* label they carry is above the
       target, so dropping never pushes a label below it; this also trims
       what step 1 added to co-occurring frequent labels.

    Label co-occurrence makes exact targets impossible in general; the
    counts move toward the target (``fit_resample`` records them in
    ``label_counts_before_`` / ``label_counts_after_``; :meth:`report` gives a
    table). Labels that never occur are left alone.

    Args:
        target: ``"median"`` (median of the label counts of labels that occur,
            rounded half up) or a positive int.
        seed: seed of the draw.
        random_state: imbalanced-learn's name for ``seed`` (an alias, see
            :class:`BaseSampler`).

    Raises:
        ValueError: for an invalid ``target`` (when the sampler is used), or
            ``y`` that is not multi-hot or has rows without any label.

    Examples:
        >>> import numpy as np
        >>> y = np.array([[1, 0, 0]] * 40 + [[0, 1, 0]] * 10 + [[0, 1, 1]] * 3)
        >>> s = MultilabelHybridSampler(target=10, seed=0)
        >>> idx = s.resample_indices(y)
        >>> y[idx].sum(axis=0).tolist()
        [10, 10, 10]

    Reference:
        Al-joudi et al. (2023), section 3.2.
    """

    targets = ("multi",)

    def __init__(self, target="median", seed: int | None = None, *, random_state=None):
        self.target = target
        self.seed = seed
        self.random_state = random_state

    def _check_params(self) -> None:
        super()._check_params()
        _check_target(self.target)

    def resolve_target(self, y) -> int:
        """The target count for multi-hot ``y``."""
        self._check_params()
        counts = label_counts(check_multihot(y))
        return _resolve_target(self.target, counts[counts > 0])

    def target_counts(self, y) -> dict[int, int]:
        """Per-label target ``{label: count}`` (labels that occur in ``y``)."""
        y = check_multihot(y)
        t = self.resolve_target(y)
        return {int(j): t for j in np.flatnonzero(label_counts(y) > 0)}

    def epoch_size(self, y) -> None:
        """``None``: the number of samples varies with the draw."""
        return None

    def resample_indices(self, y, rng=None) -> np.ndarray:
        """One resampled set of indices into multi-hot ``y``.

        Args:
            y: ``(n, n_labels)`` multi-hot labels.
            rng: ``None`` (use ``seed``), an int or a ``numpy.random.Generator``.

        Returns:
            int64 indices (kept originals, then kept duplicates).
        """
        self._check_params()
        y = check_multihot(y)
        gen = self._generator(rng)
        counts = label_counts(y)
        present = counts > 0
        t = _resolve_target(self.target, counts[present])
        yb = y.astype(bool)

        # 1. oversampling: rarest labels first, duplicates of samples carrying them.
        extra = []
        for j in np.argsort(counts, kind="stable"):
            need = t - counts[j]
            if not present[j] or need <= 0:
                continue
            carriers = np.flatnonzero(yb[:, j])
            others = np.delete(np.arange(y.shape[1]), j)
            safe = carriers[(~yb[carriers][:, others] | (counts[others] < t)).all(axis=1)]
            drawn = gen.choice(safe if len(safe) else carriers, size=int(need), replace=True)
            extra.append(drawn)
            counts = counts + y[drawn].sum(axis=0, dtype=np.int64)
        pool = np.concatenate([np.arange(len(y))] + extra).astype(np.int64)

        # 2. undersampling: drop samples whose labels are all above the target
        #    (which never pushes a label below it), in random order.
        budget = np.where(present, counts - t, 0).clip(min=0)
        keep = np.ones(len(pool), dtype=bool)
        order = gen.permutation(len(pool))
        while len(order):
            order = order[~(yb[pool[order]] & (budget <= 0)).any(axis=1)]
            if not len(order):
                break
            cum = np.cumsum(y[pool[order]], axis=0, dtype=np.int64)
            fits = (cum <= budget).all(axis=1)
            k = len(order) if fits.all() else int(np.argmin(fits))
            if k:
                keep[order[:k]] = False
                budget = budget - cum[k - 1]
            order = order[k:]  # order[0] hits an exhausted label: filtered next round
        return pool[keep]

    def fit_resample(self, X, y):
        """Resample ``X`` (any rank) and multi-hot ``y``.

        Sets ``sample_indices_``, ``target_``, ``label_counts_before_`` and
        ``label_counts_after_``.

        Returns:
            ``(X[idx], y[idx])``.
        """
        X = as_sample_array(X, "X")
        y = check_multihot(y)
        check_same_length(X, y, "X", "y")
        idx = self.resample_indices(y)
        self.sample_indices_ = idx
        self.target_ = self.resolve_target(y)
        self.label_counts_before_ = label_counts(y)
        self.label_counts_after_ = label_counts(y, idx)
        return np.asarray(X)[idx], y[idx]

    def report(self, y, indices=None):
        """Label distribution before and after resampling, as a ``pandas.DataFrame``.

        Args:
            y: multi-hot labels.
            indices: resampled indices (default: a fresh :meth:`resample_indices`).

        Returns:
            One row per label: ``label``, ``before``, ``after``, ``target``.
        """
        import pandas as pd

        y = check_multihot(y)
        if indices is None:
            indices = self.resample_indices(y)
        t = self.resolve_target(y)
        before, after = label_counts(y), label_counts(y, indices)
        return pd.DataFrame({"label": np.arange(y.shape[1]), "before": before,
                             "after": after, "target": np.where(before > 0, t, 0)})
