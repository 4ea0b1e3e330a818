"""Class-aware sampling (Shen et al. 2016): uniform over classes, then within the class."""

from __future__ import annotations

import numpy as np

from imbkeras._validation import check_labels, check_multihot, check_positive_int
from imbkeras.sampling._base import BaseSampler, _check_two_classes, _class_counts
from imbkeras.sampling._registry import register_sampler


def _cycled_permutations(n_items: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """``length`` items from concatenated fresh permutations of ``range(n_items)``."""
    reps = -(-length // n_items)
    return np.concatenate([rng.permutation(n_items) for _ in range(reps)])[:length]


@register_sampler("class_aware")
class ClassAwareSampler(BaseSampler):
    """Class-aware sampling: pick a class uniformly, then a sample of that class.

    Two-level sampling of Shen et al. (2016): the sequence of classes runs
    through shuffled lists of all classes (a fresh shuffle after each pass),
    and each class runs through a shuffled list of its samples (reshuffled
    when exhausted). Every window of ``K`` consecutive draws therefore holds
    every class once, so a batch of size ``B`` holds each class
    ``B / K`` times (+-1). The pipeline keeps this order (it does not
    shuffle: ``keeps_order = True``), see :meth:`resample_indices`.

    Multi-label targets (2-D multi-hot ``y``) are sampled the same way over
    labels: a label is drawn from the label cycle, then a sample carrying it.

    Args:
        num_samples: samples per epoch (default: ``len(y)``).
        seed: seed of the draw.
        random_state: imbalanced-learn's name for ``seed`` (an alias, see
            :class:`BaseSampler`).

    Raises:
        ValueError/TypeError: for ``num_samples < 1`` (when the sampler is
            used) or invalid labels.

    Examples:
        >>> import numpy as np
        >>> y = np.array([0] * 90 + [1] * 9 + [2] * 1)
        >>> seq = ClassAwareSampler(seed=0).resample_indices(y)
        >>> np.bincount(y[seq[:30]]).tolist()
        [10, 10, 10]

    Reference:
        Shen, Lin, Huang (2016), "Relay backpropagation for effective learning
        of deep convolutional neural networks", section 4.1.
    """

    targets = ("single", "multi")
    keeps_order = True

    def __init__(self, num_samples: int | None = None, seed: int | None = None, *,
                 random_state=None):
        self.num_samples = num_samples
        self.seed = seed
        self.random_state = random_state

    def _check_params(self) -> None:
        super()._check_params()
        if self.num_samples is not None:
            check_positive_int(self.num_samples, "num_samples")

    @staticmethod
    def _members(y):
        y = np.asarray(y)
        if y.ndim == 2:
            y = check_multihot(y)
            return [np.flatnonzero(y[:, j]) for j in range(y.shape[1]) if y[:, j].any()]
        y = check_labels(y)
        _check_two_classes(_class_counts(y), "ClassAwareSampler")
        order = np.argsort(y, kind="stable")
        bounds = np.flatnonzero(np.diff(y[order])) + 1
        return np.split(order, bounds)

    def _fit_attributes(self, y, idx, y_new) -> dict:
        """``sampling_strategy_``: the draws per class (label) of the fitted epoch."""
        y = np.asarray(y)
        if y.ndim == 2:
            counts = y[idx].sum(axis=0)
            return {"sampling_strategy_": {int(j): int(counts[j])
                                           for j in np.flatnonzero(y.any(axis=0))}}
        return {"sampling_strategy_": _class_counts(y[idx])}

    def epoch_size(self, y) -> int:
        """Samples per epoch: ``num_samples`` or ``len(y)``."""
        self._check_params()
        return len(y) if self.num_samples is None else int(self.num_samples)

    def target_counts(self, y) -> dict[int, int]:
        """Expected draws per class (label) in one epoch.

        The ``epoch_size % K`` leftover draws go to random classes, so each
        count is exact up to +1.
        """
        y = np.asarray(y)
        if y.ndim == 2:
            ids = np.flatnonzero(check_multihot(y).any(axis=0))
        else:
            ids = np.unique(check_labels(y))
        n = self.epoch_size(y)
        return {int(c): n // len(ids) + (1 if i < n % len(ids) else 0) for i, c in enumerate(ids)}

    def resample_indices(self, y, rng=None) -> np.ndarray:
        """The ordered indices of one epoch (batch them in this order).

        Args:
            y: 1-D class labels or 2-D multi-hot labels.
            rng: ``None`` (use ``seed``), an int or a ``numpy.random.Generator``.

        Returns:
            int64 indices of length :meth:`epoch_size`.
        """
        members = self._members(y)
        n = self.epoch_size(y)
        gen = self._generator(rng)
        classes = _cycled_permutations(len(members), n, gen)
        out = np.empty(n, dtype=np.int64)
        for c, m in enumerate(members):
            pos = np.flatnonzero(classes == c)
            if len(pos):
                out[pos] = m[_cycled_permutations(len(m), len(pos), gen)]
        return out
