"""Simulated TEM liposome cut-outs with segmentation masks (Gryshkevych 2016).

Each sample is one particle in the centre of a grayscale cut-out that
includes ``surrounding`` pixels of background on every side (the thesis'
images keep 50 px), with its segmentation mask. The background is Perlin-like
value noise (sums of smoothly upsampled random grids, thesis section 4.8.4)
plus shot noise. A particle is a round or slightly elliptic vesicle whose
membrane is a bilayer ring (a dark line with a bright halo):

- lamellarity: *unilamellar* (one ring), *multilamellar* (2-5 concentric
  rings), *uncertain* (overlapping neighbours, ice blobs, strong blur);
- encapsulation: *full* (dense interior), *empty* (interior like the
  background), *uncertain* (as above).

Particle diameters follow a log-normal spread (the thesis' Figures 3-4 show
cut-outs from about 40 to 250 px wide, most around 60-100).
"""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np
import scipy.ndimage

from imbkeras._validation import (check_positive_int, check_proportions, check_seed,
                                  largest_remainder_counts)

PROBLEMS = {
    "lamellarity": (("unilamellar", "multilamellar", "uncertain"), (0.8729, 0.1212, 0.0059)),
    "encapsulation": (("full", "uncertain", "empty"), (0.9734, 0.0201, 0.0065)),
}


@dataclasses.dataclass
class ParticleSet:
    """Cut-outs of varied size with their masks.

    Attributes:
        images: list of float32 2-D arrays in [0, 1].
        masks: list of bool 2-D arrays (the particle), same shapes.
        y: int64 labels.
        class_names: names of the classes.
    """

    images: list
    masks: list
    y: np.ndarray
    class_names: list

    def __len__(self):
        return len(self.y)


def _value_noise(shape, rng, octaves=4, base=4):
    """Perlin-like noise: octaves of bicubically upsampled random grids, halving amplitude."""
    out = np.zeros(shape, dtype=np.float64)
    amp = 1.0
    for o in range(octaves):
        cells = base * 2 ** o
        grid = rng.normal(size=(cells + 3, cells + 3))
        zoom = (shape[0] / cells, shape[1] / cells)
        up = scipy.ndimage.zoom(grid, zoom, order=3)[: shape[0], : shape[1]]
        if up.shape != shape:
            up = np.pad(up, [(0, shape[0] - up.shape[0]), (0, shape[1] - up.shape[1])],
                        mode="edge")
        out += amp * up
        amp *= 0.5
    return out / np.abs(out).max()


def _ring(r, radius, width):
    """Bilayer profile: a dark line at ``radius`` with a faint bright halo outside."""
    return (-np.exp(-((r - radius) ** 2) / (2 * width ** 2))
            + 0.35 * np.exp(-((r - radius - 2.2 * width) ** 2) / (2 * (1.5 * width) ** 2)))


def _vesicle(h, w, cy, cx, radius, ellipticity, angle):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    dy, dx = yy - cy, xx - cx
    c, s = np.cos(angle), np.sin(angle)
    u, v = c * dx + s * dy, -s * dx + c * dy
    return np.sqrt(u ** 2 + (v * ellipticity) ** 2)  # elliptic radius


def _particle(cls, problem, rng, diameter, surrounding, noise):
    radius = diameter / 2
    side = int(np.ceil(diameter + 2 * surrounding))
    h = w = side
    cy = cx = (side - 1) / 2
    ell = 1.0 + abs(rng.normal(0, 0.08))
    angle = rng.uniform(0, np.pi)
    r = _vesicle(h, w, cy, cx, radius, ell, angle)
    width = max(0.8, radius * rng.uniform(0.035, 0.06))
    img = 0.25 * _value_noise((h, w), rng)
    name = PROBLEMS[problem][0][cls]
    inside = r < radius
    interior = 0.0
    rings = 1
    if problem == "lamellarity" and name == "multilamellar":
        rings = int(rng.integers(2, 6))
    if problem == "encapsulation" and name == "full":
        interior = -rng.uniform(0.25, 0.5)
    elif problem == "encapsulation" and name == "empty":
        interior = rng.uniform(0.0, 0.08)
    else:
        interior = -rng.uniform(0.0, 0.12)
    img += interior * scipy.ndimage.gaussian_filter(inside.astype(float), 1.0)
    spacing = rng.uniform(2.2, 3.2) * width
    for k in range(rings):
        img += rng.uniform(0.7, 1.0) * _ring(r, radius - k * spacing, width)
    mask = r < radius + 2 * width
    if name == "uncertain":
        kind = rng.integers(3)
        if kind == 0:  # an overlapping neighbour
            a = rng.uniform(0, 2 * np.pi)
            d = radius * rng.uniform(0.9, 1.5)
            r2 = _vesicle(h, w, cy + d * np.sin(a), cx + d * np.cos(a), 0, 1.0, 0)
            rad2 = radius * rng.uniform(0.5, 1.0)
            img += rng.uniform(0.7, 1.0) * _ring(r2, rad2, width)
        elif kind == 1:  # ice blob over the particle
            by, bx = cy + rng.normal(0, radius / 3), cx + rng.normal(0, radius / 3)
            rb = _vesicle(h, w, by, bx, 0, 1.0, 0)
            img += rng.choice([-1, 1]) * 0.6 * np.exp(-(rb ** 2) / (2 * (radius / 2.5) ** 2))
        else:  # out of focus
            img = scipy.ndimage.gaussian_filter(img, rng.uniform(1.5, 3.0))
    img += rng.normal(0, noise, size=img.shape)
    img = (img - img.min()) / (img.max() - img.min() + 1e-12)
    return img.astype(np.float32), mask


