"""Shared argument checks. Every error names the argument and echoes the value."""

from __future__ import annotations

import math
import numbers
import zlib

import numpy as np


def _short(value, limit: int = 80) -> str:
    """``repr(value)`` cut to ``limit`` characters, for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def round_half_up(value):
    """Round half up (``2.5 -> 3``), the rounding every imbkeras count uses.

    A scalar gives an ``int``; an array gives an int64 array.

    Examples:
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

    Examples:
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


def child_seed(seed, *names):
    """The seed of the child stream ``names`` of ``seed`` (named SeedSequence children).

    One seed feeds several independent streams (folds, stages, phases,
    augmentation layers); each gets its own child, keyed by names instead of
    arithmetic on the seed (``seed + 1``, ``seed + 1000 * fold``), which can
    make two streams collide. The child is the first word of
    ``numpy.random.SeedSequence([seed, *keys])``, where a name's key is the
    CRC-32 of its UTF-8 text (stable across processes and Python versions,
    unlike ``hash``) offset by ``2**32`` so it never equals an integer key;
    integer names are their own keys.

    Args:
        seed: the parent seed: a non-negative int, or ``None`` (fresh entropy:
            the child is ``None`` too).
        *names: strings or non-negative ints, e.g. ``("fold", 3)``.

    Returns:
        An int in ``[0, 2**31)`` (a valid seed for NumPy, Keras and
        TensorFlow), or ``None``.

    Raises:
        TypeError: for a bad ``seed`` or a name that is neither a string nor
            a non-negative int.

    Examples:
        >>> child_seed(0, "fold", 1) == child_seed(0, "fold", 1)
        True
        >>> len({child_seed(0, "fold", 1), child_seed(0, "fold", 2), child_seed(1, "fold", 1)})
        3
        >>> child_seed(None, "mixup") is None
        True
    """
    seed = check_seed(seed)
    keys = []
    for n in names:
        if isinstance(n, str):
            keys.append(2**32 + zlib.crc32(n.encode("utf-8")))
        elif isinstance(n, numbers.Integral) and not isinstance(n, (bool, np.bool_)) and n >= 0:
            keys.append(int(n))
        else:
            raise TypeError(f"`names` must be strings or non-negative ints; received "
                            f"{_short(n)} in {_short(names)}.")
    if seed is None:
        return None
    return int(np.random.SeedSequence([int(seed), *keys]).generate_state(1)[0] & 0x7FFFFFFF)


def epoch_rng(seed, epoch: int) -> np.random.Generator:
    """The generator of epoch ``epoch`` of ``seed``: ``SeedSequence([seed, epoch])``.

    The one per-epoch generator of imbkeras: samplers
    (``BaseSampler.epoch_indices``) and pipelines (every epoch of
    ``make_dataset``) draw epoch ``e`` of a seed from it, so a sampler's
    epochs are those its pipeline draws for the same seed.

    Examples:
        >>> a, b = epoch_rng(0, 1).integers(100, size=3), epoch_rng(0, 1).integers(100, size=3)
        >>> bool((a == b).all()), bool((a != epoch_rng(0, 2).integers(100, size=3)).any())
        (True, True)
    """
    return np.random.default_rng(np.random.SeedSequence([int(check_seed(seed)), int(epoch)]))


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

    Examples:
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


def check_label_rates(rates, num_classes: int | None = None, name: str = "priors") -> np.ndarray:
    """Per-label positive rates of multi-label data: 1-D, every entry in ``(0, 1)``.

    Raises:
        ValueError: naming the argument, the value received and the label at fault.
    """
    arr = check_class_vector(rates, name, minimum=0.0, strict=True)
    if (arr >= 1).any():
        raise ValueError(f"`{name}` must hold each label's positive rate, in (0, 1); received "
                         f"{_short(arr.tolist())} (label {int(np.flatnonzero(arr >= 1)[0])} "
                         f"is {float(arr[arr >= 1][0])!r}).")
    if num_classes is not None and arr.size != num_classes:
        raise ValueError(f"`{name}` must have one entry per label ({num_classes}); received "
                         f"{arr.size} entries {_short(arr.tolist())}.")
    return arr


