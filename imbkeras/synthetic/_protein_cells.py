"""Simulated 4-channel protein-localisation fields, multi-label (Al-joudi & Arif 2023 / HPA).

Each image shows 2-3 cells in the four HPA channels: microtubules (red,
radial filaments), the protein of interest (green), the nucleus (blue) and
the endoplasmic reticulum (yellow, a perinuclear mesh). The green channel is
the sum of the patterns of the image's labels (1-4 of the 28 HPA
localisations), each with its own compartment and texture so that all 28 are
distinguishable at 64 px: nucleoplasm fills the nucleus, nucleoli are 2-3
large blobs in it, speckles many small dots, the plasma membrane a thin line
along the cell outline, cell junctions the stretch of outline facing the next
cell, mitochondria short worms in the cytoplasm, intermediate filaments arcs
around the nucleus, actin parallel fibres, the Golgi a cluster beside the
nucleus, the aggresome one big body there; the ER and microtubule patterns
copy the yellow and red reference channels of the same cell. (A linear model
on generic image features separates every label on a balanced simulated set:
``tests/synthetic/test_protein_cells.py``.) Label frequencies follow the long
tail of the HPA Kaggle training set (from about 41 % of images down to about
0.04 %), with its frequent co-occurrences (nucleoplasm and cytosol, nucleoli
and their fibrillar centre, actin and focal adhesions, centrosome and the
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


def _blobs(size, points, sigma, amps):
    """Gaussian spots of width ``sigma`` at ``points``, each of peak ``amps``."""
    out = np.zeros((size, size))
    for (py, px), a in zip(points, np.broadcast_to(amps, (len(points),))):
        iy, ix = int(round(py)), int(round(px))
        if 0 <= iy < size and 0 <= ix < size:
            out[iy, ix] += a
    return scipy.ndimage.gaussian_filter(out, sigma) * (2 * np.pi * sigma ** 2)


def _pick(region, count, rng):
    """``count`` random pixel positions of a boolean ``region`` (sub-pixel jitter)."""
    pts = np.argwhere(region)
    if len(pts) == 0:
        return np.zeros((0, 2))
    return pts[rng.integers(len(pts), size=count)] + rng.uniform(-0.5, 0.5, (count, 2))


def _dots(region, count, sigma, rng, amp=1.0):
    return _blobs(region.shape[0], _pick(region, count, rng), sigma,
                  amp * rng.uniform(0.7, 1.0, count))


def _segment(out, p0, p1):
    """Draw the segment ``p0 -> p1`` (pixel coordinates) into ``out``."""
    n = int(2 * np.hypot(p1[0] - p0[0], p1[1] - p0[1])) + 2
    for t in np.linspace(0, 1, n):
        y, x = int(round(p0[0] + t * (p1[0] - p0[0]))), int(round(p0[1] + t * (p1[1] - p0[1])))
        if 0 <= y < out.shape[0] and 0 <= x < out.shape[1]:
            out[y, x] = 1.0


def _lines(region, count, length, rng, width=0.6, angle=None):
    """Straight segments centred in ``region``: random angles, or near ``angle``."""
    out = np.zeros(region.shape)
    for py, px in _pick(region, count, rng):
        a = rng.uniform(0, np.pi) if angle is None else angle + rng.normal(0, .08)
        d = 0.5 * length * np.array([np.sin(a), np.cos(a)])
        _segment(out, (py - d[0], px - d[1]), (py + d[0], px + d[1]))
    return scipy.ndimage.gaussian_filter(out, width) * region


def _rings(region, count, radius, rng):
    """Hollow circles of ``radius`` pixels centred in ``region``."""
    size = region.shape[0]
    yy, xx = np.indices((size, size))
    out = np.zeros((size, size))
    for py, px in _pick(region, count, rng):
        out += np.abs(np.hypot(yy - py, xx - px) - radius) < 0.6
    return scipy.ndimage.gaussian_filter(np.minimum(out, 1), 0.5)


def _cell(size, rng, cy, cx, cell_r, nuc_r):
    yy, xx = np.indices((size, size)).astype(float)
    ang = np.arctan2(yy - cy, xx - cx)
    wobble = 1 + 0.08 * np.sin(3 * ang + rng.uniform(0, 6)) + 0.04 * np.sin(5 * ang)
    r = np.hypot(yy - cy, xx - cx)
    cell = r < cell_r * wobble
    ny, nx = cy + rng.normal(0, 0.5), cx + rng.normal(0, 0.5)
    nr = np.hypot(yy - ny, (xx - nx) / rng.uniform(0.85, 1.15))
    nucleus = (nr < nuc_r) & cell
    cyto = cell & ~nucleus
    return dict(cell=cell, nucleus=nucleus, cyto=cyto, r=r, ang=ang, cy=cy, cx=cx, ny=ny,
                nx=nx, cell_r=cell_r, nuc_r=nuc_r, nr=nr,
                edge=cell & ~scipy.ndimage.binary_erosion(cell, iterations=1),
                nuc_edge=nucleus & ~scipy.ndimage.binary_erosion(nucleus, iterations=1),
                inner=nucleus & (nr < 0.75 * nuc_r),
                perinuclear=cyto & (nr < nuc_r + 0.35 * (cell_r - nuc_r)),
                periphery=cyto & (r > 0.75 * cell_r * wobble))


def _side(c, rng, dist):
    """A point at ``dist`` x the nuclear radius from the nucleus centre, random direction."""
    a = rng.uniform(0, 2 * np.pi)
    return np.array([c["ny"] + dist * c["nuc_r"] * np.sin(a),
                     c["nx"] + dist * c["nuc_r"] * np.cos(a)]), a


def _pattern(label, c, rng, size, cells, refs):
    """The green signal of ``label`` in cell ``c`` (peak about 1).

    Each localisation has its own compartment and texture (see the module
    docstring); the ER and microtubule patterns co-localise with the yellow
    and red reference channels of the same cell, as in HPA images.
    """
    nuc_r = c["nuc_r"]
    if label == 0:      # nucleoplasm: smooth fill of the nucleus
        return 0.55 * c["nucleus"] * scipy.ndimage.gaussian_filter(
            0.8 + 0.2 * rng.random((size, size)), 1.0)
    if label == 1:      # nuclear membrane: thin rim of the nucleus
        return 1.0 * c["nuc_edge"]
    if label == 2:      # nucleoli: 2-3 large round blobs in the nucleus
        return _dots(c["inner"], int(rng.integers(2, 4)), 0.28 * nuc_r, rng, 1.4)
    if label == 3:      # fibrillar centres: a tight cluster of pin-points in the nucleus
        centre = _pick(c["inner"], 1, rng)
        pts = centre + rng.normal(0, 0.18 * nuc_r, (6, 2))
        return _blobs(size, pts, 0.45, 1.6)
    if label == 4:      # nuclear speckles: many small irregular dots in the nucleus
        return _dots(c["inner"], 18, 0.6, rng, 1.0)
    if label == 5:      # nuclear bodies: 2-4 small bright spots in the nucleus
        return _dots(c["inner"], int(rng.integers(2, 5)), 0.5, rng, 2.0)
    if label == 6:      # ER: the yellow reference pattern of the cell
        return refs["yellow"] * c["cyto"]
    if label == 7:      # Golgi: a compact cluster of small blobs on one side of the nucleus
        p, _ = _side(c, rng, 1.25)
        return _blobs(size, p + rng.normal(0, 0.2 * nuc_r, (8, 2)), 0.7, 0.8) * c["cell"]
    if label == 8:      # peroxisomes: many pin-points all over the cytoplasm
        return _dots(c["cyto"], 45, 0.45, rng, 1.2)
    if label == 9:      # endosomes: a dozen medium dots all over the cytoplasm
        return _dots(c["cyto"], 12, 0.9, rng, 1.0)
    if label == 10:     # lysosomes: larger dots crowded around the nucleus
        return _dots(c["perinuclear"], 7, 1.2, rng, 1.0)
    if label == 11:     # intermediate filaments: arcs concentric to the nucleus (a cage)
        out = np.zeros((size, size))
        for _ in range(6):
            rad = nuc_r + rng.uniform(0.15, 0.8) * (c["cell_r"] - nuc_r)
            a0 = rng.uniform(0, 2 * np.pi)
            t = np.linspace(a0, a0 + rng.uniform(1.5, 3.0), 40)
            pts = np.stack([c["ny"] + rad * np.sin(t), c["nx"] + rad * np.cos(t)], 1)
            for p0, p1 in zip(pts[:-1], pts[1:]):
                _segment(out, p0, p1)
        return scipy.ndimage.gaussian_filter(out, 0.5) * c["cyto"] * 2
    if label == 12:     # actin: long straight parallel stress fibres across the cell
        return _lines(c["cell"], 7, 2.0 * c["cell_r"], rng, 0.5, rng.uniform(0, np.pi)) * 2
    if label == 13:     # focal adhesions: short radial dashes at the cell periphery
        out = np.zeros((size, size))
        for py, px in _pick(c["periphery"], 10, rng):
            a = np.arctan2(py - c["cy"], px - c["cx"])
            d = 1.5 * np.array([np.sin(a), np.cos(a)])
            _segment(out, (py - d[0], px - d[1]), (py + d[0], px + d[1]))
        return scipy.ndimage.gaussian_filter(out, 0.5) * c["cell"] * 2.5
    if label == 14:     # microtubules: the red reference pattern of the cell
        return refs["red"] * c["cell"]
    if label == 15:     # microtubule ends: pin-points along the cell edge
        return _dots(c["periphery"], 16, 0.45, rng, 1.2)
    if label == 16:     # cytokinetic bridge: a bright line to the nearest other cell
        others = [o for o in cells if o is not c]
        if not others:
            return np.zeros((size, size))
        o = min(others, key=lambda o: np.hypot(o["cy"] - c["cy"], o["cx"] - c["cx"]))
        out = np.zeros((size, size))
        _segment(out, (c["cy"], c["cx"]), (o["cy"], o["cx"]))
        return scipy.ndimage.gaussian_filter(out, 0.7) * ~(c["nucleus"] | o["nucleus"]) * 3
    if label == 17:     # mitotic spindle: fibres between two poles across the nucleus
        p, a = _side(c, rng, 0.0)
        axis = np.array([np.sin(a), np.cos(a)])
        normal = np.array([-axis[1], axis[0]])
        pole0, pole1 = p - 0.9 * nuc_r * axis, p + 0.9 * nuc_r * axis
        out = np.zeros((size, size))
        for off in np.linspace(-0.5, 0.5, 5) * nuc_r:
            mid = p + off * normal
            _segment(out, pole0, mid)
            _segment(out, mid, pole1)
        return scipy.ndimage.gaussian_filter(out, 0.5) * 2.5
    if label in (18, 19):  # MTOC: one bright spot by the nucleus; centrosome: a pair
        p, a = _side(c, rng, 1.2)
        pts = p[None] if label == 18 else p + np.array([[1.2, 0.0], [-1.2, 0.0]]) @ np.array(
            [[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        return _blobs(size, pts, 0.8 if label == 18 else 0.5, 2.5)
    if label == 20:     # lipid droplets: hollow rings in the cytoplasm
        return _rings(c["cyto"], 4, 1.6, rng) * 1.2
    if label == 21:     # plasma membrane: a thin continuous line along the cell outline
        return 1.0 * c["edge"]
    if label == 22:     # cell junctions: the stretch of outline that faces the nearest cell
        others = [o for o in cells if o is not c]
        if not others:
            return 1.0 * c["edge"]
        o = min(others, key=lambda o: np.hypot(o["cy"] - c["cy"], o["cx"] - c["cx"]))
        facing = np.cos(c["ang"] - np.arctan2(o["cy"] - c["cy"], o["cx"] - c["cx"])) > 0.75
        band = c["cell"] & ~scipy.ndimage.binary_erosion(c["cell"], iterations=2)
        return scipy.ndimage.gaussian_filter(1.0 * (band & facing), 0.5) * 2.0
    if label == 23:     # mitochondria: many short worms in the cytoplasm
        return _lines(c["cyto"], 22, 3.0, rng, 0.5) * 2.0
    if label == 24:     # aggresome: one big bright body beside the nucleus
        p, _ = _side(c, rng, 1.3)
        return _blobs(size, p[None], 0.45 * nuc_r, 2.0) * c["cell"]
    if label == 25:     # cytosol: smooth fill of the cytoplasm
        return 0.45 * c["cyto"] * scipy.ndimage.gaussian_filter(
            0.8 + 0.2 * rng.random((size, size)), 1.0)
    if label == 26:     # cytoplasmic bodies: 2-3 bright medium spots in the cytoplasm
        return _dots(c["cyto"], int(rng.integers(2, 4)), 1.0, rng, 2.2)
    if label == 27:     # rods & rings: a few thick short rods and rings
        return (_lines(c["cyto"], 2, 4.0, rng, 0.7) * 3 + _rings(c["cyto"], 1, 1.3, rng)) \
            * c["cyto"]
    return np.zeros((size, size))


def _place(size, n_cells, rng):
    """Centres and radii of ``n_cells`` cells that overlap little."""
    placed = []
    for _ in range(n_cells):
        cell_r = size * rng.uniform(0.19, 0.25)
        for _attempt in range(30):
            cy, cx = rng.uniform(cell_r, size - cell_r, size=2)
            if all(np.hypot(cy - y, cx - x) > 0.85 * (cell_r + r) for y, x, r in placed):
                break
        placed.append((cy, cx, cell_r))
    return placed


def _field(labels, size, rng, noise):
    cells = [_cell(size, rng, cy, cx, r, r * rng.uniform(0.42, 0.52))
             for cy, cx, r in _place(size, int(rng.integers(2, 4)), rng)]
    red, green, blue, yellow = (np.zeros((size, size)) for _ in range(4))
    for c in cells:
        blue += c["nucleus"] * (0.7 + 0.3 * scipy.ndimage.gaussian_filter(
            rng.random((size, size)), 1.0))
        # microtubules: radial filaments from the nucleus to the cell edge
        mt = np.zeros((size, size))
        for a in rng.uniform(0, 2 * np.pi, 12):
            r0, r1 = c["nuc_r"] * 0.9, c["cell_r"] * rng.uniform(0.8, 1.0)
            _segment(mt, (c["ny"] + r0 * np.sin(a), c["nx"] + r0 * np.cos(a)),
                     (c["ny"] + r1 * np.sin(a + rng.normal(0, .15)),
                      c["nx"] + r1 * np.cos(a + rng.normal(0, .15))))
        mt = scipy.ndimage.gaussian_filter(mt, 0.5) * c["cell"] * 2
        # endoplasmic reticulum: a perinuclear mesh fading toward the edge
        er = c["cyto"] * np.exp(-(c["nr"] - c["nuc_r"]) / (c["cell_r"] / 3)) * \
            (scipy.ndimage.gaussian_filter(rng.random((size, size)), 0.8) > 0.5)
        er = scipy.ndimage.gaussian_filter(er.astype(float), 0.5)
        red += 0.6 * mt
        yellow += er
        refs = {"red": mt, "yellow": er}
        for label in np.flatnonzero(labels):
            green += _pattern(int(label), c, rng, size, cells, refs) * rng.uniform(0.7, 1.0)
    out = []
    for ch in (red, green, blue, yellow):
        ch = scipy.ndimage.gaussian_filter(ch, 0.4) + rng.normal(0, noise, ch.shape)
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

    Examples:
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
