"""Training recipes, schedules and callbacks."""

from imbkeras.training._drw import DeferredReweighting
from imbkeras.training._schedules import InverseDecay

__all__ = ["DeferredReweighting", "InverseDecay"]
