"""Report figures: one colour per method across figures, labelled axes, spread bands."""

import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from imbkeras.experiments import _plots
from imbkeras.experiments._report import _plot


def _df():
    rows = []
    for seed in (0, 1):
        for ratio in (1.0, 10.0, 100.0):
            for i, m in enumerate(["baseline", "ROS", "RUS"]):
                rows.append({"method": m, "ratio": ratio, "kind": "step", "mu": 0.5,
                             "seed": seed, "auc_ovr": 0.9 - 0.01 * i * np.log10(ratio)
                             + 0.01 * seed})
    return pd.DataFrame(rows)


def _line_colors(fig):
    return {line.get_label(): to_hex(line.get_color()) for ax in fig.axes
            for line in ax.get_lines()}


def _bar_colors(fig):
    ax = fig.axes[0]
    return {c.get_label(): to_hex(c.patches[0].get_facecolor()) for c in ax.containers}


def test_one_method_one_colour_across_the_figures_of_a_report():
    df = _df()
    figures, tables = {}, {}
    _plot({"type": "metric_vs_ratio", "metric": "auc_ovr"}, df, [], tables, figures)
    lines = _line_colors(figures["auc_ovr_vs_ratio"])
    # a per-class table whose rows come in another order than the config's
    table = pd.DataFrame(np.full((3, 2), 0.5), index=["RUS", "baseline", "ROS"],
                         columns=["a", "b"])
    colors = _plots.method_colors(df["method"])
    bars = _bar_colors(_plots.plot_per_class(table, colors=colors))
    assert set(lines) == {"baseline", "ROS", "RUS"} == set(bars)
    assert all(lines[m] == bars[m] for m in lines)
    assert len(set(lines.values())) == 3


def test_metric_vs_ratio_has_a_spread_band_titles_and_labels():
    fig = _plots.plot_metric_vs_ratio(_df(), "auc_ovr")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "imbalance ratio" and ax.get_ylabel() == "auc_ovr"
    assert ax.get_title() and fig.get_suptitle()
    assert len(ax.collections) == 3  # one band per method (std over the seeds)


def test_per_class_plot_has_title_and_axis_labels():
    table = pd.DataFrame([[0.2, 0.9]], index=["ROS"], columns=["rare", "common"])
    ax = _plots.plot_per_class(table).axes[0]
    assert ax.get_title() and ax.get_xlabel() == "class" and ax.get_ylabel()
