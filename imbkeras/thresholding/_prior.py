"""Thresholding by class priors (Buda et al. 2018, Richard & Lippmann 1991)."""

from __future__ import annotations

import numpy as np

from imbkeras._validation import check_labels, check_num_classes


def class_priors(y, num_classes: int) -> np.ndarray:
    """Class frequencies of the training labels, estimated *before* resampling.

    Args:
        y: 1-D integer labels of the (imbalanced) training set.
        num_classes: number of classes K.

    Returns:
        float64 array of length K summing to 1.

    Raises:
        ValueError: for invalid labels or a class with no training sample (its
            prior would be 0 and thresholding would divide by zero).

    Example:
        >>> class_priors([0, 0, 0, 1], 2).tolist()
        [0.75, 0.25]
    """
    k = check_num_classes(num_classes)
    y = check_labels(y, num_classes=k)
    counts = np.bincount(y, minlength=k).astype(np.float64)
    if (counts == 0).any():
        missing = np.flatnonzero(counts == 0).tolist()
        raise ValueError(f"class(es) {missing} have 0 samples in `y`; their prior would be 0 "
                         f"(num_classes={k}, counts={counts.astype(int).tolist()}).")
    return counts / counts.sum()


def check_priors(priors, num_classes: int | None = None) -> np.ndarray:
    pr = np.asarray(priors, dtype=np.float64)
    if pr.ndim != 1 or (num_classes is not None and len(pr) != num_classes):
        raise ValueError(f"`priors` must be 1-D with one entry per class ({num_classes}); "
                         f"received shape {pr.shape}.")
    if not np.isfinite(pr).all() or (pr <= 0).any():
        raise ValueError(f"`priors` must be finite and > 0; received {pr.tolist()}.")
    return pr


def prior_correction(probs, priors, normalize: bool = True) -> np.ndarray:
    """Divide each class's output by its training prior (threshold moving).

    Networks estimate posteriors p(i|x) = p(x|i) p(i) / p(x); dividing by the
    prior p(i) of the *imbalanced training set* moves the decision threshold
    toward the minority classes.

    Args:
        probs: ``(n, K)`` class probabilities.
        priors: length-K training priors (see :func:`class_priors`).
        normalize: renormalise rows to sum to 1 (default). With
            ``normalize=False`` each class's column is only scaled, so every
            one-vs-rest ROC curve is unchanged.

    Returns:
        float64 ``(n, K)`` corrected scores.

    Raises:
        ValueError: if shapes disagree or ``priors`` has non-positive entries.

    Example:
        >>> prior_correction([[0.6, 0.4]], [0.8, 0.2]).round(3).tolist()
        [[0.273, 0.727]]

    Reference:
        Buda, Maki, Mazurowski (2018), section 2.2.3.
    """
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"`probs` must be 2-D (n_samples, n_classes); received shape {p.shape}.")
    pr = check_priors(priors, p.shape[1])
    out = p / pr
    if normalize:
        s = out.sum(axis=1, keepdims=True)
        out = np.divide(out, s, out=np.full_like(out, 1.0 / out.shape[1]), where=s > 0)
    return out
