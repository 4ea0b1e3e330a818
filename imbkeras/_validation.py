"""Shared argument checks. Every error names the argument and echoes the value."""

from __future__ import annotations

import math
import numbers

import numpy as np


def _short(value, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters, for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."



def round_half_up(value):
    """Round half up (``2.5 -> 3``), the rounding every imbkeras count uses.

    A scalar gives an ``int``; an array gives an int64 array.

    Example:
        >>> round_half_up(2.5), round_half_up([0.5, 1.49]).tolist()
        (3, [1, 1])
    """
    if np.ndim(value) == 0:
        return int(math.floor(float(value) + 0.5 + 1e-9))
    return np.floor(np.asarray(value, dtype=np.float64) + 0.5 + 1e-9).astype(np.int64)


def check_proportions(values, name: str = "class_proportions", *, length=None,
                      allow_zero: bool = False) -> np.ndarray:
    """Class shares: 1-D, finite, positive (or >= 0), summing to 1; returned as float64.

    Args:
        length: the required number of shares, or ``(min, max)``.

    Raises:
        ValueError: naming the argument and the value received.
    """
    lo, hi = (length, length) if isinstance(length, numbers.Integral) else (length or (1, None))
    expected = (f"{lo}" if lo == hi else f"{lo} to {hi}" if hi else f"at least {lo}")
    sign = ">= 0" if allow_zero else "> 0"
    try:
        p = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        p = np.empty(0)
    if p.ndim != 1 or len(p) < lo or (hi is not None and len(p) > hi) \
            or not np.isfinite(p).all() or ((p < 0) if allow_zero else (p <= 0)).any() \
            or not np.isclose(p.sum(), 1.0, atol=1e-6):
        raise ValueError(f"`{name}` must be {expected} shares {sign} summing to 1; received "
                         f"{_short(values)}.")
    return p


def largest_remainder_counts(shares, n: int) -> np.ndarray:
    """Whole counts summing to ``n`` closest to ``shares * n`` (largest remainders get +1).

    Example:
        >>> largest_remainder_counts([0.5, 0.3, 0.2], 7).tolist()
        [4, 2, 1]
    """
    p = np.asarray(shares, dtype=np.float64)
    counts = np.floor(p * n).astype(np.int64)
    for i in np.argsort(-(p * n - counts), kind="stable")[: n - int(counts.sum())]:
        counts[i] += 1
    return counts


def check_seed(seed, name: str = "seed"):
    """Check a seed: ``None`` (fresh entropy) or a non-negative integer; returned as given.

    Raises:
        TypeError: for anything else (booleans, floats, strings, generators).
    """
    if seed is None:
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"`{name}` must be a non-negative integer or None; received "
                        f"{_short(seed)}.")
    return seed


def resolve_seed(seed, name: str = "seed") -> int:
    """A checked seed as an int: ``None`` draws one from fresh entropy.

    For functions that derive several streams from one seed (which must agree
    within one call even when unseeded).
    """
    seed = check_seed(seed, name)
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1)[0] & 0x7FFFFFFF)
    return int(seed)


def as_generator(rng, name: str = "rng") -> np.random.Generator:
    """Turn ``None`` / an int / a sequence of ints / a Generator into a Generator.

    ``None`` gives a generator seeded from fresh entropy.

    Raises:
        TypeError: for anything else (floats, strings, negative ints).
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    try:
        return np.random.default_rng(np.random.SeedSequence(rng))
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be None, a non-negative int, a sequence of them or a "
                        f"numpy.random.Generator; received {_short(rng)}.") from None


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


def check_ratio(value, name: str = "ratio", what: str = "max/min class size") -> float:
    """Check an imbalance ratio: a finite number >= 1; returned as a float.

    Raises:
        ValueError: for non-numbers, NaN, inf or values below 1.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not np.isfinite(value) or value < 1:
        raise ValueError(f"`{name}` must be a finite number >= 1 ({what}); received "
                         f"{_short(value)}.")
    return float(value)


# -- labels: multi-hot ----------------------------------------------------------
def check_multihot(y, name: str = "y", require_label: bool = True) -> np.ndarray:
    """Return ``y`` as an ``(n, n_labels)`` uint8 multi-hot array.

    Args:
        y: 2-D array of 0 / 1 indicators.
        name: the argument's name, for messages.
        require_label: every row must carry at least one label (training
            targets); ``False`` for evaluation targets.

    Raises:
        ValueError: if ``y`` is not 2-D, is empty, holds values other than 0
            and 1 (naming the first one and its position), or (with
            ``require_label``) has a row without any positive label.

    Example:
        >>> check_multihot([[1, 0], [1, 1]]).dtype
        dtype('uint8')
    """
    arr = np.asarray(y)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] < 1:
        raise ValueError(f"`{name}` must be a non-empty 2-D multi-hot array (n_samples, "
                         f"n_labels); received shape {arr.shape}.")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"`{name}` must hold 0/1 multi-hot values; received dtype {arr.dtype} "
                         f"(first values {_short(arr.ravel()[:3].tolist())}).")
    bad = ~np.isin(arr, (0, 1))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"`{name}` must hold 0/1 multi-hot values; received "
                         f"{arr[i, j].item()!r} at [{i}, {j}].")
    arr = arr.astype(np.uint8)
    if require_label:
        empty = np.flatnonzero(arr.sum(axis=1) == 0)
        if len(empty):
            raise ValueError(
                f"`{name}` has {len(empty)} row(s) with no positive label (first: row "
                f"{int(empty[0])}); multi-hot targets need at least one label per sample. "
                f"Drop these rows or add an explicit 'negative' label column.")
    return arr


