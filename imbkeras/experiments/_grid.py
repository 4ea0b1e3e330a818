"""The grid of runs: one :class:`Run` per (dataset, scenario, fold, seed, method),
grouped by the training they share; folds and imbalance applied to the data."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re

import numpy as np

from imbkeras import protocols
from imbkeras.experiments._config import Experiment, MethodSpec


def _canonical(obj) -> str:
    return json.dumps(obj, sort_keys=True, default=str, separators=(",", ":"))


def _digest(obj, n: int = 12) -> str:
    return hashlib.sha1(_canonical(obj).encode()).hexdigest()[:n]


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
    def first(self) -> Run:
        return self.runs[0]

    @property
    def wanted(self) -> frozenset:
        return frozenset(r.spec.output for r in self.runs)


def expand(exp: Experiment) -> list[Run]:
    """Every run of the grid, in order ``datasets x scenarios x folds x seeds x methods``."""
    runs = []
    data_part = {"dataset_params": exp.dataset_params, "cv": exp.cv, "protocol": exp.protocol}
    for dataset in exp.datasets:
        for scenario in exp.expand_scenarios():
            for fold in exp.fold_list():
                for seed in exp.seeds:
                    for name, spec in exp.methods.items():
                        params = {**exp.params, **spec.params}
                        train = {"dataset": dataset, **data_part, "scenario": scenario,
                                 "fold": fold, "seed": seed, "trainer": spec.trainer,
                                 "params": params}
                        key = _digest(train)
                        fp = _digest({**train, "output": spec.output, "post": spec.post,
                                      "post_params": spec.post_params})
                        runs.append(Run(len(runs), dataset, scenario, fold, seed, name, spec,
                                        params, key, fp))
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


class InfeasibleScenario(ValueError):
    """The data cannot support a scenario (a class would get no sample)."""


def protocol_indices(y, scenario: dict, protocol: dict, seed: int, fold: int) -> np.ndarray:
    """Indices of the imbalanced subset of a training fold (all for kind ``none``).

    Raises:
        InfeasibleScenario: when a class would get no sample.
    """
    if scenario.get("kind", "none") == "none":
        return np.arange(len(y))
    try:
        protocols.imbalance_counts(y, scenario["kind"], scenario["ratio"], scenario.get("mu"),
                                   minority_classes=scenario.get("minority_classes"),
                                   max_per_class=protocol.get("max_per_class"),
                                   seed=seed + 1000 * fold)
    except ValueError as err:
        if "would get" in str(err):
            raise InfeasibleScenario(str(err)) from err
        raise
    return protocols.imbalance_indices(
        y, scenario["kind"], scenario["ratio"], scenario.get("mu"),
        minority_classes=scenario.get("minority_classes"),
        max_per_class=protocol.get("max_per_class"), seed=seed + 1000 * fold)


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
        key = (run.dataset, _canonical(exp.cv))
        if key not in folds_cache:
            folds_cache[key] = fold_indices(bundle.y, exp.cv)
        tr, te = folds_cache[key][run.fold]
        y = np.asarray(bundle.y)
        x_tr_full, y_tr_full = _take(bundle.x, tr), y[tr]
        x_te, y_te = _take(bundle.x, te), y[te]
    idx = protocol_indices(y_tr_full, run.scenario, exp.protocol, run.seed, run.fold)
    return _take(x_tr_full, idx), y_tr_full[idx], x_te, y_te
