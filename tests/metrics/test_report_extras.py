"""report's normalized confusion and per-class table; plot_confusion (Agg-safe)."""

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from imbkeras.metrics import (format_table, normalized_confusion, plot_confusion, report,
                              report_multilabel)

Y = np.array([0, 1, 1, 2, 2, 2])
P = np.array([[.8, .1, .1], [.3, .6, .1], [.6, .3, .1], [.1, .1, .8], [.1, .2, .7],
              [.5, .2, .3]])


def test_normalized_confusion_rows_are_recalls():
    r = report(Y, P)
    np.testing.assert_allclose(r["normalized_confusion"],
                               [[1, 0, 0], [.5, .5, 0], [1 / 3, 0, 2 / 3]])
    np.testing.assert_allclose(np.diag(r["normalized_confusion"]), r["per_class"]["tpr"])
    np.testing.assert_array_equal(normalized_confusion([[0, 0], [1, 3]]), [[0, 0], [.25, .75]])


def test_printable_table():
    r = report(Y, P, class_names=["ribosome", "membrane", "tric"])
    lines = r["table"].splitlines()
    assert lines[0].split() == ["class", "support", "TPR", "TNR", "PPV", "NPV", "F1", "AUC"]
    assert lines[1].split()[:3] == ["ribosome", "1", "1.000"]
    assert lines[3].split()[:2] == ["tric", "3"] and lines[-1].split()[0] == "mean"
    assert format_table(r, digits=2).splitlines()[2].split()[:3] == ["1", "2", "0.50"]
    with pytest.raises(ValueError, match="`class_names` must hold 3 names"):
        format_table(r, ["a", "b"])
    # the scalar keys the results store reads are unchanged
    assert {"auc_ovr", "accuracy", "macro_f1", "gmean", "avacc", "cba", "mavg"} <= set(r)


def test_plot_confusion_single_label(tmp_path):
    fig = plot_confusion(report(Y, P), ["a", "b", "c"], title="t")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.texts[0].get_text() == "1.00"
    fig.savefig(tmp_path / "cm.png")
    assert (tmp_path / "cm.png").stat().st_size > 0
    counts = plot_confusion(report(Y, P)["confusion_matrix"], normalize=False)
    assert counts.axes[0].texts[8].get_text() == "2"


def test_plot_confusion_multilabel_has_ntl_and_npl():
    y = np.array([[1, 0], [0, 0], [1, 1]])
    r = report_multilabel(y, [[.9, .2], [.1, .7], [.8, .1]])
    fig = plot_confusion(r, ["nucleus", "cytosol"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["nucleus", "cytosol", "NPL"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["nucleus", "cytosol", "NTL"]
    assert matplotlib.get_backend().lower() == "agg"        # nothing switched the backend


def test_plot_confusion_into_given_axes_and_bad_input():
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_confusion([[1, 2], [3, 4]], ax=ax) is fig
    with pytest.raises(ValueError, match="square"):
        plot_confusion([[1, 2, 3], [3, 4, 5]])
    with pytest.raises(ValueError, match="non-negative"):
        plot_confusion([[1, -2], [3, 4]])
    with pytest.raises(ValueError, match="`class_names` must hold 2 names"):
        plot_confusion([[1, 2], [3, 4]], ["a"])
    with pytest.raises(TypeError, match="report"):
        plot_confusion({"x": 1})
