"""One call that evaluates class probabilities with every metric of the papers.

Conventions
-----------
* Predictions are ``argmax(y_prob, axis=1)`` (ties go to the lower class id),
  unless the classifier's own decisions are given (``y_pred``): a classifier
  that decides otherwise (an SVM's one-against-one votes, a tuned threshold)
  is then scored by what it decides; ``auc`` and ``auc_ovr`` still rank
  ``y_prob``.
* Classes are ``0 .. K-1`` with ``K = y_prob.shape[1]``.
* A class that is never predicted has PPV = 0 and F1 = 0 (scikit-learn's
  ``zero_division=0``); a class absent from ``y_true`` has TPR = 0, as
  scikit-learn's ``recall_score(..., zero_division=0)``; ``avacc`` and ``mavg``
  average over the classes present in ``y_true`` only, ``macro_f1`` and
  ``gmean`` over all K. Absent classes are named in a ``UserWarning``.
* ``auc_ovr`` is the mean one-vs-rest ROC AUC over the classes present in
  ``y_true`` that also have negatives; it equals scikit-learn's
  ``roc_auc_score(multi_class="ovr", average="macro")`` whenever every class is
  present. With a single class in ``y_true`` no AUC is defined: ``auc_ovr`` is
  NaN (and a ``UserWarning`` is issued), the other metrics are still returned.
* ``gmean`` is the macro mean over classes of ``sqrt(TPR_i * TNR_i)``, the
  mean of imbalanced-learn's ``geometric_mean_score(average=None)`` (its
  ``average="macro"`` is ``sqrt(mean TPR * mean TNR)``, a different number); ``mavg`` is
  the geometric mean of the per-class recalls (its ``average="multiclass"``);
  ``avacc`` is the mean recall (balanced accuracy); ``cba`` is Mosley's class
  balance accuracy ``mean_i C_ii / max(sum_j C_ij, sum_j C_ji)`` over classes
  with at least one true or predicted sample.
"""

from __future__ import annotations

import warnings

import numpy as np
import sklearn.metrics

from imbkeras._validation import check_confusion, check_labels, check_probabilities  # noqa: F401

from imbkeras._metric_keys import SCALAR_KEYS  # noqa: E402  (re-exported)


def confusion_counts(cm: np.ndarray) -> dict[str, np.ndarray]:
    """Per-class TP, FP, FN, TN from a confusion matrix (rows true, columns predicted)."""
    cm = check_confusion(cm)
    tp = np.diag(cm)
    fp = cm.sum(axis=0) - tp
    fn = cm.sum(axis=1) - tp
    tn = cm.sum() - tp - fp - fn
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn}