def liposomes(n: int = 2000, problem: str = "lamellarity", *, class_proportions=None,
              diameter=(60.0, 0.35), surrounding: int = 12, noise: float = 0.12,
              seed: int | None = 0) -> ParticleSet:
    """Simulate ``n`` TEM liposome cut-outs with masks.

    Args:
        n: number of particles (>= 1).
        problem: ``"lamellarity"`` (unilamellar / multilamellar / uncertain,
            87.3 / 12.1 / 0.6 %) or ``"encapsulation"`` (full / uncertain /
            empty, 97.3 / 2.0 / 0.7 %), the thesis' Tables 1-2.
        class_proportions: class shares summing to 1 (default: the thesis').
            Labels are drawn so that counts match the shares (rounded), in a
            seeded random order.
        diameter: ``(median, sigma)`` of the log-normal particle diameter in
            pixels.
        surrounding: background pixels kept on each side (thesis: 50).
        noise: standard deviation of the pixel noise (before normalisation).
        seed: random seed; ``None`` for fresh entropy.

    Returns:
        A :class:`ParticleSet` (``images``, ``masks``, ``y``, ``class_names``).

    Raises:
        ValueError: for an unknown problem, proportions that are not positive
            or do not sum to 1, a non-positive diameter or negative noise.

    Example:
        >>> s = liposomes(20, seed=0)
        >>> len(s), s.class_names, s.images[0].shape == s.masks[0].shape
        (20, ['unilamellar', 'multilamellar', 'uncertain'], True)

    Reference:
        Gryshkevych (2016), Deep learning for classification of liposomes in
        TEM images, sections 2-3 and 4.8.4.
    """
    n = check_positive_int(n, "n")
    if problem not in PROBLEMS:
        raise ValueError(f"`problem` must be one of {list(PROBLEMS)}; received {problem!r}.")
    names, default = PROBLEMS[problem]
    p = check_proportions(default if class_proportions is None else class_proportions,
                          length=len(names), allow_zero=True)
    med, sigma = diameter
    if not med > 0 or not sigma >= 0:
        raise ValueError(f"`diameter` must be (median > 0, sigma >= 0); received {diameter!r}.")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or noise < 0:
        raise ValueError(f"`noise` must be a number >= 0; received {noise!r}.")
    surrounding = check_positive_int(surrounding, "surrounding", minimum=0)
    rng = np.random.default_rng(check_seed(seed))
    counts = largest_remainder_counts(p, n)
    y = rng.permutation(np.repeat(np.arange(len(names)), counts))
    children = np.random.SeedSequence(rng.integers(2**63)).spawn(n)
    images, masks = [], []
    for label, child in zip(y, children):
        r = np.random.default_rng(child)
        d = float(np.clip(med * np.exp(r.normal(0, sigma)), 12, 6 * med))
        img, mask = _particle(int(label), problem, r, d, surrounding, noise)
        images.append(img)
        masks.append(mask)
    return ParticleSet(images, masks, y.astype(np.int64), list(names))


def save_particles(particles: ParticleSet, root, fmt: str = "png"):
    """Write ``root/<class>/<i>.<fmt>`` and ``<i>_mask.<fmt>`` (8-bit PNG or TIF).

    Returns:
        The root ``Path``.
    """
    from pathlib import Path

    import skimage.io

    if fmt not in ("png", "tif"):
        raise ValueError(f"`fmt` must be 'png' or 'tif'; received {fmt!r}.")
    root = Path(root)
    for name in particles.class_names:
        (root / name).mkdir(parents=True, exist_ok=True)
    for i, (img, mask, label) in enumerate(zip(particles.images, particles.masks, particles.y)):
        folder = root / particles.class_names[int(label)]
        skimage.io.imsave(folder / f"{i:05d}.{fmt}", (img * 255).round().astype(np.uint8),
                          check_contrast=False)
        skimage.io.imsave(folder / f"{i:05d}_mask.{fmt}", mask.astype(np.uint8) * 255,
                          check_contrast=False)
    return root
