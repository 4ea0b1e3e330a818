"""Simulated 4-channel protein-localisation fields, multi-label (Al-joudi & Arif 2023 / HPA).

Each image shows a few cells in the four HPA channels: microtubules (red,
radial filaments), the protein of interest (green), the nucleus (blue) and
the endoplasmic reticulum (yellow, a perinuclear mesh). The green channel is
the sum of the patterns of the image's labels (1-4 of the 28 HPA
localisations): nucleoplasm fills the nucleus, nucleoli are a few blobs in
it, speckles many small dots, the plasma membrane a ring at the cell edge,
mitochondria short worms in the cytoplasm, the Golgi a compact blob beside
the nucleus, and so on. Label frequencies follow the long tail of the HPA
Kaggle training set (from about 41 % of images down to about 0.04 %), with
some frequent co-occurrences (nucleoplasm and cytosol, nucleoli and their
fibrillar centre, actin and focal adhesions, centrosome and the
microtubule-organising centre, plasma membrane and cell junctions).
"""

from __future__ import annotations

import numpy as np
import scipy.ndimage

from imbkeras._validation import (_short, as_generator, check_positive_int, check_real,
                                  check_seed)
from imbkeras.datasets._hpa import HPA_CLASSES

#: Approximate label counts of the HPA Kaggle training set (31,072 images).
HPA_COUNTS = np.array([12885, 1254, 3621, 1561, 1858, 2513, 1008, 2822, 53, 45, 28, 1093, 688,
                       537, 1066, 21, 530, 210, 902, 1482, 172, 3777, 802, 2965, 322, 8228, 328,
                       11], dtype=float)
HPA_FREQUENCIES = HPA_COUNTS / 31072
CO_OCCURRENCE = ((0, 25, 0.35), (2, 3, 0.3), (12, 13, 0.3), (19, 18, 0.3), (21, 22, 0.25),
                 (14, 17, 0.1), (4, 5, 0.15))


def _base_probabilities(freq: np.ndarray) -> np.ndarray:
    """Independent draw probabilities whose marginals, after the co-occurrence boosts and
    the filling of empty rows, come out at ``freq`` (first-order correction)."""
    weights = freq / freq.sum()
    m = freq.copy()
    for _ in range(5):
        empty = np.prod(1 - m)
        m = np.clip(freq - empty * weights, 1e-6, None)
    base = m.copy()
    for a, b, p in CO_OCCURRENCE:
        if max(a, b) < len(freq):
            base[b] = max(1e-6, (m[b] - base[a] * p) / (1 - base[a] * p))
    return base


def _check_frequencies(frequencies, name: str, length: int | None = None) -> np.ndarray:
    """Marginal label frequencies: 1-D numbers in (0, 1) (default: HPA's)."""
    if frequencies is None:
        return HPA_FREQUENCIES
    raw = np.asarray(frequencies) if not isinstance(frequencies, (str, bytes, dict)) \
        else np.asarray([])
    if raw.dtype.kind not in "iuf":  # strings, booleans, objects never reach the arithmetic
        freq = np.empty(0)
    else:
        freq = raw.astype(np.float64)
    if freq.ndim != 1 or not len(freq) or (length is not None and len(freq) != length) \
            or not np.all((freq > 0) & (freq < 1)):
        what = "numbers" if length is None else f"{length} numbers"
        raise ValueError(f"`{name}` must be {what} in (0, 1); received {_short(frequencies)}.")
    return freq


def draw_labels(n: int, rng=None, frequencies=None, max_labels: int = 4):
    """Multi-hot labels with the given marginal frequencies, 1 to ``max_labels`` per image.

    Args:
        n: number of label rows.
        rng: a ``numpy.random.Generator``, a seed or ``None`` (fresh entropy).
        frequencies: marginal frequency of each label, in (0, 1) (default:
            HPA's 28).
        max_labels: most labels per row, an int >= 1.

    Raises:
        ValueError: for ``n < 1``, ``max_labels < 1`` or frequencies that are
            not numbers in (0, 1) (strings and booleans included).
        TypeError: for non-integer ``n`` / ``max_labels`` or a bad ``rng``.
    """
    n = check_positive_int(n, "n")
    max_labels = check_positive_int(max_labels, "max_labels")
    rng = as_generator(rng, "rng")
    freq = _check_frequencies(frequencies, "frequencies")
    y = rng.random((n, len(freq))) < _base_probabilities(freq)
    for a, b, p in CO_OCCURRENCE:
        if max(a, b) < len(freq):
            y[:, b] |= y[:, a] & (rng.random(n) < p)
    empty = ~y.any(1)
    y[empty, rng.choice(len(freq), size=empty.sum(), p=freq / freq.sum())] = True
    for i in np.flatnonzero(y.sum(1) > max_labels):
        keep = rng.choice(np.flatnonzero(y[i]), size=max_labels, replace=False)
        y[i] = False
        y[i, keep] = True
    return y.astype(np.int64)


