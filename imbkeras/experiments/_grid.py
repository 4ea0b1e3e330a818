"""The grid of runs: one :class:`Run` per (dataset, scenario, fold, seed, method),
grouped by the training they share; folds and imbalance applied to the data."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import numbers
import re

import numpy as np

from imbkeras import protocols
from imbkeras._validation import child_seed
from imbkeras.experiments._config import Experiment, MethodSpec


def _norm(obj) -> tuple:
    """``(normalise(obj), whether anything changed)``."""
    t = type(obj)
    if t is str or t is int or t is bool or obj is None:
        return obj, False
    if t is float:
        if math.isfinite(obj) and obj.is_integer():
            return int(obj), True
        return obj, False
    if isinstance(obj, dict):
        out, changed = {}, False
        for k, v in obj.items():
            v2, c = _norm(v)
            if type(k) is not str:
                k, c = str(k), True
            out[k] = v2
            changed = changed or c
        return out, changed
    if isinstance(obj, (list, tuple)):
        out, changed = [], not isinstance(obj, list)
        for v in obj:
            v2, c = _norm(v)
            out.append(v2)
            changed = changed or c
        return out, changed
    if isinstance(obj, np.generic):
        return _norm(obj.item())[0], True
    if isinstance(obj, bool):
        return bool(obj), True
    if isinstance(obj, numbers.Integral):
        return int(obj), True
    if isinstance(obj, float):  # a float subclass
        return _norm(float(obj))[0], True
    return obj, False


def normalise(obj):
    """``obj`` with every number in one form: whole floats as ints (``10.0 -> 10``).

    Numbers that are equal are the same setting (``--ratios 10`` and ``ratio:
    10`` in a YAML file are one run), so they must hash alike. Booleans stay
    booleans; numpy scalars become Python numbers; mapping keys become strings;
    tuples become lists.

    Examples:
        >>> normalise({"ratio": 10.0, "mu": 0.5, "seeds": (0, 1), "flag": True})
        {'ratio': 10, 'mu': 0.5, 'seeds': [0, 1], 'flag': True}
    """
    return _norm(obj)[0]


def _dumps(obj) -> str:
    return json.dumps(obj, sort_keys=True, default=str, separators=(",", ":"))


def _sha(text: str, n: int = 12) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:n]


def _canonical(obj) -> str:
    return _dumps(normalise(obj))


def _digest(obj, n: int = 12) -> str:
    return _sha(_canonical(obj), n)


def _legacy_digest(obj, n: int = 12) -> str:
    """The digest of earlier releases (numbers hashed as written): still accepted."""
    return _sha(_dumps(obj), n)


CV_DEFAULTS = {"holdout": {"test_size": 0.3, "seed": 0},
               "stratified_kfold": {"folds": 5, "seed": 0}}


def config_identity(exp) -> dict:
    """What every run of ``exp`` shares and that changes what it computes.

    The data (``dataset_params``), the cross-validation (defaults filled in),
    the imbalance protocol and the shared trainer ``params``, normalised (see
    :func:`normalise`). The grid axes (datasets, scenarios, folds, seeds,
    methods) choose runs and are not part of it; each method's own settings
    are compared by name (:func:`method_identity`). ``exp`` is an
    :class:`Experiment` or its mapping (a stored ``experiment.yaml``).
    """
    get = exp.get if isinstance(exp, dict) else (lambda k, d=None: getattr(exp, k, d))
    cv = get("cv", None)
    if cv is None:
        cv = {"kind": "holdout"}
    if isinstance(cv, dict):
        cv = {**CV_DEFAULTS.get(cv.get("kind"), {}), **cv}
    return normalise({"dataset_params": get("dataset_params", None) or {}, "cv": cv,
                      "protocol": get("protocol", None) or {}, "params": get("params", None) or {}})


def method_identity(spec) -> dict:
    """A method's settings (trainer, params, output, post-processing), normalised."""
    if isinstance(spec, MethodSpec):
        spec = dataclasses.asdict(spec)
    if not isinstance(spec, dict):
        return normalise(spec)
    return normalise({"params": {}, "output": "default", "post": None, "post_params": {},
                      **spec})


