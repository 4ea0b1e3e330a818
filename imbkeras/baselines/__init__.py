"""Non-deep baselines as scikit-learn estimators."""

from imbkeras.baselines._particle_svm import ParticleFeatureSVM, particle_features

__all__ = ["ParticleFeatureSVM", "particle_features"]
