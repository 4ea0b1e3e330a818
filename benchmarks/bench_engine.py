"""The experiment engine's overhead per run, listing time, and its longest functions.

One run, three measurements:

- overhead: a grid of ``--runs`` runs of a nearest-centroid trainer on small
  blobs through ``run_experiment`` (local executor: data, folds, scenario,
  trainer, metrics, store, results.csv), against the same work done by hand
  in a loop (the same folds and centroid, ``sklearn.metrics`` on the
  predictions); prints seconds, the ratio and the overhead per run in ms
  (Keras, which the engine imports for its first run, is imported before);
- listing: ``imbkeras reproduce buda2018 --profile paper --list`` and
  ``imbkeras --help`` in fresh processes (wall seconds, best of ``--repeat``);
- the five longest functions of ``imbkeras/experiments`` (lines).

Run it at two commits to compare (``PYTHONPATH=<a worktree> python
benchmarks/bench_engine.py``). Usage: ``python benchmarks/bench_engine.py
[--runs 60] [--repeat 3]``.
"""

import argparse
import ast
import contextlib
import io
import pathlib
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold


def _blobs(n=600, k=4, d=16, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(k, n, p=[0.55, 0.25, 0.12, 0.08])
    x = rng.normal(0, 1, (n, 4, 4, 1)).astype("float32")
    x += (y[:, None, None, None] * 0.5).astype("float32")
    return x, y


def _centroid(x_train, y_train, x_test, k):
    xt = x_train.reshape(len(x_train), -1)
    cent = np.stack([xt[y_train == c].mean(0) for c in range(k)])
    d = ((x_test.reshape(len(x_test), -1)[:, None] - cent[None]) ** 2).sum(-1)
    p = np.exp(-(d - d.min(1, keepdims=True)) / 10.0)
    return p / p.sum(1, keepdims=True)


def overhead(n_runs):
    from imbkeras.experiments import Experiment, run_experiment
    from imbkeras.experiments._context import TrainOutput
    from imbkeras.experiments._registry import (DataBundle, register_dataset,
                                                register_trainer)

    @register_dataset("bench.blobs")
    def blobs():
        x, y = _blobs()
        return DataBundle(x, y)

    @register_trainer("bench.centroid")
    def centroid(ctx):
        return TrainOutput({"default": _centroid(ctx.x_train, ctx.y_train, ctx.x_test,
                                                 ctx.num_classes)})

    folds, seeds = 5, max(1, n_runs // 5)
    exp = Experiment.from_dict({
        "name": "bench", "datasets": ["bench.blobs"],
        "cv": {"kind": "stratified_kfold", "folds": folds, "seed": 0},
        "scenarios": [{"kind": "none"}], "seeds": list(range(seeds)),
        "methods": {"centroid": {"trainer": "bench.centroid"}}, "report": {}})
    import keras  # noqa: F401 - the engine imports Keras for every run: not timed here

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings(), \
            contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        df = run_experiment(exp, pathlib.Path(tmp) / "out", progress=False)
        engine = time.perf_counter() - t
    n = len(df)
    x, y = _blobs()
    t = time.perf_counter()
    for _ in range(seeds):
        for tr, te in StratifiedKFold(folds, shuffle=True, random_state=0).split(x, y):
            p = _centroid(x[tr], y[tr], x[te], 4)
            f1_score(y[te], p.argmax(1), average="macro")
            roc_auc_score(y[te], p, multi_class="ovr")
    bare = time.perf_counter() - t
    print(f"overhead   {n} runs: engine {engine:6.2f} s   by hand {bare:6.3f} s   ratio "
          f"{engine / bare:6.1f}x   overhead per run {1000 * (engine - bare) / n:6.1f} ms")


def listing(repeat):
    exe = pathlib.Path(sys.executable).with_name("imbkeras")
    for args in (["reproduce", "buda2018", "--profile", "paper", "--list"], ["--help"]):
        best = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run([str(exe), *args], capture_output=True, check=True)
            best = min(best, time.perf_counter() - t)
        print(f"listing    imbkeras {' '.join(args):<45} {best:5.2f} s (best of {repeat})")


def longest(top=5):
    import imbkeras.experiments

    root = pathlib.Path(imbkeras.experiments.__file__).parent
    rows = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                rows.append((node.end_lineno - node.lineno + 1, path.relative_to(root.parent),
                             node.name))
    for lines, path, name in sorted(rows, key=lambda r: -r[0])[:top]:
        print(f"longest    {lines:4d} lines  {path}:{name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60, help="runs of the overhead grid")
    parser.add_argument("--repeat", type=int, default=3, help="tries of each listing")
    args = parser.parse_args()
    overhead(args.runs)
    listing(args.repeat)
    longest()


if __name__ == "__main__":
    main()
