"""Imbalance-aware Keras losses: focal, weighted, class-balanced, logit-adjusted,
balanced softmax and LDAM.

Every loss is a ``keras.losses.Loss`` subclass wrapping a public function of the
same math (``FocalLoss`` / ``focal_loss``), accepts sparse or one-hot targets of
any rank (multi-hot for the sigmoid losses), takes ``from_logits`` and
``label_smoothing``, and is registered for ``.keras`` saving under the
``imbkeras`` package. Losses return one value per position
(``y_pred.shape[:-1]``); Keras then reduces them (mean by default).
"""

from imbkeras.losses._common import class_balanced_weights, ldam_margins
from imbkeras.losses._focal import BinaryFocalLoss, FocalLoss, binary_focal_loss, focal_loss
from imbkeras.losses._long_tail import (BalancedSoftmaxLoss, ClassBalancedLoss, LDAMLoss,
                                        LogitAdjustedLoss, balanced_softmax_loss,
                                        class_balanced_loss, ldam_loss, logit_adjusted_loss)
from imbkeras.losses._weighted import WeightedCrossEntropy, weighted_cross_entropy

__all__ = [
    "BalancedSoftmaxLoss",
    "BinaryFocalLoss",
    "ClassBalancedLoss",
    "FocalLoss",
    "LDAMLoss",
    "LogitAdjustedLoss",
    "WeightedCrossEntropy",
    "balanced_softmax_loss",
    "binary_focal_loss",
    "class_balanced_loss",
    "class_balanced_weights",
    "focal_loss",
    "ldam_loss",
    "ldam_margins",
    "logit_adjusted_loss",
    "weighted_cross_entropy",
]
