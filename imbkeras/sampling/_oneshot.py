"""One-shot multi-label hybrid resampling toward a target count per label (Al-joudi 2023).

Al-joudi & Arif resample the HPA training images *once*, before training:
every label below the target count (they chose 500) gets duplicated images,
every label above it loses images, and the oversampled copies are then
augmented. :class:`OneShotHybridSampler` is that procedure on multi-hot
labels; it is applied with ``fit_resample`` and the network trains on the
fixed result. (:class:`imbkeras.sampling.MultilabelHybridSampler` is the
per-epoch variant: the pipeline redraws it every epoch.)
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from imbkeras._validation import (_short, as_sample_array, check_multihot, check_same_length,
                                  round_half_up)
from imbkeras.sampling._base import BaseSampler
from imbkeras.sampling._hybrid import _check_target, _resolve_target
from imbkeras.sampling._multilabel import label_counts


def _check_reference_size(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or value < 1:
        raise ValueError(f"`reference_size` must be None or an int >= 1 (the number of images "
                         f"`target` was chosen for); received {_short(value)}.")
    return int(value)


def _check_label_names(names, n_labels: int):
    if names is None:
        return [str(j) for j in range(n_labels)]
    names = list(names) if not isinstance(names, str) else None
    if names is None or len(names) != n_labels:
        raise ValueError(f"`label_names` must hold one name per label ({n_labels}); received "
                         f"{_short(names)}.")
    return [str(n) for n in names]


class OneShotHybridSampler(BaseSampler):
    """Resample multi-hot targets once: duplicate images of rare labels, remove images of
    frequent ones, until every label nears a target count.

    A label's count :math:`n_j` is the number of images carrying it; the
    target :math:`t` is ``target`` (or the median of the counts of the
    labels that occur), scaled to the set size when ``reference_size`` is
    given: :math:`t = \\max(1, \\mathrm{round}(\\mathrm{target} \\cdot n /
    \\mathrm{reference\\_size}))` for :math:`n` images (Al-joudi: 500 for the
    HPA training set). Whole images move, so every step counts all the
    labels an image carries:

    1. Oversampling, rarest label first: a label with :math:`n_j < t` gets
       :math:`t - n_j` random duplicates (with replacement) of images
       carrying it, preferring images whose other labels are all still
       below :math:`t`; each duplicate adds to every label it carries.
    2. Undersampling, most frequent label first: a label with
       :math:`n_j > t` loses random images carrying it (originals or
       copies) until it reaches :math:`t`; an image is removed only when
       every label it carries is above :math:`t`, so no label is pushed
       below the target, and a removed image takes all its labels out.

    Co-occurrence keeps the counts from reaching :math:`t` exactly (the
    paper: "there is still an unbalance problem because each class will
    affect the other classes"); :meth:`report` gives each label's count
    before, the occurrences added by duplicates and removed with images,
    and the count after. A label without any positive image cannot be
    oversampled: it is left at zero with a ``UserWarning`` naming it.

    ``__init__`` only stores the parameters; they are validated when used
    (imbalanced-learn's convention). Apply it once, to the training fold,
    with :meth:`fit_resample`; ``is_copy_`` marks the duplicates (the
    images the paper augments).

    Args:
        target: ``"median"`` or an int >= 1, the count each label should
            reach (Al-joudi: 500).
        reference_size: ``None`` (use ``target`` as it is) or the number of
            images ``target`` was chosen for; the target is then scaled to
            the size of the resampled set.
        label_names: names of the labels for warnings and :meth:`report`
            (default: their indices).
        seed: seed of the draw (``None``: fresh entropy).
        random_state: imbalanced-learn's name for ``seed`` (an alias, see
            :class:`BaseSampler`).

    Attributes (after ``fit_resample``):
        sample_indices_: int64 indices into ``y`` of the resampled set
            (kept originals, then kept duplicates).
        is_copy_: bool, per resampled image, whether it is a duplicate.
        target_: the resolved target count.
        label_counts_before_, label_counts_after_: int64 counts per label.
        added_, removed_: label occurrences added by duplicates and taken
            out with removed images, per label
            (``after = before + added - removed``).
        n_duplicated_, n_removed_: images duplicated and removed.
        missing_labels_: names of the labels without any positive image.

    Raises:
        ValueError: at use, for ``target`` below 1 or not an int / 'median',
            a bad ``reference_size`` or ``label_names`` of the wrong length,
            multi-hot ``y`` that is not 0/1 or has a row without a label.

    Examples:
        >>> import numpy as np
        >>> y = np.array([[1, 0, 0]] * 40 + [[0, 1, 0]] * 4 + [[1, 0, 1]] * 2)
        >>> s = OneShotHybridSampler(target=10, seed=0)
        >>> _, yr = s.fit_resample(np.zeros((len(y), 2, 2, 1)), y)
        >>> yr.sum(axis=0).tolist(), int(s.is_copy_.sum())
        ([10, 10, 10], 14)
        >>> s.report()[["before", "added", "removed", "after"]].sum().tolist()
        [48, 22, 40, 30]

    Reference:
        Al-joudi & Arif (2023), section 3.2 (duplicate images of the labels
        below 500, remove images of those above, then augment the
        oversampled images).
    """

    targets = ("multi",)

    def __init__(self, target="median", reference_size: int | None = None, *,
                 label_names=None, seed: int | None = None, random_state=None):
        self.target = target
        self.reference_size = reference_size
        self.label_names = label_names
        self.seed = seed
        self.random_state = random_state

    def _check_params(self) -> None:
        _check_target(self.target)
        _check_reference_size(self.reference_size)
        super()._check_params()

    def resolve_target(self, y) -> int:
        """The target count for multi-hot ``y`` (scaled to its size when asked)."""
        self._check_params()
        y = check_multihot(y)
        counts = label_counts(y)
        if self.target == "median":  # the median over the labels that occur
            return _resolve_target("median", counts[counts > 0])
        target = _resolve_target(self.target, counts)
        ref = _check_reference_size(self.reference_size)
        if ref is None:
            return target
        return max(1, round_half_up(target * len(y) / ref))

    def target_counts(self, y) -> dict[int, int]:
        """Per-label target ``{label: count}`` (labels that occur in ``y``)."""
        t = self.resolve_target(y)
        return {int(j): t for j in np.flatnonzero(label_counts(check_multihot(y)) > 0)}

    def epoch_size(self, y) -> None:
        """``None``: the number of images depends on the draw."""
        return None

    def resample_indices(self, y, rng=None) -> np.ndarray:
        """The resampled set as indices into multi-hot ``y`` (see the class docs)."""
        return self._draw(y, rng)[0]

    def _draw(self, y, rng=None):
        t = self.resolve_target(y)
        y = check_multihot(y)
        names = _check_label_names(self.label_names, y.shape[1])
        gen = self._generator(rng)
        yb = y.astype(bool)
        yi = y.astype(np.int64)
        counts = label_counts(y)
        missing = [names[j] for j in np.flatnonzero(counts == 0)]
        if missing:
            warnings.warn(f"label(s) {', '.join(missing)} have no positive image in `y`: they "
                          f"cannot be oversampled and stay at 0 (the other labels are "
                          f"resampled to {t}).", UserWarning, stacklevel=3)

        # 1. oversampling, rarest label first
        copies = []
        for j in np.argsort(counts, kind="stable"):
            need = t - counts[j]
            if counts[j] == 0 or need <= 0:
                continue
            carriers = np.flatnonzero(yb[:, j])
            others = np.delete(np.arange(y.shape[1]), j)
            safe = carriers[(~yb[carriers][:, others] | (counts[others] < t)).all(axis=1)]
            drawn = gen.choice(safe if len(safe) else carriers, size=int(need), replace=True)
            copies.append(drawn)
            counts = counts + yi[drawn].sum(axis=0)
        copies = np.concatenate(copies).astype(np.int64) if copies else np.zeros(0, np.int64)
        pool = np.concatenate([np.arange(len(y), dtype=np.int64), copies])
        is_copy = np.r_[np.zeros(len(y), bool), np.ones(len(copies), bool)]
        added = yi[copies].sum(axis=0)

        # 2. undersampling, most frequent label first; an image goes only when all its
        #    labels are above the target, and takes all of them out
        keep = np.ones(len(pool), dtype=bool)
        for j in np.argsort(-counts, kind="stable"):
            if counts[j] <= t:
                continue
            for k in gen.permutation(np.flatnonzero(keep & yb[pool, j])):
                if counts[j] <= t:
                    break
                labels = yb[pool[k]]
                if (counts[labels] > t).all():
                    keep[k] = False
                    counts = counts - yi[pool[k]]
        removed = yi[pool[~keep]].sum(axis=0)
        info = {"target": t, "added": added, "removed": removed, "missing": missing,
                "n_duplicated": int(len(copies)), "n_removed": int((~keep).sum()),
                "is_copy": is_copy[keep]}
        return pool[keep], info

    def fit_resample(self, X, y):
        """Resample ``X`` (any rank, or ``None``-free arrays) and multi-hot ``y`` once.

        Returns:
            ``(X[idx], y[idx])`` with ``idx = self.sample_indices_``; sets the
            attributes listed in the class docs.
        """
        X = as_sample_array(X, "X")
        y = check_multihot(y)
        check_same_length(X, y, "X", "y")
        idx, info = self._draw(y)
        self.sample_indices_ = idx
        self.is_copy_ = info["is_copy"]
        self.target_ = info["target"]
        self.label_counts_before_ = label_counts(y)
        self.label_counts_after_ = label_counts(y, idx)
        self.added_, self.removed_ = info["added"], info["removed"]
        self.n_duplicated_, self.n_removed_ = info["n_duplicated"], info["n_removed"]
        self.missing_labels_ = info["missing"]
        self._names = _check_label_names(self.label_names, y.shape[1])
        return np.asarray(X)[idx], y[idx]

    def report(self):
        """The counts of the last ``fit_resample``, one row per label.

        Returns:
            A ``pandas.DataFrame`` with ``label``, ``before``, ``added``,
            ``removed``, ``after`` and ``target`` (0 for a label without
            positives).

        Raises:
            RuntimeError: before ``fit_resample``.
        """
        import pandas as pd

        if not hasattr(self, "sample_indices_"):
            raise RuntimeError("OneShotHybridSampler.report() needs a fit_resample(X, y) "
                               "first.")
        before = self.label_counts_before_
        return pd.DataFrame({"label": self._names, "before": before, "added": self.added_,
                             "removed": self.removed_, "after": self.label_counts_after_,
                             "target": np.where(before > 0, self.target_, 0)})
