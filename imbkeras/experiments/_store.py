"""Kill-safe results store: one directory per run, atomic writes, a lock per training.

Layout of an experiment directory::

    experiment.yaml            the configuration last run here
    runs/<run_id>/result.json  config, metrics, timings, versions (written last)
    runs/<run_id>/predictions.npz
    runs/<run_id>/tables/<name>.csv
    runs/<run_id>/error.json   traceback of a failed run (retried on rerun)
    trainings/<key>/           outputs shared by the methods of one training
    locks/<key>.lock           held while a runner trains ``key``
    results.csv                one row per completed run, rebuilt from runs/

Every file is written to a temporary name, flushed, fsynced and renamed, so a
process killed at any point leaves either the old file or the new one. A run
counts as completed only when its ``result.json`` exists; on rerun, completed
runs are skipped and anything else is redone. ``results.csv`` is always
rebuilt from ``runs/``, never appended to, and never replaced by an empty
table.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import socket
import time
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS_FILE = "results.csv"
CONFIG_FILE = "experiment.yaml"


def _fsync_dir(path: Path):
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)
    return path


def atomic_write_text(path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, Path):
        return str(obj)
    return obj


def dumps(obj) -> str:
    return json.dumps(_jsonable(obj), indent=2, sort_keys=False)


def save_npz(path, **arrays) -> Path:
    buf = io.BytesIO()
    np.savez_compressed(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    return atomic_write_bytes(path, buf.getvalue())


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Lock:
    """An exclusive lock file (``O_CREAT | O_EXCL``) holding ``{pid, host, time}``.

    A lock left by a dead process of this host (killed runner) is stale and
    is broken by the next runner.
    """

    def __init__(self, path):
        self.path = Path(path)
        self.held = False

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if not self._break_if_stale():
                    return False
                continue
            with os.fdopen(fd, "w") as fh:
                json.dump({"pid": os.getpid(), "host": socket.gethostname(),
                           "time": time.time()}, fh)
            self.held = True
            return True
        return False

    def owner(self) -> dict | None:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None

    def _break_if_stale(self) -> bool:
        info = self.owner()
        if info is None:
            # Being written right now, or garbage left by a kill mid-write.
            try:
                age = time.time() - self.path.stat().st_mtime
            except OSError:
                return True
            if age < 5:
                return False
        elif info.get("host") != socket.gethostname() or _pid_alive(int(info.get("pid", -1))):
            return False
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        return True

    def is_stale_or_free(self) -> bool:
        if not self.path.exists():
            return True
        info = self.owner()
        return info is not None and info.get("host") == socket.gethostname() \
            and not _pid_alive(int(info.get("pid", -1)))

    def release(self):
        if self.held:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            self.held = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


class ResultStore:
    """The directory of one experiment (see the module docstring)."""

    def __init__(self, root):
        self.root = Path(root)

    # -- paths ------------------------------------------------------------
    def run_dir(self, run_id: str) -> Path:
        return self.root / "runs" / run_id

    def training_dir(self, key: str) -> Path:
        return self.root / "trainings" / key

    def lock(self, key: str) -> Lock:
        return Lock(self.root / "locks" / f"{key}.lock")

    # -- runs -------------------------------------------------------------
    def result(self, run_id: str) -> dict | None:
        """The stored ``result.json`` of a completed run, else ``None``."""
        path = self.run_dir(run_id) / "result.json"
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return None

    def is_done(self, run_id: str, fingerprint: str | None = None) -> bool:
        res = self.result(run_id)
        return res is not None and (fingerprint is None or res.get("fingerprint") == fingerprint)

    def write_run(self, run_id: str, result: dict, predictions: dict, tables: dict):
        """Predictions and tables first, ``result.json`` last (the completion mark)."""
        d = self.run_dir(run_id)
        save_npz(d / "predictions.npz", **predictions)
        for name, df in tables.items():
            atomic_write_text(d / "tables" / f"{name}.csv", df.to_csv(index=False))
        with contextlib.suppress(FileNotFoundError):
            (d / "error.json").unlink()
        atomic_write_text(d / "result.json", dumps(result))

    def write_error(self, run_id: str, error: dict):
        atomic_write_text(self.run_dir(run_id) / "error.json", dumps(error))

    def clear_run(self, run_id: str):
        """Forget a completed run (``--force``): its result.json goes first."""
        with contextlib.suppress(FileNotFoundError):
            (self.run_dir(run_id) / "result.json").unlink()

    def run_ids(self) -> list[str]:
        runs = self.root / "runs"
        return sorted(p.name for p in runs.iterdir() if (p / "result.json").exists()) \
            if runs.is_dir() else []

    def errors(self) -> list[dict]:
        runs = self.root / "runs"
        out = []
        if runs.is_dir():
            for p in sorted(runs.glob("*/error.json")):
                if not (p.parent / "result.json").exists():
                    with contextlib.suppress(OSError, ValueError):
                        out.append(json.loads(p.read_text()))
        return out

    def predictions(self, run_id: str) -> dict:
        """``{"y_true", "y_prob", ...}`` of a run."""
        with np.load(self.run_dir(run_id) / "predictions.npz") as data:
            return {k: data[k] for k in data.files}

    # -- training cache ---------------------------------------------------
    def load_training(self, key: str, wanted) -> dict | None:
        d = self.training_dir(key)
        try:
            meta = json.loads((d / "training.json").read_text())
            with np.load(d / "outputs.npz") as data:
                outputs = {k: data[k] for k in data.files}
        except (OSError, ValueError):
            return None
        if not set(wanted) <= set(outputs):
            return None
        tables = {}
        for name in meta.get("tables", []):
            try:
                tables[name] = pd.read_csv(d / "tables" / f"{name}.csv")
            except (OSError, ValueError, pd.errors.EmptyDataError):
                return None
        return {"outputs": outputs, "tables": tables, "info": meta.get("info", {}),
                "train_seconds": meta.get("train_seconds")}

    def save_training(self, key: str, outputs: dict, tables: dict, info: dict,
                      train_seconds: float):
        d = self.training_dir(key)
        save_npz(d / "outputs.npz", **outputs)
        for name, df in tables.items():
            atomic_write_text(d / "tables" / f"{name}.csv", df.to_csv(index=False))
        atomic_write_text(d / "training.json", dumps({
            "tables": list(tables), "info": info, "train_seconds": train_seconds}))

    # -- tables -----------------------------------------------------------
    def rows(self, order: list[str] | None = None) -> list[dict]:
        """The ``row`` of every completed run: ``order`` first, then the rest by id."""
        ids = self.run_ids()
        if order is not None:
            rank = {rid: i for i, rid in enumerate(order)}
            ids.sort(key=lambda rid: (rank.get(rid, len(rank)), rid))
        rows = []
        for rid in ids:
            res = self.result(rid)
            if res is not None:
                rows.append(res["row"])
        return rows

    def rebuild_table(self, order: list[str] | None = None) -> pd.DataFrame:
        """Rewrite ``results.csv`` from the completed runs (never with no rows)."""
        df = pd.DataFrame(self.rows(order))
        if len(df):
            atomic_write_text(self.root / RESULTS_FILE, df.to_csv(index=False))
        return df

    def table(self) -> pd.DataFrame:
        """``results.csv``, or the rows of the store when the table is missing."""
        path = self.root / RESULTS_FILE
        if path.is_file():
            return pd.read_csv(path)
        return pd.DataFrame(self.rows())

    def tables(self, name: str) -> pd.DataFrame:
        """A per-run table concatenated over completed runs, with the run's grid columns."""
        parts = []
        for rid in self.run_ids():
            path = self.run_dir(rid) / "tables" / f"{name}.csv"
            if path.is_file():
                res = self.result(rid) or {}
                grid = {k: v for k, v in res.get("row", {}).items()
                        if k in ("dataset", "kind", "ratio", "mu", "fold", "seed", "method")}
                part = pd.read_csv(path)
                for k, v in reversed(list(grid.items())):
                    part.insert(0, k, v)
                part.insert(0, "run_id", rid)
                parts.append(part)
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def config_text(self) -> str | None:
        path = self.root / CONFIG_FILE
        return path.read_text() if path.is_file() else None
