"""Artificial imbalance protocols (Buda 2018 step/linear, Koziarski 2020 scenarios)."""

from imbkeras.protocols._folds import stratified_folds
from imbkeras.protocols._imbalance import (KINDS, InfeasibleScenario, imbalance_counts,
                                           imbalance_indices, make_imbalanced, realised_ratio)

__all__ = ["KINDS", "InfeasibleScenario", "imbalance_counts", "imbalance_indices",
           "make_imbalanced", "realised_ratio", "stratified_folds"]
