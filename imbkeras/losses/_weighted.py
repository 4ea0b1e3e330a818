"""Class-weighted cross-entropy for sparse, one-hot and multi-hot targets of any rank."""

from __future__ import annotations

from typing import Mapping, Sequence

from keras import ops

from imbkeras.losses._common import (ClassWeightsMixin, ImbLoss, backend_is_floating,
                                     check_class_vector, check_label_smoothing,
                                     class_weight_tensor, dense_targets, log_probs, register,
                                     smooth_labels)


def weighted_cross_entropy(y_true, y_pred, class_weights, multi_label: bool = False,
                           from_logits: bool = False, label_smoothing: float = 0.0):
    """Cross-entropy with per-class weights, for any rank of target.

    * Softmax (``multi_label=False``): the loss of a position is
      ``w(y) * CE(y_smoothed, p)`` with ``w(y) = sum_c w_c y_c`` (the weight of its
      class for a one-hot or sparse target); this is what
      ``fit(class_weight=...)`` does for 1-D targets, but per pixel / voxel.
    * Sigmoid (``multi_label=True``): ``mean_l w_l * BCE(y_l, p_l)`` over the last
      axis (each label's binary cross-entropy scaled by its weight).

    The result is not divided by the sum of the weights (Keras's sample-weight
    convention; PyTorch's ``CrossEntropyLoss(weight=...)`` divides by it).

    Args:
        y_true: sparse ids (shape ``y_pred.shape[:-1]``, or with a trailing 1) or
            one-hot targets; multi-hot targets of the shape of ``y_pred`` when
            ``multi_label``.
        y_pred: ``(..., K)`` probabilities, or logits when ``from_logits``.
        class_weights: length-K weights >= 0 (a sequence, a ``{class: weight}``
            dict with keys ``0..K-1``, or a tensor / ``keras.Variable``).
        multi_label: sigmoid outputs with multi-hot targets.
        from_logits: ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``: ``y (1 - s) + s / K`` (softmax) or
            ``y (1 - s) + s / 2`` (sigmoid).

    Returns:
        The loss per position, of shape ``y_pred.shape[:-1]``.

    Raises:
        ValueError: for negative or non-finite weights, a weight vector whose
            length is not K, or incompatible shapes.

    Examples:
        >>> import numpy as np
        >>> seg = np.zeros((1, 2, 2), "int32"); seg[0, 0, 0] = 1   # per-pixel ids
        >>> p = np.full((1, 2, 2, 2), 0.5, "float32")
        >>> np.asarray(weighted_cross_entropy(seg, p, [1.0, 3.0])).astype(float).round(4).tolist()
        [[[2.0794, 0.6931], [0.6931, 0.6931]]]

    Reference:
        King & Zeng (2001), Logistic regression in rare events data (weighted
        likelihood); Ronneberger et al. (2015), U-Net (per-pixel class weights).
    """
    label_smoothing = check_label_smoothing(label_smoothing)
    if multi_label:
        y_pred = ops.convert_to_tensor(y_pred)
        if not backend_is_floating(y_pred.dtype):
            y_pred = ops.cast(y_pred, "float32")
        y_true = ops.convert_to_tensor(y_true)
        if len(y_true.shape) != len(y_pred.shape) or y_true.shape[-1] != y_pred.shape[-1]:
            raise ValueError(f"with multi_label=True `y_true` must be multi-hot with the shape "
                             f"of `y_pred` {tuple(y_pred.shape)}; received shape "
                             f"{tuple(y_true.shape)}.")
        y_true = ops.cast(y_true, y_pred.dtype)
        w = class_weight_tensor(class_weights, y_pred.shape[-1], y_pred.dtype)
        if label_smoothing:
            y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
        bce = ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits)
        return ops.mean(w * bce, axis=-1)
    y_true, y_pred = dense_targets(y_true, y_pred)
    k = y_pred.shape[-1]
    w = class_weight_tensor(class_weights, k, y_pred.dtype)
    sample_w = ops.sum(y_true * w, axis=-1)
    y_true = smooth_labels(y_true, label_smoothing, k)
    ce = -ops.sum(y_true * log_probs(y_pred, from_logits), axis=-1)
    return sample_w * ce


@register
class WeightedCrossEntropy(ClassWeightsMixin, ImbLoss):
    """Class-weighted cross-entropy (class wrapper of :func:`weighted_cross_entropy`).

    The class weighting that ``fit(class_weight=...)`` cannot do: it works for
    multi-label (multi-hot) targets and per-pixel / per-voxel targets. The weights
    live in a non-trainable variable, so
    :class:`imbkeras.training.DeferredReweighting` can switch them during training.

    Args:
        class_weights: length-K weights >= 0 (sequence or ``{class: weight}``).
        multi_label: sigmoid outputs with multi-hot targets.
        from_logits: ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``.
        reduction, name, dtype: as for ``keras.losses.Loss``.

    Raises:
        ValueError: for negative or non-finite weights; when called, a weight
            vector whose length is not K.

    Examples:
        >>> loss = WeightedCrossEntropy([1.0, 4.0])
        >>> round(float(loss([1, 0], [[0.5, 0.5], [0.5, 0.5]])), 4)  # (4 + 1) log 2 / 2
        1.7329

    Reference:
        King & Zeng (2001); Ronneberger et al. (2015).
    """

    _fn = staticmethod(weighted_cross_entropy)

    def __init__(self, class_weights: Sequence[float] | Mapping[int, float],
                 multi_label: bool = False, from_logits: bool = False,
                 label_smoothing: float = 0.0, reduction: str = "sum_over_batch_size",
                 name: str = "weighted_cross_entropy", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self._init_class_weights(check_class_vector(class_weights, "class_weights"))
        self.multi_label = bool(multi_label)
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_label_smoothing(label_smoothing)

    _fn_args = ("multi_label", "from_logits", "label_smoothing")

    def call(self, y_true, y_pred):
        return weighted_cross_entropy(y_true, y_pred, self._class_weights_var,
                                      **self._fn_kwargs())

    def get_config(self) -> dict:
        config = super().get_config()
        config["class_weights"] = self.class_weights
        return config
