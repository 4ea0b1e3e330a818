"""Simulated cryo-ET subtomograms of four macromolecular complexes (Luo et al. 2019).

The physics follows the field's simulators (e.g. the Xu lab's, TomoPy's
forward model): a density map per class -> random rotation (ZYZ Euler
angles) and a small shift -> contrast transfer function (defocus, voltage,
spherical aberration, B-factor envelope) -> band-pass -> Gaussian noise at a
target SNR (signal variance / noise variance) -> missing wedge in Fourier
space (the tilt range around the y axis) -> ``size^3`` box, z-scored.

The classes differ in shape as the real complexes do:

0. ``26S proteasome``: a 20S barrel (four stacked 7-fold rings) capped at both ends;
1. ``20S/26S single-capped``: the same barrel with one cap;
2. ``TRiC``: two stacked 8-fold rings with a central cavity;
3. ``ribosome``: a large two-lobed particle (50S-like and 30S-like lobes).

Defaults reproduce Luo's class shares (63.5 / 4.9 / 7.6 / 23.5 %) at
40^3 with tilt range -50..+70 degrees.
"""

from __future__ import annotations

import concurrent.futures
import functools
import os

import numpy as np
import scipy.ndimage

from imbkeras._validation import (_short, check_bool, check_labels, check_names,
                                  check_positive_int, check_positive_real, check_proportions,
                                  check_real, check_same_length, check_seed,
                                  largest_remainder_counts)

CLASS_NAMES = ("26S proteasome", "single-capped proteasome", "TRiC", "ribosome")
# Luo's shares, 63.5 / 4.9 / 7.6 / 23.5 % (99.5 % as printed), normalised to sum to 1.
LUO_PROPORTIONS = tuple(float(v) for v in np.array([0.635, 0.049, 0.076, 0.235]) / 0.995)


def _blob(grid, center, radius):
    d2 = sum((g - c) ** 2 for g, c in zip(grid, center))
    return np.exp(-d2 / (2 * radius ** 2))


def _ring(grid, z, radius, n, blob_r, phase=0.0):
    out = 0
    for k in range(n):
        a = phase + 2 * np.pi * k / n
        out = out + _blob(grid, (z, radius * np.sin(a), radius * np.cos(a)), blob_r)
    return out


@functools.lru_cache(maxsize=16)
def density(label: int, size: int) -> np.ndarray:
    """The noise-free density map of class ``label`` in a ``size^3`` box (max 1)."""
    s = size / 40.0  # shapes are designed for a 40^3 box at about 1 nm per voxel
    c = (size - 1) / 2
    grid = np.meshgrid(*(np.arange(size) - c,) * 3, indexing="ij")  # z, y, x
    if label in (0, 1):  # barrel of 4 x 7-fold rings, caps
        vol = sum(_ring(grid, z * s, 4.5 * s, 7, 1.6 * s, phase=0.45 * i)
                  for i, z in enumerate((-4.5, -1.5, 1.5, 4.5)))
        caps = (-1, 1) if label == 0 else (1,)
        for sign in caps:
            vol = vol + 1.6 * _blob(grid, (sign * 9.5 * s, 0, 0), 3.6 * s) \
                + 0.8 * _blob(grid, (sign * 11.0 * s, 2.5 * s, 0), 2.5 * s)
    elif label == 2:  # two 8-fold rings
        vol = sum(_ring(grid, z * s, 6.0 * s, 8, 2.0 * s, phase=0.2 * i)
                  for i, z in enumerate((-3.2, 3.2)))
    elif label == 3:  # two lobes
        vol = 1.2 * _blob(grid, (-2.0 * s, 0, -1.0 * s), 6.5 * s) \
            + 0.9 * _blob(grid, (5.0 * s, 1.5 * s, 2.0 * s), 4.6 * s)
    else:
        raise ValueError(f"`label` must be in [0, 3]; received {label!r}.")
    return (vol / vol.max()).astype(np.float32)


