"""Results store: tidy tables, prediction files, summary tables and plots."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from imbkeras.metrics import SCALAR_KEYS

RESULTS_FILE = "results.csv"


def save_predictions(out: Path, run_id: str, y_true, y_prob) -> Path:
    """Write ``predictions/<run_id>.npz`` with ``y_true`` and ``y_prob``."""
    path = Path(out) / "predictions" / f"{run_id}.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, y_true=np.asarray(y_true), y_prob=np.asarray(y_prob))
    return path


def write_results(rows: list[dict], out: Path) -> pd.DataFrame:
    """Write the run rows to ``results.csv`` atomically; return them as a DataFrame."""
    df = pd.DataFrame(rows)
    path = Path(out) / RESULTS_FILE
    tmp = path.with_suffix(".csv.tmp")
    df.to_csv(tmp, index=False)
    os.replace(tmp, path)
    return df


def load_results(out) -> pd.DataFrame:
    """Read ``results.csv`` from a run directory.

    Raises:
        FileNotFoundError: naming the missing file.
    """
    path = Path(out) / RESULTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no {RESULTS_FILE} in out={str(out)!r}; run an experiment first.")
    return pd.read_csv(path)


def summary_table(df: pd.DataFrame, metric: str = "auc_ovr") -> pd.DataFrame:
    """Mean of ``metric`` over seeds: one row per scenario, one column per method."""
    if metric not in df.columns:
        raise ValueError(f"`metric`={metric!r} is not a results column; choose from "
                         f"{[c for c in SCALAR_KEYS if c in df.columns]}.")
    keys = ["dataset", "kind", "ratio", "mu"]
    table = df.pivot_table(index=keys, columns="method", values=metric, aggfunc="mean",
                           dropna=False, sort=True)
    methods = list(dict.fromkeys(df["method"]))
    return table[[m for m in methods if m in table.columns]].dropna(how="all")


def plot_auc_vs_ratio(df: pd.DataFrame, path, metric: str = "auc_ovr") -> Path:
    """One panel per (kind, mu): ``metric`` (mean over seeds) against the ratio."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = list(df.groupby(["kind", "mu"], dropna=False, sort=True))
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False,
                             sharey=True)
    for ax, ((kind, mu), part) in zip(axes[0], panels):
        means = part.groupby(["method", "ratio"], sort=True)[metric].mean()
        for method in dict.fromkeys(part["method"]):
            series = means.loc[method]
            ax.plot(series.index, series.values, marker="o", label=method)
        ax.set_xscale("log")
        ax.set_xlabel("imbalance ratio rho")
        ax.set_ylabel(metric)
        ax.set_title(f"{kind}" + ("" if pd.isna(mu) else f", mu={mu:g}"))
        ax.grid(alpha=0.3)
    axes[0][-1].legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
