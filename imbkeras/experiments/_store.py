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
runs are skipped and anything else is redone. ``runs/`` is the source of
truth: ``results.csv`` is rebuilt from it after every training, never appended
to, and never replaced by an empty table; readers (:meth:`ResultStore.table`,
the report) rebuild the table from ``runs/`` and say when ``results.csv``
disagreed.

A directory belongs to one configuration (see ``check_store`` in
:mod:`._runner`): a run never adopts a directory of other files, nor one whose
runs were computed with other settings.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import socket
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS_FILE = "results.csv"
CONFIG_FILE = "experiment.yaml"
FAILED_FILE = "failed.csv"


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


# When each runner of this process first saw an unreadable lock file, by
# (path, inode, mtime, size): a lock whose owner cannot be read becomes stale
# once it has stayed unchanged that long, however many Lock objects look at it.
_UNREADABLE_SEEN: dict = {}


class Lock:
    """An exclusive lock file (``O_CREAT | O_EXCL``) holding ``{pid, host, time}``.

    A lock left by a dead process of this host (killed runner) is stale and
    is broken by the next runner. A lock file whose owner cannot be read
    (empty or garbled: its runner was killed between creating it and writing
    its pid) is stale once it has stayed unchanged for ``unreadable_timeout``
    seconds from when this process first saw it, or when its modification
    time is older than that: whatever its age, it never blocks a runner for
    longer.

    Args:
        path: the lock file.
        unreadable_timeout: seconds after which an unreadable lock is stale
            (default :attr:`UNREADABLE_TIMEOUT`, 30 s; writing the owner takes
            microseconds).
    """

    UNREADABLE_TIMEOUT = 30.0

    def __init__(self, path, unreadable_timeout: float | None = None):
        self.path = Path(path)
        timeout = self.UNREADABLE_TIMEOUT if unreadable_timeout is None else unreadable_timeout
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
                or not 0 <= timeout < math.inf:
            raise ValueError(f"`unreadable_timeout` must be a finite number of seconds >= 0; "
                             f"received {timeout!r}.")
        self.unreadable_timeout = float(timeout)
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
            info = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(info, dict):
            return None
        pid = info.get("pid")
        if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
            return None
        return info

    def _unreadable_is_stale(self) -> bool:
        """An unreadable lock: stale once unchanged for ``unreadable_timeout`` seconds."""
        try:
            st = self.path.stat()
        except OSError:
            return True  # gone meanwhile
        if time.time() - st.st_mtime >= self.unreadable_timeout:
            return True  # an old leftover (a future mtime counts from first seen)
        key = (str(self.path), st.st_ino, st.st_mtime_ns, st.st_size)
        now = time.monotonic()
        first = _UNREADABLE_SEEN.setdefault(key, now)
        return now - first >= self.unreadable_timeout

    def _is_stale(self) -> bool:
        info = self.owner()
        if info is None:
            if not self.path.exists():
                return True
            return self._unreadable_is_stale()
        return info.get("host") == socket.gethostname() and not _pid_alive(info["pid"])

    def _break_if_stale(self) -> bool:
        if not self._is_stale():
            return False
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        return True

    def is_stale_or_free(self) -> bool:
        """No lock file, or one a runner may break (dead owner, unreadable for too long)."""
        return not self.path.exists() or self._is_stale()

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
    """The directory of one experiment (see the module docstring).

    Results read from ``runs/`` are cached per store object (keyed by each
    ``result.json``'s inode, size and modification time), so rebuilding
    ``results.csv`` after every training reads only the new runs. The dicts
    returned by :meth:`result` are shared: do not modify them.
    """

    def __init__(self, root):
        self.root = Path(root)
        self._cache: dict = {}

    # -- what the directory is ----------------------------------------------
    def state(self) -> str:
        """``"missing"``, ``"empty"``, ``"imbkeras"`` (it has ``experiment.yaml`` or
        ``runs/``), ``"foreign"`` (other files) or ``"not_a_directory"``.

        Hidden files (``.gitkeep``, ``.DS_Store``) do not count.
        """
        if not self.root.exists():
            return "missing"
        if not self.root.is_dir():
            return "not_a_directory"
        if (self.root / CONFIG_FILE).is_file() or (self.root / "runs").is_dir():
            return "imbkeras"
        return "foreign" if self.foreign_entries() else "empty"

    def foreign_entries(self) -> list[str]:
        """The visible entries of the directory (for a message about a foreign one)."""
        try:
            return sorted(p.name for p in self.root.iterdir() if not p.name.startswith("."))
        except OSError:
            return []

    # -- paths ------------------------------------------------------------
    def run_dir(self, run_id: str) -> Path:
        return self.root / "runs" / run_id

    def training_dir(self, key: str) -> Path:
        return self.root / "trainings" / key

    def lock(self, key: str) -> Lock:
        return Lock(self.root / "locks" / f"{key}.lock")

    # -- runs -------------------------------------------------------------
    def result(self, run_id: str) -> dict | None:
        """The stored ``result.json`` of a completed run, else ``None`` (cached; read-only)."""
        path = self.run_dir(run_id) / "result.json"
        try:
            st = path.stat()
        except OSError:
            self._cache.pop(run_id, None)
            return None
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        hit = self._cache.get(run_id)
        if hit is not None and hit[0] == key:
            return hit[1]
        try:
            res = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(res, dict):
            return None
        self._cache[run_id] = (key, res)
        return res

    def is_done(self, run_id: str, fingerprint=None) -> bool:
        """Completed, and (when given) with this fingerprint or one of a tuple of them."""
        res = self.result(run_id)
        if res is None:
            return False
        if fingerprint is None:
            return True
        allowed = (fingerprint,) if isinstance(fingerprint, str) else tuple(fingerprint)
        return res.get("fingerprint") in allowed

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
        self._cache.pop(run_id, None)

    def discard(self):
        """Forget every run of the directory (``--force`` with a changed configuration).

        Every ``result.json`` goes first (so a kill midway leaves only runs
        that are still whole), then the failures, the training caches,
        ``results.csv`` and ``failed.csv``.
        """
        runs = self.root / "runs"
        if runs.is_dir():
            for name in ("result.json", "error.json"):
                for p in sorted(runs.glob(f"*/{name}")):
                    with contextlib.suppress(FileNotFoundError):
                        p.unlink()
        self._cache.clear()
        import shutil

        shutil.rmtree(self.root / "trainings", ignore_errors=True)
        for name in (RESULTS_FILE, FAILED_FILE):
            with contextlib.suppress(FileNotFoundError):
                (self.root / name).unlink()

    def run_ids(self) -> list[str]:
        runs = self.root / "runs"
        return sorted(p.name for p in runs.iterdir() if (p / "result.json").exists()) \
            if runs.is_dir() else []

    def results(self) -> dict:
        """``{run_id: result}`` of every completed run (cached; read-only)."""
        out = {}
        for rid in self.run_ids():
            res = self.result(rid)
            if res is not None:
                out[rid] = res
        return out

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
            rank = {}
            for i, rid in enumerate(order):
                rank.setdefault(rid, i)
            ids.sort(key=lambda rid: (rank.get(rid, len(rank)), rid))
        rows = []
        for rid in ids:
            res = self.result(rid)
            if res is not None and isinstance(res.get("row"), dict):
                rows.append(res["row"])
        return rows

    def rebuild_table(self, order: list[str] | None = None) -> pd.DataFrame:
        """Rewrite ``results.csv`` from the completed runs.

        With no completed run, an existing ``results.csv`` is removed (it
        would list runs that are gone), never replaced by an empty table.
        """
        df = pd.DataFrame(self.rows(order))
        path = self.root / RESULTS_FILE
        if len(df):
            atomic_write_text(path, df.to_csv(index=False))
        elif (self.root / "runs").is_dir():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        return df

    def table(self, warn: bool = True) -> pd.DataFrame:
        """The rows of the completed runs, rebuilt from ``runs/`` (the source of truth).

        ``results.csv`` only gives the order of the rows. When it disagrees
        with ``runs/`` (a run it lists has no ``result.json``, a completed run
        is missing from it, it is absent or unreadable), the table still
        follows ``runs/``, ``df.attrs["results_csv"]`` says how they differed
        and a ``UserWarning`` is issued (``warn=False``: no warning). A
        directory without ``runs/`` (a table copied on its own) gives
        ``results.csv`` as it is.
        """
        path = self.root / RESULTS_FILE
        csv, problem = None, None
        if path.is_file():
            try:
                csv = pd.read_csv(path)
            except (OSError, ValueError) as err:
                problem = f"{RESULTS_FILE} could not be read ({type(err).__name__}: {err})"
        if not (self.root / "runs").is_dir():
            return csv if csv is not None else pd.DataFrame()
        listed = None
        if csv is not None:
            if "run_id" in csv.columns:
                listed = [str(v) for v in csv["run_id"]]
            else:
                problem = f"{RESULTS_FILE} has no run_id column (not written by imbkeras?)"
        df = pd.DataFrame(self.rows(listed))
        note = self._disagreement(path.is_file(), problem, listed,
                                  list(df["run_id"]) if "run_id" in df.columns else [])
        if note:
            df.attrs["results_csv"] = note
            if warn:
                warnings.warn(f"{self.root}: {note}", UserWarning, stacklevel=2)
        return df

    @staticmethod
    def _disagreement(exists: bool, problem, listed, completed: list) -> str | None:
        def some(ids):
            shown = ", ".join(ids[:3])
            return shown + (f", ... ({len(ids)} in all)" if len(ids) > 3 else "")

        if problem:
            return (f"{problem}; the tables are rebuilt from runs/ ({len(completed)} completed "
                    f"runs).")
        if not exists:
            if not completed:
                return None
            return (f"{RESULTS_FILE} is missing; the tables are rebuilt from runs/ "
                    f"({len(completed)} completed runs).")
        done = set(completed)
        gone = [rid for rid in dict.fromkeys(listed) if rid not in done]
        seen = set(listed)
        unlisted = [rid for rid in completed if rid not in seen]
        parts = []
        if gone:
            parts.append(f"it listed {len(gone)} run(s) with no result.json, left out "
                         f"({some(gone)})")
        if unlisted:
            parts.append(f"{len(unlisted)} completed run(s) were missing from it, included "
                         f"({some(unlisted)})")
        if len(listed) != len(seen):
            parts.append(f"it listed {len(listed) - len(seen)} run(s) twice")
        if not parts:
            return None
        return (f"{RESULTS_FILE} disagreed with runs/ (the completed runs): " + "; ".join(parts)
                + f". The tables follow runs/ ({len(completed)} completed runs).")

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
