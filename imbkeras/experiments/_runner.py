"""Run an experiment's grid into a results store: locally, in worker processes or on Ray.

The unit of work is a *training group*: the runs that share one training
(e.g. ``baseline`` and ``thresholding``). A runner takes the group's lock,
trains once (or reuses the cached outputs of an interrupted earlier attempt),
evaluates every method of the group and writes each run atomically. Killed at
any point, a rerun skips the completed runs and redoes the rest; several
runners on one directory share the work without duplicates.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import multiprocessing
import platform
import sys
import time
import traceback
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from imbkeras.experiments import _registry
from imbkeras.experiments._config import Experiment
from imbkeras.experiments._context import RunContext, TrainOutput
from imbkeras.experiments._params import bind_params
from imbkeras.experiments._grid import (InfeasibleScenario, _canonical, config_identity, expand,
                                        groups, method_identity, normalise, prepare,
                                        realised_ratio)
from imbkeras.experiments._store import (CONFIG_FILE, FAILED_FILE, RESULTS_FILE, ResultStore,
                                         atomic_write_text)

EXECUTORS = ("local", "processes", "ray")
STRATEGIES = (None, "mirrored")

_BUNDLES: dict = {}  # per process: datasets by (name, params)
_FOLDS: dict = {}  # per process: fold indices by (dataset, cv)
@dataclasses.dataclass
class Options:
    """How runs execute (not part of any result)."""

    strategy: str | None = None
    tensorboard: bool = False
    save_models: bool = False


def _versions() -> dict:
    import keras
    import sklearn
    import tensorflow as tf

    from imbkeras._version import __version__

    return {"imbkeras": __version__, "tensorflow": tf.__version__,
            "keras": keras.__version__, "numpy": np.__version__,
            "scikit-learn": sklearn.__version__, "python": platform.python_version()}


def _bundle(exp: Experiment, name: str):
    key = (name, repr(sorted(exp.dataset_params.items())))
    if key not in _BUNDLES:
        bundle = _registry.DATASETS.get(name)(**exp.dataset_params)
        if not isinstance(bundle, _registry.DataBundle):
            raise TypeError(f"dataset {name!r} must return a DataBundle; returned "
                            f"{type(bundle).__name__}.")
        _BUNDLES[key] = bundle
    return _BUNDLES[key]


def _strategy(name):
    if name is None:
        return None
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    devices = [d.name for d in gpus] or [d.name for d in tf.config.list_logical_devices("CPU")]
    return tf.distribute.MirroredStrategy(devices=devices)


def _check_tensorboard() -> None:
    """TensorBoard logs need the ``tensorboard`` package, which TensorFlow no longer installs:
    fail before any run, naming the fix."""
    import importlib.util

    if importlib.util.find_spec("tensorboard") is None:
        raise ImportError("`tensorboard=True` (--tensorboard) writes TensorBoard logs, which "
                          "needs the tensorboard package (TensorFlow no longer installs it): "
                          "pip install 'imbkeras[tensorboard]' (or pip install tensorboard).")


def _evaluate(run, ctx: RunContext, trained: dict):
    outputs = trained["outputs"]
    y_prob = outputs[run.spec.output]
    # The trainer's own decisions score the method, unless a post-processor changes the scores.
    y_pred = trained.get("decisions", {}).get(run.spec.output)
    threshold = None
    if run.spec.post is not None:
        post = _registry.POSTPROCESSORS.get(run.spec.post)
        res = post(dict(outputs), ctx, **run.spec.post_params)
        y_prob, threshold = res if isinstance(res, tuple) else (res, None)
        y_pred = None
    y_prob = np.asarray(y_prob)
    from imbkeras import metrics  # scikit-learn: loaded by the first run, not by `--list`

    if ctx.multilabel:
        rep = metrics.report_multilabel(ctx.y_test, y_prob,
                                        0.5 if threshold is None else threshold)
        scalars = {k: rep[k] for k in metrics.MULTILABEL_SCALAR_KEYS}
        scalars["degenerate"] = metrics.is_degenerate(y_prob, rep["threshold"])
        detail = {"per_label": rep["per_label"], "threshold": rep["threshold"],
                  "mlcm": rep["mlcm"], "mlcm_normalized": rep["mlcm_normalized"]}
        y_pred = None
    else:
        rep = metrics.report(ctx.y_test, y_prob, y_pred=y_pred)
        scalars = {k: rep[k] for k in metrics.SCALAR_KEYS}
        y_pred = y_prob.argmax(axis=1) if y_pred is None else np.asarray(y_pred)
        scalars["degenerate"] = metrics.is_degenerate(np.eye(y_prob.shape[1])[y_pred])
        detail = {"per_class": rep["per_class"], "confusion_matrix": rep["confusion_matrix"],
                  "normalized_confusion": rep["normalized_confusion"]}
    return y_prob, y_pred, threshold, scalars, detail


def execute_group(root: str, exp_dict: dict, runs: list, options: dict) -> list:
    """Train one group and write its runs; returns ``[(run_id, status, message)]``.

    A job of any executor: the configuration, the group's :class:`Run` objects
    (they travel with the job, so no worker expands the grid) and the
    :class:`Options`, all picklable. ``status`` is ``"done"``, ``"skipped"``
    (completed elsewhere meanwhile), ``"infeasible"`` (the data cannot support
    the scenario), ``"locked"`` (another runner holds the group) or
    ``"failed"``.
    """
    exp = Experiment(**exp_dict)
    exp.import_modules()
    opts = Options(**options)
    store = ResultStore(root)
    lock = store.lock(runs[0].training_key)
    if not lock.acquire():
        return [(r.run_id, "locked", "") for r in runs]
    status = []
    try:
        todo = [r for r in runs if not store.is_done(r.run_id, r.fingerprints)]
        status += [(r.run_id, "skipped", "") for r in runs if r not in todo]
        if not todo:
            return status
        try:
            status += _train_and_write(store, exp, todo, opts)
        except InfeasibleScenario as err:
            status += [(r.run_id, "infeasible", str(err)) for r in todo]
        except Exception as err:  # noqa: BLE001 - recorded, the grid goes on
            tb = traceback.format_exc()
            for r in todo:
                store.write_error(r.run_id, {"run_id": r.run_id, "error": repr(err),
                                             "traceback": tb, "time": time.time()})
            status += [(r.run_id, "failed", f"{type(err).__name__}: {err}") for r in todo]
    finally:
        lock.release()
    return status


def _train_and_write(store: ResultStore, exp: Experiment, runs: list, opts: Options) -> list:
    import keras

    first = runs[0]
    bundle = _bundle(exp, first.dataset)
    x_tr, y_tr, x_te, y_te = prepare(bundle, exp, first, _FOLDS)
    wanted = frozenset(r.spec.output for r in runs)
    key = first.training_key
    run_dir = store.training_dir(key)
    run_dir.mkdir(parents=True, exist_ok=True)
    ctx = RunContext(x_train=x_tr, y_train=y_tr, x_test=x_te, y_test=y_te,
                     num_classes=bundle.num_classes, class_names=bundle.class_names,
                     multilabel=bundle.multilabel, seed=first.seed, params=dict(first.params),
                     dataset=first.dataset, scenario=dict(first.scenario), fold=first.fold,
                     run_dir=run_dir, verbose=exp.verbose, wanted=wanted,
                     strategy=_strategy(opts.strategy), tensorboard=opts.tensorboard,
                     run_ids=tuple(r.run_id for r in runs), log_root=store.root,
                     save_models=opts.save_models)
    trained = store.load_training(key, wanted)
    if trained is None:
        keras.utils.set_random_seed(first.seed)
        t0 = time.time()
        trainer = _registry.TRAINERS.get(first.spec.trainer)
        out = TrainOutput.coerce(trainer(ctx, **bind_params(trainer, first.params, skip=1)),
                                 first.spec.trainer)
        seconds = time.time() - t0
        for note in ctx.finish():
            warnings.warn(f"save_models: trainer {first.spec.trainer!r} {note}.", UserWarning,
                          stacklevel=1)
        missing = wanted - set(out.outputs)
        if missing:
            raise ValueError(f"trainer {first.spec.trainer!r} did not return the outputs "
                             f"{sorted(missing)} that methods "
                             f"{[r.method for r in runs if r.spec.output in missing]} evaluate; "
                             f"it returned {sorted(out.outputs)}.")
        store.save_training(key, out.stored_arrays(), out.tables, out.info, seconds)
        trained = {"outputs": out.outputs, "decisions": out.decisions, "tables": out.tables,
                   "info": out.info, "train_seconds": seconds}
    else:
        trained["outputs"], trained["decisions"] = TrainOutput.split_stored(trained["outputs"])
    versions = _versions()
    identity = config_identity(exp)
    ratio = realised_ratio(y_tr)
    status = []
    for run in runs:
        t0 = time.time()
        y_prob, y_pred, threshold, scalars, detail = _evaluate(run, ctx, trained)
        info_cols = {k: v for k, v in trained["info"].items()
                     if isinstance(v, (int, float, str, bool, np.generic))}
        # Multi-class: the confusion matrix as a column (JSON, rows true), per-class
        # counts that tables and findings pool over folds (``_findings.pooled_confusion``).
        confusion = ({"confusion": json.dumps(np.asarray(detail["confusion_matrix"])
                                              .astype(int).tolist())}
                     if "confusion_matrix" in detail else {})
        row = {**run.columns(), "n_train": int(len(y_tr)), "n_test": int(len(y_te)),
               "realised_ratio": ratio,
               "train_seconds": round(float(trained["train_seconds"] or 0.0), 3),
               **scalars, **confusion, **info_cols, "training_key": key, "run_id": run.run_id}
        result = {
            "run_id": run.run_id, "fingerprint": run.fingerprint, "training_key": key,
            "config_identity": identity, "status": "ok", "row": row,
            "config": {"dataset": run.dataset, "dataset_params": exp.dataset_params,
                       "cv": exp.cv, "protocol": exp.protocol, "scenario": run.scenario,
                       "fold": run.fold, "seed": run.seed, "method": run.method,
                       "method_spec": dataclasses.asdict(run.spec), "params": run.params},
            "metrics": scalars, **detail,
            "requested_ratio": run.scenario.get("ratio"), "realised_ratio": ratio,
            "class_names": bundle.class_names, "info": trained["info"],
            "timings": {"train_seconds": trained["train_seconds"],
                        "eval_seconds": time.time() - t0, "finished": time.time()},
            "versions": versions,
        }
        preds = {"y_true": y_te, "y_prob": y_prob}
        if y_pred is not None:
            preds["y_pred"] = y_pred
        if threshold is not None:
            preds["threshold"] = np.asarray(threshold)
        store.write_run(run.run_id, result, preds, trained["tables"])
        status.append((run.run_id, "done", _summary(scalars)))
    return status



def _summary(scalars: dict) -> str:
    keys = [k for k in ("auc_ovr", "macro_auc", "accuracy", "macro_f1") if k in scalars][:3]
    return " ".join(f"{k}={scalars[k]:.4f}" for k in keys)


@dataclasses.dataclass
class GridStatus:
    """Counts of one ``run_experiment`` call."""

    total: int = 0
    done: int = 0
    skipped: int = 0
    infeasible: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list = dataclasses.field(default_factory=list)


def _leaf(value) -> str:
    from imbkeras._validation import _short

    return _short(value, 40)


def _diff(ours, theirs, prefix: str = "") -> list[str]:
    """Where two normalised settings differ, one line per dotted key.

    ``"params.iterations: 40 here, 20 in the directory"``.
    """
    if isinstance(ours, dict) and isinstance(theirs, dict):
        out = []
        for k in list(ours) + [k for k in theirs if k not in ours]:
            key = f"{prefix}.{k}" if prefix else str(k)
            if k not in theirs:
                out.append(f"{key}: {_leaf(ours[k])} here, not set in the directory")
            elif k not in ours:
                out.append(f"{key}: not set here, {_leaf(theirs[k])} in the directory")
            else:
                out += _diff(ours[k], theirs[k], key)
        return out
    if _canonical(ours) == _canonical(theirs):
        return []
    return [f"{prefix}: {_leaf(ours)} here, {_leaf(theirs)} in the directory"]


def store_conflicts(exp: Experiment, store: ResultStore, runs: list | None = None
                    ) -> list[str]:
    """How the settings of ``exp`` differ from those of the runs in ``store`` (``[]``: none).

    Compared: the configuration's identity (data, cv, protocol, shared
    params; see ``config_identity``) with the stored ``experiment.yaml`` and
    with every completed run; each method's settings with the stored method
    of the same name and with its completed runs; and the fingerprint of every
    completed run of this grid (``runs``: ``expand(exp)``, expanded here when
    omitted).
    """
    ident = config_identity(exp)
    methods = {name: method_identity(spec) for name, spec in exp.methods.items()}
    diffs: list[str] = []
    memo: dict = {}

    def diff(ours, theirs, prefix=""):
        # Thousands of runs share a few settings: compare each distinct pair once.
        key = (prefix, _canonical(ours), _canonical(theirs))
        if key not in memo:
            memo[key] = [] if key[1] == key[2] else _diff(ours, theirs, prefix)
        return memo[key]

    text = store.config_text()
    if text is not None:
        try:
            stored = yaml.safe_load(text)
        except yaml.YAMLError:
            stored = None
        if not isinstance(stored, dict):
            diffs.append(f"its {CONFIG_FILE} cannot be read as a configuration")
        else:
            diffs += diff(ident, config_identity(stored))
            stored_methods = stored.get("methods")
            if isinstance(stored_methods, dict):
                for name, spec in stored_methods.items():
                    if name in methods:
                        diffs += diff(methods[name], method_identity(spec), f"methods.{name}")
    by_id = {r.run_id: r for r in (expand(exp) if runs is None else runs)}
    for rid, res in store.results().items():
        cfg = res.get("config") if isinstance(res.get("config"), dict) else {}
        if isinstance(res.get("config_identity"), dict):
            diffs += diff(ident, res["config_identity"])
        else:  # written before config_identity was recorded: its data, cv and protocol
            diffs += diff(ident, config_identity({**cfg, "params": exp.params}))
        method = cfg.get("method")
        if method in methods and "method_spec" in cfg:
            spec = exp.methods[method]
            diffs += diff(methods[method], method_identity(cfg["method_spec"]),
                           f"methods.{method}")
            diffs += diff(normalise({**exp.params, **spec.params}),
                           normalise(cfg.get("params")), f"methods.{method}.params (merged)")
        run = by_id.get(rid)
        if run is not None and res.get("fingerprint") not in run.fingerprints:
            diffs.append(f"run {rid!r} was computed with other data, protocol, trainer or "
                         f"parameters")
    return list(dict.fromkeys(diffs))


def check_store(exp: Experiment, out, force: bool = False, store: ResultStore | None = None,
                runs: list | None = None) -> list[str]:
    """Refuse a directory that is not this configuration's, before anything is written.

    A directory is adopted when it does not exist, is empty (hidden files
    aside), or was made by imbkeras (``experiment.yaml`` or ``runs/``) for
    the same configuration: the same data, cv, protocol and shared params,
    the same settings for every method of the same name, and, for every
    completed run of this grid, the same fingerprint. Another grid of the same
    configuration (more seeds, ratios, folds or methods) extends the directory.

    Args:
        exp: the configuration to run.
        out: the experiment directory.
        force: accept a directory of another configuration (``run_experiment``
            then discards its runs); a directory of other files is refused
            even so.
        store: the :class:`ResultStore` of ``out`` (made when omitted).
        runs: ``expand(exp)`` when the caller has it (expanded when needed otherwise).

    Returns:
        How the configurations differ (``[]`` when they do not).

    Raises:
        ValueError: for a path that is a file, a directory of files not written
            by imbkeras, or (without ``force``) a directory of another
            configuration.
    """
    out = Path(out)
    store = store if store is not None else ResultStore(out)
    state = store.state()
    if state == "not_a_directory":
        raise ValueError(f"`out`={str(out)!r} exists and is not a directory.")
    if state in ("missing", "empty"):
        return []
    if state == "foreign":
        entries = store.foreign_entries()
        shown = ", ".join(entries[:5]) + (f", ... ({len(entries)} in all)" if len(entries) > 5
                                          else "")
        raise ValueError(
            f"`out`={str(out)!r} is not an imbkeras experiment directory: it holds {shown} "
            f"and no {CONFIG_FILE} or runs/. A run writes {RESULTS_FILE}, report.md, "
            f"provenance.json, tables and plots there and would overwrite files of the same "
            f"name, so nothing was written. Give an empty or new directory (--out); --force "
            f"does not apply to a directory imbkeras did not make.")
    conflicts = store_conflicts(exp, store, runs)
    if conflicts and not force:
        n = len(store.run_ids())
        more = f" (and {len(conflicts) - 3} more)" if len(conflicts) > 3 else ""
        raise ValueError(
            f"`out`={str(out)!r} holds {n} completed run(s) of a different configuration: "
            f"{'; '.join(conflicts[:3])}{more}. Their results must not be mixed with this "
            f"configuration's, so nothing was written. Give this configuration a new "
            f"directory (--out), or rerun with --force (force=True) to discard the "
            f"directory's runs and replace them.")
    return conflicts


def run_experiment(exp: Experiment, out, *, executor: str = "local", workers: int = 2,
                   force: bool = False, ray_address: str | None = None,
                   cpus_per_run: float = 1, gpus_per_run: float = 0,
                   strategy: str | None = None, tensorboard: bool = False,
                   save_models: bool = False, progress: bool = True) -> pd.DataFrame:
    """Run every pending run of ``exp`` into the store ``out``; return the results table.

    Args:
        exp: the :class:`Experiment` (validated here, before anything is written).
        out: the experiment directory (created if needed).
        executor: ``"local"`` (one run at a time in this process),
            ``"processes"`` (``workers`` processes on this machine) or
            ``"ray"`` (one task per training on a Ray cluster).
        workers: processes for ``executor="processes"``.
        force: rerun this grid's completed runs; on a directory of another
            configuration, discard all of its runs first (see :func:`check_store`).
        ray_address: an existing Ray cluster (default: start a local one).
        cpus_per_run, gpus_per_run: Ray resources of each task.
        strategy: ``"mirrored"`` trains each run under
            ``tf.distribute.MirroredStrategy`` over every GPU (or every logical
            CPU device when there is no GPU).
        tensorboard: write TensorBoard logs per training (``tensorboard/<run id>``;
            needs ``imbkeras[tensorboard]``, checked before any run).
        save_models: keep each training's fitted model (``model.keras`` in
            ``trainings/<key>/``; ``model_fit<i>.keras`` for a training that
            fits several). Every training that fits a Keras model through
            ``RunContext.callbacks()`` writes ``history.csv`` there anyway.
        progress: show a tqdm progress bar.

    Returns:
        The results table (one row per completed run of the store, this grid's
        runs first in grid order); ``df.attrs["status"]`` is a
        :class:`GridStatus`.

    Raises:
        ValueError: for an invalid config, executor or strategy, a directory of
            files imbkeras did not write, or a directory written by a different
            config (without ``force``); nothing is written then.
    """
    _check_options(executor, strategy, workers, cpus_per_run, gpus_per_run, save_models)
    runs, store = _prepare_store(exp, out, force, tensorboard=tensorboard, executor=executor)
    order = [r.run_id for r in runs]
    status = GridStatus(total=len(runs))
    pending = [g for g in groups(runs)
               if any(not store.is_done(r.run_id, r.fingerprints) for r in g.runs)]
    status.skipped = len(runs) - sum(len(g.runs) for g in pending)
    options = dataclasses.asdict(Options(strategy, tensorboard, save_models))
    jobs = [(str(store.root), exp.to_dict(), list(g.runs), options) for g in pending]
    t0 = time.time()
    progress = _GridProgress(store, order, status, _progress(len(runs), status.skipped, progress))
    try:
        locked = progress.follow(_dispatch(executor, jobs, workers, ray_address, cpus_per_run,
                                           gpus_per_run))
        _run_locked(store, locked, progress)
    finally:
        progress.bar.close()
        df = store.rebuild_table(order)
    status.seconds = time.time() - t0
    if store.errors():
        failed = pd.DataFrame([{"run_id": e["run_id"], "error": e["error"]}
                               for e in store.errors()])
        atomic_write_text(store.root / FAILED_FILE, failed.to_csv(index=False))
    df.attrs["status"] = status
    return df


def _check_options(executor, strategy, workers, cpus_per_run, gpus_per_run, save_models):
    """Step 1 of :func:`run_experiment`: its execution arguments, before anything else."""
    if executor not in EXECUTORS:
        raise ValueError(f"`executor` must be one of {EXECUTORS}; received {executor!r}.")
    if strategy not in STRATEGIES:
        raise ValueError(f"`strategy` must be one of {STRATEGIES}; received {strategy!r}.")
    if executor == "processes" and (isinstance(workers, bool) or not isinstance(workers, int)
                                    or workers < 1):
        raise ValueError(f"`workers` must be an integer >= 1; received {workers!r}.")
    for name, value in (("cpus_per_run", cpus_per_run), ("gpus_per_run", gpus_per_run)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"`{name}` must be a number >= 0; received {value!r}.")
    if not isinstance(save_models, bool):
        raise ValueError(f"`save_models` must be True or False; received {save_models!r}.")


def _prepare_store(exp: Experiment, out, force: bool, *, tensorboard: bool, executor: str):
    """Step 2: validate, expand the grid, adopt the store (or refuse it), record the config.

    Everything that can refuse the call runs before the first write; with
    ``force`` the store forgets first and records the new configuration after,
    so a kill midway never leaves the new ``experiment.yaml`` over old runs.
    Returns ``(runs, store)``.
    """
    exp.validate()
    _registry.preflight(exp)
    if tensorboard:
        _check_tensorboard()
    runs = expand(exp)
    store = ResultStore(out)
    conflicts = check_store(exp, out, force, store=store, runs=runs)
    if executor == "ray":
        _import_ray()
    store.root.mkdir(parents=True, exist_ok=True)
    if force:
        if conflicts:
            store.discard()
        else:
            import shutil

            for r in runs:
                store.clear_run(r.run_id)
            for key in {r.training_key for r in runs}:
                shutil.rmtree(store.training_dir(key), ignore_errors=True)
        store.rebuild_table([r.run_id for r in runs])
    atomic_write_text(store.root / CONFIG_FILE, exp.to_yaml())
    return runs, store


class _GridProgress:
    """Step 3's bookkeeping: counts each group's results, shows them, keeps results.csv fresh."""

    def __init__(self, store: ResultStore, order: list, status: GridStatus, bar):
        self.store, self.order, self.status, self.bar = store, order, status, bar

    def record(self, results) -> None:
        status, bar = self.status, self.bar
        for run_id, state, message in results:
            if state == "done":
                status.done += 1
            elif state == "skipped":
                status.skipped += 1
            elif state == "infeasible":
                status.infeasible += 1
            elif state == "failed":
                status.failed += 1
                status.failures.append((run_id, message))
            if state != "locked":
                bar.update(1)
            if state in ("done", "failed"):
                bar.write(f"  {state:<6} {run_id} {message}")
            elif state == "infeasible":
                bar.write(f"  skipped {run_id}: {message}")
        bar.set_postfix(done=status.done, skipped=status.skipped, failed=status.failed)
        # After every training that wrote runs: results.csv never lags the store for long
        # (the store caches what it read, so only the new result.json files are read).
        if any(state == "done" for _, state, _ in results):
            self.store.rebuild_table(self.order)

    def follow(self, finished) -> list:
        """Record every ``(job, results)`` as it finishes; return the jobs another runner held."""
        locked = []
        for job, results in finished:
            if results and all(s == "locked" for _, s, _ in results):
                locked.append(job)
            self.record(results)
        return locked


def _run_locked(store: ResultStore, locked: list, progress: _GridProgress) -> None:
    """Step 4: the groups another runner held: wait for it, or take over from a dead one.

    A lock whose owner cannot be read is stale after ``Lock.UNREADABLE_TIMEOUT`` seconds.
    """
    while locked:
        job = locked.pop(0)
        lock = store.lock(job[2][0].training_key)
        while not lock.is_stale_or_free():
            time.sleep(0.5)
        results = execute_group(*job)
        if all(s == "locked" for _, s, _ in results):
            locked.append(job)
            time.sleep(0.5)
            continue
        progress.record(results)


def _progress(total, initial, enabled):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, desc="runs", unit="run", disable=not enabled,
                dynamic_ncols=True, file=sys.stderr)


def _import_ray():
    try:
        import ray
    except ImportError as err:
        raise ValueError("--executor ray needs Ray: pip install 'imbkeras[ray]'.") from err
    return ray


def _dispatch(executor, jobs, workers, ray_address, cpus, gpus):
    """Yield ``(job, results)`` as groups finish."""
    if executor == "local":
        for job in jobs:
            yield job, execute_group(*job)
    elif executor == "processes":
        ctx = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            futures = {pool.submit(execute_group, *job): job for job in jobs}
            for fut in concurrent.futures.as_completed(futures):
                yield futures[fut], _result_or_failure(fut, futures[fut])
    else:
        ray = _import_ray()
        started = not ray.is_initialized()
        if started:
            kwargs = {"include_dashboard": False, "log_to_driver": False}
            if ray_address:
                kwargs["address"] = ray_address
            ray.init(**kwargs)
        try:
            task = ray.remote(num_cpus=cpus, num_gpus=gpus, max_retries=0)(execute_group)
            refs = {task.remote(*job): job for job in jobs}
            while refs:
                done, _ = ray.wait(list(refs), num_returns=1)
                job = refs.pop(done[0])
                try:
                    yield job, ray.get(done[0])
                except Exception as err:  # noqa: BLE001 - a worker died
                    yield job, _failed(job, err)
        finally:
            if started:
                ray.shutdown()


def _failed(job, err):
    return [(r.run_id, "failed", f"worker died: {err!r}") for r in job[2]]


def _result_or_failure(fut, job):
    try:
        return fut.result()
    except Exception as err:  # noqa: BLE001 - a worker process died
        return _failed(job, err)
