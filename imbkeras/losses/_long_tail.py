"""Long-tail losses: class-balanced (Cui 2019), logit-adjusted (Menon 2021),
balanced softmax (Ren 2020) and LDAM (Cao 2019)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from keras import ops

from imbkeras.losses._common import (ClassWeightsMixin, ImbLoss, as_logits,
                                     binary_focal_factor, check_beta, check_class_vector,
                                     check_gamma, check_label_rates, check_label_smoothing,
                                     check_length, check_priors, check_real,
                                     check_samples_per_class, class_balanced_weights,
                                     class_weight_tensor, const, dense_targets, ldam_margins,
                                     log_probs, register, sigmoid_logits, smooth_labels,
                                     to_list)

_BASES = ("softmax", "sigmoid", "focal")


def _check_base(base) -> str:
    if base not in _BASES:
        raise ValueError(f"`base` must be one of {_BASES}; received {base!r}.")
    return base


def _check_multi_label_base(base, multi_label) -> bool:
    if multi_label and base == "softmax":
        raise ValueError("`multi_label=True` needs one binary problem per label: `base` must be "
                         "'sigmoid' or 'focal'; received 'softmax'.")
    return bool(multi_label)


def _check_tau(tau) -> float:
    return check_real(tau, "tau", minimum=0.0)


def _check_positive(value, name: str) -> float:
    v = check_real(value, name, minimum=0.0)
    if v == 0:
        raise ValueError(f"`{name}` must be > 0; received {value!r}.")
    return v


def _adjusted_cross_entropy(y_true, y_pred, shift: np.ndarray, name: str, from_logits: bool,
                            label_smoothing: float):
    """``CE(y, softmax(z + shift))`` with ``z`` the logits (or ``log p``)."""
    label_smoothing = check_label_smoothing(label_smoothing)
    y_true, y_pred = dense_targets(y_true, y_pred)
    k = y_pred.shape[-1]
    check_length(len(shift), k, name)
    z = as_logits(y_pred, from_logits) + const(shift, y_pred.dtype)
    y_true = smooth_labels(y_true, label_smoothing, k)
    return -ops.sum(y_true * ops.log_softmax(z, axis=-1), axis=-1)


def class_balanced_loss(y_true, y_pred, samples_per_class: Sequence[float],
                        beta: float = 0.9999, base: str = "softmax", gamma: float = 2.0,
                        from_logits: bool = False, label_smoothing: float = 0.0,
                        multi_label: bool = False):
    """Class-balanced loss: a base loss weighted by the inverse effective number of samples.

    The weight of a position of class ``y`` is ``w_y = (1 - beta) / (1 - beta ** n_y)``,
    normalised so that ``sum_c w_c = K`` (:func:`class_balanced_weights`). Bases:

    * ``"softmax"``: ``w_y * CE(y, softmax)``;
    * ``"sigmoid"``: ``w_y * sum_c BCE(y_c, sigmoid_c)`` (one binary problem per
      class, summed over classes as in the paper);
    * ``"focal"``: ``w_y * sum_c (1 - p_t,c) ** gamma BCE(y_c, sigmoid_c)`` (sigmoid
      focal loss, as in the paper).

    Multi-label (``multi_label=True``, multi-hot ``y_true``, sigmoid or focal
    base): each label is weighted by its own count, ``mean_c w_c * L_c`` with
    ``L_c`` the label's (focal) binary cross-entropy and ``n_c`` its number of
    positive samples; the mean keeps the scale of Keras's binary cross-entropy.

    Args:
        y_true: sparse class ids or one-hot targets (any rank).
        y_pred: ``(..., K)`` probabilities (softmax, or per-class sigmoid for the
            sigmoid / focal bases), or logits when ``from_logits``.
        samples_per_class: training count of each class (every class > 0).
        beta: in ``[0, 1)``; 0 gives the unweighted base loss.
        base: ``"softmax"``, ``"sigmoid"`` or ``"focal"``.
        gamma: focusing parameter >= 0 of the focal base.
        from_logits: ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``: targets ``y (1 - s) + s / K`` (all bases);
            the class weight comes from the unsmoothed target.
        multi_label: multi-hot targets, one weight per label (see above).

    Returns:
        The loss per position, of shape ``y_pred.shape[:-1]``.

    Raises:
        ValueError: for ``beta`` outside ``[0, 1)``, a class with 0 samples, an
            unknown ``base``, ``gamma < 0``, ``samples_per_class`` whose length
            is not K, or ``multi_label`` with the softmax base.

    Examples:
        >>> import numpy as np
        >>> loss = class_balanced_loss([0, 1], np.full((2, 2), 0.5), [100, 10], beta=0.9)
        >>> np.asarray(loss).astype(float).round(4).tolist()  # weights [0.7889, 1.2111] * log 2
        [0.5468, 0.8395]
        >>> p = np.array([[0.9, 0.5]], "float32")  # multi-hot: (0.7889 * 0.1054 + 1.2111 * log 2) / 2
        >>> loss = class_balanced_loss([[1, 0]], p, [100, 10], beta=0.9, base="sigmoid",
        ...                            multi_label=True)
        >>> np.asarray(loss).astype(float).round(4).tolist()
        [0.4613]

    Reference:
        Cui, Jia, Lin, Song, Belongie (2019), Class-Balanced Loss Based on
        Effective Number of Samples, CVPR.
    """
    w = class_balanced_weights(samples_per_class, beta)
    base = _check_base(base)
    multi_label = _check_multi_label_base(base, multi_label)
    gamma = check_gamma(gamma)
    label_smoothing = check_label_smoothing(label_smoothing)
    y_true, y_pred = dense_targets(y_true, y_pred)
    k = y_pred.shape[-1]
    check_length(len(w), k, "samples_per_class")
    if multi_label:
        y_s = smooth_labels(y_true, label_smoothing, 2)  # binary targets: y (1 - s) + s / 2
        bce = ops.binary_crossentropy(y_s, y_pred, from_logits=from_logits)
        if base == "focal" and gamma:
            bce = binary_focal_factor(y_s, y_pred, gamma, from_logits) * bce
        return ops.mean(const(w, y_pred.dtype) * bce, axis=-1)
    sample_w = ops.sum(y_true * const(w, y_pred.dtype), axis=-1)
    y_true = smooth_labels(y_true, label_smoothing, k)
    if base == "softmax":
        loss = -ops.sum(y_true * log_probs(y_pred, from_logits), axis=-1)
    else:
        bce = ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits)
        if base == "focal" and gamma:
            bce = binary_focal_factor(y_true, y_pred, gamma, from_logits) * bce
        loss = ops.sum(bce, axis=-1)
    return sample_w * loss


def logit_adjusted_loss(y_true, y_pred, priors: Sequence[float], tau: float = 1.0,
                        from_logits: bool = False, label_smoothing: float = 0.0,
                        multi_label: bool = False):
    """Logit-adjusted softmax cross-entropy: ``CE(y, softmax(z + tau * log pi))``.

    Training with the class priors added to the logits makes the *unadjusted*
    logits ``z`` Fisher-consistent for the balanced error; predict with
    ``argmax z`` (the model's own outputs). ``tau = 0`` is plain cross-entropy.
    The priors need not sum to 1 (a constant shift of all logits cancels).

    Multi-label (``multi_label=True``): each label is its own binary problem
    with prior odds ``pi_c / (1 - pi_c)`` (``priors``: the labels' positive
    rates, in ``(0, 1)``), so the loss is the binary case of the same
    adjustment, ``mean_c BCE(y_c, sigmoid(z_c + tau * log(pi_c / (1 - pi_c))))``
    with ``z_c`` the label's logit (of a sigmoid output when not
    ``from_logits``); a sigmoid of the unadjusted ``z_c`` then estimates the
    label's balanced (prior 1/2) posterior.

    Args:
        y_true: sparse class ids or one-hot targets (any rank).
        y_pred: ``(..., K)`` logits when ``from_logits``, else probabilities
            (then ``z = log p``).
        priors: length-K class priors (> 0), e.g. training class frequencies
            (multi-label: each label's positive rate, in ``(0, 1)``).
        tau: scaling >= 0 of the adjustment.
        from_logits: ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``.
        multi_label: multi-hot targets and per-label sigmoid outputs (see above).

    Returns:
        The loss per position, of shape ``y_pred.shape[:-1]``.

    Raises:
        ValueError: for non-positive priors (multi-label: outside ``(0, 1)``),
            ``tau < 0`` or a length mismatch.

    Examples:
        >>> import numpy as np
        >>> z = np.zeros((1, 2), "float32")
        >>> round(float(logit_adjusted_loss([1], z, [0.8, 0.2], from_logits=True)[0]), 4)
        1.6094
        >>> # two labels, positive rates 0.2 / 0.5: (softplus(log 4) + log 2) / 2
        >>> round(float(logit_adjusted_loss([[1, 0]], z, [0.2, 0.5], from_logits=True,
        ...                                 multi_label=True)[0]), 4)
        1.1513

    Reference:
        Menon, Jayasumana, Rawat, Jain, Veit, Kumar (2021), Long-tail learning via
        logit adjustment, ICLR, eq. (10).
    """
    tau = _check_tau(tau)
    if multi_label:
        pr = check_label_rates(priors)
        label_smoothing = check_label_smoothing(label_smoothing)
        y_true, y_pred = dense_targets(y_true, y_pred)
        check_length(len(pr), y_pred.shape[-1], "priors")
        z = sigmoid_logits(y_pred, from_logits) + const(tau * np.log(pr / (1 - pr)),
                                                        y_pred.dtype)
        y_true = smooth_labels(y_true, label_smoothing, 2)
        return ops.mean(ops.binary_crossentropy(y_true, z, from_logits=True), axis=-1)
    pr = check_priors(priors)
    return _adjusted_cross_entropy(y_true, y_pred, tau * np.log(pr), "priors", from_logits,
                                   label_smoothing)


def balanced_softmax_loss(y_true, y_pred, samples_per_class: Sequence[float],
                          from_logits: bool = False, label_smoothing: float = 0.0):
    """Balanced softmax cross-entropy: ``CE(y, softmax(z + log n))``.

    Equal to :func:`logit_adjusted_loss` with the training class frequencies as
    priors and ``tau = 1``.

    Args:
        y_true: sparse class ids or one-hot targets (any rank).
        y_pred: ``(..., K)`` logits when ``from_logits``, else probabilities.
        samples_per_class: training count of each class (every class > 0).
        from_logits: ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``.

    Returns:
        The loss per position, of shape ``y_pred.shape[:-1]``.

    Raises:
        ValueError: for a class with 0 samples or a length mismatch.

    Examples:
        >>> import numpy as np
        >>> z = np.zeros((1, 2), "float32")
        >>> round(float(balanced_softmax_loss([1], z, [80, 20], from_logits=True)[0]), 4)
        1.6094

    Reference:
        Ren, Yu, Sheng, Ma, Zhao, Yi, Li (2020), Balanced Meta-Softmax for
        Long-Tailed Visual Recognition, NeurIPS, eq. (4).
    """
    n = check_samples_per_class(samples_per_class)
    return _adjusted_cross_entropy(y_true, y_pred, np.log(n), "samples_per_class", from_logits,
                                   label_smoothing)


def ldam_loss(y_true, y_pred, samples_per_class: Sequence[float], max_margin: float = 0.5,
              scale: float = 30.0, class_weights=None, from_logits: bool = False,
              label_smoothing: float = 0.0):
    """Label-distribution-aware margin loss: ``w_y * CE(y, softmax(s * (z - m_y e_y)))``.

    The logit of the true class is lowered by ``m_y = C / n_y ** (1/4)`` (``C`` so
    that the largest margin is ``max_margin``) before scaling by ``s``. The paper
    applies it to cosine logits (normalised features and weights, ``s = 30``);
    with ordinary logits use ``scale=1``.

    Args:
        y_true: sparse class ids or one-hot targets (any rank).
        y_pred: ``(..., K)`` logits when ``from_logits``, else probabilities
            (then ``z = log p``).
        samples_per_class: training count of each class (every class > 0).
        max_margin: the margin of the rarest class (> 0).
        scale: ``s`` > 0.
        class_weights: ``None`` or length-K weights (the DRW stage; see
            :class:`imbkeras.training.DeferredReweighting`).
        from_logits: ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]`` (the margin uses the unsmoothed target).

    Returns:
        The loss per position, of shape ``y_pred.shape[:-1]``.

    Raises:
        ValueError: for a class with 0 samples, non-positive ``max_margin`` or
            ``scale``, or a length mismatch.

    Examples:
        >>> import numpy as np
        >>> z = np.zeros((1, 2), "float32")
        >>> loss = ldam_loss([1], z, [10000, 1], max_margin=0.5, scale=1.0, from_logits=True)
        >>> round(float(loss[0]), 4)  # -log softmax([0, -0.5])[1]
        0.9741

    Reference:
        Cao, Wei, Gaidon, Arechiga, Ma (2019), Learning Imbalanced Datasets with
        Label-Distribution-Aware Margin Loss, NeurIPS, eq. (13).
    """
    _check_positive(max_margin, "max_margin")
    m = ldam_margins(samples_per_class, max_margin)
    scale = _check_positive(scale, "scale")
    label_smoothing = check_label_smoothing(label_smoothing)
    y_true, y_pred = dense_targets(y_true, y_pred)
    k = y_pred.shape[-1]
    check_length(len(m), k, "samples_per_class")
    z = as_logits(y_pred, from_logits) - y_true * const(m, y_pred.dtype)
    w = class_weight_tensor(class_weights, k, y_pred.dtype)
    sample_w = None if w is None else ops.sum(y_true * w, axis=-1)
    y_true = smooth_labels(y_true, label_smoothing, k)
    loss = -ops.sum(y_true * ops.log_softmax(scale * z, axis=-1), axis=-1)
    return loss if sample_w is None else sample_w * loss


# ---------------------------------------------------------------------- classes
@register
class ClassBalancedLoss(ImbLoss):
    """Class-balanced loss of Cui et al. (class wrapper of :func:`class_balanced_loss`).

    Args:
        samples_per_class: training count of each class (every class > 0;
            multi-label: each label's number of positive samples).
        beta: in ``[0, 1)`` (the paper uses 0.9, 0.99, 0.999, 0.9999).
        base: ``"softmax"``, ``"sigmoid"`` or ``"focal"``.
        gamma: focusing parameter of the focal base.
        from_logits: ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``.
        multi_label: multi-hot targets, one weight per label (sigmoid / focal base).
        reduction, name, dtype: as for ``keras.losses.Loss``.

    Raises:
        ValueError: for ``beta`` outside ``[0, 1)``, a class with 0 samples, an
            unknown ``base``, ``gamma < 0`` or ``multi_label`` with the softmax base.

    Examples:
        >>> loss = ClassBalancedLoss([100, 10], beta=0.9)
        >>> round(float(loss([0, 1], [[0.5, 0.5], [0.5, 0.5]])), 4)
        0.6931

    Reference:
        Cui et al. (2019), CVPR.
    """

    _fn = staticmethod(class_balanced_loss)

    def __init__(self, samples_per_class: Sequence[float], beta: float = 0.9999,
                 base: str = "softmax", gamma: float = 2.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, multi_label: bool = False,
                 reduction: str = "sum_over_batch_size",
                 name: str = "class_balanced_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.samples_per_class = to_list(check_samples_per_class(samples_per_class))
        self.beta = check_beta(beta)
        self.base = _check_base(base)
        self.gamma = check_gamma(gamma)
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_label_smoothing(label_smoothing)
        self.multi_label = _check_multi_label_base(self.base, multi_label)

    _fn_args = ("samples_per_class", "beta", "base", "gamma", "from_logits", "label_smoothing",
                "multi_label")


@register
class LogitAdjustedLoss(ImbLoss):
    """Logit-adjusted cross-entropy (class wrapper of :func:`logit_adjusted_loss`).

    Args:
        priors: length-K class priors (> 0; multi-label: the labels' positive
            rates, in ``(0, 1)``).
        tau: scaling >= 0 (0 gives cross-entropy).
        from_logits: ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``.
        multi_label: per-label sigmoid outputs, multi-hot targets.
        reduction, name, dtype: as for ``keras.losses.Loss``.

    Raises:
        ValueError: for non-positive priors (multi-label: outside ``(0, 1)``) or
            ``tau < 0``.

    Examples:
        >>> loss = LogitAdjustedLoss([0.8, 0.2], tau=1.0, from_logits=True)
        >>> round(float(loss([1], [[0.0, 0.0]])), 4)
        1.6094

    Reference:
        Menon et al. (2021), ICLR.
    """

    _fn = staticmethod(logit_adjusted_loss)

    def __init__(self, priors: Sequence[float], tau: float = 1.0, from_logits: bool = False,
                 label_smoothing: float = 0.0, multi_label: bool = False,
                 reduction: str = "sum_over_batch_size",
                 name: str = "logit_adjusted_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.multi_label = bool(multi_label)
        self.priors = to_list(check_label_rates(priors) if self.multi_label
                              else check_priors(priors))
        self.tau = _check_tau(tau)
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_label_smoothing(label_smoothing)

    _fn_args = ("priors", "tau", "from_logits", "label_smoothing", "multi_label")


@register
class BalancedSoftmaxLoss(ImbLoss):
    """Balanced softmax cross-entropy (class wrapper of :func:`balanced_softmax_loss`).

    Args:
        samples_per_class: training count of each class (every class > 0).
        from_logits: ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``.
        reduction, name, dtype: as for ``keras.losses.Loss``.

    Raises:
        ValueError: for a class with 0 samples.

    Examples:
        >>> loss = BalancedSoftmaxLoss([80, 20], from_logits=True)
        >>> round(float(loss([1], [[0.0, 0.0]])), 4)
        1.6094

    Reference:
        Ren et al. (2020), NeurIPS.
    """

    _fn = staticmethod(balanced_softmax_loss)

    def __init__(self, samples_per_class: Sequence[float], from_logits: bool = False,
                 label_smoothing: float = 0.0, reduction: str = "sum_over_batch_size",
                 name: str = "balanced_softmax_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.samples_per_class = to_list(check_samples_per_class(samples_per_class))
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_label_smoothing(label_smoothing)

    _fn_args = ("samples_per_class", "from_logits", "label_smoothing")


@register
class LDAMLoss(ClassWeightsMixin, ImbLoss):
    """LDAM loss (class wrapper of :func:`ldam_loss`), ready for deferred re-weighting.

    The class weights (ones unless given) live in a non-trainable variable that
    :class:`imbkeras.training.DeferredReweighting` switches to class-balanced
    weights at a chosen epoch (LDAM-DRW).

    Args:
        samples_per_class: training count of each class (every class > 0).
        max_margin: the margin of the rarest class (> 0).
        scale: logit scale ``s`` > 0 (30 for cosine logits, 1 for plain logits).
        class_weights: ``None`` (ones) or length-K weights >= 0.
        from_logits: ``y_pred`` holds logits.
        label_smoothing: in ``[0, 1]``.
        reduction, name, dtype: as for ``keras.losses.Loss``.

    Raises:
        ValueError: for a class with 0 samples, non-positive ``max_margin`` /
            ``scale``, or ``class_weights`` of another length than
            ``samples_per_class``.

    Examples:
        >>> loss = LDAMLoss([10000, 1], scale=1.0, from_logits=True)
        >>> round(float(loss([1], [[0.0, 0.0]])), 4)
        0.9741

    Reference:
        Cao et al. (2019), NeurIPS.
    """

    def __init__(self, samples_per_class: Sequence[float], max_margin: float = 0.5,
                 scale: float = 30.0, class_weights: Sequence[float] | None = None,
                 from_logits: bool = False, label_smoothing: float = 0.0,
                 reduction: str = "sum_over_batch_size", name: str = "ldam_loss", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        n = check_samples_per_class(samples_per_class)
        self.samples_per_class = to_list(n)
        self.max_margin = _check_positive(max_margin, "max_margin")
        self.scale = _check_positive(scale, "scale")
        if class_weights is None:
            cw = np.ones(len(n))
        else:
            cw = check_class_vector(class_weights, "class_weights")
            check_length(len(cw), len(n), "class_weights", what="samples_per_class")
        self._init_class_weights(cw)
        self.from_logits = bool(from_logits)
        self.label_smoothing = check_label_smoothing(label_smoothing)

    _fn_args = ("samples_per_class", "max_margin", "scale", "from_logits", "label_smoothing")

    def call(self, y_true, y_pred):
        return ldam_loss(y_true, y_pred, class_weights=self._class_weights_var,
                         **self._fn_kwargs())

    def get_config(self) -> dict:
        config = super().get_config()
        config["class_weights"] = self.class_weights
        return config