def _dots(region, count, radius, rng, amp=1.0):
    out = np.zeros(region.shape)
    pts = np.argwhere(region)
    if len(pts) == 0:
        return out
    for py, px in pts[rng.integers(len(pts), size=count)]:
        out[py, px] += amp * rng.uniform(0.6, 1.0)
    return scipy.ndimage.gaussian_filter(out, radius) * (2 * np.pi * radius ** 2)


def _lines(region, count, length, rng, width=0.7, straight_angle=None):
    out = np.zeros(region.shape)
    pts = np.argwhere(region)
    if len(pts) == 0:
        return out
    h, w = region.shape
    for py, px in pts[rng.integers(len(pts), size=count)]:
        a = rng.uniform(0, np.pi) if straight_angle is None else straight_angle + rng.normal(0, .1)
        for t in np.linspace(-length / 2, length / 2, int(2 * length) + 1):
            yy, xx = int(round(py + t * np.sin(a))), int(round(px + t * np.cos(a)))
            if 0 <= yy < h and 0 <= xx < w:
                out[yy, xx] = 1.0
    return scipy.ndimage.gaussian_filter(out, width) * region * 3


def _cell(size, rng, cy, cx, cell_r, nuc_r):
    yy, xx = np.indices((size, size)).astype(float)
    ang = np.arctan2(yy - cy, xx - cx)
    wobble = 1 + 0.12 * np.sin(3 * ang + rng.uniform(0, 6)) + 0.06 * np.sin(5 * ang)
    r = np.hypot(yy - cy, xx - cx)
    cell = r < cell_r * wobble
    ny, nx = cy + rng.normal(0, 1), cx + rng.normal(0, 1)
    nr = np.hypot((yy - ny) / 1.0, (xx - nx) / rng.uniform(0.8, 1.2))
    nucleus = nr < nuc_r
    return dict(cell=cell, nucleus=nucleus, cyto=cell & ~nucleus, r=r, ang=ang, ny=ny, nx=nx,
                cell_r=cell_r, nuc_r=nuc_r, nr=nr, edge=cell & ~scipy.ndimage.binary_erosion(
                    cell, iterations=2), nuc_edge=nucleus & ~scipy.ndimage.binary_erosion(
                    nucleus, iterations=1))


def _pattern(label, c, rng, size, cells):
    k = c["cell_r"] / 10.0
    if label == 0:
        return c["nucleus"] * (0.6 + 0.2 * rng.random((size, size)))
    if label == 1:
        return c["nuc_edge"] * 1.0
    if label in (2, 3):
        nucleoli = _dots(c["nucleus"], 3, 1.3 * k, rng)
        return nucleoli if label == 2 else _dots(nucleoli > 0.5 * nucleoli.max(), 6, 0.5, rng)
    if label == 4:
        return _dots(c["nucleus"], 25, 0.6, rng)
    if label == 5:
        return _dots(c["nucleus"], 4, 0.8, rng)
    if label == 6:
        return c["cyto"] * scipy.ndimage.gaussian_filter(rng.random((size, size)), 0.7) * \
            np.exp(-(c["r"] - c["nuc_r"]) / (3 * k))
    if label == 7:
        a = rng.uniform(0, 2 * np.pi)
        gy, gx = c["ny"] + 1.3 * c["nuc_r"] * np.sin(a), c["nx"] + 1.3 * c["nuc_r"] * np.cos(a)
        region = (np.hypot(*(np.indices((size, size)) - np.array([gy, gx])[:, None, None]))
                  < 1.5 * k) & c["cyto"]
        return _dots(region, 6, 0.8, rng)
    if label in (8, 9, 10, 26):
        count, radius = {8: (30, 0.5), 9: (15, 0.8), 10: (12, 1.0), 26: (4, 1.2)}[label]
        return _dots(c["cyto"], count, radius, rng)
    if label == 11:
        return _lines(c["cyto"], 12, 6 * k, rng)
    if label == 12:
        return _lines(c["cell"], 10, 10 * k, rng, straight_angle=rng.uniform(0, np.pi))
    if label == 13:
        return _lines(c["edge"], 8, 1.5 * k, rng)
    if label == 14:
        return _lines(c["cyto"], 16, 8 * k, rng, width=0.5)
    if label == 15:
        return _dots(c["edge"], 12, 0.5, rng)
    if label == 16 and len(cells) > 1:
        other = cells[int(rng.integers(len(cells)))]
        out = np.zeros((size, size))
        for t in np.linspace(0, 1, 3 * size):
            y = int(round(c["ny"] + t * (other["ny"] - c["ny"])))
            x = int(round(c["nx"] + t * (other["nx"] - c["nx"])))
            if 0 <= y < size and 0 <= x < size and not c["nucleus"][y, x] \
                    and not other["nucleus"][y, x]:
                out[y, x] = 1
        return scipy.ndimage.gaussian_filter(out, 0.8) * 3
    if label in (16, 17):
        return _lines(c["nucleus"] | c["cyto"], 10, 2.0 * c["nuc_r"], rng, width=0.5,
                      straight_angle=rng.uniform(0, np.pi))
    if label in (18, 19):
        near = c["cyto"] & (c["r"] < c["nuc_r"] + 2.5 * k)
        return _dots(near, 1 if label == 18 else 2, 0.7, rng, amp=2.0)
    if label == 20:
        d = _dots(c["cyto"], 8, 1.0, rng)
        return np.clip(d - scipy.ndimage.gaussian_filter(d, 0.4) * 0.8, 0, None) * 3
    if label == 21:
        return c["edge"] * 1.0
    if label == 22:
        touching = np.zeros((size, size), bool)
        for o in cells:
            if o is not c:
                touching |= c["edge"] & scipy.ndimage.binary_dilation(o["cell"], iterations=2)
        return touching * 1.5 if touching.any() else c["edge"] * 0.5
    if label == 23:
        return _lines(c["cyto"], 25, 2.5 * k, rng, width=0.6)
    if label == 24:
        return _dots(c["cyto"] & (c["r"] < c["nuc_r"] + 3 * k), 1, 2.0 * k, rng, amp=2.0)
    if label == 25:
        return c["cyto"] * (0.5 + 0.2 * rng.random((size, size)))
    if label == 27:
        return _lines(c["cyto"], 3, 2.0 * k, rng, width=0.6) + _dots(c["cyto"], 2, 1.0, rng)
    return np.zeros((size, size))


