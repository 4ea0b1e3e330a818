"""Index-level samplers (imbalanced-learn contract, any-rank X)."""

from imbkeras.sampling._base import BaseSampler, RandomOverSampler, RandomUnderSampler

__all__ = ["BaseSampler", "RandomOverSampler", "RandomUnderSampler"]
