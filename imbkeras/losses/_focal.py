"""Alpha-balanced focal loss for softmax (sparse / one-hot) and sigmoid (multi-label) outputs."""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from keras import ops

from imbkeras.losses._common import (ImbLoss, backend_is_floating, binary_focal_factor,
                                     check_class_vector, check_gamma,
                                     check_label_smoothing, check_length, check_real, const,
                                     dense_targets, log_probs, register, smooth_labels, to_list)


def _check_alpha(alpha, binary: bool):
    """``None``, a scalar or a per-class vector (all >= 0; <= 1 for the binary loss)."""
    if alpha is None:
        return None
    maximum = 1.0 if binary else None
    if np.ndim(alpha) == 0 and not isinstance(alpha, dict):
        a = alpha.item() if hasattr(alpha, "item") else alpha
        return check_real(a, "alpha", minimum=0.0, maximum=maximum)
    return check_class_vector(alpha, "alpha", minimum=0.0, maximum=maximum)


def _alpha_tensor(alpha, k, dtype):
    if alpha is None:
        return None
    if isinstance(alpha, float):
        return alpha
    check_length(len(alpha), k, "alpha")
    return const(alpha, dtype)


def _one_minus(p):
    # (1 - p) floored at epsilon: keeps pow((1 - p), gamma) and its gradient finite when
    # p rounds to 1 (gamma < 1 would otherwise give an infinite derivative).
    return ops.clip(1.0 - p, keras.config.epsilon(), 1.0)


def focal_loss(y_true, y_pred, alpha: float | Sequence[float] | None = None, gamma: float = 2.0,
               from_logits: bool = False, label_smoothing: float = 0.0):
    """Alpha-balanced softmax focal loss for sparse or one-hot targets, any rank.

    ``FL = -sum_c alpha_c y_c (1 - p_c) ** gamma log p_c``; for a one-hot target of
    class ``t`` this is ``-alpha_t (1 - p_t) ** gamma log p_t``.

    Args:
        y_true: class ids of shape ``y_pred.shape[:-1]`` (or with a trailing 1), or
            one-hot / soft targets of the shape of ``y_pred``.
        y_pred: ``(..., K)`` probabilities, or logits when ``from_logits``.
        alpha: ``None`` (no weighting, alpha = 1), a scalar applied to every class,
            or a length-K vector of per-class weights (>= 0).
        gamma: focusing parameter >= 0 (``gamma = 0`` is weighted cross-entropy).
        from_logits: ``y_pred`` holds logits (computed with ``log_softmax``, stable
            for any logit).
        label_smoothing: in ``[0, 1]``; targets become ``y (1 - s) + s / K``.

    Returns:
        The loss per position, of shape ``y_pred.shape[:-1]``.

    Raises:
        ValueError: for ``gamma < 0``, an ``alpha`` vector whose length differs from
            K, negative ``alpha``, or incompatible shapes.

    Examples:
        >>> import numpy as np
        >>> loss = focal_loss([1], np.array([[0.2, 0.8]]), gamma=2.0)
        >>> round(float(loss[0]), 5)  # 0.2**2 * -log(0.8)
        0.00893

    Reference:
        Lin, Goyal, Girshick, He, Dollar (2017), Focal Loss for Dense Object
        Detection, ICCV, eq. (5); alpha-balanced form as used by Luo et al. (2019).
    """
    alpha = _check_alpha(alpha, binary=False)
    gamma = check_gamma(gamma)
    label_smoothing = check_label_smoothing(label_smoothing)
    y_true, y_pred = dense_targets(y_true, y_pred)
    k = y_pred.shape[-1]
    y_true = smooth_labels(y_true, label_smoothing, k)
    logp = log_probs(y_pred, from_logits)
    p = ops.exp(logp)
    weight = ops.power(_one_minus(p), gamma) if gamma else 1.0
    a = _alpha_tensor(alpha, k, y_pred.dtype)
    if a is not None:
        weight = weight * a
    return ops.sum(-y_true * weight * logp, axis=-1)