def euler_zyz(a: float, b: float, c: float) -> np.ndarray:
    """Rotation matrix of ZYZ Euler angles (radians), acting on (x, y, z) vectors."""
    def rz(t):
        return np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])

    def ry(t):
        return np.array([[np.cos(t), 0, np.sin(t)], [0, 1, 0], [-np.sin(t), 0, np.cos(t)]])

    return rz(a) @ ry(b) @ rz(c)


def _frequencies(size):
    f = np.fft.fftfreq(size)
    return np.meshgrid(f, f, f, indexing="ij")  # kz, ky, kx (cycles per voxel)


def _check_tilt(tilt_range) -> tuple[float, float]:
    """``(min, max)`` degrees: two finite real numbers (not strings), -90 <= min < max <= 90."""
    try:
        ok = not isinstance(tilt_range, (str, bytes)) and len(tilt_range) == 2
    except TypeError:
        ok = False
    if ok:
        try:
            lo, hi = (check_real(v, "tilt_range") for v in tilt_range)
        except TypeError:
            raise TypeError(f"`tilt_range` must be (min, max) numbers of degrees; received "
                            f"{_short(tilt_range)}.") from None
        except ValueError:
            ok = False
    if not ok or not -90 <= lo < hi <= 90:
        raise ValueError(f"`tilt_range` must be (min, max) degrees with -90 <= min < max <= 90; "
                         f"received {_short(tilt_range)}.")
    return lo, hi


def wedge_mask(size: int, tilt_range=(-50.0, 70.0)) -> np.ndarray:
    """Fourier-space mask of the sampled region for a single-axis tilt series about y.

    A projection at tilt ``t`` samples the central plane normal to the tilted
    beam; in the (kx, kz) plane it contributes the line at angle ``t``. Frequencies
    whose direction lies outside the tilt range form the missing wedge (0).

    Raises:
        ValueError: for ``size < 2`` or a tilt range outside [-90, 90], inverted,
            not a pair or holding NaN / inf.
        TypeError: for a non-integer ``size`` or tilt angles that are not numbers.
    """
    size = check_positive_int(size, "size", minimum=2)
    lo, hi = _check_tilt(tilt_range)
    kz, ky, kx = _frequencies(size)
    ang = np.degrees(np.arctan2(-kz, kx))
    ang = (ang + 90.0) % 180.0 - 90.0  # direction of a line: (-90, 90]
    mask = (ang >= lo) & (ang <= hi)
    mask |= (kx == 0) & (kz == 0)
    return mask


def ctf(size: int, voxel_size: float = 10.0, defocus: float = -4.0, voltage: float = 300.0,
        cs: float = 2.0, b_factor: float = 200.0, amplitude_contrast: float = 0.07):
    """Radial CTF with a B-factor envelope on the ``size^3`` FFT grid.

    Args:
        voxel_size: Angstrom per voxel. defocus: micrometres (negative =
        underfocus). voltage: kV. cs: spherical aberration in mm. b_factor:
        Angstrom^2.
    """
    v = voltage * 1e3
    lam = 12.2643 / np.sqrt(v * (1 + 0.978466e-6 * v))  # electron wavelength, Angstrom
    kz, ky, kx = _frequencies(size)
    k2 = (kx ** 2 + ky ** 2 + kz ** 2) / voxel_size ** 2  # 1/Angstrom^2
    chi = np.pi * lam * (defocus * 1e4) * k2 + 0.5 * np.pi * cs * 1e7 * lam ** 3 * k2 ** 2
    phase = np.sqrt(1 - amplitude_contrast ** 2) * np.sin(chi) \
        - amplitude_contrast * np.cos(chi)
    return (-phase * np.exp(-b_factor * k2 / 4)).astype(np.float32)


