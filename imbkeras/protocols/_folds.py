"""Stratified cross-validation folds for single-label and multi-label targets."""

from __future__ import annotations

import numpy as np

from imbkeras._validation import check_positive_int


def stratified_folds(y, n_splits: int = 5, seed: int | None = 0
                     ) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n_splits`` stratified ``(train_idx, test_idx)`` pairs, seeded.

    1-D labels use scikit-learn's ``StratifiedKFold`` (shuffled with
    ``seed``). 2-D multi-hot labels use iterative stratification (Sechidis et
    al. 2011; scikit-multilearn's ``IterativeStratification``, order 1) on a
    seeded permutation of the samples, so every label keeps about its share
    in every fold.

    Args:
        y: 1-D integer labels or 2-D multi-hot labels ``(n, L)``.
        n_splits: number of folds, >= 2.
        seed: seed of the shuffling; ``None`` for fresh entropy.

    Returns:
        A list of ``(train_indices, test_indices)`` int64 arrays; the test
        folds partition ``range(n)``.

    Raises:
        ValueError: for ``n_splits < 2``, more folds than samples, or a 1-D
            class with fewer members than folds (scikit-learn's message).

    Example:
        >>> y = np.array([[1, 0], [0, 1], [1, 1], [1, 0], [0, 1], [1, 1]] * 2)
        >>> folds = stratified_folds(y, 2, seed=0)
        >>> [y[te].sum(axis=0).tolist() for _, te in folds]
        [[4, 4], [4, 4]]

    Reference:
        Sechidis, Tsoumakas, Vlahavas (2011), On the stratification of
        multi-label data; Al-joudi et al. (2023) (5 folds).
    """
    n_splits = check_positive_int(n_splits, "n_splits", minimum=2)
    y = np.asarray(y)
    if len(y) < n_splits:
        raise ValueError(f"`n_splits`={n_splits} is more than the {len(y)} samples of `y`.")
    if y.ndim == 1:
        import sklearn.model_selection

        skf = sklearn.model_selection.StratifiedKFold(n_splits, shuffle=True, random_state=seed)
        return [(tr.astype(np.int64), te.astype(np.int64))
                for tr, te in skf.split(np.zeros(len(y)), y)]
    if y.ndim != 2:
        raise ValueError(f"`y` must be 1-D labels or 2-D multi-hot; received shape {y.shape}.")
    from skmultilearn.model_selection import IterativeStratification

    perm = np.random.default_rng(seed).permutation(len(y))
    strat = IterativeStratification(n_splits=n_splits, order=1)
    folds = []
    for tr, te in strat.split(np.zeros((len(y), 1)), y[perm].astype(int)):
        folds.append((np.sort(perm[tr]).astype(np.int64), np.sort(perm[te]).astype(np.int64)))
    return folds
