"""Confusion-matrix heat maps (matplotlib, without pyplot: safe under Agg and headless)."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from imbkeras._validation import _short


def plot_confusion(cm, class_names: Sequence[str] | None = None, *, normalize: bool = True,
                   multilabel: bool | None = None, title: str | None = None, ax=None,
                   cmap: str = "Blues", annotate: bool = True, digits: int = 2):
    """Heat map of a (multi-class or multi-label) confusion matrix.

    Args:
        cm: a ``K x K`` confusion matrix (rows true, columns predicted), an
            ``(L + 1) x (L + 1)`` MLCM, or a result dict of
            :func:`imbkeras.metrics.report` (uses ``confusion_matrix``) or
            :func:`imbkeras.metrics.report_multilabel` (uses ``mlcm``).
        class_names: names of the K classes / L labels (default their indices).
        normalize: show rows divided by their sums (recall on the diagonal);
            ``False`` shows the counts.
        multilabel: treat ``cm`` as an MLCM, labelling the extra row "NTL" (no true
            label) and column "NPL" (no predicted label). Default: ``True`` for a
            ``report_multilabel`` dict, else ``False``.
        title: axes title.
        ax: a matplotlib ``Axes`` to draw into; by default a new ``Figure`` is made
            (with ``matplotlib.figure.Figure``, never pyplot, so no GUI backend is
            needed and no global figure state is kept).
        cmap: matplotlib colour map.
        annotate: write the value in every cell.
        digits: decimals of the annotations when ``normalize``.

    Returns:
        The matplotlib ``Figure`` (``fig.savefig(path)`` to write it; in Jupyter
        it displays when it is the last expression of a cell).

    Raises:
        ValueError: if ``cm`` is not a square matrix of finite non-negative
            numbers, or ``class_names`` has the wrong length.
        TypeError: for a dict that holds no confusion matrix.

    Examples:
        >>> fig = plot_confusion([[5, 1], [2, 8]], ["neg", "pos"])
        >>> type(fig).__name__
        'Figure'

    Reference:
        Gryshkevych (2016) (normalised confusion matrices); Heydarian et al.
        (2022) / Al-joudi et al. (2023), Fig. 9 (MLCM).
    """
    from matplotlib.figure import Figure

    if isinstance(cm, dict):
        if "mlcm" in cm:
            multilabel = True if multilabel is None else multilabel
            cm = cm["mlcm"]
        elif "confusion_matrix" in cm:
            cm = cm["confusion_matrix"]
        else:
            raise TypeError("`cm` given as a dict must be a result of report() or "
                            f"report_multilabel(); received keys {_short(sorted(cm))}.")
    multilabel = bool(multilabel)
    m = np.asarray(cm, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] < 2:
        raise ValueError(f"`cm` must be a square matrix (K x K); received shape {m.shape}.")
    if not np.isfinite(m).all() or (m < 0).any():
        raise ValueError(f"`cm` must hold finite non-negative counts; received "
                         f"{_short(m.tolist())}.")
    k = m.shape[0] - 1 if multilabel else m.shape[0]
    names = [str(i) for i in range(k)] if class_names is None else [str(c) for c in class_names]
    if len(names) != k:
        raise ValueError(f"`class_names` must hold {k} names; received {len(names)} "
                         f"({_short(names)}).")
    rows = names + (["NTL"] if multilabel else [])
    cols = names + (["NPL"] if multilabel else [])
    if normalize:
        s = m.sum(axis=1, keepdims=True)
        shown = np.divide(m, s, out=np.zeros_like(m), where=s > 0)
    else:
        shown = m

    if ax is None:
        size = 1.2 + 0.45 * len(cols)
        fig = Figure(figsize=(size + 1.2, size))
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    im = ax.imshow(shown, cmap=cmap, vmin=0.0, vmax=1.0 if normalize else None)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(len(cols)), labels=cols, rotation=45, ha="right")
    ax.set_yticks(range(len(rows)), labels=rows)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if title:
        ax.set_title(title)
    if annotate:
        top = shown.max() if shown.size else 0.0
        for i in range(shown.shape[0]):
            for j in range(shown.shape[1]):
                text = f"{shown[i, j]:.{digits}f}" if normalize else f"{int(round(shown[i, j]))}"
                ax.text(j, i, text, ha="center", va="center", fontsize=8,
                        color="white" if top and shown[i, j] > 0.6 * top else "black")
    fig.tight_layout()
    return fig
