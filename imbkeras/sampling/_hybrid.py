"""Hybrid resampling to a target count and per-epoch undersampling.

``HybridSampler`` (Al-joudi et al. 2023) moves every class to one target size:
classes below it are oversampled, classes above it undersampled.
``EpochUndersampler`` (Gryshkevych 2016) drops a fresh random fraction of the
majority class(es) every epoch.
"""

from __future__ import annotations

import numbers

import numpy as np

from imbkeras._validation import check_class_ids, round_half_up
from imbkeras.sampling._base import (_check_two_classes, _class_counts, _label_map,
                                     _StrategySampler)
from imbkeras.sampling._random import _undersample
from imbkeras.sampling._registry import register_sampler


def _check_target(target, name: str = "target"):
    if isinstance(target, str):
        if target != "median":
            raise ValueError(f"`{name}` must be 'median' or a positive int; received {target!r}.")
        return target
    if isinstance(target, bool) or not isinstance(target, numbers.Integral) or target < 1:
        raise ValueError(f"`{name}` must be 'median' or a positive int; received {target!r}.")
    return int(target)


def _resolve_target(target, counts) -> int:
    target = _check_target(target)
    if target == "median":
        return max(1, round_half_up(float(np.median(np.asarray(counts, dtype=np.float64)))))
    return int(target)


@register_sampler("hybrid")
class HybridSampler(_StrategySampler):
    """Resample every class to one target size: oversample below it, undersample above.

    Classes smaller than the target keep all their samples and get random
    duplicates (with replacement) up to the target; larger classes keep a
    random subset (without replacement) of the target size. Indices are
    grouped by class; pipelines shuffle them.

    Args:
        target: ``"median"`` (median class size, rounded half up) or a
            positive int (Al-joudi et al. chose 500 for HPA).
        seed: seed of the draw.
        random_state: imbalanced-learn's name for ``seed`` (an alias, see
            :class:`BaseSampler`).

    Raises:
        ValueError: for a ``target`` other than ``"median"`` or a positive int
            (when the sampler is used).

    Examples:
        >>> import numpy as np
        >>> y = np.array([0] * 50 + [1] * 20 + [2] * 5)
        >>> s = HybridSampler("median", seed=0)
        >>> s.target_counts(y)
        {0: 20, 1: 20, 2: 20}
        >>> np.bincount(y[s.resample_indices(y)]).tolist()
        [20, 20, 20]

    Reference:
        Al-joudi et al. (2023), section 3.2 (hybrid over/undersampling to the
        median).
    """

    _sampling_type = "hybrid"

    def __init__(self, target="median", seed: int | None = None, *, random_state=None):
        self.target = target
        self.seed = seed
        self.random_state = random_state

    @property
    def sampling_strategy(self):
        return "hybrid"

    def _check_params(self) -> None:
        super()._check_params()
        _check_target(self.target)

    def _targets(self, y):
        counts = _class_counts(y)
        _check_two_classes(counts, "HybridSampler")
        t = _resolve_target(self.target, list(counts.values()))
        return {c: t for c in counts}

    def _draw(self, y, targets, rng):
        parts = []
        for c, t in targets.items():
            members = np.flatnonzero(y == c)
            if len(members) >= t:
                parts.append(np.sort(rng.choice(members, size=t, replace=False)))
            else:
                parts.append(members)
                parts.append(rng.choice(members, size=t - len(members), replace=True))
        return np.concatenate(parts)


