"""Per-label decision thresholds tuned on validation data (multi-label)."""

from __future__ import annotations

import numpy as np

from imbkeras._validation import check_multihot, check_multilabel_scores
from imbkeras.metrics._multilabel import check_thresholds


def tune_thresholds(y_true, y_prob, thresholds=None, default: float = 0.5) -> np.ndarray:
    """Per-label thresholds that maximise each label's F1 on validation data.

    For every label ``l`` the candidate ``t`` with the highest F1 of the decision
    ``y_prob[:, l] >= t`` is kept (the smallest such ``t`` on ties). A label
    without positives in ``y_true`` has F1 0 whatever the threshold and gets
    ``default``. Use the result as ``threshold`` of
    :func:`imbkeras.metrics.report_multilabel` on *test* data.

    Args:
        y_true: ``(n, L)`` multi-hot validation labels.
        y_prob: ``(n, L)`` validation probabilities.
        thresholds: candidate thresholds in ``[0, 1]``; default
            ``0.01, 0.02, ..., 0.99``.
        default: threshold in ``[0, 1]`` for labels with no positive.

    Returns:
        float64 array of L thresholds.

    Raises:
        ValueError: for invalid labels or probabilities (NaN, outside ``[0, 1]``,
            shape mismatch) or thresholds / ``default`` outside ``[0, 1]``.

    Examples:
        >>> tune_thresholds([[1], [1], [0], [0]], [[0.9], [0.35], [0.3], [0.1]]).tolist()
        [0.31]

    Reference:
        Fan & Lin (2007), A study on threshold selection for multi-label
        classification (SCut); Al-joudi et al. (2023) report F1 per label.
    """
    y = check_multihot(y_true, "y_true", require_label=False).astype(np.int64)
    p = check_multilabel_scores(y_prob, "y_prob", shape=y.shape)
    if thresholds is None:
        grid = np.round(np.arange(1, 100) / 100.0, 2)
    else:
        grid = np.asarray(thresholds, dtype=np.float64).ravel()
        if grid.size == 0:
            raise ValueError("`thresholds` must not be empty.")
        grid = np.unique(check_thresholds(grid, grid.size, "thresholds"))
    default = float(check_thresholds(default, 1, "default")[0])
    out = np.full(y.shape[1], default)
    for j in range(y.shape[1]):
        pos = y[:, j] == 1
        if not pos.any():
            continue
        decide = p[:, j][:, None] >= grid[None, :]          # (n, len(grid))
        tp = (decide & pos[:, None]).sum(axis=0)
        fp = (decide & ~pos[:, None]).sum(axis=0)
        fn = pos.sum() - tp
        f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
        out[j] = grid[int(np.argmax(f1))]
    return out
