"""Non-deep baselines as scikit-learn estimators."""

from imbkeras.baselines._imbalanced import GPClassifier, GSVMRU
from imbkeras.baselines._particle_svm import ParticleFeatureSVM, particle_features

__all__ = ["GPClassifier", "GSVMRU", "ParticleFeatureSVM", "particle_features"]
