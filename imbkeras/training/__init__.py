"""Training recipes, schedules and callbacks."""

from imbkeras.training._drw import DeferredReweighting
from imbkeras.training._long_tail import (LONG_TAIL_RECIPES, MULTI_LABEL_RECIPES,
                                         SINGLE_LABEL_ONLY, LongTailFit, long_tail_fit)
from imbkeras.training._schedules import InverseDecay
from imbkeras.training._multipath_fit import (fit_multipath, ovr_scores, path_grid, pretrain_path,
                                              select_paths, split_validation)
from imbkeras.training._resampled_fit import fit_resampled
from imbkeras.training._two_phase import fine_tune_head
from imbkeras.training._two_stage import (FeatureSpaceResampling, extract_features,
                                          feature_space_fine_tune, two_stage_fit)

__all__ = ["DeferredReweighting", "FeatureSpaceResampling", "InverseDecay", "LONG_TAIL_RECIPES",
           "MULTI_LABEL_RECIPES", "SINGLE_LABEL_ONLY", "LongTailFit", "extract_features", "feature_space_fine_tune", "fine_tune_head",
           "fit_multipath", "fit_resampled", "long_tail_fit",
           "ovr_scores", "path_grid", "pretrain_path", "select_paths", "split_validation",
           "two_stage_fit"]