def _bandpass(size, low=0.02, high=0.35):
    kz, ky, kx = _frequencies(size)
    k = np.sqrt(kx ** 2 + ky ** 2 + kz ** 2)
    return ((1 - np.exp(-(k / low) ** 2)) * np.exp(-(k / high) ** 4)).astype(np.float32)


def _one(label, size, snr, tilt_range, max_shift, seed, clean):
    rng = np.random.default_rng(seed)
    vol = density(int(label), size)
    rot = euler_zyz(*rng.uniform(0, 2 * np.pi, 3) * np.array([1, 0.5, 1]))
    # rotate about the centre (scipy works in (z, y, x) index order)
    perm = rot[::-1, ::-1]
    c = (size - 1) / 2
    shift = rng.uniform(-max_shift, max_shift, 3)
    offset = c - perm @ (np.full(3, c) + shift)
    vol = scipy.ndimage.affine_transform(vol, perm, offset=offset, order=1, mode="constant")
    if clean:
        return vol
    f = np.fft.fftn(vol) * ctf(size) * _bandpass(size)
    signal = np.real(np.fft.ifftn(f))
    noise = rng.normal(0, np.sqrt(signal.var() / snr), signal.shape)
    out = np.real(np.fft.ifftn(np.fft.fftn(signal + noise) * wedge_mask(size, tilt_range)))
    return ((out - out.mean()) / (out.std() + 1e-12)).astype(np.float32)


def _chunk(args):
    labels, seeds, size, snr, tilt, shift, clean = args
    return np.stack([_one(l, size, snr, tilt, shift, s, clean) for l, s in zip(labels, seeds)])


def subtomograms(n: int = 1634, *, class_proportions=LUO_PROPORTIONS, size: int = 40,
                 snr: float = 0.5, tilt_range=(-50.0, 70.0), max_shift: float = 2.0,
                 clean: bool = False, n_jobs: int | None = 1, seed: int | None = 0):
    """Simulate ``n`` subtomograms of Luo's four complexes (or the first 2 or 3).

    Args:
        n: number of volumes, an int >= 1.
        class_proportions: shares of the classes (2 to 4 values, each > 0,
            summing to 1); default Luo's 63.5 / 4.9 / 7.6 / 23.5 %. Counts are
            the shares of ``n`` rounded (largest remainders), in a seeded order.
        size: box side (>= 16); shapes scale with it.
        snr: signal-to-noise ratio (variance), a finite number > 0.
        tilt_range: ``(min, max)`` tilt in degrees within [-90, 90]; the
            missing wedge is the rest.
        max_shift: largest random shift per axis, in voxels: a finite number
            in ``[0, size / 4]`` (the particle stays in the box).
        clean: ``True`` or ``False``: return the rotated, shifted densities only (no CTF, noise or
            wedge): to look at the shapes.
        n_jobs: worker processes (``None``: all cores); the result does not
            depend on it (one seed per volume).
        seed: random seed; ``None`` for fresh entropy.

    Returns:
        ``(x, y, class_names)``: float32 ``(n, size, size, size, 1)``, int64
        labels, the class names.

    Raises:
        ValueError: for proportions that do not sum to 1 or hold a zero,
            ``snr <= 0`` or not finite, a tilt range outside [-90, 90] or
            inverted, a ``max_shift`` outside ``[0, size / 4]`` or not
            finite, ``n < 1``, ``n_jobs < 1`` or a box smaller than 16.
        TypeError: for non-integer ``n``, ``size`` or ``n_jobs``, a
            non-boolean ``clean``, strings where numbers are expected, or a
            bad ``seed``.

    Example:
        >>> x, y, names = subtomograms(4, size=16, seed=0)
        >>> x.shape, names[:2]
        ((4, 16, 16, 16, 1), ['26S proteasome', 'single-capped proteasome'])

    Reference:
        Luo et al. (2019), section IV.A (simulated data: SNR, tilt -50..+70);
        Pei et al. (2016), simulating cryo electron tomograms of crowded cell
        cytoplasm (the forward model).
    """
    n = check_positive_int(n, "n")
    size = check_positive_int(size, "size", minimum=16)
    p = check_proportions(class_proportions, length=(2, 4))
    snr = check_positive_real(snr, "snr")
    lo, hi = _check_tilt(tilt_range)
    max_shift = check_real(max_shift, "max_shift", minimum=0.0)
    if max_shift > size / 4:
        raise ValueError(f"`max_shift` must be <= size / 4 = {size / 4:g} voxels (the particle "
                         f"stays in the box); received {max_shift!r} for size={size}.")
    clean = check_bool(clean, "clean")
    if n_jobs is not None:
        n_jobs = check_positive_int(n_jobs, "n_jobs")
    rng = np.random.default_rng(check_seed(seed))
    counts = largest_remainder_counts(p, n)
    y = rng.permutation(np.repeat(np.arange(len(p)), counts))
    seeds = [s.generate_state(2) for s in np.random.SeedSequence(rng.integers(2**63)).spawn(n)]
    workers = os.cpu_count() if n_jobs is None else n_jobs
    chunk = max(1, int(np.ceil(n / (4 * workers))))
    jobs = [(y[i:i + chunk], seeds[i:i + chunk], size, float(snr), (lo, hi), max_shift, clean)
            for i in range(0, n, chunk)]
    if workers == 1:
        parts = [_chunk(j) for j in jobs]
    else:
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(_chunk, jobs))
    x = np.concatenate(parts)[..., None]
    return x, y.astype(np.int64), list(CLASS_NAMES[: len(p)])


