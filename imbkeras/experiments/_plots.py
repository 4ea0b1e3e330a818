"""Figures of an experiment (matplotlib ``Figure`` objects, no pyplot state).

Each function returns a ``Figure``; Jupyter shows it inline when it is the last
expression of a cell, and ``fig.savefig(path)`` writes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from imbkeras.experiments._analysis import _check


def method_colors(methods) -> dict:
    """One colour per method, in the given (the config's) order: the same method has the
    same colour in every figure of a report (tab10, then tab20 for more than 10 methods).

    Examples:
        >>> c = method_colors(["baseline", "ROS", "RUS"])
        >>> c["baseline"] != c["ROS"] and method_colors(["baseline"])["baseline"] == c["baseline"]
        True
    """
    from matplotlib import colormaps

    methods = list(dict.fromkeys(str(m) for m in methods))
    cmap = colormaps["tab10" if len(methods) <= 10 else "tab20"]
    return {m: cmap(i % cmap.N) for i, m in enumerate(methods)}


def _colors(labels, colors):
    """``colors`` completed for ``labels`` it lacks (appended in order, after its own)."""
    colors = dict(colors or {})
    missing = [str(m) for m in labels if str(m) not in colors]
    if missing:
        extra = method_colors(list(colors) + missing)
        colors.update({m: extra[m] for m in missing})
    return colors


def _figure(n_panels: int, width: float = 4.2, height: float = 3.6, layout="constrained"):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * n_panels, height), layout=layout)
    axes = fig.subplots(1, n_panels, squeeze=False, sharey=True)[0]
    return fig, axes


def plot_metric_vs_ratio(df: pd.DataFrame, metric: str = "auc_ovr", panels=("kind", "mu"),
                         method: str = "method", colors: dict | None = None):
    """``metric`` against the imbalance ratio: per method the mean over seeds and folds
    (line) and the mean +- one standard deviation over them (band).

    One panel per combination of ``panels`` (e.g. scenario kind and mu); the
    ratio axis is logarithmic when the ratios span more than a decade.
    ``colors`` maps methods to colours (default: :func:`method_colors` of the
    methods in the order they first appear).
    """
    panels = [p for p in panels if p in df.columns]
    _check(df, metric, ["ratio", method] + panels)
    data = df[df["ratio"].notna()]
    if data.empty:
        raise ValueError("no run has an imbalance ratio (all scenarios are kind 'none').")
    groups = list(data.groupby(panels, dropna=False, sort=True)) if panels else [((), data)]
    colors = _colors(dict.fromkeys(data[method]), colors)
    fig, axes = _figure(len(groups))
    for ax, (key, part) in zip(axes, groups):
        key = key if isinstance(key, tuple) else (key,)
        stats = part.groupby([method, "ratio"], sort=True)[metric].agg(["mean", "std"])
        for m in dict.fromkeys(part[method]):
            series = stats.loc[m]
            color = colors[str(m)]
            ax.plot(series.index, series["mean"], marker="o", label=str(m), color=color)
            spread = series["std"].fillna(0.0)
            ax.fill_between(series.index, series["mean"] - spread, series["mean"] + spread,
                            color=color, alpha=0.15, linewidth=0)
        if part["ratio"].max() / max(part["ratio"].min(), 1e-9) > 10:
            ax.set_xscale("log")
        ax.set_xlabel("imbalance ratio")
        ax.set_ylabel(metric)
        title = ", ".join(f"{p}={v:g}" if isinstance(v, float) else f"{v}"
                          for p, v in zip(panels, key) if not pd.isna(v))
        ax.set_title(title or metric)
        ax.grid(alpha=0.3)
    axes[-1].legend(fontsize=8, loc="best")
    fig.suptitle(f"{metric} against the imbalance ratio (mean, band: +-1 std over seeds "
                 f"and folds)", fontsize=10)
    return fig


def plot_confusions(matrices: dict, class_names=None, title: str = "normalised confusion"):
    """One heat map per entry of ``{label: normalised confusion matrix}`` (e.g. per method)."""
    from imbkeras.metrics import plot_confusion

    if not matrices:
        raise ValueError("`matrices` is empty: no run has a confusion matrix.")
    fig, axes = _figure(len(matrices), 3.8, 3.6, layout=None)
    for ax, (label, cm) in zip(axes, matrices.items()):
        cm = np.asarray(cm, dtype=float)
        plot_confusion(cm, class_names, normalize=True, ax=ax, title=str(label),
                       multilabel=cm.shape[0] != len(class_names or cm))
    fig.suptitle(title)
    return fig


def plot_per_class(table: pd.DataFrame, ylabel: str = "recall (TPR)",
                   title: str = "per-class recall, mean over runs", colors: dict | None = None):
    """Grouped bars: one group per class (columns), one bar per row (e.g. method).

    ``colors`` maps the rows (methods) to colours (default: :func:`method_colors`).
    """
    if table.empty:
        raise ValueError("`table` is empty.")
    colors = _colors(table.index, colors)
    fig, axes = _figure(1, max(5.0, 0.5 * table.size), 3.6)
    ax = axes[0]
    n = len(table.index)
    width = 0.8 / n
    x = np.arange(len(table.columns))
    for i, (label, row) in enumerate(table.iterrows()):
        ax.bar(x + (i - (n - 1) / 2) * width, row.values, width, label=str(label),
               color=colors[str(label)])
    ax.set_xticks(x, [str(c) for c in table.columns], rotation=45, ha="right")
    ax.set_xlabel("class")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    return fig


def plot_ranks(ranks: pd.Series | pd.DataFrame, title: str = "average rank (1 = best)"):
    """Horizontal bars of average ranks (a Series, or the columns of a rank table)."""
    frame = ranks.to_frame() if isinstance(ranks, pd.Series) else ranks
    fig, axes = _figure(1, 5.5, 0.45 * len(frame) * max(1, frame.shape[1] ** 0.5) + 1.5)
    ax = axes[0]
    n = frame.shape[1]
    height = 0.8 / n
    y = np.arange(len(frame.index))
    for i, col in enumerate(frame.columns):
        label = " / ".join(map(str, col)) if isinstance(col, tuple) else str(col)
        ax.barh(y + (i - (n - 1) / 2) * height, frame[col].values, height, label=label)
    ax.set_yticks(y, [str(i) for i in frame.index])
    ax.set_ylabel("method")
    ax.invert_yaxis()
    ax.set_xlabel("average rank")
    ax.set_title(title)
    if n > 1:
        ax.legend(fontsize=7)
    ax.grid(alpha=0.3, axis="x")
    return fig


def plot_learning_curves(histories: dict, colors: dict | None = None,
                         title: str = "learning curves"):
    """Training loss (solid) and validation loss (dashed) per epoch, one line per method.

    Args:
        histories: ``{method: DataFrame}`` as written to a training's
            ``history.csv`` (columns ``fit``, ``epoch``, ``loss`` and
            optionally ``val_loss``); a training with several ``fit`` calls
            (stages, phases, members) is drawn as one line over all its
            epochs in order, with a dotted vertical line where a fit begins.
        colors: maps methods to colours (default: :func:`method_colors`).

    Raises:
        ValueError: if ``histories`` is empty or a history has no ``loss``.
    """
    if not histories:
        raise ValueError("`histories` is empty: no training wrote a history.csv.")
    for method, h in histories.items():
        if "loss" not in h.columns:
            raise ValueError(f"the history of method {method!r} has no 'loss' column; "
                             f"columns: {list(h.columns)}.")
    colors = _colors(histories, colors)
    fig, axes = _figure(1, 6.5, 3.8)
    ax = axes[0]
    for method, h in histories.items():
        step = np.arange(1, len(h) + 1)
        color = colors[str(method)]
        ax.plot(step, h["loss"].to_numpy(), color=color, label=str(method))
        if "val_loss" in h.columns and h["val_loss"].notna().any():
            ax.plot(step, h["val_loss"].to_numpy(), color=color, ls="--")
        if "fit" in h.columns:
            for start in np.flatnonzero(np.diff(h["fit"].to_numpy())) + 1.5:
                ax.axvline(start, color=color, ls=":", lw=0.8)
    ax.set_xlabel("epoch (every fit of the training, in order)")
    ax.set_ylabel("loss (solid: training, dashed: validation)")
    ax.set_title(title)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return fig
