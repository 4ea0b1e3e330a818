"""Ensembles of Keras models (bagging, SAMME boosting), seeded and savable."""

from imbkeras.ensemble._ensembles import BaggingClassifier, BoostingClassifier

__all__ = ["BaggingClassifier", "BoostingClassifier"]
