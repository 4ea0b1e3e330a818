"""Post-hoc thresholding of class probabilities: prior division, logit adjustment,
per-label threshold tuning (the ``PriorCorrection`` layer lives in ``imbkeras.layers``)."""

from imbkeras.thresholding._prior import (check_priors, class_priors, logit_adjustment,
                                          prior_correction)
from imbkeras.thresholding._tune import tune_thresholds

__all__ = ["check_priors", "class_priors", "logit_adjustment", "prior_correction",
           "tune_thresholds"]
