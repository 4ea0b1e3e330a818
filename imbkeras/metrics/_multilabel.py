"""Multi-label evaluation: averaged scores, per-label counts and the MLCM.

Conventions
-----------
* A label is predicted when its probability is ``>= threshold`` (a scalar or one
  threshold per label, each in ``[0, 1]``).
* Precision, recall and F1 follow scikit-learn with ``zero_division=0``:
  ``macro`` averages the per-label scores over all L labels, ``micro`` pools the
  counts of all labels, ``samples`` averages the per-sample scores of the
  label sets.
* ``macro_auc`` is the mean ROC AUC over the labels that have positives and
  negatives, ``micro_auc`` the AUC of all (sample, label) pairs pooled,
  ``samples_auc`` the mean AUC over the samples that have at least one true and
  one absent label; each is NaN when undefined.
* ``subset_accuracy`` is the fraction of samples whose predicted label set is
  exactly right; ``hamming_accuracy`` is ``1 - Hamming loss``, the fraction of
  correct (sample, label) decisions.
"""

from __future__ import annotations

import warnings

import numpy as np
import sklearn.metrics

from imbkeras._validation import _short, check_multihot, check_multilabel_scores

MULTILABEL_SCALAR_KEYS = (
    "macro_f1", "micro_f1", "samples_f1",
    "macro_precision", "micro_precision", "samples_precision",
    "macro_recall", "micro_recall", "samples_recall",
    "macro_auc", "micro_auc", "samples_auc",
    "subset_accuracy", "hamming_accuracy",
)


def check_thresholds(threshold, n_labels: int, name: str = "threshold") -> np.ndarray:
    """A scalar or one threshold per label, each in ``[0, 1]`` -> float64 ``(n_labels,)``."""
    try:
        t = np.asarray(threshold, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a number or a sequence of numbers; received "
                        f"{_short(threshold)}.")
    if t.ndim == 0:
        t = np.full(n_labels, float(t))
    if t.ndim != 1 or len(t) != n_labels:
        raise ValueError(f"`{name}` must be a scalar or hold one value per label ({n_labels}); "
                         f"received shape {t.shape}.")
    if not np.isfinite(t).all() or (t < 0).any() or (t > 1).any():
        raise ValueError(f"`{name}` must lie in [0, 1]; received {_short(t.tolist())}.")
    return t


def mlcm(y_true, y_pred) -> np.ndarray:
    """Multi-label confusion matrix (MLCM) of Heydarian et al. (2022).

    An ``(L + 1) x (L + 1)`` matrix, rows true labels, columns predicted labels;
    row ``L`` is "no true label" (NTL), column ``L`` "no predicted label" (NPL).
    For each sample with true label set ``T`` and predicted set ``P``:

    * ``T`` empty: each ``k`` in ``P`` adds to ``[NTL, k]``; ``P`` empty too adds
      to ``[NTL, NPL]``.
    * ``P`` empty: each ``j`` in ``T`` adds to ``[j, NPL]``.
    * otherwise each correctly predicted ``j`` in ``T & P`` adds to ``[j, j]``, and

      - category 1, ``P`` subset of ``T`` (missed labels only): each missed
        ``j`` in ``T - P`` adds to ``[j, NPL]``;
      - category 2, ``T`` subset of ``P`` (extra labels only): each extra ``k`` in
        ``P - T`` adds to ``[j, k]`` for *every* ``j`` in ``T``;
      - category 3, both missed and extra labels: each pair of a missed
        ``j`` in ``T - P`` and an extra ``k`` in ``P - T`` adds to ``[j, k]``.

    With one true label per sample and one predicted label (multi-class) this is
    the ordinary confusion matrix padded with a zero NTL row and NPL column.
    (The authors' reference code differs from the paper's category 3 when two or
    more extra labels are predicted: it pairs only the first extra label with the
    missed ones and the others with all true labels; we follow the paper.)

    Args:
        y_true: ``(n, L)`` multi-hot true labels.
        y_pred: ``(n, L)`` multi-hot predicted labels.

    Returns:
        int64 ``(L + 1, L + 1)`` matrix.

    Raises:
        ValueError: if the inputs are not 0/1 arrays of the same 2-D shape.

    Example:
        >>> mlcm([[1, 0], [1, 1], [0, 0]], [[1, 0], [1, 0], [0, 1]]).tolist()
        [[2, 0, 0], [0, 0, 1], [0, 1, 0]]

    Reference:
        Heydarian, Doyle, Samavi (2022), MLCM: Multi-Label Confusion Matrix, IEEE
        Access 10, 19083-19095; used by Al-joudi et al. (2023), Fig. 9.
    """
    t = check_multihot(y_true, "y_true", require_label=False).astype(np.int64).astype(bool)
    p = check_multihot(y_pred, "y_pred", require_label=False).astype(np.int64).astype(bool)
    if t.shape != p.shape:
        raise ValueError(f"`y_true` and `y_pred` must have the same shape; received {t.shape} "
                         f"and {p.shape}.")
    n_labels = t.shape[1]
    none = n_labels
    cm = np.zeros((n_labels + 1, n_labels + 1), dtype=np.int64)
    for ti, pi in zip(t, p):
        true_set, pred_set = np.flatnonzero(ti), np.flatnonzero(pi)
        if true_set.size == 0:
            if pred_set.size == 0:
                cm[none, none] += 1
            else:
                cm[none, pred_set] += 1
            continue
        if pred_set.size == 0:
            cm[true_set, none] += 1
            continue
        hit = np.flatnonzero(ti & pi)
        missed = np.flatnonzero(ti & ~pi)
        extra = np.flatnonzero(pi & ~ti)
        cm[hit, hit] += 1
        if extra.size == 0:                                   # category 1
            cm[missed, none] += 1
        elif missed.size == 0:                                # category 2
            cm[np.ix_(true_set, extra)] += 1
        else:                                                 # category 3
            cm[np.ix_(missed, extra)] += 1
    return cm