def _safe_div(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


def class_balance_accuracy(cm) -> float:
    """Mosley (2013): mean over classes of C_ii / max(row_i, col_i)."""
    cm = check_confusion(cm)
    denom = np.maximum(cm.sum(axis=1), cm.sum(axis=0))
    used = denom > 0
    return float(np.mean(np.diag(cm)[used] / denom[used]))


def normalized_confusion(cm) -> np.ndarray:
    """Row-normalised confusion matrix: entry ``[i, j]`` is the fraction of class ``i``
    predicted as ``j`` (the diagonal holds the per-class recalls); rows of absent
    classes are 0.

    Examples:
        >>> normalized_confusion([[3, 1], [0, 0]]).tolist()
        [[0.75, 0.25], [0.0, 0.0]]
    """
    cm = check_confusion(cm)
    s = cm.sum(axis=1, keepdims=True)
    return np.divide(cm, s, out=np.zeros_like(cm), where=s > 0)


def format_table(result: dict, class_names=None, digits: int = 3) -> str:
    """Printable per-class table of a :func:`report` result.

    Columns: support, TPR (recall), TNR, PPV (precision), NPV, F1 and AUC per
    class, then the macro mean of each column over the classes.

    Args:
        result: the dict returned by :func:`report`.
        class_names: optional names of the K classes (default ``0 .. K-1``).
        digits: decimals shown.

    Returns:
        The table as a string (one line per class).

    Raises:
        ValueError: if ``class_names`` does not hold K names.
    """
    pc = result["per_class"]
    k = len(pc["support"])
    names = [str(c) for c in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(names) != k:
        raise ValueError(f"`class_names` must hold {k} names; received {len(names)}: "
                         f"{names[:5]}{'...' if len(names) > 5 else ''}.")
    cols = ("tpr", "tnr", "ppv", "npv", "f1", "auc")
    w = max(5, max(len(n) for n in names), len("mean"))
    cw = max(digits + 3, 7)
    lines = [f"{'class':<{w}} {'support':>8} " + " ".join(f"{c.upper():>{cw}}" for c in cols)]
    for i, name in enumerate(names):
        vals = " ".join(f"{pc[c][i]:>{cw}.{digits}f}" for c in cols)
        lines.append(f"{name:<{w}} {int(pc['support'][i]):>8d} {vals}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = " ".join(f"{np.nanmean(pc[c]):>{cw}.{digits}f}" for c in cols)
    lines.append(f"{'mean':<{w}} {int(np.sum(pc['support'])):>8d} {means}")
    return "\n".join(lines)


def is_degenerate(y_prob, threshold=None) -> bool:
    """Whether a model gives every sample the same prediction (one class for all).

    A classifier that predicts the majority class for every sample can still
    have a respectable accuracy; reports flag it instead of averaging it in.

    Args:
        y_prob: ``(n, K)`` scores of ``n`` samples.
        threshold: ``None`` for multi-class (the prediction is the argmax);
            for multi-label a scalar or ``K`` thresholds (a label is predicted
            when its score is ``>=`` its threshold).

    Returns:
        ``True`` when there are at least two samples and all of them receive
        the same class (multi-class) or the same label set (multi-label).

    Raises:
        ValueError: if ``y_prob`` is not a 2-D array with at least one column.

    Examples:
        >>> is_degenerate([[0.9, 0.1], [0.6, 0.4]]), is_degenerate([[0.9, 0.1], [0.2, 0.8]])
        (True, False)
        >>> is_degenerate([[0.9, 0.2], [0.7, 0.1]], threshold=0.5)
        True
    """
    p = np.asarray(y_prob, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] < 1:
        raise ValueError(f"`y_prob` must be a 2-D array (n, K); received shape {p.shape}.")
    if len(p) < 2:
        return False
    if threshold is None:
        pred = np.argmax(p, axis=1)
        return bool(np.all(pred == pred[0]))
    t = np.broadcast_to(np.asarray(threshold, dtype=np.float64), (p.shape[1],))
    pred = p >= t
    return bool(np.all(pred == pred[0]))


def report(y_true, y_prob, *, atol: float = 1e-3, class_names=None, y_pred=None) -> dict:
    """Evaluate class probabilities: AUC, accuracy, F1, G-mean, AvAcc, CBA, MAvG.

    Args:
        y_true: 1-D integer labels in ``[0, K)``.
        y_prob: ``(n, K)`` probabilities (rows sum to 1 within ``atol``).
        atol: tolerance on row sums.
        class_names: optional names of the K classes, used in ``table``.
        y_pred: the classifier's own decisions, 1-D labels in ``[0, K)`` (default:
            ``argmax(y_prob)``); every metric but the AUCs uses them.

    Returns:
        A dict with the scalars ``auc_ovr``, ``accuracy``, ``macro_f1``,
        ``gmean``, ``avacc``, ``cba``, ``mavg``; per-class arrays under
        ``per_class`` (``auc``, ``tpr``, ``tnr``, ``ppv``, ``npv``, ``f1``,
        ``support``); the confusion matrix (rows true, columns predicted)
        under ``confusion_matrix`` and row-normalised under
        ``normalized_confusion``; a printable per-class table (string) under
        ``table`` (see :func:`format_table`). Conventions: see the module
        docstring.

    Raises:
        ValueError: if labels or decisions are invalid or out of range, lengths
            differ, or rows of ``y_prob`` are not probabilities summing to 1.

    Examples:
        >>> import numpy as np
        >>> r = report([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
        >>> round(r["auc_ovr"], 3), round(r["accuracy"], 3), round(r["avacc"], 3)
        (1.0, 0.667, 0.75)
        >>> r = report([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]], y_pred=[0, 1, 1])
        >>> round(r["auc_ovr"], 3), round(r["accuracy"], 3)
        (1.0, 1.0)
    """
    p = check_probabilities(y_prob, atol=atol)
    k = p.shape[1]
    y = check_labels(y_true, "y_true", num_classes=k)
    if len(y) != len(p):
        raise ValueError(f"`y_true` and `y_prob` must have the same length; received "
                         f"{len(y)} and {len(p)}.")
    labels = np.arange(k)
    if y_pred is None:
        pred = p.argmax(axis=1)
    else:
        pred = check_labels(y_pred, "y_pred", num_classes=k)
        if len(pred) != len(y):
            raise ValueError(f"`y_pred` and `y_true` must have the same length; received "
                             f"{len(pred)} and {len(y)}.")
    cm = sklearn.metrics.confusion_matrix(y, pred, labels=labels)
    cc = confusion_counts(cm)
    tpr = _safe_div(cc["tp"], cc["tp"] + cc["fn"])
    tnr = _safe_div(cc["tn"], cc["tn"] + cc["fp"])
    ppv = _safe_div(cc["tp"], cc["tp"] + cc["fp"])
    npv = _safe_div(cc["tn"], cc["tn"] + cc["fn"])
    f1 = _safe_div(2 * cc["tp"], 2 * cc["tp"] + cc["fp"] + cc["fn"])
    support = cm.sum(axis=1)

    auc = np.full(k, np.nan)
    for c in range(k):
        pos = y == c
        if pos.any() and not pos.all():
            auc[c] = sklearn.metrics.roc_auc_score(pos, p[:, c])
    if np.isnan(auc).all():
        warnings.warn("ROC AUC is undefined: `y_true` holds a single class "
                      f"({np.unique(y).tolist()}); auc_ovr is NaN.", UserWarning, stacklevel=2)
        auc_ovr = float("nan")
    else:
        auc_ovr = float(np.nanmean(auc))

    present = support > 0
    if not present.all() and present.sum() > 1:
        warnings.warn(f"classes {np.flatnonzero(~present).tolist()} are absent from `y_true`: "
                      f"avacc and mavg average over the {int(present.sum())} present classes, "
                      f"macro_f1 and gmean count the absent ones as 0 (see the conventions).",
                      UserWarning, stacklevel=2)
    mavg = float(np.prod(tpr[present]) ** (1.0 / present.sum()))
    result = {
        "auc_ovr": auc_ovr,
        "accuracy": float(np.mean(pred == y)),
        "macro_f1": float(np.mean(f1)),
        "gmean": float(np.mean(np.sqrt(tpr * tnr))),
        "avacc": float(np.mean(tpr[present])),
        "cba": class_balance_accuracy(cm),
        "mavg": mavg,
        "per_class": {"auc": auc, "tpr": tpr, "tnr": tnr, "ppv": ppv, "npv": npv,
                      "f1": f1, "support": support},
        "confusion_matrix": cm,
        "normalized_confusion": normalized_confusion(cm),
    }
    result["table"] = format_table(result, class_names)
    return result