@register_sampler("epoch_under")
class EpochUndersampler(_StrategySampler):
    """Drop a fresh random fraction of the majority class(es) at every epoch.

    Every call to :meth:`resample_indices` with a new generator (pipelines pass
    one per epoch; see also :meth:`epoch_indices`) keeps a different random
    ``1 - drop_fraction`` of each targeted class; all other samples are always
    kept. Over the epochs the network still sees every sample.

    Args:
        drop_fraction: fraction of each targeted class dropped per epoch, in
            ``[0, 1)`` (Gryshkevych: 0.2). The number dropped is
            ``round_half_up(drop_fraction * n_c)``, capped at ``n_c - 1``: a
            class never loses its last sample.
        classes: which classes lose samples: ``"majority"`` (every class of
            the largest size), ``"not minority"`` (every class but those of
            the smallest size) or an explicit list of class ids (of the
            original labels, strings too, in ``fit_resample``).
        seed: seed of the epoch sequence.
        random_state: imbalanced-learn's name for ``seed`` (an alias, see
            :class:`BaseSampler`).

    Raises:
        ValueError: for ``drop_fraction`` outside ``[0, 1)`` or unknown
            ``classes`` (a non-integral class id included), when the sampler
            is used.

    Examples:
        >>> import numpy as np
        >>> y = np.array([0] * 10 + [1] * 3)
        >>> s = EpochUndersampler(0.2, seed=0)
        >>> s.target_counts(y)
        {0: 8, 1: 3}
        >>> bool((s.epoch_indices(y, 0) != s.epoch_indices(y, 1)).any())
        True

    Reference:
        Gryshkevych (2016), section 4.8.2 (undersampling repeated at the start
        of every epoch, dropping 20 % of the majority class).
    """

    _sampling_type = "under-sampling"

    def __init__(self, drop_fraction: float = 0.2, classes="majority", seed: int | None = None,
                 *, random_state=None):
        self.drop_fraction = drop_fraction
        self.classes = classes
        self.seed = seed
        self.random_state = random_state

    @property
    def sampling_strategy(self):
        return "epoch"

    def _check_params(self) -> None:
        super()._check_params()
        _check_drop_fraction(self.drop_fraction)
        _check_classes_form(self.classes)

    def _coded_params(self, classes) -> dict:
        if isinstance(self.classes, str):
            return {}
        return {"classes": list(_label_map(classes, {c: None for c in self.classes},
                                           "classes"))}

    def _draw(self, y, targets, rng):
        return _undersample(y, targets, rng)

    def _targets(self, y):
        counts = _class_counts(y)
        _check_two_classes(counts, "EpochUndersampler")
        classes = _class_ids(self.classes)
        if classes == "majority":
            chosen = [c for c, n in counts.items() if n == max(counts.values())]
        elif classes == "not minority":
            chosen = [c for c, n in counts.items() if n != min(counts.values())]
        else:
            unknown = [c for c in classes if c not in counts]
            if unknown:
                raise ValueError(f"`classes`={self.classes!r} names classes absent from y "
                                 f"(classes present: {sorted(counts)}).")
            chosen = classes
        frac = _check_drop_fraction(self.drop_fraction)
        return {c: counts[c] - min(round_half_up(frac * counts[c]), counts[c] - 1)
                for c in chosen}


def _check_drop_fraction(value) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not 0.0 <= float(value) < 1.0:
        raise ValueError(f"`drop_fraction` must be a number in [0, 1); received {value!r}.")
    return float(value)


def _check_classes_form(classes) -> None:
    """``classes`` before the labels are known: a name or a non-empty list of labels."""
    if isinstance(classes, str):
        _class_ids(classes)
    elif not isinstance(classes, (list, tuple, np.ndarray)) or not len(classes):
        raise ValueError(f"`classes` must be 'majority', 'not minority' or a non-empty list of "
                         f"class labels; received {classes!r}.")


def _class_ids(classes):
    """``'majority'``, ``'not minority'`` or a list of int class ids (validated)."""
    if isinstance(classes, str):
        if classes not in ("majority", "not minority"):
            raise ValueError(f"`classes` must be 'majority', 'not minority' or a list of "
                             f"class ids; received {classes!r}.")
        return classes
    try:
        return check_class_ids(classes, "classes")
    except (TypeError, ValueError) as err:
        raise ValueError(f"`classes` must be 'majority', 'not minority' or a list of "
                         f"integer class ids; received {classes!r} ({err})") from None
