"""Training recipes, schedules and callbacks."""

from imbkeras.training._drw import DeferredReweighting
from imbkeras.training._schedules import InverseDecay
from imbkeras.training._two_phase import fine_tune_head

__all__ = ["DeferredReweighting", "InverseDecay", "fine_tune_head"]
