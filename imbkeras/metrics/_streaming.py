"""Stateful Keras metrics for class-imbalanced classification.

Each metric accumulates a K x K confusion matrix (or, for
:class:`MulticlassAUC`, per-class score histograms) over batches, so the value
after ``fit`` / ``evaluate`` is the metric of *all* the predictions seen, not
a mean of per-batch values. They take the same conventions as
:func:`imbkeras.metrics.report` and give its numbers on the same predictions.

Inputs (``update_state(y_true, y_pred, sample_weight=None)``):

* ``y_pred``: scores of shape ``(..., K)`` (probabilities or logits; the
  prediction is their argmax, ties to the lower class), or predicted class ids
  of rank 1 or with a trailing axis of size 1.
* ``y_true``: class ids (shape of the predictions, or with a trailing 1) or
  one-hot / probability rows ``(..., K)`` (their argmax is the label).
* Any rank: per-pixel / per-voxel predictions are flattened.
* ``sample_weight``: broadcast to the predictions' shape (e.g. one weight per
  sample for segmentation outputs).

Invalid input: in eager mode (``update_state`` called directly, or
``run_eagerly=True``) labels outside ``[0, K)`` and non-finite scores (for
:class:`MulticlassAUC`, scores outside ``[0, 1]``: logits) raise
``ValueError``. Inside a compiled ``fit`` / ``evaluate`` step (TensorFlow
backend) the scores are checked by ``tf.debugging`` assertions, as Keras's own
``AUC`` checks its range: non-finite scores (and, for ``MulticlassAUC``, scores
outside ``[0, 1]``) stop the step with ``tf.errors.InvalidArgumentError``
naming ``y_pred``. Labels outside ``[0, K)`` are counted there instead and
make ``result()`` NaN; so are invalid scores wherever an assertion cannot stop
the step (XLA-compiled steps, other backends), so a wrong input never yields
a plausible number.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from imbkeras._validation import check_num_classes, check_positive_int

_register = keras.saving.register_keras_serializable(package="imbkeras")


def _concrete(x):
    """``x`` as a NumPy array when its values are known now (eager), else ``None``."""
    if keras.backend.backend() == "tensorflow" and not tf.executing_eagerly():
        return None
    try:
        return np.asarray(ops.convert_to_numpy(x))
    except Exception:  # a tracer (jax.jit, torch.compile): values unknown at this point
        return None


def _rank(x) -> int:
    return len(x.shape)


_SCORE_TOL = 1e-6


def _in_graph() -> bool:
    return keras.backend.backend() == "tensorflow" and not tf.executing_eagerly()


def _assert_scores(y_pred, metric: str, unit_range: bool = False):
    """``y_pred`` behind graph-mode assertions: finite, and in ``[0, 1]`` if ``unit_range``.

    Eager calls are checked with ``ValueError`` elsewhere; this is the compiled
    step's check (``tf.errors.InvalidArgumentError`` when it runs), as
    ``keras.metrics.AUC`` asserts its predictions' range.
    """
    if not _in_graph():
        return y_pred
    x = tf.convert_to_tensor(y_pred)
    if not x.dtype.is_floating:
        return y_pred
    x = tf.debugging.assert_all_finite(
        x, f"`y_pred` of {metric} must be finite (received NaN or inf scores)")
    if not unit_range:
        return x
    checks = [tf.debugging.assert_greater_equal(
                  x, tf.cast(-_SCORE_TOL, x.dtype),
                  message=f"`y_pred` of {metric} must hold probabilities in [0, 1] "
                          f"(received a score < 0: logits? apply softmax)"),
              tf.debugging.assert_less_equal(
                  x, tf.cast(1.0 + _SCORE_TOL, x.dtype),
                  message=f"`y_pred` of {metric} must hold probabilities in [0, 1] "
                          f"(received a score > 1: logits? apply softmax)")]
    with tf.control_dependencies(checks):
        return tf.identity(x)


def _rows_ok(scores, unit_range: bool = False):
    """Per row of ``(..., K)`` scores: 1.0 when every score is finite (and in [0, 1])."""
    ok = ops.all(ops.isfinite(scores), axis=-1)
    if unit_range:
        inside = (scores >= -_SCORE_TOL) & (scores <= 1.0 + _SCORE_TOL)
        ok = ok & ops.all(ops.where(ops.isfinite(scores), inside, False), axis=-1)
    return ops.cast(ok, "float32")


def _check_finite_eager(y_pred, name: str = "y_pred") -> None:
    arr = _concrete(y_pred)
    if arr is not None:
        arr = arr.astype(np.float64)
        if not np.isfinite(arr).all():
            bad = np.argwhere(~np.isfinite(arr))[0].tolist()
            raise ValueError(f"`{name}` must be finite; received {float(arr[tuple(bad)])!r} at "
                             f"index {bad}.")


def _labels_and_predictions(y_true, y_pred, k: int, metric: str = "the metric"):
    """Flattened true ids and predicted ids (int32) from the accepted input forms, and a
    flattened 0/1 flag per prediction: 0 for scores that are not finite."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    rp = _rank(y_pred)
    ok = None
    if rp >= 2 and y_pred.shape[-1] == k:
        _check_finite_eager(y_pred)
        if "float" in str(y_pred.dtype):
            y_pred = _assert_scores(y_pred, metric)
            ok = ops.reshape(_rows_ok(y_pred), (-1,))
        pred = ops.argmax(y_pred, axis=-1)
    elif rp >= 2 and y_pred.shape[-1] == 1:
        pred = ops.squeeze(y_pred, axis=-1)
    elif rp == 1:
        pred = y_pred
    else:
        raise ValueError(f"`y_pred` must hold scores of shape (..., {k}) (num_classes={k}) or "
                         f"class ids; received shape {tuple(y_pred.shape)}.")
    rs = _rank(pred)
    rt = _rank(y_true)
    if rt == rs + 1 and y_true.shape[-1] == k and k != 1:
        true = ops.argmax(y_true, axis=-1)
    elif rt == rs + 1 and y_true.shape[-1] == 1:
        true = ops.squeeze(y_true, axis=-1)
    elif rt == rs:
        true = y_true
    else:
        raise ValueError(f"`y_true` must be class ids of shape {tuple(pred.shape)} or one-hot of "
                         f"shape {tuple(pred.shape) + (k,)} for num_classes={k}; received shape "
                         f"{tuple(y_true.shape)} (more classes than the metric was built for?).")
    shape = ops.shape(pred)
    true = ops.reshape(ops.cast(true, "int32"), (-1,))
    pred = ops.reshape(ops.cast(pred, "int32"), (-1,))
    return true, pred, shape, ok