# -- recipes, ensembles and samplers --------------------------------------------
def check_optional_int(value, name: str, minimum: int = 1):
    """``None`` (use the default), or an int >= ``minimum`` -- never replaced by a default.

    Examples:
        >>> check_optional_int(None, "stage2_epochs"), check_optional_int(3, "stage2_epochs")
        (None, 3)
    """
    return None if value is None else check_positive_int(value, name, minimum=minimum)


def check_class_id(value, name: str = "class id") -> int:
    """A class id: an int >= 0 (an integral float such as ``1.0`` is accepted).

    Raises:
        TypeError: for booleans, strings and other non-numbers.
        ValueError: for a non-integral number (``1.7``), NaN, inf or a negative id.

    Examples:
        >>> check_class_id(2.0)
        2
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be an integer class id; received {_short(value)} "
                        f"of type {type(value).__name__}.")
    if not isinstance(value, numbers.Integral) and (not np.isfinite(value)
                                                    or float(value) != round(float(value))):
        raise ValueError(f"`{name}` must be an integer class id; received {value!r}.")
    if value < 0:
        raise ValueError(f"`{name}` must be a class id >= 0; received {value!r}.")
    return int(value)


def check_class_ids(values, name: str = "classes") -> list:
    """A non-empty list of distinct class ids (see :func:`check_class_id`).

    Raises:
        TypeError: for a string or a non-iterable, or ids that are not numbers.
        ValueError: for an empty list, non-integral, negative or repeated ids.

    Examples:
        >>> check_class_ids([2, 0])
        [2, 0]
    """
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"`{name}` must be a list of integer class ids; received "
                        f"{_short(values)}.")
    ids = [check_class_id(v, f"{name}` entry `{v!r}") for v in values]
    if not ids:
        raise ValueError(f"`{name}` must name at least one class; received {_short(values)}.")
    if len(set(ids)) != len(ids):
        raise ValueError(f"`{name}` must not repeat a class id; received {_short(values)}.")
    return ids


def check_count_dict(mapping, name: str = "sampling_strategy") -> dict:
    """``{class id: count}``: integer class ids, integer counts >= 0; returned with int keys.

    Raises:
        TypeError: for a count or id that is not an integer (``2.7``, ``"3"``).
        ValueError: for a negative count or id, or two keys naming one class.

    Examples:
        >>> check_count_dict({0: 5, 1.0: 3})
        {0: 5, 1: 3}
    """
    out = {}
    for key, count in mapping.items():
        try:
            c = check_class_id(key, "class id")
        except (TypeError, ValueError):
            raise ValueError(f"`{name}` must map integer class ids to integer counts; "
                             f"received the key {key!r} in {_short(mapping)}.") from None
        if isinstance(count, (bool, np.bool_)) or not isinstance(count, numbers.Integral):
            raise TypeError(f"`{name}` must map class ids to integer sample counts; received "
                            f"{count!r} for class {key!r} in {_short(mapping)}.")
        if count < 0:
            raise ValueError(f"`{name}` must map class ids to counts >= 0; received {count!r} "
                             f"for class {key!r}.")
        if c in out:
            raise ValueError(f"`{name}` names class {c} twice; received {_short(mapping)}.")
        out[c] = int(count)
    return out


def check_verbose(value, name: str = "verbose"):
    """Keras verbosity: ``"auto"``, 0, 1 or 2; returned as given.

    Raises:
        ValueError: for anything else.
    """
    if (isinstance(value, str) and value == "auto") or (
            isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
            and value in (0, 1, 2)):
        return value
    raise ValueError(f"`{name}` must be 'auto', 0, 1 or 2; received {_short(value)}.")


def check_callable(value, name: str, what: str):
    """``value`` if it is callable, else a ``TypeError`` that says what was expected."""
    if not callable(value):
        raise TypeError(f"`{name}` must be {what}; received {_short(value)} of type "
                        f"{type(value).__name__}.")
    return value


def check_callbacks(callbacks, name: str = "callbacks") -> list:
    """A list of Keras callbacks (a new list), ``[]`` for ``None``.

    Raises:
        TypeError: for anything but a list or tuple (names the argument).
    """
    if callbacks is not None and not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"`{name}` must be a list of keras callbacks or None; received "
                        f"{_short(callbacks)}.")
    return list(callbacks or [])


def check_resampler(value, name: str = "sampler", allow_none: bool = True):
    """A sampler: anything with ``fit_resample`` (imbkeras or imbalanced-learn), or ``None``.

    Raises:
        TypeError: for anything else (names the argument; strings included).
    """
    if value is None and allow_none:
        return None
    if not hasattr(value, "fit_resample"):
        none = " or None" if allow_none else ""
        raise TypeError(f"`{name}` must be a sampler with `fit_resample` (an imbkeras or "
                        f"imbalanced-learn sampler){none}; received {_short(value)}.")
    return value


def check_samples(x, name: str = "x", min_ndim: int = 2):
    """Samples as an array with a sample axis: lists become numeric ndarrays.

    Arrays, memory maps and other array-likes with ``shape`` (a
    :class:`imbkeras.pipeline.FileSource`) are returned as they are, after the
    rank check; lists and tuples are converted.

    Raises:
        ValueError: for ragged lists, empty inputs or fewer than ``min_ndim`` axes.
        TypeError: for non-numeric values (strings, objects).

    Examples:
        >>> check_samples([[0, 1], [2, 3]]).shape
        (2, 2)
    """
    if not hasattr(x, "shape") or not hasattr(x, "__len__"):
        if x is None or isinstance(x, (str, bytes, dict)) or not hasattr(x, "__len__"):
            raise TypeError(f"`{name}` must be an array of samples; received {_short(x)}.")
        try:
            x = np.asarray(x)
        except ValueError:
            raise ValueError(f"`{name}` must be a rectangular array of samples (every sample "
                             f"of one shape); received a ragged sequence "
                             f"{_short(x)}.") from None
    shape = tuple(x.shape)
    if isinstance(x, np.ndarray) and x.dtype.kind not in "biuf":
        raise TypeError(f"`{name}` must hold numbers; received dtype {x.dtype} "
                        f"(first values {_short(x.ravel()[:3].tolist())}).")
    if len(shape) < min_ndim or shape[0] == 0:
        raise ValueError(f"`{name}` must be a non-empty array of samples with at least "
                         f"{min_ndim} axes (samples first); received shape {shape}.")
    return x


def check_pair(value, name: str):
    """A ``(x, y)`` pair (tuple or list of length 2), returned as a tuple."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"`{name}` must be a pair (x, y); received {_short(value)}.")
    return tuple(value)


