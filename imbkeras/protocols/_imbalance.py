"""Artificial class imbalance: Buda et al. 2018 and Koziarski 2020 scenarios.

Class sizes
-----------
``n`` is the size of the largest class after imbalance: the smallest class
count available in ``y``, capped at ``max_per_class`` (Buda caps MNIST and
CIFAR-10 at 5,000 per class). Every count below is rounded half up,
``floor(v + 0.5)``, so ``n / ratio = 2.5`` gives 3. A class whose rounded
count is 0 raises an error.

A seeded permutation of the classes fixes their order from most to least
frequent; it does not depend on ``ratio`` or ``minority_fraction``, and the
samples kept within a class are always a prefix of a seeded permutation of
that class. Subsets for increasing ``ratio`` (or, for ``"step"``, increasing
``minority_fraction``) are therefore nested for the same seed.

Kinds (``ratio`` = max class size / min class size):

* ``"step"`` (Buda): the last ``k = round(minority_fraction * K)`` classes
  of the order are minority classes with ``n / ratio`` samples; the others
  keep ``n``.
* ``"linear"`` (Buda): sizes interpolated linearly from ``n`` to
  ``n / ratio``: class at position ``j`` gets ``n - j (n - n/ratio) / (K-1)``.
* ``"linear_ratio"`` (Koziarski's "linear"): the class *ratio* is linear,
  ``r_j = 1 + (ratio - 1) j / (K - 1)``, and the size is ``n / r_j``.
* ``"single_majority"`` (Koziarski): every class but the first has ``n / ratio``.
* ``"single_minority"`` (Koziarski): only the last class has ``n / ratio``.
* ``"half_minority"`` (Koziarski): the last ``K // 2`` classes have ``n / ratio``.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from imbkeras._validation import (check_labels, check_ratio, check_same_length, resolve_seed,
                                  round_half_up)


class InfeasibleScenario(ValueError):
    """The data cannot support an imbalance scenario: a class would get no sample.

    A ``ValueError`` (the arguments are valid, the data too small for them);
    the experiment engine records the runs of such a scenario as infeasible
    instead of failed.

    Examples:
        >>> import numpy as np
        >>> try:
        ...     imbalance_counts(np.repeat([0, 1], 5), "step", 50, minority_fraction=0.5, seed=0)
        ... except InfeasibleScenario as err:
        ...     print(str(err)[:22])
        class 1 would get 0 sa
    """

KINDS = ("step", "linear", "linear_ratio", "single_majority", "single_minority",
         "half_minority")


def _class_order(classes: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0]))
    return classes[rng.permutation(len(classes))]


def _minority_positions(kind, num, minority_fraction, minority_classes, order):
    """Return the boolean 'is minority' flag per position of ``order``."""
    flags = np.zeros(num, dtype=bool)
    if minority_classes is not None:
        mc = np.asarray(list(minority_classes))
        unknown = [c for c in mc.tolist() if c not in set(order.tolist())]
        if unknown or len(set(mc.tolist())) != len(mc):
            raise ValueError(
                f"`minority_classes` must list distinct classes present in `y` "
                f"({sorted(order.tolist())}); received {list(minority_classes)!r}.")
        expected = {"single_majority": num - 1, "single_minority": 1,
                    "half_minority": num // 2}.get(kind)
        if expected is not None and len(mc) != expected:
            raise ValueError(
                f"kind={kind!r} with {num} classes needs {expected} minority classes; "
                f"received minority_classes={list(minority_classes)!r}.")
        if kind == "step":
            _check_k(len(mc), num, f"minority_classes={list(minority_classes)!r}")
            if minority_fraction is not None and _k_from_mu(minority_fraction, num) != len(mc):
                raise ValueError(
                    f"`minority_fraction`={minority_fraction!r} disagrees with "
                    f"minority_classes={list(minority_classes)!r} ({len(mc)} of {num}).")
        return np.isin(order, mc)
    if kind == "step":
        if minority_fraction is None:
            raise ValueError("kind='step' needs `minority_fraction` (mu) or "
                             "`minority_classes`; received minority_fraction=None.")
        k = _k_from_mu(minority_fraction, num)
    else:
        k = {"single_majority": num - 1, "single_minority": 1, "half_minority": num // 2}[kind]
    flags[num - k:] = True
    return flags


def _k_from_mu(mu, num) -> int:
    if isinstance(mu, bool) or not isinstance(mu, numbers.Real) or not 0.0 < mu < 1.0:
        raise ValueError(f"`minority_fraction` (mu) must be in (0, 1); received {mu!r}.")
    k = int(round_half_up(mu * num))
    _check_k(k, num, f"minority_fraction={mu!r}")
    return k


def _check_k(k, num, what):
    if not 1 <= k <= num - 1:
        raise ValueError(
            f"{what} gives {k} minority classes out of {num}; step imbalance needs "
            f"between 1 and {num - 1}.")


def imbalance_counts(y, kind: str, ratio: float, minority_fraction: float | None = None,
                     minority_classes=None, max_per_class: int | None = None,
                     seed: int = 0) -> dict[int, int]:
    """Target number of samples per class for an imbalance scenario.

    Args and conventions: see :func:`imbalance_indices`.

    Returns:
        ``{class: count}`` for every class in ``y`` (sorted by class).

    Raises:
        InfeasibleScenario: when a class would get no sample (a ``ValueError``).
        ValueError: for the invalid arguments of :func:`imbalance_indices`.

    Examples:
        >>> import numpy as np
        >>> y = np.repeat(np.arange(4), 100)
        >>> imbalance_counts(y, "step", 10, minority_fraction=0.5, minority_classes=[0, 1])
        {0: 10, 1: 10, 2: 100, 3: 100}
    """
    seed = resolve_seed(seed)
    y = check_labels(y)
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {KINDS}; received {kind!r}.")
    ratio = check_ratio(ratio)
    if kind != "step" and minority_fraction is not None:
        raise ValueError(f"`minority_fraction` applies to kind='step' only; received "
                         f"minority_fraction={minority_fraction!r} with kind={kind!r}.")
    if kind in ("linear", "linear_ratio") and minority_classes is not None:
        raise ValueError(f"`minority_classes` does not apply to kind={kind!r}; received "
                         f"{minority_classes!r}.")
    classes, available = np.unique(y, return_counts=True)
    num = len(classes)
    if num < 2:
        raise ValueError(f"`y` must hold at least 2 classes; received only class {classes.tolist()}.")
    n = int(available.min())
    if max_per_class is not None:
        if isinstance(max_per_class, bool) or not isinstance(max_per_class, numbers.Integral) \
                or max_per_class < 1:
            raise ValueError(f"`max_per_class` must be a positive int; received {max_per_class!r}.")
        n = min(n, int(max_per_class))
    order = _class_order(classes, seed)
    pos = np.arange(num)
    if kind == "linear":
        sizes = n - pos * (n - n / ratio) / (num - 1)
    elif kind == "linear_ratio":
        sizes = n / (1.0 + (ratio - 1.0) * pos / (num - 1))
    else:
        minority = _minority_positions(kind, num, minority_fraction, minority_classes, order)
        sizes = np.where(minority, n / ratio, float(n))
    counts = round_half_up(sizes)
    for c, k, s in zip(order.tolist(), counts.tolist(), sizes.tolist()):
        if k < 1:
            raise InfeasibleScenario(
                f"class {c} would get {k} samples ({n} / {ratio:g} -> {s:.3g}) with "
                f"kind={kind!r}, ratio={ratio:g}; lower `ratio` or raise `max_per_class`.")
    realised = realised_ratio(counts)
    if abs(realised / ratio - 1.0) > 0.05:
        warnings.warn(f"kind={kind!r}, ratio={ratio:g}: after rounding the counts to whole "
                      f"samples (largest class {int(counts.max())}, smallest "
                      f"{int(counts.min())}) the realised imbalance ratio is {realised:.3g}, "
                      f"more than 5 % from the requested {ratio:g}.", UserWarning, stacklevel=2)
    return {int(c): int(k) for c, k in sorted(zip(order.tolist(), counts.tolist()))}


def realised_ratio(counts) -> float:
    """Largest / smallest positive class count (a sequence or a ``{class: count}`` dict).

    Examples:
        >>> realised_ratio([100, 10, 2]), realised_ratio({0: 9, 1: 3})
        (50.0, 3.0)
    """
    values = list(counts.values()) if isinstance(counts, dict) else counts
    c = np.asarray(values, dtype=float)
    if c.ndim != 1 or not (c > 0).any() or (c < 0).any() or not np.isfinite(c).all():
        raise ValueError(f"`counts` must be non-negative class counts with at least one "
                         f"positive; received {values!r}.")
    c = c[c > 0]
    return float(c.max() / c.min())


def imbalance_indices(y, kind: str, ratio: float, minority_fraction: float | None = None,
                      minority_classes=None, max_per_class: int | None = None,
                      seed: int = 0) -> np.ndarray:
    """Indices of an artificially imbalanced subset of ``y``.

    Args:
        y: 1-D integer labels.
        kind: ``"step"``, ``"linear"`` (Buda 2018), ``"linear_ratio"``,
            ``"single_majority"``, ``"single_minority"`` or ``"half_minority"``
            (Koziarski 2020); see the module docstring.
        ratio: imbalance ratio rho / IR = largest / smallest class size, >= 1.
        minority_fraction: mu, the fraction of minority classes (``"step"`` only).
        minority_classes: explicit minority classes instead of a seeded choice
            (``"step"`` and Koziarski's single/half scenarios).
        max_per_class: cap on the largest class (Buda: 5000).
        seed: fixes which classes become minority and which samples are kept
            (``None``: fresh entropy, consistent within the call).

    Returns:
        Sorted int64 indices into ``y``.

    Raises:
        ValueError: for invalid labels, an unknown ``kind``, ``ratio < 1`` or
            ``minority_fraction`` outside (0, 1).
        InfeasibleScenario: (a ``ValueError``) for a class that would get zero
            samples (the message names the class and its count).

    Examples:
        >>> import numpy as np
        >>> y = np.repeat(np.arange(10), 50)
        >>> idx = imbalance_indices(y, "step", ratio=10, minority_fraction=0.5, seed=0)
        >>> sorted(np.bincount(y[idx]).tolist())
        [5, 5, 5, 5, 5, 50, 50, 50, 50, 50]

    Reference:
        Buda, Maki, Mazurowski (2018), section 3.1; Koziarski (2020), section 4.2.
    """
    seed = resolve_seed(seed)
    counts = imbalance_counts(y, kind, ratio, minority_fraction, minority_classes,
                              max_per_class, seed)
    y = np.asarray(y).astype(np.int64)
    parts = []
    for c, k in counts.items():
        members = np.flatnonzero(y == c)
        rng = np.random.default_rng(np.random.SeedSequence([seed, 1, c]))
        parts.append(members[rng.permutation(len(members))[:k]])
    return np.sort(np.concatenate(parts))


def make_imbalanced(x, y, kind: str, ratio: float, minority_fraction: float | None = None,
                    minority_classes=None, max_per_class: int | None = None,
                    seed: int = 0):
    """Return ``(x_sub, y_sub)``, the imbalanced subset of :func:`imbalance_indices`.

    Examples:
        >>> import numpy as np
        >>> x = np.zeros((40, 2, 2, 1)); y = np.repeat(np.arange(4), 10)
        >>> xs, ys = make_imbalanced(x, y, "linear", ratio=10, seed=0)
        >>> sorted(np.bincount(ys).tolist())
        [1, 4, 7, 10]
    """
    check_same_length(x, y)
    idx = imbalance_indices(y, kind, ratio, minority_fraction, minority_classes,
                            max_per_class, seed)
    return x[idx], np.asarray(y)[idx]
