"""Thresholding by class priors (Buda et al. 2018, Richard & Lippmann 1991)."""

from __future__ import annotations

import numpy as np

from imbkeras._validation import (check_labels, check_num_classes, check_priors,
                                  check_probabilities)


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

    Examples:
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
        ValueError: if shapes disagree, ``priors`` has non-positive entries, or
            ``probs`` are not probabilities (NaN / inf, outside [0, 1], logits,
            rows that do not sum to 1).

    Examples:
        >>> prior_correction([[0.6, 0.4]], [0.8, 0.2]).round(3).tolist()
        [[0.273, 0.727]]

    Reference:
        Buda, Maki, Mazurowski (2018), section 2.2.3.
    """
    p = check_probabilities(probs, "probs")
    pr = check_priors(priors, p.shape[1])
    out = p / pr
    if normalize:
        s = out.sum(axis=1, keepdims=True)
        out = np.divide(out, s, out=np.full_like(out, 1.0 / out.shape[1]), where=s > 0)
    return out


def logit_adjustment(scores, priors, tau: float = 1.0, *, from_logits: bool = False,
                     output: str = "probs") -> np.ndarray:
    """Post-hoc logit adjustment: ``z - tau * log(prior)``.

    The prediction ``argmax_i (z_i - tau log pi_i)`` is Bayes-optimal for the
    balanced error at ``tau = 1``; ``tau`` tunes how far the threshold moves
    toward the minority classes (``tau = 0`` changes nothing). On probabilities
    (``z = log p``) with ``tau = 1`` and ``output="probs"`` this equals
    :func:`prior_correction`.

    Args:
        scores: ``(n, K)`` probabilities, or logits when ``from_logits``.
        priors: length-K training priors (> 0; see :func:`class_priors`).
        tau: adjustment strength, finite and >= 0.
        from_logits: ``scores`` are logits.
        output: ``"probs"`` (softmax of the adjusted logits) or ``"logits"``.

    Returns:
        float64 ``(n, K)`` adjusted probabilities or logits.

    Raises:
        ValueError: for shapes that disagree, non-positive priors, non-finite
            scores, negative probabilities, ``tau < 0`` or an unknown ``output``.

    Examples:
        >>> logit_adjustment([[0.6, 0.4]], [0.8, 0.2]).round(3).tolist()
        [[0.273, 0.727]]
        >>> logit_adjustment([[0.6, 0.4]], [0.8, 0.2], tau=0.5).round(3).tolist()
        [[0.429, 0.571]]

    Reference:
        Menon, Jayasumana, Rawat, Jain, Veit, Kumar (2021), Long-tail learning via
        logit adjustment, ICLR, eq. (9).
    """
    if output not in ("probs", "logits"):
        raise ValueError(f"`output` must be 'probs' or 'logits'; received {output!r}.")
    if isinstance(tau, bool) or not isinstance(tau, (int, float, np.floating, np.integer)) \
            or not np.isfinite(tau) or tau < 0:
        raise ValueError(f"`tau` must be a finite number >= 0; received {tau!r}.")
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2:
        raise ValueError(f"`scores` must be 2-D (n_samples, n_classes); received shape {s.shape}.")
    if not np.isfinite(s).all():
        i = int(np.flatnonzero(~np.isfinite(s).all(axis=1))[0])
        raise ValueError(f"`scores` must be finite; row {i} is {s[i].tolist()}.")
    pr = check_priors(priors, s.shape[1])
    if from_logits:
        z = s
    else:
        if (s < 0).any():
            raise ValueError(f"`scores` must be probabilities (>= 0) unless from_logits=True; "
                             f"received minimum {s.min():.4g}.")
        with np.errstate(divide="ignore"):
            z = np.log(s)
    z = z - float(tau) * np.log(pr)
    if output == "logits":
        return z
    z = z - np.max(z, axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