def scenario_label(s: dict) -> str:
    """``{"kind": "step", "ratio": 10, "mu": 0.5}`` -> ``"step_rho10_mu0.5"``."""
    parts = [str(s.get("kind", "none"))]
    if s.get("ratio") is not None:
        parts.append(f"rho{float(s['ratio']):g}")
    if s.get("mu") is not None:
        parts.append(f"mu{float(s['mu']):g}")
    if s.get("minority_classes") is not None:
        parts.append("min" + "-".join(str(c) for c in np.atleast_1d(s["minority_classes"])))
    return "_".join(parts)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "x"


@dataclasses.dataclass(frozen=True)
class Run:
    """One cell of the grid."""

    index: int
    dataset: str
    scenario: dict = dataclasses.field(hash=False, compare=False)
    fold: int = 0
    seed: int = 0
    method: str = ""
    spec: MethodSpec = dataclasses.field(hash=False, compare=False, default=None)
    params: dict = dataclasses.field(hash=False, compare=False, default=None)
    training_key: str = ""
    fingerprint: str = ""
    legacy_fingerprint: str = dataclasses.field(default="", compare=False)

    @property
    def fingerprints(self) -> tuple:
        """The fingerprints a stored result of this run may carry (current, older release)."""
        return (self.fingerprint, self.legacy_fingerprint) if self.legacy_fingerprint \
            else (self.fingerprint,)

    @property
    def run_id(self) -> str:
        return _safe(f"{self.dataset}__{scenario_label(self.scenario)}__fold{self.fold}"
                     f"__seed{self.seed}__{self.method}")

    def columns(self) -> dict:
        """The grid columns of this run's row in ``results.csv``."""
        return {"dataset": self.dataset, "kind": self.scenario.get("kind"),
                "ratio": self.scenario.get("ratio"), "mu": self.scenario.get("mu"),
                "fold": self.fold, "seed": self.seed, "method": self.method}


@dataclasses.dataclass
class Group:
    """Runs that share one training (same data, trainer and parameters)."""

    key: str
    runs: list

    @property
    def wanted(self) -> frozenset:
        return frozenset(r.spec.output for r in self.runs)


#: How an imbalanced subset's seed derives from the run's (part of its fingerprint, so
#: that results drawn with the earlier ``seed + 1000 * fold`` are never taken as this
#: scheme's: a directory holding them is refused as another configuration).
SUBSET_SEED = "child_seed(seed, 'imbalance', fold)"


def expand(exp: Experiment) -> list[Run]:
    """Every run of the grid, in order ``datasets x scenarios x folds x seeds x methods``."""
    runs = []
    data_part = {"dataset_params": exp.dataset_params, "cv": exp.cv, "protocol": exp.protocol}
    # Normalised once per part (see normalise); hashed per run. The digest of
    # earlier releases is kept only where normalising changed something.
    data_n, data_c = _norm(data_part)
    scenarios = [(s, *_norm(s)) for s in exp.expand_scenarios()]
    specs = []
    for name, spec in exp.methods.items():
        params = {**exp.params, **spec.params}
        tail = {"output": spec.output, "post": spec.post, "post_params": spec.post_params}
        specs.append((name, spec, params, *_norm(params), *_norm(tail)))
    for dataset in exp.datasets:
        for scenario, scen_n, scen_c in scenarios:
            for fold in exp.fold_list():
                for seed in exp.seeds:
                    fold_n, fold_c = _norm(fold)
                    seed_n, seed_c = _norm(seed)
                    for name, spec, params, params_n, params_c, tail_n, tail_c in specs:
                        train_n = {"dataset": dataset, **data_n, "scenario": scen_n,
                                   "fold": fold_n, "seed": seed_n, "trainer": spec.trainer,
                                   "params": params_n}
                        if scenario.get("kind", "none") != "none":
                            train_n["subset_seed"] = SUBSET_SEED
                        key = _sha(_dumps(train_n))
                        fp = _sha(_dumps({**train_n, **tail_n}))
                        legacy = ""
                        if data_c or scen_c or fold_c or seed_c or params_c or tail_c:
                            train = {"dataset": dataset, **data_part, "scenario": scenario,
                                     "fold": fold, "seed": seed, "trainer": spec.trainer,
                                     "params": params, "output": spec.output,
                                     "post": spec.post, "post_params": spec.post_params}
                            if "subset_seed" in train_n:
                                train["subset_seed"] = SUBSET_SEED
                            legacy = _legacy_digest(train)
                        runs.append(Run(len(runs), dataset, scenario, fold, seed, name, spec,
                                        params, key, fp, legacy if legacy != fp else ""))
    ids = [r.run_id for r in runs]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:3]
        raise ValueError(f"the grid has repeated runs {dup}: a scenario, seed, fold or method "
                         f"is listed twice.")
    return runs


