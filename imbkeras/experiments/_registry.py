"""Name registries of the experiment engine: datasets, trainers, post-processors,
report hooks and paper presets.

One registry style (:class:`imbkeras._registry.Registry`, as models and
samplers): a decorator registers a function under a name; lookups of unknown
names raise a ``ValueError`` that suggests the closest name and lists the
known ones. A paper preset registers its trainers and profiles here
(``imbkeras/experiments/presets/<paper>.py``); nothing else in the engine is
specific to one paper.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np
import pandas as pd

from imbkeras._registry import Registry


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


DATASETS = Registry("dataset")
TRAINERS = Registry("trainer")
POSTPROCESSORS = Registry("post-processor")
REPORTS = Registry("report hook")
PRESETS = Registry("paper")


def register_dataset(name: str):
    """Register ``fn(*, name=default, ...) -> DataBundle`` as dataset ``name``.

    The function declares its parameters in its signature; ``dataset_params``
    are checked against it before anything runs (see ``_params.check_params``).
    """
    return DATASETS.decorator(name)


def register_trainer(name: str):
    """Register ``fn(ctx: RunContext, *, name=default, ...) -> TrainOutput | ndarray``.

    A trainer declares every parameter it uses in its signature (defaults
    included; annotate simple types, and sampler-valued parameters with
    ``imbkeras.sampling.SamplerSpec``). The engine calls it with the
    method's merged parameters (experiment ``params`` overlaid by the
    method's ``params``) that the signature declares; ``validate()`` refuses
    a method parameter it does not declare, a value of the wrong type and a
    shared parameter no trainer of the experiment declares, before anything
    is written. ``ctx.params`` still holds the merged parameters.

    A trainer of a preset reads::

        @register_trainer("paper.recipe")
        def recipe(ctx, *, epochs: int = 3, sampler: SamplerSpec = "none"):
            sampler = sampling.reseeded(sampling.create_sampler(sampler), ctx.seed)
            ...
    """
    return TRAINERS.decorator(name)


def register_postprocessor(name: str):
    """Register ``fn(outputs: dict, ctx, *, name=default, ...) -> y_prob | (y_prob, thresholds)``.

    ``post_params`` are checked against the declared parameters before anything runs.
    """
    return POSTPROCESSORS.decorator(name)


def register_report(name: str):
    """Register ``fn(df, store) -> dict[name, DataFrame | Figure]`` as a report hook."""
    return REPORTS.decorator(name)


@dataclasses.dataclass
class Preset:
    """A paper: named profiles that build an ``Experiment``, and what the paper reports.

    Profiles mean the same for every paper: ``smoke`` (seconds, the tests),
    ``quick`` (minutes on 2 CPU cores: every method trains; claims nothing),
    ``cpu`` (the reproduction: at most an hour on 2 CPU cores, every finding
    measured) and ``paper`` (the paper's full setting, for a GPU).

    Attributes:
        name: the paper's preset name (``imbkeras reproduce NAME``).
        profiles: ``{profile: () -> Experiment}``.
        description: one line.
        findings: the paper's findings (:class:`imbkeras.experiments.Finding`).
        paper_tables: ``{table id: PaperTable}``, the paper's tables as printed.
        preflight: ``fn(experiment)`` run before anything is written (e.g. a
            check that the data or weights the profile needs are on this
            machine); raises to refuse the run.
    """

    name: str
    profiles: dict
    description: str = ""
    findings: list = dataclasses.field(default_factory=list)
    paper_tables: dict = dataclasses.field(default_factory=dict)
    preflight: Callable | None = None

    def profile(self, profile: str = "quick", **overrides):
        """The ``Experiment`` of ``profile``; ``overrides`` replace its fields."""
        if profile not in self.profiles:
            raise ValueError(f"Unknown profile={profile!r} for paper {self.name!r}; "
                             f"known: {', '.join(self.profiles)}.")
        exp = self.profiles[profile]()
        exp = exp.replace(preset=self.name, profile=profile)
        return exp.replace(**overrides) if overrides else exp


def register_preset(name: str, profiles: dict, description: str = "", *, findings=None,
                    paper_tables=None, preflight: Callable | None = None) -> Preset:
    """Register a paper preset.

    Args:
        name: the preset's name.
        profiles: maps a profile name (``smoke``, ``quick``, ``cpu``, ``paper``)
            to ``() -> Experiment``.
        description: one line.
        findings: a list of :class:`imbkeras.experiments.Finding` (ids unique).
        paper_tables: ``{table id: PaperTable | DataFrame}``; a bare DataFrame is
            a table we do not compute.
        preflight: ``fn(experiment)`` called by ``run_experiment`` after
            validation and before anything is written; it raises to refuse.
    """
    from imbkeras.experiments._findings import Finding, PaperTable

    if not isinstance(profiles, dict) or not profiles or \
            not all(callable(f) for f in profiles.values()):
        raise ValueError(f"`profiles` must map profile names to callables returning an "
                         f"Experiment; received {profiles!r}.")
    findings = list(findings or [])
    bad = [f for f in findings if not isinstance(f, Finding)]
    if bad:
        raise TypeError(f"`findings` must be a list of Finding; received {bad[0]!r}.")
    ids = [f.id for f in findings]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ValueError(f"`findings` repeats the id(s) {dup}.")
    tables = {}
    for tid, table in dict(paper_tables or {}).items():
        if isinstance(table, pd.DataFrame):
            table = PaperTable(table)
        if not isinstance(table, PaperTable):
            raise TypeError(f"`paper_tables[{tid!r}]` must be a PaperTable or a DataFrame; "
                            f"received {type(table).__name__}.")
        tables[str(tid)] = table
    if preflight is not None and not callable(preflight):
        raise TypeError(f"`preflight` must be a callable fn(experiment) or None; "
                        f"received {preflight!r}.")
    return PRESETS.register(name, Preset(name, dict(profiles), description, findings, tables,
                                         preflight))


def preflight(exp) -> None:
    """Run the preflight check of the preset ``exp`` came from (if any)."""
    name = getattr(exp, "preset", None)
    if name and name in PRESETS:
        check = PRESETS.get(name).preflight
        if check is not None:
            check(exp)


def get_preset(name: str) -> Preset:
    """The registered :class:`Preset` ``name`` (error lists the known papers)."""
    return PRESETS.get(name)


def list_presets() -> list[str]:
    """Names of the registered paper presets."""
    return PRESETS.names()