def save_subtomograms(x, y, root, class_names=None):
    """Write ``root/<i>.mrc`` (mrcfile, float32) and ``root/labels.csv`` (``file,label[,name]``).

    With ``class_names``, ``root/class_names.txt`` lists every class in label
    order (those without a volume too). :func:`imbkeras.datasets.load_subtomograms`
    reads it all back exactly (float32 is stored as is).

    Args:
        x: volumes ``(n, d, h, w, 1)`` or ``(n, d, h, w)``, finite.
        y: integer labels >= 0, one per volume.
        root: the output folder (created).
        class_names: names of the classes (distinct; one per label at
            least), written to the ``name`` column; default none.

    Returns:
        The root ``Path``.

    Raises:
        ValueError: for volumes of another rank, non-finite values, labels
            that are not integers >= 0, ``x`` and ``y`` of different lengths,
            or class names that repeat or are fewer than the labels.
    """
    import csv
    import io
    from pathlib import Path

    import mrcfile

    x = np.asarray(x)
    if x.ndim == 5 and x.shape[-1] == 1:
        x = x[..., 0]
    if x.ndim != 4 or min(x.shape[1:]) < 2 or x.dtype.kind not in "biuf":
        raise ValueError(f"`x` must be numeric volumes (n, d, h, w, 1) or (n, d, h, w); "
                         f"received shape {x.shape}, dtype {x.dtype}.")
    if not np.isfinite(x).all():
        raise ValueError("`x` must be finite; it holds NaN or inf.")
    y = check_labels(y, "y")
    check_same_length(x, y)
    if class_names is not None:
        class_names = check_names(class_names, "class_names")
        if len(class_names) <= int(y.max()):
            raise ValueError(f"`class_names` must name every label up to {int(y.max())}; "
                             f"received {len(class_names)} names {class_names}.")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "label", "name"])
    for i, (vol, label) in enumerate(zip(x, y)):
        name = f"{i:05d}.mrc"
        with mrcfile.new(root / name, overwrite=True) as mrc:
            mrc.set_data(vol.astype(np.float32))
        writer.writerow([name, int(label), class_names[int(label)] if class_names else ""])
    (root / "labels.csv").write_text(out.getvalue())
    if class_names:
        (root / "class_names.txt").write_text("\n".join(class_names) + "\n")
    return root
