"""Class-aware sampling (Shen et al. 2016): uniform over classes, then within the class."""

from __future__ import annotations

import numpy as np

from imbkeras._validation import check_labels, check_positive_int
from imbkeras.sampling._base import as_generator
from imbkeras.sampling._multilabel import check_multihot


def _cycled_permutations(n_items: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """``length`` items from concatenated fresh permutations of ``range(n_items)``."""
    reps = -(-length // n_items)
    return np.concatenate([rng.permutation(n_items) for _ in range(reps)])[:length]


class ClassAwareSampler:
    """Class-aware sampling: pick a class uniformly, then a sample of that class.

    Two-level sampling of Shen et al. (2016): the sequence of classes runs
    through shuffled lists of all classes (a fresh shuffle after each pass),
    and each class runs through a shuffled list of its samples (reshuffled
    when exhausted). Every window of ``K`` consecutive draws therefore holds
    every class once, so a batch of size ``B`` holds each class
    ``B / K`` times (+-1). The pipeline keeps this order (it does not
    shuffle), see :meth:`sample_sequence`.

    Multi-label targets (2-D multi-hot ``y``) are sampled the same way over
    labels: a label is drawn from the label cycle, then a sample carrying it.

    Args:
        num_samples: samples per epoch (default: ``len(y)``).
        seed: seed of the draw.

    Raises:
        ValueError/TypeError: for ``num_samples < 1`` or invalid labels.

    Example:
        >>> import numpy as np
        >>> y = np.array([0] * 90 + [1] * 9 + [2] * 1)
        >>> seq = ClassAwareSampler(seed=0).sample_sequence(y)
        >>> np.bincount(y[seq[:30]]).tolist()
        [10, 10, 10]

    Reference:
        Shen, Lin, Huang (2016), "Relay backpropagation for effective learning
        of deep convolutional neural networks", section 4.1.
    """

    needs_data = False

    def __init__(self, num_samples: int | None = None, seed: int | None = None):
        if num_samples is not None:
            num_samples = check_positive_int(num_samples, "num_samples")
        self.num_samples = num_samples
        self.seed = seed

    def __repr__(self):
        return f"ClassAwareSampler(num_samples={self.num_samples!r}, seed={self.seed!r})"

    @staticmethod
    def _members(y):
        y = np.asarray(y)
        if y.ndim == 2:
            y = check_multihot(y)
            return [np.flatnonzero(y[:, j]) for j in range(y.shape[1]) if y[:, j].any()]
        y = check_labels(y)
        order = np.argsort(y, kind="stable")
        bounds = np.flatnonzero(np.diff(y[order])) + 1
        return np.split(order, bounds)

    def epoch_size(self, y) -> int:
        """Samples per epoch: ``num_samples`` or ``len(y)``."""
        return int(self.num_samples or len(y))

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

    def sample_sequence(self, y, rng=None) -> np.ndarray:
        """The ordered indices of one epoch (batch them in this order).

        Args:
            y: 1-D class labels or 2-D multi-hot labels.
            rng: ``None`` (use ``seed``), an int or a ``numpy.random.Generator``.

        Returns:
            int64 indices of length :meth:`epoch_size`.
        """
        members = self._members(y)
        gen = as_generator(self.seed if rng is None else rng)
        n = self.epoch_size(y)
        classes = _cycled_permutations(len(members), n, gen)
        out = np.empty(n, dtype=np.int64)
        for c, m in enumerate(members):
            pos = np.flatnonzero(classes == c)
            if len(pos):
                out[pos] = m[_cycled_permutations(len(m), len(pos), gen)]
        return out

    resample_indices = sample_sequence

    def fit_resample(self, X, y):
        """Resample ``X`` (any rank) and ``y``; sets ``sample_indices_``."""
        if len(X) != len(y):
            raise ValueError(f"`X` and `y` must have the same length; received len(X)={len(X)} "
                             f"and len(y)={len(y)}.")
        idx = self.sample_sequence(y)
        self.sample_indices_ = idx
        return np.asarray(X)[idx], np.asarray(y)[idx]