# -- data entry points: flags, choices, names, strictly positive numbers -------
def check_bool(value, name: str) -> bool:
    """A flag: ``True`` or ``False`` (NumPy booleans too); never a truthy string or number.

    Raises:
        TypeError: for anything else, naming the argument and the value.

    Examples:
        >>> check_bool(False, "clean")
        False
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be True or False; received {_short(value)} of type "
                        f"{type(value).__name__}.")
    return bool(value)


def check_choice(value, name: str, choices) -> str:
    """One of ``choices`` (strings); unhashable or non-string values are named too.

    Raises:
        ValueError: for a value outside ``choices``.

    Examples:
        >>> check_choice("png", "fmt", ("png", "tif"))
        'png'
    """
    if not isinstance(value, str) or value not in tuple(choices):
        raise ValueError(f"`{name}` must be one of {list(choices)}; received {_short(value)}.")
    return value


def check_positive_real(value, name: str, *, maximum: float | None = None) -> float:
    """A finite real number > 0 (and <= ``maximum``); returned as a float.

    Raises:
        TypeError: for non-numbers (strings, booleans, None).
        ValueError: for NaN, inf, zero, negative values or values above ``maximum``.

    Examples:
        >>> check_positive_real(0.5, "snr")
        0.5
    """
    v = check_real(value, name, maximum=maximum)
    if not v > 0:
        raise ValueError(f"`{name}` must be > 0; received {value!r}.")
    return v


def check_names(values, name: str, *, length: int | None = None) -> list:
    """Names (class names, ids): a non-empty sequence of distinct non-empty strings.

    Raises:
        TypeError: for a single string or a non-sequence, or entries that are not strings.
        ValueError: for an empty sequence, an empty name, a repeated name (named) or,
            with ``length``, a sequence of another length.

    Examples:
        >>> check_names(("a", "b"), "class_names")
        ['a', 'b']
    """
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__") \
            or isinstance(values, dict):
        raise TypeError(f"`{name}` must be a list of strings; received {_short(values)}.")
    out = list(values)
    bad = [v for v in out if not isinstance(v, str)]
    if bad:
        raise TypeError(f"`{name}` must hold strings; received {_short(bad[0])} of type "
                        f"{type(bad[0]).__name__} in {_short(out)}.")
    if not out or any(not v.strip() for v in out):
        raise ValueError(f"`{name}` must be non-empty names; received {_short(out)}.")
    seen = set()
    for v in out:
        if v in seen:
            raise ValueError(f"`{name}` must not repeat a name; received {v!r} twice in "
                             f"{_short(out)}.")
        seen.add(v)
    if length is not None and len(out) != length:
        raise ValueError(f"`{name}` must hold {length} names; received {len(out)}: "
                         f"{_short(out)}.")
    return out


def check_mapping(value, name: str) -> dict:
    """A mapping (``dict``), e.g. a config section; returned as given.

    Raises:
        TypeError: for anything else (a number, a string, a list), naming the
            argument and the value received.

    Examples:
        >>> check_mapping({"epochs": 3}, "params")
        {'epochs': 3}
    """
    if not isinstance(value, dict):
        raise TypeError(f"`{name}` must be a mapping (key: value); received {_short(value)} "
                        f"of type {type(value).__name__}.")
    return value


def check_string_list(values, name: str) -> list:
    """A list or tuple of strings (possibly empty); a single string is refused.

    Raises:
        TypeError: for a string, a non-sequence or an entry that is not a string.

    Examples:
        >>> check_string_list(("a", "b"), "imports")
        ['a', 'b']
    """
    if not isinstance(values, (list, tuple)):
        raise TypeError(f"`{name}` must be a list of strings; received {_short(values)} of "
                        f"type {type(values).__name__}.")
    bad = [v for v in values if not isinstance(v, str)]
    if bad:
        raise TypeError(f"`{name}` must hold strings; received {_short(bad[0])} of type "
                        f"{type(bad[0]).__name__} in {_short(list(values))}.")
    return list(values)


def as_sample_array(x, name: str = "X"):
    """``x`` as an array of samples of any dtype (paths too): a ragged list is named.

    Arrays and array-likes with ``shape`` are returned as they are.

    Raises:
        ValueError: for a ragged sequence (samples of different shapes).

    Examples:
        >>> as_sample_array(["a.png", "b.png"]).shape
        (2,)
    """
    if hasattr(x, "shape") and hasattr(x, "__len__"):
        return x
    try:
        return np.asarray(x)
    except ValueError:
        raise ValueError(f"`{name}` must be a rectangular array of samples (every sample of "
                         f"one shape); received a ragged sequence {_short(x)}.") from None