# -- probabilities and scores ---------------------------------------------------
def check_probabilities(y_prob, name: str = "y_prob", atol: float = 1e-3) -> np.ndarray:
    """Validate a 2-D array of class probabilities whose rows sum to 1."""
    p = np.asarray(y_prob, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] < 2:
        raise ValueError(f"`{name}` must be 2-D (n_samples, n_classes >= 2); "
                         f"received shape {p.shape}.")
    if not np.isfinite(p).all():
        i = int(np.flatnonzero(~np.isfinite(p).all(axis=1))[0])
        raise ValueError(f"`{name}` must be finite; row {i} is {p[i].tolist()}.")
    if (p < -atol).any() or (p > 1 + atol).any():
        raise ValueError(f"`{name}` must hold probabilities in [0, 1]; received values in "
                         f"[{p.min():.4g}, {p.max():.4g}].")
    sums = p.sum(axis=1)
    bad = np.abs(sums - 1.0) > atol
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"rows of `{name}` must sum to 1 (softmax outputs); row {i} sums to "
                         f"{sums[i]:.6g}. Apply softmax, or renormalise thresholded scores.")
    return p


def check_multilabel_scores(y_prob, name: str = "y_prob", shape: tuple | None = None,
                            atol: float = 1e-6) -> np.ndarray:
    """Return ``y_prob`` as a 2-D float64 array of finite per-label probabilities in [0, 1]."""
    p = np.asarray(y_prob, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"`{name}` must be 2-D (n_samples, n_labels); received shape {p.shape}.")
    if shape is not None and p.shape != tuple(shape):
        raise ValueError(f"`{name}` must have the shape of `y_true` {tuple(shape)}; received "
                         f"shape {p.shape}.")
    if not np.isfinite(p).all():
        i, j = np.argwhere(~np.isfinite(p))[0]
        raise ValueError(f"`{name}` must be finite; received {float(p[i, j])!r} at [{i}, {j}].")
    if (p < -atol).any() or (p > 1 + atol).any():
        raise ValueError(f"`{name}` must hold probabilities in [0, 1] (sigmoid outputs); "
                         f"received values in [{p.min():.4g}, {p.max():.4g}].")
    return np.clip(p, 0.0, 1.0)



def check_confusion(cm, name: str = "cm") -> np.ndarray:
    """A confusion matrix: square ``(K, K)``, K >= 1, finite, non-negative; float64."""
    try:
        arr = np.asarray(cm, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a square matrix of counts; received "
                         f"{_short(cm)}.") from None
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.size == 0:
        raise ValueError(f"`{name}` must be a square (K, K) confusion matrix; received shape "
                         f"{arr.shape}.")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"`{name}` must hold finite counts >= 0; received {_short(arr.tolist())}.")
    return arr


# -- numbers and per-class vectors ---------------------------------------------
def check_real(value, name: str, *, minimum: float | None = None,
               maximum: float | None = None, right_open: bool = False) -> float:
    """Return ``value`` as a finite float in ``[minimum, maximum]`` (or ``[.., maximum)``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a real number; received {_short(value)} "
                        f"of type {type(value).__name__}.")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"`{name}` must be finite; received {value!r}.")
    if minimum is not None and v < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}; received {value!r}.")
    if maximum is not None and (v > maximum or (right_open and v >= maximum)):
        bound = f"< {maximum}" if right_open else f"<= {maximum}"
        raise ValueError(f"`{name}` must be {bound}; received {value!r}.")
    return v


def check_class_vector(values, name: str, *, minimum: float = 0.0, strict: bool = False,
                       maximum: float | None = None) -> np.ndarray:
    """Return a 1-D float64 vector with at least one entry, finite and >= (or >) ``minimum``."""
    if isinstance(values, dict):
        keys = sorted(values)
        if keys != list(range(len(keys))):
            raise ValueError(f"`{name}` given as a dict must have the keys 0..K-1; received "
                             f"keys {_short(keys)}.")
        values = [values[k] for k in keys]
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a sequence of numbers; received {_short(values)}.")
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"`{name}` must be a non-empty 1-D sequence with one entry per class; "
                         f"received shape {arr.shape} ({_short(values)}).")
    if not np.isfinite(arr).all():
        raise ValueError(f"`{name}` must be finite; received {_short(arr.tolist())}.")
    bad = arr <= minimum if strict else arr < minimum
    if bad.any():
        op = ">" if strict else ">="
        raise ValueError(f"`{name}` must be {op} {minimum}; received {_short(arr.tolist())} "
                         f"(class {int(np.flatnonzero(bad)[0])} is {float(arr[bad][0])!r}).")
    if maximum is not None and (arr > maximum).any():
        raise ValueError(f"`{name}` must be <= {maximum}; received {_short(arr.tolist())}.")
    return arr


def check_priors(priors, num_classes: int | None = None, name: str = "priors") -> np.ndarray:
    """Class priors: 1-D, finite, every entry > 0, one per class (>= 2 classes).

    Raises:
        ValueError: naming the argument, the value received and, when
            ``num_classes`` is given, the expected length.
    """
    arr = check_class_vector(priors, name, minimum=0.0, strict=True)
    if arr.size < 2 or (num_classes is not None and arr.size != num_classes):
        expected = ">= 2 classes" if num_classes is None else f"{num_classes} classes"
        raise ValueError(f"`{name}` must have one entry per class ({expected}); received "
                         f"{arr.size} entries {_short(arr.tolist())}.")
    return arr
