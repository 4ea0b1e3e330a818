"""Index-level samplers (imbalanced-learn contract, any-rank X).

Random over/under sampling (with partial ratios), hybrid sampling to a target
count (single- and multi-label), per-epoch undersampling, class-aware
sampling, SMOTE for images/volumes/features, and an adapter for any
imbalanced-learn sampler.
"""

from imbkeras.sampling._base import BaseSampler
from imbkeras.sampling._random import (RandomOverSampler, RandomUnderSampler, RatioStrategy,
                                       ratio_strategy)
from imbkeras.sampling._class_aware import ClassAwareSampler
from imbkeras.sampling._hybrid import EpochUndersampler, HybridSampler
from imbkeras.sampling._multilabel import MultilabelHybridSampler, check_multihot, label_counts
from imbkeras.sampling._oneshot import OneShotHybridSampler
from imbkeras.sampling._registry import (SamplerParam, SamplerSpec, SingleLabelSamplerSpec,
                                         check_sampler_spec, create_sampler, get_sampler,
                                         list_samplers, register_sampler, sampler_info,
                                         sampler_spec)
from imbkeras.sampling._synthetic import SMOTE, ImblearnSampler, as_sampler, reseeded

__all__ = [
    "BaseSampler",
    "RandomOverSampler",
    "RandomUnderSampler",
    "RatioStrategy",
    "ratio_strategy",
    "HybridSampler",
    "EpochUndersampler",
    "MultilabelHybridSampler",
    "OneShotHybridSampler",
    "ClassAwareSampler",
    "SMOTE",
    "ImblearnSampler",
    "as_sampler",
    "reseeded",
    "create_sampler",
    "sampler_spec",
    "check_sampler_spec",
    "SamplerSpec",
    "SingleLabelSamplerSpec",
    "SamplerParam",
    "get_sampler",
    "list_samplers",
    "register_sampler",
    "sampler_info",
    "check_multihot",
    "label_counts",
]
