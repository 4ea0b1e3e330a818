"""``provenance.json``: how, where and from which code a results directory was made.

Every ``imbkeras run`` / ``imbkeras reproduce`` appends one *invocation* (the
command, the time it took, what it ran and skipped, the git commit it ran) to
the directory's ``provenance.json``; earlier invocations are kept, so a
reproduction resumed three times says so, and from which code. The top-level
keys describe the latest invocation: the exact command, the imbkeras version
and git commit, the preset and profile, the datasets, the wall time (summed
over invocations), the summed training time of the distinct trainings, the
cores, the load average (other jobs on the machine lengthen the wall time) and
the date.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

PROVENANCE_FILE = "provenance.json"


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                             timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def git_state(exclude=None) -> dict:
    """``{"commit", "dirty"}`` of the checkout imbkeras runs from (else of the cwd).

    ``dirty``: a tracked file differs from the commit, apart from those under
    ``exclude`` (the results directory being written: a reference
    reproduction rerun into its committed place changes its own files, not
    the code).
    """
    import imbkeras

    for where in (Path(imbkeras.__file__).resolve().parent, Path.cwd()):
        commit = _git(["rev-parse", "HEAD"], where)
        if commit:
            spec = []
            root = _git(["rev-parse", "--show-toplevel"], where)
            if exclude is not None and root:
                try:
                    rel = Path(exclude).resolve().relative_to(Path(root).resolve())
                except ValueError:  # the results directory is outside the checkout
                    rel = None
                if rel is not None and str(rel) != ".":
                    spec = ["--", ".", f":(exclude){rel.as_posix()}"]
            status = _git(["status", "--porcelain", "--untracked-files=no", *spec],
                          Path(root) if spec else where)
            return {"commit": commit, "dirty": bool(status)}
    return {"commit": None, "dirty": None}


def _cores() -> dict:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count()
    return {"cpu_count": os.cpu_count(), "usable_cores": usable}


def _datasets(exp) -> list[dict]:
    out = []
    for name in exp.datasets:
        entry = {"name": name}
        if name == "mnist":
            entry["IMBKERAS_MNIST_DIR"] = os.environ.get("IMBKERAS_MNIST_DIR")
        out.append(entry)
    return out


def _train_seconds(out: Path) -> float | None:
    """Sum of the training times of the distinct trainings in ``out/results.csv``."""
    import pandas as pd

    try:
        df = pd.read_csv(out / "results.csv")
        per = df.drop_duplicates("training_key")["train_seconds"]
    except (OSError, ValueError, KeyError, pd.errors.EmptyDataError):
        return None
    return round(float(per.sum()), 1)


def write_provenance(out, exp, *, command: list[str] | None = None, wall_seconds: float,
                     status=None) -> dict:
    """Append this invocation to ``out/provenance.json`` and return the whole record.

    Args:
        out: the results directory (must exist).
        exp: the :class:`Experiment` that ran.
        command: the command line (default: ``sys.argv``).
        wall_seconds: wall time of this invocation.
        status: the run's :class:`GridStatus` (runs done, skipped, failed).

    Returns:
        The record written.

    Raises:
        FileNotFoundError: if ``out`` is not a directory.
    """
    from imbkeras._version import __version__
    from imbkeras.experiments._store import atomic_write_text

    out = Path(out)
    if not out.is_dir():
        raise FileNotFoundError(f"results directory `out`={str(out)!r} does not exist.")
    path = out / PROVENANCE_FILE
    try:
        previous = json.loads(path.read_text()).get("invocations", [])
    except (OSError, ValueError, AttributeError):
        previous = []
    cmd = list(sys.argv if command is None else command)
    if cmd and cmd[0].endswith(("imbkeras", "__main__.py")):
        cmd[0] = "imbkeras"
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    git = git_state(exclude=out)
    # each invocation's code: a resumed directory may hold runs of several commits
    invocation = {"command": " ".join(cmd), "date": now.isoformat(), **git,
                  "wall_seconds": round(float(wall_seconds), 1), **_cores()}
    try:
        invocation["load_average_1min"] = round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # not available on this platform
        pass
    if status is not None:
        invocation.update(runs_done=status.done, runs_skipped=status.skipped,
                          runs_failed=status.failed, runs_infeasible=status.infeasible,
                          runs_total=status.total)
    invocations = previous + [invocation]
    import keras
    import tensorflow as tf

    record = {
        "command": invocation["command"],
        "preset": exp.preset, "profile": exp.profile, "experiment": exp.name,
        "datasets": _datasets(exp),
        "imbkeras_version": __version__, **git,
        "date": invocation["date"],
        "wall_seconds": round(sum(i["wall_seconds"] for i in invocations), 1),
        "train_seconds": _train_seconds(out),
        **_cores(),
        "machine": platform.machine(), "python": platform.python_version(),
        "tensorflow": tf.__version__, "keras": keras.__version__,
        "invocations": invocations,
    }
    atomic_write_text(path, json.dumps(record, indent=2) + "\n")
    return record


def find_reproduction(paper: str, root=None) -> Path | None:
    """The committed reference reproduction ``reproductions/<paper>/`` of a checkout.

    Looked up in ``root`` (when given), else in ``$IMBKERAS_REPRODUCTIONS``,
    the current directory and its parents, and the checkout imbkeras is
    imported from. A directory counts when it holds ``results.csv``.

    Args:
        paper: a preset name (``"buda2018"``).
        root: a ``reproductions`` directory to look in.

    Returns:
        The directory, or ``None`` when there is none (e.g. a pip install on
        Colab: clone the repository to read the references).

    Raises:
        ValueError: if ``paper`` is not a registered preset.
    """
    import imbkeras
    from imbkeras.experiments import get_preset  # loads the engine and its presets

    get_preset(paper)
    if root is not None:
        candidates = [Path(root)]
    else:
        candidates = []
        env = os.environ.get("IMBKERAS_REPRODUCTIONS")
        if env:
            candidates.append(Path(env))
        here = Path.cwd().resolve()
        candidates += [p / "reproductions" for p in (here, *here.parents)]
        candidates.append(Path(imbkeras.__file__).resolve().parents[1] / "reproductions")
    for base in candidates:
        if (base / paper / "results.csv").is_file():
            return base / paper
    return None
