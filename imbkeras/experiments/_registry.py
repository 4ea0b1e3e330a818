"""Name registries of the experiment engine: datasets, trainers, post-processors,
report hooks and paper presets.

One registry style (as :mod:`imbkeras.models`): a decorator registers a
function under a name; lookups of unknown names raise a ``ValueError`` that
lists the known ones. A paper preset registers its trainers and profiles here
(``imbkeras/experiments/presets/<paper>.py``); nothing else in the engine is
specific to one paper.
"""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any, Callable

import numpy as np


@dataclasses.dataclass
class DataBundle:
    """A dataset as the engine sees it.

    Attributes:
        x: samples, any rank (images ``(n, h, w, c)``, volumes ``(n, d, h, w,
            c)``) or a :class:`imbkeras.pipeline.FileSource`.
        y: 1-D integer labels (multi-class) or 2-D multi-hot labels
            (multi-label).
        x_test, y_test: a fixed test split (e.g. MNIST's); ``None`` lets the
            experiment's ``cv`` split ``(x, y)``.
        class_names: names of the classes / labels.
    """

    x: Any
    y: np.ndarray
    x_test: Any = None
    y_test: np.ndarray | None = None
    class_names: list | None = None

    @property
    def multilabel(self) -> bool:
        return np.asarray(self.y).ndim == 2

    @property
    def num_classes(self) -> int:
        y = np.asarray(self.y)
        if y.ndim == 2:
            return int(y.shape[1])
        top = int(y.max())
        if self.y_test is not None and len(self.y_test):
            top = max(top, int(np.asarray(self.y_test).max()))
        return max(top + 1, len(self.class_names or ()))


class Registry:
    """A name -> object mapping whose errors list the known names."""

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, Any] = {}

    def register(self, name: str, obj, *, replace: bool = False):
        if not isinstance(name, str) or not name:
            raise ValueError(f"a {self.kind} name must be a non-empty string; received {name!r}.")
        if name in self._items and not replace:
            raise ValueError(f"{self.kind} {name!r} is already registered.")
        self._items[name] = obj
        return obj

    def get(self, name: str):
        if name not in self._items:
            close = difflib.get_close_matches(str(name), list(self._items), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"Unknown {self.kind} {name!r}.{hint} Known: "
                             f"{', '.join(sorted(self._items)) or '(none)'}.")
        return self._items[name]

    def __contains__(self, name) -> bool:
        return name in self._items

    def names(self) -> list[str]:
        return sorted(self._items)


DATASETS = Registry("dataset")
TRAINERS = Registry("trainer")
POSTPROCESSORS = Registry("post-processor")
REPORTS = Registry("report hook")
PRESETS = Registry("paper")


def _decorator(registry: Registry, name: str):
    def wrap(fn: Callable):
        registry.register(name, fn)
        return fn
    return wrap


def register_dataset(name: str):
    """Register ``fn(**dataset_params) -> DataBundle`` as dataset ``name``."""
    return _decorator(DATASETS, name)


def register_trainer(name: str):
    """Register ``fn(ctx: RunContext) -> TrainOutput | ndarray`` as trainer ``name``."""
    return _decorator(TRAINERS, name)


def register_postprocessor(name: str):
    """Register ``fn(outputs: dict, ctx, **post_params) -> y_prob | (y_prob, thresholds)``."""
    return _decorator(POSTPROCESSORS, name)


def register_report(name: str):
    """Register ``fn(df, store) -> dict[name, DataFrame | Figure]`` as a report hook."""
    return _decorator(REPORTS, name)


@dataclasses.dataclass
class Preset:
    """A paper: named profiles (``quick``, ``paper``, ``smoke``) that build an ``Experiment``."""

    name: str
    profiles: dict
    description: str = ""

    def profile(self, profile: str = "quick", **overrides):
        """The ``Experiment`` of ``profile``; ``overrides`` replace its fields."""
        if profile not in self.profiles:
            raise ValueError(f"Unknown profile={profile!r} for paper {self.name!r}; "
                             f"known: {', '.join(self.profiles)}.")
        exp = self.profiles[profile]()
        return exp.replace(**overrides) if overrides else exp


def register_preset(name: str, profiles: dict, description: str = "") -> Preset:
    """Register a paper preset: ``profiles`` maps a profile name to ``() -> Experiment``."""
    if not profiles or not all(callable(f) for f in profiles.values()):
        raise ValueError(f"`profiles` must map profile names to callables returning an "
                         f"Experiment; received {profiles!r}.")
    return PRESETS.register(name, Preset(name, dict(profiles), description))


def get_preset(name: str) -> Preset:
    """The registered :class:`Preset` ``name`` (error lists the known papers)."""
    return PRESETS.get(name)


def list_presets() -> list[str]:
    """Names of the registered paper presets."""
    return PRESETS.names()