def _row_normalize(cm) -> np.ndarray:
    cm = np.asarray(cm, dtype=np.float64)
    s = cm.sum(axis=1, keepdims=True)
    return np.divide(cm, s, out=np.zeros_like(cm), where=s > 0)


def _auc_or_nan(y, s) -> float:
    y = np.asarray(y)
    if y.min() == y.max():
        return float("nan")
    return float(sklearn.metrics.roc_auc_score(y, s))


def report_multilabel(y_true, y_prob, threshold=0.5) -> dict:
    """Evaluate multi-label probabilities: averaged scores, per-label counts and the MLCM.

    Args:
        y_true: ``(n, L)`` multi-hot true labels.
        y_prob: ``(n, L)`` per-label probabilities (sigmoid outputs).
        threshold: a scalar or ``L`` thresholds in ``[0, 1]`` (a label is predicted
            when its probability is ``>=`` its threshold); tune them on validation
            data with :func:`imbkeras.thresholding.tune_thresholds`.

    Returns:
        A dict with the scalars of ``MULTILABEL_SCALAR_KEYS`` (``macro_f1``,
        ``micro_f1``, ``samples_f1``, the same for precision and recall,
        ``macro_auc``, ``micro_auc``, ``samples_auc``, ``subset_accuracy``,
        ``hamming_accuracy``); ``per_label`` arrays (``tp``, ``fp``, ``fn``,
        ``tn``, ``precision``, ``recall``, ``f1``, ``auc``, ``support``);
        ``threshold`` (per label); ``mlcm`` (see :func:`mlcm`) and
        ``mlcm_normalized`` (rows divided by their sums, zero rows left 0).
        Conventions: see the module docstring.

    Raises:
        ValueError: for non-binary ``y_true``, ``y_prob`` of another shape, with
            NaN or outside ``[0, 1]``, or thresholds outside ``[0, 1]``.

    Example:
        >>> r = report_multilabel([[1, 0], [0, 1], [1, 1]], [[.9, .2], [.4, .7], [.8, .3]])
        >>> r["subset_accuracy"], round(r["hamming_accuracy"], 3), r["macro_auc"]
        (0.6666666666666666, 0.833, 1.0)

    Reference:
        Al-joudi et al. (2023), section 5 (AUC, accuracy, F1, precision, recall,
        TP/FP/FN/TN, MLCM); Heydarian et al. (2022).
    """
    y = check_multihot(y_true, "y_true", require_label=False).astype(np.int64)
    p = check_multilabel_scores(y_prob, "y_prob", shape=y.shape)
    n, n_labels = y.shape
    thr = check_thresholds(threshold, n_labels)
    pred = (p >= thr[None, :]).astype(np.int64)

    tp = (y & pred).sum(axis=0).astype(np.float64)
    fp = ((1 - y) & pred).sum(axis=0).astype(np.float64)
    fn = (y & (1 - pred)).sum(axis=0).astype(np.float64)
    tn = n - tp - fp - fn
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 0.0)
        recall = np.where(tp + fn > 0, tp / np.maximum(tp + fn, 1), 0.0)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)

    out: dict = {}
    for avg in ("macro", "micro", "samples"):
        pr, rc, f, _ = sklearn.metrics.precision_recall_fscore_support(
            y, pred, average=avg, zero_division=0)
        out[f"{avg}_precision"], out[f"{avg}_recall"], out[f"{avg}_f1"] = (
            float(pr), float(rc), float(f))

    auc = np.array([_auc_or_nan(y[:, j], p[:, j]) for j in range(n_labels)])
    if np.isnan(auc).all():
        warnings.warn("ROC AUC is undefined for every label (each label is all-positive or "
                      "all-negative in `y_true`); macro_auc is NaN.", UserWarning, stacklevel=2)
        out["macro_auc"] = float("nan")
    else:
        out["macro_auc"] = float(np.nanmean(auc))
    out["micro_auc"] = _auc_or_nan(y.ravel(), p.ravel())
    per_sample = np.array([_auc_or_nan(y[i], p[i]) for i in range(n)])
    out["samples_auc"] = (float("nan") if np.isnan(per_sample).all()
                          else float(np.nanmean(per_sample)))
    out["subset_accuracy"] = float(np.mean((y == pred).all(axis=1)))
    out["hamming_accuracy"] = float(np.mean(y == pred))
    out = {key: out[key] for key in MULTILABEL_SCALAR_KEYS}
    cm = mlcm(y, pred)
    out.update({
        "per_label": {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision,
                      "recall": recall, "f1": f1, "auc": auc,
                      "support": y.sum(axis=0).astype(np.int64)},
        "threshold": thr,
        "mlcm": cm,
        "mlcm_normalized": _row_normalize(cm),
    })
    return out
