"""Shared argument checks. Every error names the argument and echoes the value."""

from __future__ import annotations

import numbers

import numpy as np


def _short(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_labels(y, name: str = "y", num_classes: int | None = None) -> np.ndarray:
    """Return ``y`` as a 1-D int64 array of class ids in ``[0, num_classes)``.

    Raises:
        ValueError: if ``y`` is not 1-D, is empty, holds non-integer, negative
            or (when ``num_classes`` is given) out-of-range values.
    """
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(
            f"`{name}` must be a 1-D array of integer class labels; "
            f"received shape {arr.shape}."
        )
    if arr.size == 0:
        raise ValueError(f"`{name}` must not be empty; received {_short(y)}.")
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise ValueError(
            f"`{name}` must hold integer class labels; received dtype {arr.dtype} "
            f"(first values {_short(arr[:5].tolist())})."
        )
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            raise ValueError(
                f"`{name}` must hold integer class labels; received non-integer "
                f"value {arr[bad][0]!r} at index {int(np.flatnonzero(bad)[0])}."
            )
    arr = arr.astype(np.int64)
    if (arr < 0).any():
        i = int(np.flatnonzero(arr < 0)[0])
        raise ValueError(
            f"`{name}` must hold non-negative class labels; received {arr[i]} at index {i}."
        )
    if num_classes is not None and (arr >= num_classes).any():
        i = int(np.flatnonzero(arr >= num_classes)[0])
        raise ValueError(
            f"`{name}` holds label {arr[i]} at index {i}, out of range for "
            f"num_classes={num_classes} (labels must be in [0, {num_classes - 1}])."
        )
    return arr


def check_same_length(x, y, x_name: str = "x", y_name: str = "y") -> None:
    if len(x) != len(y):
        raise ValueError(
            f"`{x_name}` and `{y_name}` must have the same length; received "
            f"len({x_name})={len(x)} and len({y_name})={len(y)}."
        )


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer; received {_short(value)}.")
    if value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}; received {value}.")
    return int(value)


def check_num_classes(num_classes, name: str = "num_classes", minimum: int = 2) -> int:
    return check_positive_int(num_classes, name, minimum=minimum)
