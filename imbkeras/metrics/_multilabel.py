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
  correct (sample, label) decisions; ``samples_jaccard`` the mean over samples
  of |true & predicted| / |true | predicted| (example-based accuracy).
* ``head_auc`` / ``tail_auc`` / ``tail_recall``: mean AUC / recall over the
  most frequent / rarest third of the labels that have positives in
  ``y_true`` (ranked by their support there; ties by label index), the
  many-shot / few-shot split of the long-tail literature.

What Keras reports during ``fit`` / ``evaluate`` for multi-label outputs
----------------------------------------------------------------------
Papers that train with Keras often report what its metrics print, and these
differ from the definitions above:

* ``categorical_accuracy``: ``metrics=["accuracy"]`` with multi-hot targets of
  more than one column resolves (tf.keras 2.x picks the accuracy by the
  shapes, not by the loss) to *categorical* accuracy: the top-scoring label
  equals ``argmax`` of the true row, i.e. the *first* true label.
* ``batch_precision``, ``batch_recall``, ``batch_f1``: the precision / recall /
  F1 functions of the Keras 1 era (pooled counts of one batch at threshold
  0.5, ``tp / (tp + fp + eps)``), averaged over the evaluation batches.
  As the harmonic mean is concave, ``batch_f1`` lies slightly below the F1 of
  ``batch_precision`` and ``batch_recall`` (:func:`f1_from_precision_recall`).