def _field(labels, size, rng, noise):
    n_cells = int(rng.integers(2, 5))
    cells = []
    for _ in range(n_cells):
        cell_r = size * rng.uniform(0.16, 0.24)
        cy, cx = rng.uniform(cell_r, size - cell_r, size=2)
        cells.append(_cell(size, rng, cy, cx, cell_r, cell_r * rng.uniform(0.4, 0.55)))
    red, green, blue, yellow = (np.zeros((size, size)) for _ in range(4))
    for c in cells:
        blue += c["nucleus"] * (0.7 + 0.3 * scipy.ndimage.gaussian_filter(
            rng.random((size, size)), 1.0))
        red += _lines(c["cyto"], 14, c["cell_r"], rng, width=0.5) * 0.6
        yellow += c["cyto"] * np.exp(-(c["r"] - c["nuc_r"]) / (c["cell_r"] / 3)) * \
            scipy.ndimage.gaussian_filter(rng.random((size, size)), 0.8)
    for label in np.flatnonzero(labels):
        green += sum(_pattern(int(label), c, rng, size, cells) for c in cells) * \
            rng.uniform(0.6, 1.0)
    out = []
    for ch in (red, green, blue, yellow):
        ch = scipy.ndimage.gaussian_filter(ch, 0.6) + rng.normal(0, noise, ch.shape)
        out.append(np.clip(ch / max(np.percentile(ch, 99.5), 1e-6), 0, 1))
    return np.stack(out, -1).astype(np.float32)


def protein_cells(n: int = 1000, size: int = 64, *, label_frequencies=None,
                  max_labels: int = 4, noise: float = 0.05, seed: int | None = 0):
    """Simulate ``n`` multi-label RGBY cell images.

    Args:
        n: number of images (>= 1).
        size: image side in pixels (>= 32).
        label_frequencies: 28 marginal label frequencies in (0, 1) (default:
            ``HPA_FREQUENCIES``, the HPA Kaggle training set's).
        max_labels: labels per image at most (each image has at least one).
        noise: pixel noise standard deviation (relative to the signal), a
            finite number >= 0.
        seed: random seed; ``None`` for fresh entropy.

    Returns:
        ``(x, y, class_names)``: float32 ``(n, size, size, 4)`` in [0, 1] (R, G,
        B, Y), int64 multi-hot ``(n, 28)``, the 28 HPA names.

    Raises:
        ValueError: for ``n < 1``, ``size < 32``, ``max_labels < 1``,
            frequencies that are not 28 numbers in (0, 1), or a negative,
            NaN or infinite ``noise``.
        TypeError: for non-integer ``n``, ``size`` or ``max_labels``, a
            non-number ``noise`` or a bad ``seed``.

    Example:
        >>> x, y, names = protein_cells(4, 32, seed=0)
        >>> x.shape, y.shape, bool((y.sum(1) >= 1).all())
        ((4, 32, 32, 4), (4, 28), True)

    Reference:
        Al-joudi & Arif (2023); Ouyang et al. (2019), the HPA image
        classification competition (label frequencies and channels).
    """
    n = check_positive_int(n, "n")
    size = check_positive_int(size, "size", minimum=32)
    max_labels = check_positive_int(max_labels, "max_labels")
    freq = _check_frequencies(label_frequencies, "label_frequencies", len(HPA_CLASSES))
    noise = check_real(noise, "noise", minimum=0.0)
    rng = np.random.default_rng(check_seed(seed))
    y = draw_labels(n, rng, freq, max_labels)
    children = np.random.SeedSequence(rng.integers(2**63)).spawn(n)
    x = np.stack([_field(y[i], size, np.random.default_rng(children[i]), noise)
                  for i in range(n)])
    return x, y, list(HPA_CLASSES)
