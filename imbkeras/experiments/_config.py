"""Experiment configuration: a dataclass loadable from YAML or a dict, validated
before anything runs or is written.

A configuration is data: the datasets, the cross-validation, the imbalance
scenarios, the methods (a trainer with its parameters, an output and an
optional post-processor) and the seeds. Its grid of runs is
``datasets x scenarios x folds x seeds x methods`` (see :mod:`._grid`).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import importlib
import numbers
from pathlib import Path

import yaml

from imbkeras import protocols
from imbkeras._validation import _short, check_mapping, check_positive_int, check_string_list
from imbkeras.experiments import _registry
from imbkeras.experiments._params import check_params, declared

CV_KINDS = ("holdout", "stratified_kfold")
SCENARIO_KINDS = ("none",) + tuple(protocols.KINDS)
# Keys of a scenario passed on to ``protocols.imbalance_indices`` (``mu`` is
# its ``minority_fraction``).
SCENARIO_KEYS = ("kind", "ratio", "mu", "minority_classes")
PROTOCOL_KEYS = ("max_per_class",)
REPORT_KEYS = ("metrics", "tables", "ranks", "plots", "hooks")
TABLE_KEYS = ("metric", "name", "index", "columns", "agg")
RANKS_KEYS = ("metrics", "blocks", "by")
PLOT_TYPES = ("metric_vs_ratio", "confusion", "per_class_recall", "ranks")
# Experiment-level trainer parameters the engine's command line sets
# (``--iterations``, ``--set params.epochs=3``): integers >= 1 when present.
ENGINE_INT_PARAMS = ("iterations", "epochs", "batch_size")
# Numeric columns the runner adds to every row of results.csv besides the metrics.
RUNNER_COLUMNS = ("degenerate", "n_train", "n_test", "realised_ratio", "train_seconds")


def metric_names() -> tuple:
    """Every column a report may summarise: the metrics of ``imbkeras.metrics.report``
    and ``report_multilabel`` (``SCALAR_KEYS``, ``MULTILABEL_SCALAR_KEYS``) and the
    runner's own columns (``degenerate``, ``n_train``, ``n_test``, ``realised_ratio``,
    ``train_seconds``).

    Examples:
        >>> "auc_ovr" in metric_names() and "macro_auc" in metric_names()
        True
    """
    from imbkeras._metric_keys import MULTILABEL_SCALAR_KEYS, SCALAR_KEYS

    return tuple(dict.fromkeys(SCALAR_KEYS + MULTILABEL_SCALAR_KEYS + RUNNER_COLUMNS))


def check_metric_name(metric, name: str) -> str:
    """A metric (or runner column) name of ``metric_names()``; returned as given.

    Raises:
        TypeError: for a value that is not a string.
        ValueError: for an unknown name, with the closest known one.
    """
    known = metric_names()
    if not isinstance(metric, str):
        raise TypeError(f"`{name}` must be a metric name (a string); received {_short(metric)}.")
    if metric not in known:
        raise ValueError(f"`{name}`={metric!r} is not a metric of the results."
                         f"{_closest(metric, known)} Known: {', '.join(known)}.")
    return metric


def _closest(key: str, valid) -> str:
    close = difflib.get_close_matches(str(key), list(valid), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


@dataclasses.dataclass
class MethodSpec:
    """One method of an experiment.

    Attributes:
        trainer: a registered trainer name (``register_trainer``).
        params: trainer parameters added to (and overriding) the experiment's
            ``params``.
        output: which of the trainer's named outputs this method evaluates
            (``"default"``; e.g. ``"two_phase"``).
        post: a registered post-processor applied to the outputs
            (e.g. ``"prior_correction"``), or ``None``.
        post_params: keyword arguments of the post-processor.
    """

    trainer: str
    params: dict = dataclasses.field(default_factory=dict)
    output: str = "default"
    post: str | None = None
    post_params: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def from_dict(cls, data, name: str = "?") -> "MethodSpec":
        if isinstance(data, MethodSpec):
            return data
        if not isinstance(data, dict):
            raise TypeError(f"method {name!r} must be a mapping with a `trainer` key; "
                            f"received {_short(data)}.")
        fields = [f.name for f in dataclasses.fields(cls)]
        for key in data:
            if key not in fields:
                raise ValueError(f"method {name!r} has unknown key {key!r}.{_closest(key, fields)}"
                                 f" Valid keys: {fields}.")
        if "trainer" not in data:
            raise ValueError(f"method {name!r} needs a `trainer`; received {_short(data)}.")
        return cls(**copy.deepcopy(data))


@dataclasses.dataclass
class Experiment:
    """A grid of runs: ``datasets x scenarios x folds x seeds x methods``.

    Attributes:
        name: a label for the experiment (used in reports).
        datasets: registered dataset names (``register_dataset``).
        dataset_params: keyword arguments of every dataset function.
        cv: ``{"kind": "holdout", "test_size": 0.3, "seed": 0}`` (one
            stratified split, or the dataset's fixed test set when it has one)
            or ``{"kind": "stratified_kfold", "folds": 10, "seed": 0}``
            (multi-label targets are split by iterative stratification). The
            imbalance protocol is applied inside each training fold; test folds
            are left as they are.
        scenarios: imbalance scenarios, each a dict with ``kind`` (one of
            ``SCENARIO_KINDS``; ``"none"`` keeps the data as it is) and the
            protocol's ``ratio``, ``mu``, ``minority_classes``; list values are
            expanded as a product (``{"kind": "step", "ratio": [10, 50],
            "mu": [0.5]}`` is two scenarios). The protocol's seed is the run
            seed's named child ``child_seed(seed, "imbalance", fold)``: subsets
            are nested across ratios and the class order is reshuffled per
            fold.
        protocol: fixed protocol options (``max_per_class``).
        methods: ``{name: MethodSpec}`` (dicts are converted).
        seeds: seeds of the repeated runs (model initialisation, sampling,
            protocol).
        folds: which folds to run (default: all).
        params: trainer parameters shared by every method.
        report: what ``imbkeras report`` writes: ``metrics`` (printed mean +-
            std tables), ``tables`` (pivot tables), ``ranks`` (average ranks,
            Friedman and Wilcoxon-Holm tests), ``plots``, ``hooks``
            (registered report functions).
        imports: modules imported before running (where user code registers
            its own datasets and trainers; worker processes import them too).
        verbose: Keras ``fit`` verbosity inside each run.
        preset, profile: the paper preset and profile this experiment came
            from (set by ``Preset.profile``; reports check the preset's
            findings). In a config file, ``preset`` starts from that paper's
            ``profile`` (default ``quick``) and the other keys replace its fields.
    """

    name: str = "experiment"
    datasets: list = dataclasses.field(default_factory=lambda: ["digits"])
    dataset_params: dict = dataclasses.field(default_factory=dict)
    cv: dict = dataclasses.field(default_factory=lambda: {"kind": "holdout", "test_size": 0.3,
                                                          "seed": 0})
    scenarios: list = dataclasses.field(default_factory=lambda: [{"kind": "none"}])
    protocol: dict = dataclasses.field(default_factory=dict)
    methods: dict = dataclasses.field(default_factory=dict)
    seeds: list = dataclasses.field(default_factory=lambda: [0])
    folds: list | None = None
    params: dict = dataclasses.field(default_factory=dict)
    report: dict = dataclasses.field(default_factory=dict)
    imports: list = dataclasses.field(default_factory=list)
    verbose: int = 0
    preset: str | None = None
    profile: str | None = None

    def __post_init__(self):
        self._check_types()
        self.methods = {str(k): MethodSpec.from_dict(v, k) for k, v in dict(self.methods).items()}
        if isinstance(self.datasets, str):
            self.datasets = [self.datasets]
        self.datasets = list(self.datasets)
        self.seeds = list(self.seeds) if not isinstance(self.seeds, numbers.Integral) \
            else [self.seeds]
        if self.folds is not None:
            self.folds = list(self.folds) if not isinstance(self.folds, numbers.Integral) \
                else [self.folds]
        self.scenarios = [dict(s) for s in self.scenarios]
        self.imports = list(self.imports)

    def _check_types(self):
        """The shape of every field (a mapping, a list, ...), named, before anything uses it."""
        for key in ("dataset_params", "cv", "protocol", "methods", "params", "report"):
            check_mapping(getattr(self, key), key)
        if not isinstance(self.name, str):
            raise TypeError(f"`name` must be a string; received {_short(self.name)}.")
        if not isinstance(self.datasets, str):
            check_string_list(self.datasets, "datasets")
        if not isinstance(self.scenarios, (list, tuple)):
            raise TypeError(f"`scenarios` must be a list of mappings (each with a `kind`); "
                            f"received {_short(self.scenarios)}.")
        for i, s in enumerate(self.scenarios):
            if not isinstance(s, dict):
                raise TypeError(f"`scenarios[{i}]` must be a mapping with a `kind`; received "
                                f"{_short(s)}.")
        for key in ("seeds", "folds"):
            value = getattr(self, key)
            if value is None and key == "folds":
                continue
            if isinstance(value, (str, bytes, dict)) or not (
                    isinstance(value, (list, tuple)) or
                    (isinstance(value, numbers.Integral) and not isinstance(value, bool))):
                raise TypeError(f"`{key}` must be an integer or a list of integers; received "
                                f"{_short(value)}.")
        check_string_list(self.imports, "imports")
        for key in ("preset", "profile"):
            value = getattr(self, key)
            if value is not None and not isinstance(value, str):
                raise TypeError(f"`{key}` must be a name (a string) or null; received "
                                f"{_short(value)}.")

    # -- construction ---------------------------------------------------
    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def from_dict(cls, data: dict) -> "Experiment":
        """Build from a mapping; unknown keys raise naming the closest valid key.

        A mapping with ``preset`` (and optionally ``profile``, default
        ``"quick"``) starts from that paper's profile and replaces the given
        fields.
        """
        if not isinstance(data, dict):
            raise TypeError(f"an experiment config must be a mapping; received {_short(data)}.")
        data = copy.deepcopy(data)
        preset = data.pop("preset", None)
        profile = data.pop("profile", None)
        fields = cls.field_names()
        for key in data:
            if key not in fields:
                raise ValueError(f"unknown config key {key!r}.{_closest(key, fields)} "
                                 f"Valid keys: {', '.join(fields)}.")
        if preset is None:
            if profile is not None:
                raise ValueError(f"config key `profile`={profile!r} needs a `preset`.")
            return cls(**data)
        return _registry.get_preset(preset).profile(profile or "quick").replace(**data)

    @classmethod
    def from_yaml(cls, path) -> "Experiment":
        """Load a YAML file (see :meth:`from_dict`)."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"config file {str(path)!r} does not exist.")
        data = load_yaml(path.read_text(), f"config file {str(path)!r}")
        return cls.from_dict({} if data is None else data)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def replace(self, **changes) -> "Experiment":
        fields = self.field_names()
        for key in changes:
            if key not in fields:
                raise ValueError(f"unknown config key {key!r}.{_closest(key, fields)}")
        data = self.to_dict()
        data.update(copy.deepcopy(changes))
        return Experiment(**data)

    # -- overrides ------------------------------------------------------
    def with_overrides(self, *, seeds=None, methods=None, ratios=None, mus=None, folds=None,
                       datasets=None, iterations=None, sets=()) -> "Experiment":
        """A copy with command-line grid overrides applied (every preset alike).

        Args:
            seeds, folds: replace the lists.
            methods: keep only these methods (in this order).
            ratios / mus: replace ``ratio`` / ``mu`` in every scenario that has one.
            datasets: replace the dataset list.
            iterations: sets ``params.iterations`` (which must exist).
            sets: ``"dotted.key=value"`` strings; the value is parsed as YAML
                (``params.epochs=3``, ``cv.folds=5``, ``methods.ROS.params.seed=1``).
        """
        data = self.to_dict()
        if seeds is not None:
            data["seeds"] = list(seeds)
        if folds is not None:
            data["folds"] = list(folds)
        if datasets is not None:
            data["datasets"] = list(datasets)
        if methods is not None:
            unknown = [m for m in methods if m not in data["methods"]]
            if unknown:
                raise ValueError(f"`methods` has unknown {unknown}; this experiment's methods: "
                                 f"{list(data['methods'])}.")
            data["methods"] = {m: data["methods"][m] for m in methods}
        for key, values in (("ratio", ratios), ("mu", mus)):
            if values is None:
                continue
            touched = [s for s in data["scenarios"] if key in s and s[key] is not None]
            if not touched:
                raise ValueError(f"no scenario of this experiment has a `{key}` to override; "
                                 f"scenarios: {data['scenarios']}.")
            for s in touched:
                s[key] = list(values)
        pairs = list(sets)
        if iterations is not None:
            pairs.append(f"params.iterations={iterations}")
        for item in pairs:
            _set_dotted(data, item)
        return Experiment(**data)

    # -- validation -----------------------------------------------------
    def validate(self) -> "Experiment":
        """Check every name and value; raise before anything runs or is written.

        Parameters are checked against the signatures of the functions that
        take them (see :mod:`imbkeras.experiments._params`): each method's
        ``params`` (with the shared ``params``) against its trainer's,
        ``post_params`` against its post-processor's, ``dataset_params``
        against every dataset's; a shared ``params`` key must be declared by a
        trainer of the experiment (or of its preset profile).

        Raises:
            ValueError / TypeError: naming the key and the value received.
        """
        self.import_modules()
        if not self.datasets:
            raise ValueError("`datasets` must name at least one dataset; received [].")
        for name in self.datasets:
            fn = _registry.DATASETS.get(name)
            check_params(fn, self.dataset_params, what=f"dataset {name!r}", key="dataset_params")
        self._validate_cv()
        if not self.methods:
            raise ValueError("`methods` must define at least one method; received {}.")
        if not isinstance(self.params, dict):
            raise TypeError(f"`params` must be a mapping; received {_short(self.params)}.")
        for name, spec in self.methods.items():
            trainer = _registry.TRAINERS.get(spec.trainer)
            if not isinstance(spec.params, dict):
                raise TypeError(f"`methods.{name}.params` must be a mapping; received "
                                f"{_short(spec.params)}.")
            key = f"methods.{name}.params"
            check_params(trainer, {**self.params, **spec.params},
                         what=f"trainer {spec.trainer!r} of method {name!r}", key=key,
                         skip=1, given={**{k: "params" for k in self.params},
                                        **{k: key for k in spec.params}})
            if spec.post is not None:
                check_params(_registry.POSTPROCESSORS.get(spec.post), spec.post_params,
                             what=f"post-processor {spec.post!r} of method {name!r}",
                             key=f"methods.{name}.post_params", skip=2)
        self._validate_shared_params()
        for name, spec in self.methods.items():
            for key in ENGINE_INT_PARAMS:
                if key in spec.params:
                    check_positive_int(spec.params[key], f"methods.{name}.params.{key}")
        for key in ENGINE_INT_PARAMS:
            if key in self.params:
                check_positive_int(self.params[key], f"params.{key}")
        if not self.seeds:
            raise ValueError("`seeds` must hold at least one seed; received [].")
        for s in self.seeds:
            if isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 0:
                raise ValueError(f"`seeds` must hold non-negative integers; received {s!r}.")
        for key in self.protocol:
            if key not in PROTOCOL_KEYS:
                raise ValueError(f"unknown protocol key {key!r}.{_closest(key, PROTOCOL_KEYS)}")
        for scenario in self.expand_scenarios():
            _check_scenario(scenario)
        for key in self.report:
            if key not in REPORT_KEYS:
                raise ValueError(f"unknown report key {key!r}.{_closest(key, REPORT_KEYS)} "
                                 f"Valid: {REPORT_KEYS}.")
        self._validate_report()
        if isinstance(self.verbose, bool) or self.verbose not in (0, 1, 2):
            raise ValueError(f"`verbose` must be 0, 1 or 2; received {self.verbose!r}.")
        if self.preset is not None:
            preset = _registry.get_preset(self.preset)
            if self.profile is not None and self.profile not in preset.profiles:
                raise ValueError(f"Unknown profile={self.profile!r} for paper "
                                 f"{self.preset!r}; known: {', '.join(preset.profiles)}.")
        elif self.profile is not None:
            raise ValueError(f"`profile`={self.profile!r} needs a `preset`.")
        return self

    def _validate_shared_params(self):
        """Every key of ``params`` is declared by a trainer of the experiment.

        A preset's profile counts all of its trainers, so that a subset of its
        methods (``--methods``) keeps the profile's shared parameters.
        """
        trainers = {spec.trainer for spec in self.methods.values()}
        if self.preset is not None and self.profile is not None:
            preset = _registry.get_preset(self.preset)
            if self.profile in preset.profiles:
                full = preset.profiles[self.profile]()
                trainers |= {spec.trainer for spec in full.methods.values()}
        names: dict = {}
        for trainer in sorted(trainers):
            declared_names, takes_any = declared(_registry.TRAINERS.get(trainer), skip=1)
            if takes_any:
                return
            for n in declared_names:
                names.setdefault(n, trainer)
        for k, value in self.params.items():
            if k not in names:
                close = difflib.get_close_matches(str(k), list(names), n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise ValueError(f"`params.{k}`={_short(value)}: no trainer of this experiment "
                                 f"({', '.join(map(repr, sorted(trainers)))}) declares a "
                                 f"parameter {k!r}.{hint} They take: "
                                 f"{', '.join(sorted(names)) or 'no parameters'}.")

    def _validate_report(self):
        rep = self.report
        for key in REPORT_KEYS:
            if key in rep and key != "ranks":
                if not isinstance(rep[key], (list, tuple)):
                    raise TypeError(f"`report.{key}` must be a list; received "
                                    f"{_short(rep[key])}.")
        for i, metric in enumerate(rep.get("metrics", ())):
            check_metric_name(metric, f"report.metrics[{i}]")
        for i, t in enumerate(rep.get("tables", ())):
            if not isinstance(t, dict) or "metric" not in t:
                raise ValueError(f"each `report.tables` entry must be a mapping with a "
                                 f"`metric`; received {_short(t)}.")
            unknown = [k for k in t if k not in TABLE_KEYS]
            if unknown:
                raise ValueError(f"unknown key {unknown[0]!r} in `report.tables[{i}]`."
                                 f"{_closest(unknown[0], TABLE_KEYS)} Valid: {TABLE_KEYS}.")
            check_metric_name(t["metric"], f"report.tables[{i}].metric")
        ranks = rep.get("ranks")
        if ranks is not None:
            if not isinstance(ranks, dict) or not isinstance(ranks.get("metrics"), (list, tuple)) \
                    or not ranks["metrics"]:
                raise ValueError(f"`report.ranks` must be a mapping with a non-empty list "
                                 f"`metrics` (and optional `blocks`, `by`); received "
                                 f"{_short(ranks)}.")
            for key in ranks:
                if key not in RANKS_KEYS:
                    raise ValueError(f"unknown key {key!r} in `report.ranks`."
                                     f"{_closest(key, RANKS_KEYS)} Valid: {RANKS_KEYS}.")
            for i, metric in enumerate(ranks["metrics"]):
                check_metric_name(metric, f"report.ranks.metrics[{i}]")
        for i, plot in enumerate(rep.get("plots", ())):
            if not isinstance(plot, dict) or plot.get("type") not in PLOT_TYPES:
                raise ValueError(f"each `report.plots` entry needs a `type` in {PLOT_TYPES}; "
                                 f"received {_short(plot)}.")
            if plot["type"] == "metric_vs_ratio":
                if "metric" not in plot:
                    raise ValueError(f"`report.plots[{i}]` (metric_vs_ratio) needs a `metric`; "
                                     f"received {_short(plot)}.")
                check_metric_name(plot["metric"], f"report.plots[{i}].metric")
        for hook in rep.get("hooks", ()):
            _registry.REPORTS.get(hook)

    def _validate_cv(self):
        cv = self.cv
        kind = cv.get("kind")
        if kind not in CV_KINDS:
            raise ValueError(f"`cv.kind` must be one of {CV_KINDS}; received {kind!r}.")
        allowed = {"holdout": ("kind", "test_size", "seed"),
                   "stratified_kfold": ("kind", "folds", "seed")}[kind]
        for key in cv:
            if key not in allowed:
                raise ValueError(f"unknown key `cv.{key}` for cv kind {kind!r}."
                                 f"{_closest(key, allowed)} Valid: {allowed}.")
        if kind == "holdout":
            t = cv.get("test_size", 0.3)
            if isinstance(t, bool) or not isinstance(t, numbers.Real) or not 0 < t < 1:
                raise ValueError(f"`cv.test_size` must be a fraction in (0, 1); received {t!r}.")
        else:
            k = cv.get("folds", 5)
            if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 2:
                raise ValueError(f"`cv.folds` must be an integer >= 2; received {k!r}.")
        n = self.n_folds
        for f in self.folds or ():
            if isinstance(f, bool) or not isinstance(f, numbers.Integral) or not 0 <= f < n:
                raise ValueError(f"`folds` must hold fold numbers in [0, {n - 1}] for this cv; "
                                 f"received {f!r}.")
        seed = cv.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"`cv.seed` must be a non-negative integer; received {seed!r}.")

    @property
    def n_folds(self) -> int:
        return int(self.cv.get("folds", 5)) if self.cv.get("kind") == "stratified_kfold" else 1

    def fold_list(self) -> list[int]:
        return list(self.folds) if self.folds is not None else list(range(self.n_folds))

    def expand_scenarios(self) -> list[dict]:
        """Every scenario with list values expanded (a product, in the given order)."""
        out = []
        for s in self.scenarios:
            if not isinstance(s, dict):
                raise TypeError(f"each scenario must be a mapping; received {_short(s)}.")
            combos = [{}]
            for key, value in s.items():
                values = value if isinstance(value, (list, tuple)) and key != "minority_classes" \
                    else [value]
                combos = [{**c, key: v} for c in combos for v in values]
            out.extend(combos)
        return out

    def import_modules(self):
        """Load the engine with its bundled presets (``imbkeras.experiments``), then the
        modules of ``imports`` (where user code registers its own)."""
        importlib.import_module("imbkeras.experiments")._load()
        for module in self.imports:
            try:
                importlib.import_module(module)
            except ImportError as err:
                raise ValueError(f"`imports` names module {module!r}, which cannot be "
                                 f"imported: {err}") from err


def _check_scenario(s: dict):
    for key in s:
        if key not in SCENARIO_KEYS:
            raise ValueError(f"unknown scenario key {key!r} in {s!r}.{_closest(key, SCENARIO_KEYS)}"
                             f" Valid: {SCENARIO_KEYS}.")
    kind = s.get("kind")
    if kind not in SCENARIO_KINDS:
        raise ValueError(f"scenario `kind` must be one of {SCENARIO_KINDS}; received {kind!r}.")
    if kind == "none":
        if any(s.get(k) is not None for k in ("ratio", "mu")):
            raise ValueError(f"scenario kind 'none' takes no ratio or mu; received {s!r}.")
        return
    ratio = s.get("ratio")
    if isinstance(ratio, bool) or not isinstance(ratio, numbers.Real) or not ratio >= 1:
        raise ValueError(f"scenario `ratio` (the imbalance ratio) must be a number >= 1; "
                         f"received {ratio!r} in {s!r}.")
    mu = s.get("mu")
    if kind == "step":
        if isinstance(mu, bool) or not isinstance(mu, numbers.Real) or not 0 < mu < 1:
            raise ValueError(f"step scenarios need `mu` (fraction of minority classes) in "
                             f"(0, 1); received {mu!r} in {s!r}.")
    elif mu is not None:
        raise ValueError(f"`mu` applies to kind 'step' only; received {s!r}.")


def _set_dotted(data: dict, item: str):
    if not isinstance(item, str) or "=" not in item:
        raise ValueError(f"`--set` takes key=value (dotted keys, YAML values); received {item!r}.")
    key, raw = item.split("=", 1)
    value = load_yaml(raw, f"`--set {item}`: the value")
    parts = key.strip().split(".")
    node = data
    fields = Experiment.field_names()
    if parts[0] not in fields:
        raise ValueError(f"`--set {item}`: unknown config key {parts[0]!r}."
                         f"{_closest(parts[0], fields)}")
    free = parts[0] in ("dataset_params", "report") or (parts[0] == "methods" and len(parts) <= 2)
    for depth, part in enumerate(parts[:-1]):
        if not isinstance(node, dict) or part not in node:
            valid = list(node) if isinstance(node, dict) else []
            raise ValueError(f"`--set {item}`: unknown key {'.'.join(parts[:depth + 1])!r}."
                             f"{_closest(part, valid)}")
        node = node[part]
    last = parts[-1]
    if not isinstance(node, dict):
        raise ValueError(f"`--set {item}`: {'.'.join(parts[:-1])!r} is not a mapping.")
    method_params = parts[0] == "methods" and len(parts) == 4 and parts[2] == "params"
    if last not in node and not free and not method_params:
        raise ValueError(f"`--set {item}`: unknown key {key!r}.{_closest(last, list(node))} "
                         f"Valid: {list(node)}.")
    node[last] = value


class _UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a mapping with a key defined twice."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            lines: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line + 1
                try:
                    first = lines.get(key)
                except TypeError:  # an unhashable key: SafeLoader refuses it below
                    continue
                if first is not None:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"found key {key!r} defined twice (line {first} and line {line}); "
                        f"the second would silently replace the first", key_node.start_mark)
                lines[key] = line
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str, what: str = "the config"):
    """Parse YAML text (safe types only), refusing a key defined twice in one mapping.

    Raises:
        ValueError: for invalid YAML or a repeated key, naming ``what``, the key
            and its lines.

    Examples:
        >>> load_yaml("seeds: [0, 1]")
        {'seeds': [0, 1]}
    """
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as err:
        raise ValueError(f"{what} is not valid YAML: {err}") from err