Al-joudi & Arif (2023) report exactly this pattern: in each of their ten
fold rows (Table 2) the F1 lies 0.003 to 0.006 *below* ``2PR / (P + R)`` of
the same row's precision and recall (tested in
``tests/metrics/test_paper_definitions.py``), which batch averaging over
their validation batches of 16 explains; their "accuracy" (0.48 to 0.52)
cannot be Hamming accuracy (0.95 or more at 1.6 labels of 28 per image) and
matches the order of magnitude of categorical accuracy.
"""

from __future__ import annotations

import warnings

import numpy as np
import sklearn.metrics

from imbkeras._validation import (_short, check_multihot, check_multilabel_scores,
                                  check_positive_int)

from imbkeras._metric_keys import MULTILABEL_SCALAR_KEYS  # noqa: E402  (re-exported)
#: Evaluation batch size of the batch-averaged scores (Al-joudi & Arif's
#: validation batch size, Table 1).
BATCH_SIZE = 16
_EPS = 1e-7  # keras.backend.epsilon()


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

    Examples:
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


def f1_from_precision_recall(precision, recall):
    """F1 as the harmonic mean of a precision and a recall.

    .. math:: F_1 = \\frac{2 P R}{P + R} \\quad (0 \\text{ when } P + R = 0)

    Applied to *averaged* precision and recall (over labels, samples or
    batches) this is not the average of the F1 scores: the harmonic mean is
    concave, so it is at least the mean of the per-label / per-batch F1.

    Args:
        precision, recall: numbers or arrays in ``[0, 1]`` of the same shape.

    Returns:
        float or float64 array.

    Raises:
        ValueError: for values outside ``[0, 1]``, NaN or mismatched shapes.

    Examples:
        >>> round(f1_from_precision_recall(0.659, 0.476), 4)  # Al-joudi Table 2, fold 1
        0.5527

    Reference:
        Al-joudi & Arif (2023), Eq. (5) and Table 2.
    """
    p = np.asarray(precision, dtype=np.float64)
    r = np.asarray(recall, dtype=np.float64)
    if p.shape != r.shape:
        raise ValueError(f"`precision` and `recall` must have the same shape; received "
                         f"{p.shape} and {r.shape}.")
    for name, v in (("precision", p), ("recall", r)):
        if not np.isfinite(v).all() or (v < 0).any() or (v > 1).any():
            raise ValueError(f"`{name}` must lie in [0, 1]; received {_short(v.tolist())}.")
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
    return float(f) if f.ndim == 0 else f


def categorical_accuracy(y_true, y_prob) -> float:
    """Keras's categorical accuracy on multi-hot targets: top label == first true label.

    .. math:: \\mathrm{acc} = \\frac{1}{n} \\sum_i
              [\\arg\\max_j p_{ij} = \\arg\\max_j y_{ij}]

    (``argmax`` of a multi-hot row is its first positive label.) This is what
    ``model.compile(metrics=["accuracy"])`` reports for a sigmoid output of
    more than one unit in tf.keras 2.x.

    Args:
        y_true: ``(n, L)`` multi-hot labels.
        y_prob: ``(n, L)`` scores.

    Returns:
        float in ``[0, 1]``.

    Raises:
        ValueError: for non-binary ``y_true`` or scores of another shape.

    Examples:
        >>> categorical_accuracy([[1, 1, 0], [0, 1, 1]], [[.2, .9, .1], [.1, .8, .3]])
        0.5

    Reference:
        tf.keras 2.x ``compile_utils`` (``"accuracy"`` resolved by the output
        shapes); Al-joudi & Arif (2023), Table 2 ("accuracy").
    """
    y = check_multihot(y_true, "y_true", require_label=False)
    p = check_multilabel_scores(y_prob, "y_prob", shape=y.shape)
    return float(np.mean(np.argmax(p, axis=1) == np.argmax(y, axis=1)))


def batch_averaged_scores(y_true, y_prob, batch_size: int = BATCH_SIZE,
                          threshold: float = 0.5) -> dict:
    """Precision, recall and F1 of each batch (pooled counts), averaged over the batches.

    For batch :math:`b` with pooled counts over its samples and labels,
    :math:`P_b = TP_b / (TP_b + FP_b + \\epsilon)`, :math:`R_b = TP_b /
    (TP_b + FN_b + \\epsilon)`, :math:`F_b = 2 P_b R_b / (P_b + R_b +
    \\epsilon)`; the scores are the means over batches of ``batch_size``
    consecutive samples (the last may be smaller and counts as one), as
    Keras averages a metric function that returns one value per batch.

    Args:
        y_true: ``(n, L)`` multi-hot labels.
        y_prob: ``(n, L)`` probabilities.
        batch_size: samples per evaluation batch (default 16, Al-joudi's).
        threshold: a label is predicted when its probability is ``>=`` it
            (Keras's ``round``: 0.5).

    Returns:
        ``{"precision", "recall", "f1"}`` floats.

    Raises:
        ValueError: for non-binary ``y_true``, scores of another shape, a
            ``batch_size`` below 1 or a threshold outside ``[0, 1]``.

    Examples:
        >>> y = [[1, 0], [0, 1], [1, 1], [0, 1]]
        >>> p = [[.9, .1], [.8, .2], [.7, .1], [.1, .9]]
        >>> s = batch_averaged_scores(y, p, batch_size=2)
        >>> {k: round(v, 3) for k, v in s.items()}
        {'precision': 0.75, 'recall': 0.583, 'f1': 0.65}
        >>> round(f1_from_precision_recall(s["precision"], s["recall"]), 3)  # above the mean F1
        0.656

    Reference:
        The Keras 1 ``precision`` / ``recall`` / ``fbeta_score`` metrics;
        Al-joudi & Arif (2023), Tables 1-2 (validation batches of 16).
    """
    y = check_multihot(y_true, "y_true", require_label=False).astype(np.int64)
    p = check_multilabel_scores(y_prob, "y_prob", shape=y.shape)
    batch_size = check_positive_int(batch_size, "batch_size")
    thr = check_thresholds(threshold, y.shape[1])
    pred = (p >= thr[None, :]).astype(np.int64)
    ps, rs, fs = [], [], []
    for start in range(0, len(y), batch_size):
        yb, pb = y[start:start + batch_size], pred[start:start + batch_size]
        tp = float((yb & pb).sum())
        prec = tp / (float(pb.sum()) + _EPS)
        rec = tp / (float(yb.sum()) + _EPS)
        ps.append(prec)
        rs.append(rec)
        fs.append(2 * prec * rec / (prec + rec + _EPS))
    return {"precision": float(np.mean(ps)), "recall": float(np.mean(rs)),
            "f1": float(np.mean(fs))}


def head_tail_labels(y_true, fraction: float = 1 / 3):
    """The most frequent and the rarest ``fraction`` of the labels present in ``y_true``.

    Labels are ranked by their number of positives (ties by index); labels
    without any positive are left out; each group holds
    ``ceil(fraction * n_present)`` labels.

    Returns:
        ``(head, tail)``: int arrays of label indices.

    Examples:
        >>> head_tail_labels([[1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 0, 0]], fraction=0.5)
        (array([0, 1]), array([2, 1]))
    """
    y = check_multihot(y_true, "y_true", require_label=False).astype(np.int64)
    if not 0 < fraction <= 1:
        raise ValueError(f"`fraction` must lie in (0, 1]; received {fraction!r}.")
    support = y.sum(axis=0)
    present = np.flatnonzero(support > 0)
    k = int(np.ceil(fraction * len(present)))
    order = present[np.argsort(-support[present], kind="stable")]
    tail = present[np.argsort(support[present], kind="stable")]
    return order[:k], tail[:k]


def _row_normalize(cm) -> np.ndarray:
    cm = np.asarray(cm, dtype=np.float64)
    s = cm.sum(axis=1, keepdims=True)
    return np.divide(cm, s, out=np.zeros_like(cm), where=s > 0)


def _auc_or_nan(y, s) -> float:
    y = np.asarray(y)
    if y.min() == y.max():
        return float("nan")
    return float(sklearn.metrics.roc_auc_score(y, s))


def report_multilabel(y_true, y_prob, threshold=0.5, batch_size: int = BATCH_SIZE) -> dict:
    """Evaluate multi-label probabilities: averaged scores, per-label counts and the MLCM.

    Args:
        y_true: ``(n, L)`` multi-hot true labels.
        y_prob: ``(n, L)`` per-label probabilities (sigmoid outputs).
        threshold: a scalar or ``L`` thresholds in ``[0, 1]`` (a label is predicted
            when its probability is ``>=`` its threshold); tune them on validation
            data with :func:`imbkeras.thresholding.tune_thresholds`.
        batch_size: evaluation batch size of ``batch_precision`` /
            ``batch_recall`` / ``batch_f1`` (:func:`batch_averaged_scores`).

    Returns:
        A dict with the scalars of ``MULTILABEL_SCALAR_KEYS`` (``macro_f1``,
        ``micro_f1``, ``samples_f1``, the same for precision and recall,
        ``macro_auc``, ``micro_auc``, ``samples_auc``, ``subset_accuracy``,
        ``hamming_accuracy``, ``samples_jaccard``, and what Keras would print:
        ``categorical_accuracy``, ``batch_precision``, ``batch_recall``,
        ``batch_f1``); ``per_label`` arrays (``tp``, ``fp``, ``fn``,
        ``tn``, ``precision``, ``recall``, ``f1``, ``auc``, ``support``);
        ``threshold`` (per label); ``mlcm`` (see :func:`mlcm`) and
        ``mlcm_normalized`` (rows divided by their sums, zero rows left 0).
        Conventions: see the module docstring.

    Raises:
        ValueError: for non-binary ``y_true``, ``y_prob`` of another shape, with
            NaN or outside ``[0, 1]``, or thresholds outside ``[0, 1]``.

    Examples:
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
    out["samples_jaccard"] = float(sklearn.metrics.jaccard_score(
        y, pred, average="samples", zero_division=0))
    out["categorical_accuracy"] = categorical_accuracy(y, p)
    batch = batch_averaged_scores(y, p, batch_size, thr)
    out.update({f"batch_{k}": v for k, v in batch.items()})
    head, tail = head_tail_labels(y)
    out["head_auc"] = float(np.nanmean(auc[head])) if np.isfinite(auc[head]).any() else np.nan
    out["tail_auc"] = float(np.nanmean(auc[tail])) if np.isfinite(auc[tail]).any() else np.nan
    out["tail_recall"] = float(np.mean(recall[tail]))
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
