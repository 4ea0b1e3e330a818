"""Simulated TEM liposome cut-outs with segmentation masks (Gryshkevych 2016).

Each sample is one particle in the centre of a grayscale cut-out that
includes ``surrounding`` pixels of background on every side (the thesis'
images keep 50 px), with its segmentation mask. The background is Perlin-like
value noise (sums of smoothly upsampled random grids, thesis section 4.8.4)
plus shot noise. A particle is a round or slightly elliptic vesicle whose
membrane is a bilayer ring (a dark line with a bright halo):

- lamellarity (the number of lamellae): *unilamellar* (one ring),
  *multilamellar* (2-5 concentric rings), *uncertain* (a uni- or
  multilamellar vesicle, half each, obscured so that its lamellarity cannot
  be told: an overlapping neighbour, an ice blob, strong blur);
- encapsulation (the density of the encapsulated content): *full* (a dense,
  dark interior), *empty* (an interior like the background), *uncertain* (a
  full or empty vesicle, half each, obscured as above).

The thesis' uncertain classes are "introduced because in some cases it is
almost impossible to be certain about the class: liposomes can overlap each
other, [...] pieces of ice result in large black blobs" (section 2).

:func:`stack_input_modes` turns one simulated set into the model inputs of
the thesis' three input modes at once (section 8.5), and
:func:`select_input_mode` picks one of them, so that a comparison of the
modes sees the same particles.

Particle diameters follow a log-normal spread (the thesis' Figures 3-4 show
cut-outs from about 40 to 250 px wide, most around 60-100).
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import scipy.ndimage
import threadpoolctl

from imbkeras._validation import (_short, check_choice, check_labels, check_names,
                                  check_positive_int, check_proportions, check_real,
                                  check_same_length, check_seed, largest_remainder_counts)

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


@functools.lru_cache(maxsize=256)
def _zoom_matrix(m: int, factor: float) -> np.ndarray:
    """``scipy.ndimage.zoom(order=3)`` along one axis of length ``m``, as a matrix."""
    return scipy.ndimage.zoom(np.eye(m), (factor, 1.0), order=3)


def _value_noise(shape, rng, octaves=4, base=4):
    """Perlin-like noise: octaves of bicubically upsampled random grids, halving amplitude.

    The cubic-spline zoom is separable, so each grid is upsampled as
    ``Z0 @ grid @ Z1.T`` (the zoom of the identity along each axis): the same
    numbers as ``scipy.ndimage.zoom(grid, order=3)``, many times faster.
    """
    out = np.zeros(shape, dtype=np.float64)
    amp = 1.0
    for o in range(octaves):
        cells = base * 2 ** o
        grid = rng.normal(size=(cells + 3, cells + 3))
        z0 = _zoom_matrix(cells + 3, shape[0] / cells)
        z1 = _zoom_matrix(cells + 3, shape[1] / cells)
        up = (z0 @ grid @ z1.T)[: shape[0], : shape[1]]
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
    # An uncertain particle is one of the two certain kinds, obscured below.
    kind = name if name != "uncertain" else (
        ("unilamellar", "multilamellar") if problem == "lamellarity" else ("full", "empty")
    )[int(rng.integers(2))]
    rings = int(rng.integers(2, 6)) if kind == "multilamellar" else 1
    if kind == "full":
        interior = -rng.uniform(0.25, 0.5)  # dense encapsulated content
    elif kind == "empty":
        interior = rng.uniform(0.0, 0.08)  # like the background
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
              diameter=(60.0, 0.35), surrounding: int = 50, noise: float = 0.12,
              seed: int | None = 0) -> ParticleSet:
    """Simulate ``n`` TEM liposome cut-outs with masks.

    Args:
        n: number of particles (>= 1).
        problem: ``"lamellarity"`` (unilamellar / multilamellar / uncertain,
            87.29 / 12.12 / 0.59 %) or ``"encapsulation"`` (full / uncertain /
            empty, 97.34 / 2.01 / 0.65 %), the thesis' Tables 1-2.
        class_proportions: class shares summing to 1 (default: the thesis').
            Labels are drawn so that counts match the shares (rounded), in a
            seeded random order.
        diameter: ``(median, sigma)`` of the log-normal particle diameter in
            pixels: finite numbers, ``2 <= median <= 2000``, ``sigma >= 0``
            (diameters are clipped to ``[12, 6 * median]``).
        surrounding: background pixels kept on each side, an int >= 0
            (default: the thesis' 50).
        noise: standard deviation of the pixel noise (before normalisation),
            a finite number >= 0.
        seed: random seed; ``None`` for fresh entropy.

    Returns:
        A :class:`ParticleSet` (``images``, ``masks``, ``y``, ``class_names``).

    Raises:
        ValueError: for an unknown problem, proportions that are not positive
            or do not sum to 1, a diameter out of range, negative, NaN or
            infinite noise, or ``n < 1``.
        TypeError: for a non-integer ``n`` or ``surrounding``, a non-number
            noise or diameter entry, or a bad ``seed``.

    Examples:
        >>> s = liposomes(20, seed=0)
        >>> len(s), s.class_names, s.images[0].shape == s.masks[0].shape
        (20, ['unilamellar', 'multilamellar', 'uncertain'], True)

    Reference:
        Gryshkevych (2016), Deep learning for classification of liposomes in
        TEM images, sections 2-3 and 4.8.4.
    """
    n = check_positive_int(n, "n")
    problem = check_choice(problem, "problem", PROBLEMS)  # names both problems
    names, default = PROBLEMS[problem]
    p = check_proportions(default if class_proportions is None else class_proportions,
                          length=len(names), allow_zero=True)
    med, sigma = _check_diameter(diameter)
    noise = check_real(noise, "noise", minimum=0.0)
    surrounding = check_positive_int(surrounding, "surrounding", minimum=0)
    rng = np.random.default_rng(check_seed(seed))
    counts = largest_remainder_counts(p, n)
    y = rng.permutation(np.repeat(np.arange(len(names)), counts))
    children = np.random.SeedSequence(rng.integers(2**63)).spawn(n)
    images, masks = [], []
    # Tiny matrix products: threads of the BLAS only cost here (ten times, on a busy machine).
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        for label, child in zip(y, children):
            r = np.random.default_rng(child)
            d = float(np.clip(med * np.exp(r.normal(0, sigma)), 12, 6 * med))
            img, mask = _particle(int(label), problem, r, d, surrounding, noise)
            images.append(img)
            masks.append(mask)
    return ParticleSet(images, masks, y.astype(np.int64), list(names))


# Channels of ``stack_input_modes``: the whole cut-out and its mask, the crop and its mask.
STACK_CHANNELS = ("surrounding_image", "surrounding_mask", "cropped_image", "cropped_mask")


def stack_input_modes(particles: ParticleSet, size: int = 28, *, min_extent: int = 1
                      ) -> np.ndarray:
    """The thesis' three input modes of one particle set, stacked: ``(n, size, size, 4)``.

    Channels (:data:`STACK_CHANNELS`): the whole cut-out with its surrounding
    and its mask, then the crop to the mask's bounding box and its mask, each
    resized to ``size`` (see :func:`imbkeras.datasets.particle_inputs`). The
    cropped-and-masked mode is the crop times its mask
    (:func:`select_input_mode`), so every mode shows the same particles.

    Args:
        particles: a :class:`ParticleSet`.
        size: side of the model input, an int >= 4.
        min_extent: the smallest particle accepted, in pixels across its
            mask's bounding box: pass the model's minimum input side (e.g.
            LipNet-4's 10), below which a crop holds less than the network can
            take in, and resizing it up would invent the detail.

    Returns:
        float32 ``(n, size, size, 4)``.

    Raises:
        TypeError: if ``particles`` is not a :class:`ParticleSet`.
        ValueError: for a mask whose shape differs from its image's, an empty
            mask, or a particle smaller than ``min_extent`` (each names the
            particle, its class and its size).

    Examples:
        >>> s = liposomes(4, class_proportions=(0.5, 0.5, 0.0), seed=0)
        >>> x = stack_input_modes(s, 16)
        >>> x.shape, bool((select_input_mode(x, "masked")[..., 0][x[..., 3] == 0] == 0).all())
        ((4, 16, 16, 4), True)

    Reference:
        Gryshkevych (2016), sections 3 and 8.5.
    """
    from imbkeras.datasets import particle_inputs

    if not isinstance(particles, ParticleSet):
        raise TypeError(f"`particles` must be a ParticleSet (what `liposomes` returns); "
                        f"received {_short(particles)}.")
    min_extent = check_positive_int(min_extent, "min_extent")
    check_same_length(particles.images, particles.y, "particles.images", "particles.y")
    check_same_length(particles.masks, particles.y, "particles.masks", "particles.y")
    names = particles.class_names
    for i, (img, mask) in enumerate(zip(particles.images, particles.masks)):
        label = f"particle {i} (class {names[int(particles.y[i])]!r})"
        img, mask = np.asarray(img), np.asarray(mask)
        if mask.shape != img.shape:
            raise ValueError(f"{label}: its mask has shape {mask.shape}, its image "
                             f"{img.shape}; masks must match their images.")
        on = mask > 0
        if not on.any():
            raise ValueError(f"{label}: its mask is empty (no particle pixel).")
        rows, cols = np.flatnonzero(on.any(1)), np.flatnonzero(on.any(0))
        h, w = int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)
        if min(h, w) < min_extent:
            raise ValueError(f"{label} spans {h}x{w} pixels (its mask's bounding box), "
                             f"smaller than the model's minimum input "
                             f"{min_extent}x{min_extent} (`min_extent`={min_extent}).")
    whole = particle_inputs(particles.images, particles.masks, "surrounding", size)
    crop = particle_inputs(particles.images, particles.masks, "cropped", size)
    return np.concatenate([whole, crop], axis=-1)


def select_input_mode(x, mode: str) -> np.ndarray:
    """One input mode, ``(n, h, w, 2)`` (image, mask), of :func:`stack_input_modes`' output.

    Args:
        x: ``(n, h, w, 4)`` as :func:`stack_input_modes` returns.
        mode: ``"surrounding"`` (the whole cut-out), ``"cropped"`` (the mask's
            bounding box) or ``"masked"`` (cropped, zero outside the mask).

    Raises:
        ValueError: for another mode or an array that is not ``(n, h, w, 4)``.
    """
    from imbkeras.datasets import MODES

    mode = check_choice(mode, "mode", MODES)
    x = np.asarray(x)
    if x.ndim != 4 or x.shape[-1] != len(STACK_CHANNELS):
        raise ValueError(f"`x` must be (n, h, w, 4) as stack_input_modes returns "
                         f"({', '.join(STACK_CHANNELS)}); received shape {x.shape}.")
    if mode == "surrounding":
        return x[..., 0:2]
    if mode == "cropped":
        return x[..., 2:4]
    return np.stack([x[..., 2] * (x[..., 3] > 0.5), x[..., 3]], axis=-1)


def _check_diameter(diameter):
    try:
        ok = not isinstance(diameter, (str, bytes)) and len(diameter) == 2
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"`diameter` must be a pair (median, sigma); received "
                         f"{_short(diameter)}.")
    med = check_real(diameter[0], "diameter[0]", minimum=2.0, maximum=2000.0)
    sigma = check_real(diameter[1], "diameter[1]", minimum=0.0)
    return med, sigma


def save_particles(particles: ParticleSet, root, fmt: str = "png", *, bit_depth: int = 16):
    """Write ``root/<class>/<i>.<fmt>`` and ``<i>_mask.<fmt>``, and ``root/class_names.txt``.

    Images in [0, 1] are stored as unsigned integers of ``bit_depth`` bits,
    ``round(image * (2**bit_depth - 1))``, so that
    :func:`imbkeras.datasets.load_particles` (which divides integer pixels by
    their dtype's maximum) reads them back within half a grey level: 1/131070
    at 16 bits, 1/510 at 8. Masks are 8-bit, 0 or 255. Every class gets a
    folder (empty when it has no sample) and ``class_names.txt`` lists the
    classes in label order, which ``load_particles`` then uses.

    Args:
        particles: a :class:`ParticleSet` (images in [0, 1], masks of the same shapes).
        root: the output folder (created).
        fmt: ``"png"`` or ``"tif"``.
        bit_depth: 16 (default, like microscopy data) or 8.

    Returns:
        The root ``Path``.

    Raises:
        TypeError: if ``particles`` is not a :class:`ParticleSet`.
        ValueError: for an unknown ``fmt`` or ``bit_depth``, class names that
            repeat or are not plain folder names, labels outside the classes,
            images, masks and labels of different counts, or an image with
            values outside [0, 1] or an empty mask or one of another shape
            (named).

    Examples:
        >>> import tempfile
        >>> from imbkeras.datasets import load_particles
        >>> s = liposomes(3, class_proportions=(0.5, 0.5, 0.0), seed=0)
        >>> root = save_particles(s, tempfile.mkdtemp())
        >>> x, y, names = load_particles(root, size=16)
        >>> names == s.class_names, sorted(y.tolist()) == sorted(s.y.tolist())
        (True, True)
    """
    from pathlib import Path

    if not isinstance(particles, ParticleSet):
        raise TypeError(f"`particles` must be a ParticleSet (what `liposomes` returns); "
                        f"received {_short(particles)}.")
    fmt = check_choice(fmt, "fmt", ("png", "tif"))
    if isinstance(bit_depth, bool) or bit_depth not in (8, 16):
        raise ValueError(f"`bit_depth` must be 8 or 16; received {bit_depth!r}.")
    names = check_names(particles.class_names, "particles.class_names")
    bad = [c for c in names if c in (".", "..") or "/" in c or "\\" in c]
    if bad:
        raise ValueError(f"`particles.class_names` must be plain folder names; received "
                         f"{bad[0]!r}.")
    y = check_labels(particles.y, "particles.y", num_classes=len(names))
    check_same_length(particles.images, y, "particles.images", "particles.y")
    check_same_length(particles.masks, y, "particles.masks", "particles.y")
    dtype = np.uint8 if bit_depth == 8 else np.uint16
    top = np.iinfo(dtype).max
    planes = []
    for i, (img, mask) in enumerate(zip(particles.images, particles.masks)):
        img, mask = np.asarray(img), np.asarray(mask)
        if img.ndim != 2 or img.dtype.kind not in "biuf" or not np.isfinite(img).all() \
                or img.min() < 0 or img.max() > 1:
            raise ValueError(f"`particles.images[{i}]` must be a 2-D image with finite values "
                             f"in [0, 1]; received shape {img.shape}, dtype {img.dtype}.")
        if mask.shape != img.shape:
            raise ValueError(f"`particles.masks[{i}]` has shape {mask.shape}, its image "
                             f"{img.shape}; masks must match their images.")
        if not (mask > 0).any():
            raise ValueError(f"`particles.masks[{i}]` is empty: no particle pixel.")
        planes.append((np.round(img.astype(np.float64) * top).astype(dtype),
                       (mask > 0).astype(np.uint8) * 255))
    root = Path(root)
    for name in names:
        (root / name).mkdir(parents=True, exist_ok=True)
    (root / "class_names.txt").write_text("\n".join(names) + "\n")
    for i, ((img, mask), label) in enumerate(zip(planes, y)):
        folder = root / names[int(label)]
        _write_image(folder / f"{i:05d}.{fmt}", img)
        _write_image(folder / f"{i:05d}_mask.{fmt}", mask)
    return root


def _write_image(path, img):
    if path.suffix == ".tif":
        import tifffile

        tifffile.imwrite(path, img)
    else:
        import imageio.v3 as iio

        iio.imwrite(path, img)