def binary_focal_loss(y_true, y_pred, alpha: float | Sequence[float] | None = None,
                      gamma: float = 2.0, from_logits: bool = False,
                      label_smoothing: float = 0.0):
    """Sigmoid focal loss for multi-label (multi-hot) targets, with per-label alpha.

    Per label ``l``: ``-alpha_t (1 - p_t) ** gamma log p_t`` with ``p_t = p`` and
    ``alpha_t = alpha_l`` for a positive target, ``p_t = 1 - p`` and
    ``alpha_t = 1 - alpha_l`` for a negative one; averaged over the last axis (as
    ``keras.losses.binary_focal_crossentropy``). With soft (e.g. smoothed) targets
    ``y``, ``p_t = y p + (1 - y)(1 - p)`` and ``alpha_t = y alpha + (1 - y)(1 - alpha)``
    multiply the soft binary cross-entropy, as in Keras.

    Args:
        y_true: multi-hot targets of the shape of ``y_pred`` (soft targets allowed).
        y_pred: ``(..., L)`` sigmoid probabilities, or logits when ``from_logits``.
        alpha: ``None`` (no class balancing), a scalar in ``[0, 1]`` or a length-L
            vector in ``[0, 1]`` (weight of the positives of each label).
        gamma: focusing parameter >= 0.
        from_logits: ``y_pred`` holds logits (stable sigmoid cross-entropy).
        label_smoothing: in ``[0, 1]``; targets become ``y (1 - s) + s / 2``.

    Returns:
        The loss per position, of shape ``y_pred.shape[:-1]``.

    Raises:
        ValueError: for ``gamma < 0``, ``alpha`` outside ``[0, 1]`` or of the wrong
            length, or ``y_true`` of another shape than ``y_pred``.

    Examples:
        >>> import numpy as np
        >>> loss = binary_focal_loss(np.array([[1.0, 0.0]]), np.array([[0.8, 0.2]]))
        >>> round(float(loss[0]), 5)  # mean of 0.2**2 * -log(0.8) over both labels
        0.00893

    Reference:
        Lin et al. (2017), Focal Loss for Dense Object Detection, eq. (5).
    """
    alpha = _check_alpha(alpha, binary=True)
    gamma = check_gamma(gamma)
    label_smoothing = check_label_smoothing(label_smoothing)
    y_pred = ops.convert_to_tensor(y_pred)
    if not backend_is_floating(y_pred.dtype):
        y_pred = ops.cast(y_pred, "float32")
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) != len(y_pred.shape) or y_true.shape[-1] != y_pred.shape[-1]:
        raise ValueError(f"`y_true` must be multi-hot with the shape of `y_pred` "
                         f"{tuple(y_pred.shape)}; received shape {tuple(y_true.shape)}.")
    y_true = ops.cast(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits)
    if gamma:
        bce = binary_focal_factor(y_true, y_pred, gamma, from_logits) * bce
    a = _alpha_tensor(alpha, y_pred.shape[-1], y_pred.dtype)
    if a is not None:
        bce = (y_true * a + (1.0 - y_true) * (1.0 - a)) * bce
    return ops.mean(bce, axis=-1)


@register
class FocalLoss(ImbLoss):
    """Alpha-balanced softmax focal loss (class wrapper of :func:`focal_loss`).

    Works with sparse and one-hot targets of any rank (per-pixel / per-voxel too).
    With a scalar ``alpha`` and no label smoothing it equals
    ``keras.losses.CategoricalFocalCrossentropy(alpha, gamma)`` on one-hot targets.

    Args:
        alpha: ``None`` (alpha = 1), a scalar or a length-K vector of class weights.
        gamma: focusing parameter >= 0.
        from_logits: ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``.
        reduction, name, dtype: as for ``keras.losses.Loss``.

    Raises:
        ValueError: for ``gamma < 0``, negative ``alpha``, or (when called) an
            ``alpha`` vector whose length is not K.

    Examples:
        >>> loss = FocalLoss(alpha=[0.25, 0.75], gamma=2.0)
        >>> round(float(loss([1], [[0.2, 0.8]])), 5)  # 0.75 * 0.2**2 * -log(0.8)
        0.00669

    Reference:
        Lin et al. (2017), ICCV; Luo et al. (2019) use the alpha-balanced form.
    """

    _fn = staticmethod(focal_loss)

    def __init__(self, alpha: float | Sequence[float] | None = None, gamma: float = 2.0,
                 from_logits: bool = False, label_smoothing: float = 0.0,
                 reduction: str = "sum_over_batch_size", name: str = "focal_loss",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.alpha = to_list(_check_alpha(alpha, binary=False))
        self.gamma = check_gamma(gamma)
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_label_smoothing(label_smoothing)

    _fn_args = ("alpha", "gamma", "from_logits", "label_smoothing")


@register
class BinaryFocalLoss(ImbLoss):
    """Sigmoid focal loss for multi-label targets (class wrapper of :func:`binary_focal_loss`).

    With a scalar ``alpha`` it equals ``keras.losses.BinaryFocalCrossentropy(
    apply_class_balancing=True, alpha=alpha, gamma=gamma)``; with ``alpha=None``
    it equals the same loss with ``apply_class_balancing=False``.

    Args:
        alpha: ``None``, a scalar or a per-label vector in ``[0, 1]``.
        gamma: focusing parameter >= 0.
        from_logits: ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``.
        reduction, name, dtype: as for ``keras.losses.Loss``.

    Raises:
        ValueError: for ``gamma < 0`` or ``alpha`` outside ``[0, 1]``.

    Examples:
        >>> loss = BinaryFocalLoss(alpha=[0.9, 0.5], gamma=0.0)
        >>> round(float(loss([[1.0, 0.0]], [[0.5, 0.5]])), 4)  # (0.9 + 0.5) * log 2 / 2
        0.4852

    Reference:
        Lin et al. (2017), Focal Loss for Dense Object Detection, ICCV.
    """

    _fn = staticmethod(binary_focal_loss)

    def __init__(self, alpha: float | Sequence[float] | None = None, gamma: float = 2.0,
                 from_logits: bool = False, label_smoothing: float = 0.0,
                 reduction: str = "sum_over_batch_size", name: str = "binary_focal_loss",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.alpha = to_list(_check_alpha(alpha, binary=True))
        self.gamma = check_gamma(gamma)
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_label_smoothing(label_smoothing)

    _fn_args = ("alpha", "gamma", "from_logits", "label_smoothing")
