"""Post-hoc thresholding of class probabilities."""

from imbkeras.thresholding._prior import check_priors, class_priors, prior_correction

__all__ = ["check_priors", "class_priors", "prior_correction"]