def _check_range_eager(ids, k: int, name: str) -> None:
    arr = _concrete(ids)
    if arr is not None:
        bad = (arr < 0) | (arr >= k)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"`{name}` holds label {int(arr[i])} at (flat) index {i}, out of "
                             f"range for num_classes={k} (labels must be in [0, {k - 1}]).")


def _flat_weights(sample_weight, shape):
    """``sample_weight`` broadcast to the predictions' ``shape`` and flattened."""
    if sample_weight is None:
        return None
    return ops.reshape(_broadcast_weights(sample_weight, shape), (-1,))


def _broadcast_weights(sample_weight, shape):
    """``sample_weight`` (trailing 1-axes dropped, missing axes added) broadcast to ``shape``."""
    w = ops.cast(ops.convert_to_tensor(sample_weight), "float32")
    while _rank(w) > len(shape) and w.shape[-1] == 1:
        w = ops.squeeze(w, axis=-1)
    while _rank(w) < len(shape):
        w = ops.expand_dims(w, -1)
    return ops.broadcast_to(w, shape)


def _safe_div(a, b):
    return ops.where(b > 0, a / ops.where(b > 0, b, 1.0), 0.0)


class _ConfusionMatrixMetric(keras.metrics.Metric):
    """Base: accumulates the K x K confusion matrix (rows true, columns predicted)."""

    def __init__(self, num_classes: int, name: str | None = None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = check_num_classes(num_classes)
        k = self.num_classes
        self.confusion = self.add_variable(shape=(k, k), initializer="zeros", name="confusion",
                                           dtype="float32")
        self.invalid = self.add_variable(shape=(), initializer="zeros", name="invalid",
                                         dtype="float32")

    def update_state(self, y_true, y_pred, sample_weight=None):
        k = self.num_classes
        true, pred, shape, ok = _labels_and_predictions(y_true, y_pred, k, type(self).__name__)
        _check_range_eager(true, k, "y_true")
        _check_range_eager(pred, k, "y_pred")
        valid = ops.cast((true >= 0) & (true < k) & (pred >= 0) & (pred < k), "float32")
        if ok is not None:
            valid = valid * ok
        w = valid
        fw = _flat_weights(sample_weight, shape)
        if fw is not None:
            w = w * fw
        t1 = ops.one_hot(ops.clip(true, 0, k - 1), k, dtype="float32") * w[:, None]
        p1 = ops.one_hot(ops.clip(pred, 0, k - 1), k, dtype="float32")
        self.confusion.assign_add(ops.matmul(ops.transpose(t1), p1))
        self.invalid.assign_add(ops.sum(1.0 - valid))

    def _counts(self):
        cm = ops.convert_to_tensor(self.confusion)
        tp = ops.diagonal(cm)
        support = ops.sum(cm, axis=1)
        predicted = ops.sum(cm, axis=0)
        total = ops.sum(cm)
        fp = predicted - tp
        fn = support - tp
        tn = total - tp - fp - fn
        return cm, tp, fp, fn, tn, support, predicted

    def _value(self):
        raise NotImplementedError

    def result(self):
        value = ops.cast(self._value(), "float32")
        return ops.cast(ops.where(self.invalid > 0, float("nan"), value), self.dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config["num_classes"] = self.num_classes
        return config


@_register
class MacroF1(_ConfusionMatrixMetric):
    """Macro F1 over all K classes (a class never predicted nor present scores 0).

    Equals ``sklearn.metrics.f1_score(y, pred, average="macro",
    labels=range(K), zero_division=0)`` and ``report(...)["macro_f1"]``.

    Args:
        num_classes: K.
        name, dtype: as for ``keras.metrics.Metric``.

    Examples:
        >>> m = MacroF1(2)
        >>> m.update_state([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
        >>> round(float(m.result()), 4)
        0.6667

    Reference:
        Luo et al. (2019), eq. for Macro F1.
    """

    def __init__(self, num_classes: int, name: str = "macro_f1", dtype=None):
        super().__init__(num_classes, name=name, dtype=dtype)

    def _value(self):
        _, tp, fp, fn, _, _, _ = self._counts()
        return ops.mean(_safe_div(2.0 * tp, 2.0 * tp + fp + fn))


@_register
class GMean(_ConfusionMatrixMetric):
    """Macro G-mean: mean over classes of ``sqrt(TPR_i * TNR_i)``.

    Luo et al. (2019) print ``G-mean = sqrt(TP/(TP+FN) + TN/(TN+FP))`` -- a sum
    under the root, a typo: the G-mean is the geometric mean of sensitivity and
    specificity, ``sqrt(TPR * TNR)`` (Kubat & Matwin 1997), which is what we
    compute one-vs-rest per class and then average over all K classes. Equals
    the mean of ``imblearn.metrics.geometric_mean_score(average=None,
    labels=range(K))`` and ``report(...)["gmean"]`` (imbalanced-learn's
    ``average="macro"`` is another quantity, ``sqrt(mean TPR * mean TNR)``).

    Args:
        num_classes: K.
        name, dtype: as for ``keras.metrics.Metric``.

    Examples:
        >>> m = GMean(2)
        >>> m.update_state([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
        >>> round(float(m.result()), 4)  # sqrt(1 * 0.5) for both classes
        0.7071

    Reference:
        Luo et al. (2019), section F; Kubat & Matwin (1997).
    """

    def __init__(self, num_classes: int, name: str = "gmean", dtype=None):
        super().__init__(num_classes, name=name, dtype=dtype)

    def _value(self):
        _, tp, fp, fn, tn, _, _ = self._counts()
        return ops.mean(ops.sqrt(_safe_div(tp, tp + fn) * _safe_div(tn, tn + fp)))


@_register
class AverageAccuracy(_ConfusionMatrixMetric):
    """Average accuracy (AvAcc): mean recall over the classes present in ``y_true``.

    Equals ``sklearn.metrics.balanced_accuracy_score`` and
    ``report(...)["avacc"]``.

    Args:
        num_classes: K.
        name, dtype: as for ``keras.metrics.Metric``.

    Examples:
        >>> m = AverageAccuracy(2)
        >>> m.update_state([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
        >>> round(float(m.result()), 4)
        0.75

    Reference:
        Koziarski et al. (2020), eq. (4).
    """

    def __init__(self, num_classes: int, name: str = "avacc", dtype=None):
        super().__init__(num_classes, name=name, dtype=dtype)

    def _value(self):
        _, tp, _, fn, _, support, _ = self._counts()
        present = ops.cast(support > 0, "float32")
        return _safe_div(ops.sum(_safe_div(tp, tp + fn) * present), ops.sum(present))


@_register
class ClassBalanceAccuracy(_ConfusionMatrixMetric):
    """Class balance accuracy (CBA): mean of ``C_ii / max(row_i, col_i)``.

    Averaged over the classes with at least one true or predicted sample
    (Mosley 2013); equals :func:`imbkeras.metrics.class_balance_accuracy` of the
    accumulated confusion matrix and ``report(...)["cba"]``.

    Args:
        num_classes: K.
        name, dtype: as for ``keras.metrics.Metric``.

    Examples:
        >>> m = ClassBalanceAccuracy(2)
        >>> m.update_state([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
        >>> round(float(m.result()), 4)  # (1/max(1,2) + 1/max(2,1)) / 2
        0.5

    Reference:
        Mosley (2013), A balanced approach to the multi-class imbalance problem,
        PhD thesis, Iowa State University; Koziarski et al. (2020), eq. (5).
    """

    def __init__(self, num_classes: int, name: str = "cba", dtype=None):
        super().__init__(num_classes, name=name, dtype=dtype)

    def _value(self):
        _, tp, _, _, _, support, predicted = self._counts()
        denom = ops.maximum(support, predicted)
        used = ops.cast(denom > 0, "float32")
        return _safe_div(ops.sum(_safe_div(tp, denom) * used), ops.sum(used))


@_register
class MAvG(_ConfusionMatrixMetric):
    """Geometric mean of the per-class recalls (MAvG), over the classes present.

    Equals ``imblearn.metrics.geometric_mean_score(average="multiclass")`` when
    every class occurs, and ``report(...)["mavg"]``. A class with recall 0 makes
    it 0.

    Args:
        num_classes: K.
        name, dtype: as for ``keras.metrics.Metric``.

    Examples:
        >>> m = MAvG(2)
        >>> m.update_state([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
        >>> round(float(m.result()), 4)  # sqrt(1 * 0.5)
        0.7071

    Reference:
        Koziarski et al. (2020), eq. (6).
    """

    def __init__(self, num_classes: int, name: str = "mavg", dtype=None):
        super().__init__(num_classes, name=name, dtype=dtype)

    def _value(self):
        _, tp, _, fn, _, support, _ = self._counts()
        present = support > 0
        recall = _safe_div(tp, tp + fn)
        logs = ops.where(present, ops.log(ops.where(present, recall, 1.0)), 0.0)
        n = ops.sum(ops.cast(present, "float32"))
        return ops.where(n > 0, ops.exp(_safe_div(ops.sum(logs), n)), 0.0)


@_register
class MulticlassAUC(keras.metrics.Metric):
    """Mean one-vs-rest ROC AUC, approximated on a grid of thresholds.

    Like ``keras.metrics.AUC``: ``num_thresholds`` thresholds evenly spaced in
    ``[0, 1]`` (the end points nudged by epsilon so scores 0 and 1 fall
    inside), a score counts as positive when it is ``> threshold``, and the area
    under the resulting piecewise-linear ROC curve is taken with the trapezoidal
    rule. Per class, scores are bucketed into a histogram (memory
    ``O(num_thresholds * K)``, whatever the number of batches). The value is the
    mean over the classes that have both positives and negatives (as
    ``report(...)["auc_ovr"]``), NaN if there is none. The error against the
    exact AUC shrinks with ``num_thresholds`` (ties within one bucket count as
    ties); it is well below 0.01 with the default 200 for well-spread scores.

    ``y_pred`` must hold probabilities in ``[0, 1]`` (softmax outputs): other
    scores raise ``ValueError`` eagerly and fail a ``tf.debugging`` assertion
    in a compiled step (see the module docs), as ``keras.metrics.AUC``. ``y_true``
    may be class ids or one-hot / soft rows (then ``y_c`` is the weight of the
    example as a positive of class ``c`` and ``1 - y_c`` as a negative).

    Args:
        num_classes: K.
        num_thresholds: number of thresholds (>= 3).
        name, dtype: as for ``keras.metrics.Metric``.

    Examples:
        >>> m = MulticlassAUC(2, num_thresholds=1001)
        >>> m.update_state([0, 1, 1], [[0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
        >>> round(float(m.result()), 4)
        1.0

    Reference:
        Buda, Maki, Mazurowski (2018), section 3.5 (multi-class ROC AUC);
        Provost & Domingos (2000).
    """

    def __init__(self, num_classes: int, num_thresholds: int = 200, name: str = "auc_ovr",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.num_classes = check_num_classes(num_classes)
        self.num_thresholds = check_positive_int(num_thresholds, "num_thresholds", minimum=3)
        t, k = self.num_thresholds, self.num_classes
        self.pos_hist = self.add_variable(shape=(t, k), initializer="zeros", name="pos_hist",
                                          dtype="float32")
        self.neg_hist = self.add_variable(shape=(t, k), initializer="zeros", name="neg_hist",
                                          dtype="float32")
        self.invalid = self.add_variable(shape=(), initializer="zeros", name="invalid",
                                         dtype="float32")

    def update_state(self, y_true, y_pred, sample_weight=None):
        k, t = self.num_classes, self.num_thresholds
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), "float32")
        if _rank(y_pred) < 2 or y_pred.shape[-1] != k:
            raise ValueError(f"`y_pred` must hold class probabilities of shape (..., {k}) "
                             f"(num_classes={k}); received shape {tuple(y_pred.shape)}.")
        _check_finite_eager(y_pred)
        arr = _concrete(y_pred)
        if arr is not None:
            if arr.size and (arr.min() < -_SCORE_TOL or arr.max() > 1 + _SCORE_TOL):
                raise ValueError(f"`y_pred` must hold probabilities in [0, 1] for "
                                 f"{type(self).__name__}; received values in "
                                 f"[{arr.min():.4g}, {arr.max():.4g}] (apply softmax).")
        y_pred = _assert_scores(y_pred, type(self).__name__, unit_range=True)
        y_true = ops.convert_to_tensor(y_true)
        rp, rt = _rank(y_pred), _rank(y_true)
        if rt == rp and y_true.shape[-1] == k:
            pos = ops.cast(y_true, "float32")
            valid = ops.ones(ops.shape(pos)[:-1], "float32")
        elif rt == rp - 1 or (rt == rp and y_true.shape[-1] == 1):
            ids = ops.cast(y_true if rt == rp - 1 else ops.squeeze(y_true, -1), "int32")
            _check_range_eager(ids, k, "y_true")
            valid = ops.cast((ids >= 0) & (ids < k), "float32")
            pos = ops.one_hot(ops.clip(ids, 0, k - 1), k, dtype="float32")
        else:
            raise ValueError(f"`y_true` must be class ids or one-hot of shape "
                             f"{tuple(y_pred.shape)} for num_classes={k}; received shape "
                             f"{tuple(y_true.shape)} (more classes than the metric was built "
                             f"for?).")
        valid = valid * _rows_ok(y_pred, unit_range=True)
        w = valid
        if sample_weight is not None:
            w = w * _broadcast_weights(sample_weight, ops.shape(w))
        scores = ops.reshape(y_pred, (-1, k))
        scores = ops.where(ops.isfinite(scores), scores, 0.0)  # counted invalid above
        pos = ops.reshape(pos, (-1, k))
        w = ops.reshape(w, (-1, 1))
        # bucket b = number of thresholds strictly below the score, in [1, t - 1]
        b = ops.cast(ops.clip(ops.ceil(scores * (t - 1)), 1, t - 1), "int32")
        seg = ops.reshape(b * k + ops.arange(k, dtype="int32")[None, :], (-1,))
        pw = ops.reshape(pos * w, (-1,))
        nw = ops.reshape((1.0 - pos) * w, (-1,))
        self.pos_hist.assign_add(ops.reshape(ops.segment_sum(pw, seg, num_segments=t * k),
                                             (t, k)))
        self.neg_hist.assign_add(ops.reshape(ops.segment_sum(nw, seg, num_segments=t * k),
                                             (t, k)))
        self.invalid.assign_add(ops.sum(1.0 - valid))

    def result(self):
        pos_hist = ops.convert_to_tensor(self.pos_hist)
        neg_hist = ops.convert_to_tensor(self.neg_hist)
        # counts above threshold i: sum of the buckets b > i
        tp = ops.flip(ops.cumsum(ops.flip(pos_hist, 0), axis=0), 0) - pos_hist
        fp = ops.flip(ops.cumsum(ops.flip(neg_hist, 0), axis=0), 0) - neg_hist
        p = ops.sum(pos_hist, axis=0)
        n = ops.sum(neg_hist, axis=0)
        tpr = _safe_div(tp, p[None, :])
        fpr = _safe_div(fp, n[None, :])
        area = ops.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2.0, axis=0)
        defined = ops.cast((p > 0) & (n > 0), "float32")
        m = ops.sum(defined)
        value = ops.where(m > 0, ops.sum(area * defined) / ops.maximum(m, 1.0), float("nan"))
        return ops.cast(ops.where(self.invalid > 0, float("nan"), value), self.dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"num_classes": self.num_classes, "num_thresholds": self.num_thresholds})
        return config