def groups(runs: list[Run]) -> list[Group]:
    """Runs grouped by training key, in the order of their first run."""
    out: dict[str, Group] = {}
    for r in runs:
        out.setdefault(r.training_key, Group(r.training_key, [])).runs.append(r)
    return list(out.values())


# -- data ---------------------------------------------------------------------

def fold_indices(y, cv: dict) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train, test)`` index pairs of every fold of ``cv`` (stratified, seeded)."""
    y = np.asarray(y)
    seed = int(cv.get("seed", 0))
    if cv["kind"] == "holdout":
        tr, te = split_indices(y, float(cv.get("test_size", 0.3)), seed)
        return [(tr, te)]
    return protocols.stratified_folds(y, int(cv.get("folds", 5)), seed=seed)


def split_indices(y, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A stratified ``(keep, held_out)`` split with ``fraction`` held out."""
    import sklearn.model_selection

    y = np.asarray(y)
    idx = np.arange(len(y))
    if y.ndim == 2:
        n = max(2, int(round(1.0 / fraction)))
        return protocols.stratified_folds(y, n, seed=seed)[0]
    tr, te = sklearn.model_selection.train_test_split(idx, test_size=fraction, stratify=y,
                                                      random_state=seed)
    return tr, te


def realised_ratio(y) -> float:
    """Largest / smallest class (or label) count of a training set."""
    y = np.asarray(y)
    return protocols.realised_ratio(y.sum(axis=0) if y.ndim == 2 else np.bincount(y))


# The data cannot support a scenario (a class would get no sample): the runner records its
# runs as infeasible. Defined by the protocols, which raise it.
InfeasibleScenario = protocols.InfeasibleScenario


def protocol_indices(y, scenario: dict, protocol: dict, seed: int, fold: int) -> np.ndarray:
    """Indices of the imbalanced subset of a training fold (all for kind ``none``).

    Raises:
        InfeasibleScenario: when a class would get no sample.
    """
    if scenario.get("kind", "none") == "none":
        return np.arange(len(y))
    return protocols.imbalance_indices(
        y, scenario["kind"], scenario["ratio"], scenario.get("mu"),
        minority_classes=scenario.get("minority_classes"),
        max_per_class=protocol.get("max_per_class"), seed=child_seed(seed, "imbalance", fold))


def _take(x, idx):
    """Rows ``idx`` of ``x``; a ``FileSource`` stays on disk (a FileSource of those files)."""
    from imbkeras.pipeline import FileSource

    if isinstance(x, FileSource):
        return FileSource([x.paths[i] for i in np.asarray(idx).tolist()], x.loader,
                          sample_shape=x.sample_shape, dtype=x.dtype)
    return x[idx]


def prepare(bundle, exp: Experiment, run: Run, folds_cache: dict):
    """The training and test data of ``run``: fold split, then the imbalance protocol."""
    if bundle.x_test is not None and exp.cv["kind"] == "holdout":
        x_tr_full, y_tr_full = bundle.x, np.asarray(bundle.y)
        x_te, y_te = bundle.x_test, np.asarray(bundle.y_test)
    else:
        # The dataset's parameters too: one name may hold other data (another n) in a process.
        key = (run.dataset, _canonical(exp.dataset_params), _canonical(exp.cv))
        if key not in folds_cache:
            folds_cache[key] = fold_indices(bundle.y, exp.cv)
        tr, te = folds_cache[key][run.fold]
        y = np.asarray(bundle.y)
        x_tr_full, y_tr_full = _take(bundle.x, tr), y[tr]
        x_te, y_te = _take(bundle.x, te), y[te]
    idx = protocol_indices(y_tr_full, run.scenario, exp.protocol, run.seed, run.fold)
    return _take(x_tr_full, idx), y_tr_full[idx], x_te, y_te
