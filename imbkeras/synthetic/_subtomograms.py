"""Simulated cryo-ET subtomograms of four macromolecular complexes (Luo et al. 2019).

The physics follows the field's simulators (e.g. the Xu lab's, TomoPy's
forward model): a density map per class -> random rotation (ZYZ Euler
angles) and a small shift -> contrast transfer function (defocus, voltage,
spherical aberration, B-factor envelope) -> band-pass -> Gaussian noise at a
target SNR (signal variance / noise variance) -> missing wedge in Fourier
space (the tilt range around the y axis) -> ``size^3`` box, z-scored.

The classes are Luo's, in the order and with the names of his Table II, and
differ in shape as the real complexes do:

0. ``proteasome_d``: a 20S barrel (four stacked 7-fold rings) capped at both ends
   (the double-capped 26S proteasome), 1043 volumes;
1. ``ribosome``: a large two-lobed particle (50S-like and 30S-like lobes), 80;
2. ``TRiC``: two stacked 8-fold rings with a central cavity, 125;
3. ``proteasome_s``: the barrel of class 0 with one cap (single-capped), 386.

Defaults reproduce Luo's dataset: those 1,634 volumes (63.5 / 4.9 / 7.6 /
23.5 %; the rarest class is the ribosome) at 40^3 with tilt range -50..+70
degrees.
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

CLASS_NAMES = ("proteasome_d", "ribosome", "TRiC", "proteasome_s")
# Luo's Table II: volumes per class (1,634 in all) and their shares.
LUO_COUNTS = (1043, 80, 125, 386)
LUO_PROPORTIONS = tuple(float(v) for v in np.array(LUO_COUNTS) / sum(LUO_COUNTS))
# the density design of each class (see `density`)
_SHAPES = {"proteasome_d": "double_capped", "ribosome": "two_lobes", "TRiC": "ring_pair",
           "proteasome_s": "single_capped"}


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
    """The noise-free density map of class ``label`` (of :data:`CLASS_NAMES`) in a ``size^3`` box.

    The map's maximum is 1.
    """
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)) \
            or not 0 <= label < len(CLASS_NAMES):
        raise ValueError(f"`label` must be in [0, {len(CLASS_NAMES) - 1}] (one of "
                         f"{list(CLASS_NAMES)}); received {label!r}.")
    shape = _SHAPES[CLASS_NAMES[label]]
    s = size / 40.0  # shapes are designed for a 40^3 box at about 1 nm per voxel
    c = (size - 1) / 2
    grid = np.meshgrid(*(np.arange(size) - c,) * 3, indexing="ij")  # z, y, x
    if shape in ("double_capped", "single_capped"):  # barrel of 4 x 7-fold rings, caps
        vol = sum(_ring(grid, z * s, 4.5 * s, 7, 1.6 * s, phase=0.45 * i)
                  for i, z in enumerate((-4.5, -1.5, 1.5, 4.5)))
        caps = (-1, 1) if shape == "double_capped" else (1,)
        for sign in caps:
            vol = vol + 1.6 * _blob(grid, (sign * 9.5 * s, 0, 0), 3.6 * s) \
                + 0.8 * _blob(grid, (sign * 11.0 * s, 2.5 * s, 0), 2.5 * s)
    elif shape == "ring_pair":  # two 8-fold rings
        vol = sum(_ring(grid, z * s, 6.0 * s, 8, 2.0 * s, phase=0.2 * i)
                  for i, z in enumerate((-3.2, 3.2)))
    else:  # two lobes
        vol = 1.2 * _blob(grid, (-2.0 * s, 0, -1.0 * s), 6.5 * s) \
            + 0.9 * _blob(grid, (5.0 * s, 1.5 * s, 2.0 * s), 4.6 * s)
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


def _check_classes(classes) -> list:
    """Names of simulated classes: distinct entries of :data:`CLASS_NAMES` (2 to 4)."""
    if isinstance(classes, (str, bytes)) or not hasattr(classes, "__iter__"):
        raise TypeError(f"`classes` must be a list of class names from {list(CLASS_NAMES)}; "
                        f"received {_short(classes)}.")
    classes = list(classes)
    unknown = [c for c in classes if not isinstance(c, str) or c not in CLASS_NAMES]
    if unknown:
        raise ValueError(f"`classes` names unknown class(es) {unknown}; the simulated classes "
                         f"are {list(CLASS_NAMES)}.")
    if len(set(classes)) != len(classes) or not 2 <= len(classes) <= len(CLASS_NAMES):
        raise ValueError(f"`classes` must be 2 to {len(CLASS_NAMES)} distinct class names; "
                         f"received {classes}.")
    return classes


def _class_counts(n, classes, class_counts, class_proportions) -> tuple[list, np.ndarray]:
    """The simulated classes and their whole counts from the three ways of asking."""
    if class_counts is not None and class_proportions is not None:
        raise ValueError("give `class_counts` or `class_proportions`, not both; received "
                         f"class_counts={_short(class_counts)}, "
                         f"class_proportions={_short(class_proportions)}.")
    if class_counts is not None:
        if isinstance(class_counts, (str, bytes)) or not hasattr(class_counts, "__len__"):
            raise TypeError(f"`class_counts` must be a list of ints, one per class; received "
                            f"{_short(class_counts)}.")
        names = _check_classes(CLASS_NAMES if classes is None else classes)
        if len(class_counts) != len(names):
            raise ValueError(f"`class_counts` has {len(class_counts)} entries "
                             f"{_short(list(class_counts))} but {len(names)} classes are "
                             f"simulated ({names}); give one count per class name.")
        counts = np.array([check_positive_int(c, "class_counts") for c in class_counts])
        if n is not None and check_positive_int(n, "n") != counts.sum():
            raise ValueError(f"`n`={n} differs from the sum of `class_counts` "
                             f"{counts.tolist()} = {int(counts.sum())}; give one of them.")
        return names, counts
    if class_proportions is not None:
        p = check_proportions(class_proportions, length=(2, len(CLASS_NAMES)))
        names = _check_classes(CLASS_NAMES[: len(p)] if classes is None else classes)
        if len(p) != len(names):
            raise ValueError(f"`class_proportions` has {len(p)} shares but {len(names)} "
                             f"classes are simulated ({names}); give one share per class.")
        return names, largest_remainder_counts(p, check_positive_int(
            1634 if n is None else n, "n"))
    names = _check_classes(CLASS_NAMES if classes is None else classes)
    luo = np.array([LUO_COUNTS[CLASS_NAMES.index(c)] for c in names])
    if n is None:
        return names, luo
    return names, largest_remainder_counts(luo / luo.sum(), check_positive_int(n, "n"))


def subtomograms(n: int | None = None, *, classes=None, class_counts=None,
                 class_proportions=None, size: int = 40, snr: float = 0.5,
                 tilt_range=(-50.0, 70.0), max_shift: float = 2.0, clean: bool = False,
                 n_jobs: int | None = 1, seed: int | None = 0):
    """Simulate subtomograms of Luo's four complexes (or of some of them).

    With no argument: Luo's dataset, 1,634 volumes of proteasome_d / ribosome /
    TRiC / proteasome_s = 1043 / 80 / 125 / 386 (Table II), labels 0-3 in
    that order.

    Args:
        n: number of volumes, an int >= 1; default Luo's 1,634 (or the sum of
            ``class_counts``). With ``n`` and no counts, the classes get Luo's
            shares of ``n`` (largest remainders).
        classes: names of the simulated classes (2 to 4 of
            :data:`CLASS_NAMES`); label ``i`` is ``classes[i]``. Default all
            four in Luo's order (the first ``len(class_proportions)`` with
            proportions).
        class_counts: volumes per class, one int >= 1 per name of ``classes``.
        class_proportions: shares of the classes (2 to 4 values, each > 0,
            summing to 1) instead of counts; counts are the shares of ``n``
            rounded (largest remainders).
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
        seed: random seed; ``None`` for fresh entropy. The volumes come in a
            seeded random order.

    Returns:
        ``(x, y, class_names)``: float32 ``(n, size, size, size, 1)``, int64
        labels, the class names.

    Raises:
        ValueError: for ``class_counts`` whose length differs from the number
            of classes (or whose sum differs from ``n``), an unknown or
            repeated class name, proportions that do not sum to 1 or hold a
            zero, both counts and proportions, ``snr <= 0`` or not finite, a
            tilt range outside [-90, 90] or inverted, a ``max_shift`` outside
            ``[0, size / 4]`` or not finite, ``n < 1``, ``n_jobs < 1`` or a box
            smaller than 16.
        TypeError: for non-integer ``n``, counts, ``size`` or ``n_jobs``, a
            non-boolean ``clean``, strings where numbers are expected, or a
            bad ``seed``.

    Examples:
        >>> x, y, names = subtomograms(4, size=16, seed=0)
        >>> x.shape, names[:2]
        ((4, 16, 16, 16, 1), ['proteasome_d', 'ribosome'])
        >>> _, y, _ = subtomograms(size=16, class_counts=(3, 1), classes=("TRiC", "ribosome"))
        >>> np.bincount(y).tolist()
        [3, 1]

    Reference:
        Luo et al. (2019), section IV.A and Table II (classes, counts, tilt
        -50..+70); Pei et al. (2016), simulating cryo electron tomograms of
        crowded cell cytoplasm (the forward model).
    """
    names, counts = _class_counts(n, classes, class_counts, class_proportions)
    n = int(counts.sum())
    size = check_positive_int(size, "size", minimum=16)
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
    y = rng.permutation(np.repeat(np.arange(len(names)), counts))
    shapes = np.array([CLASS_NAMES.index(c) for c in names])[y]  # density of each volume
    seeds = [s.generate_state(2) for s in np.random.SeedSequence(rng.integers(2**63)).spawn(n)]
    workers = os.cpu_count() if n_jobs is None else n_jobs
    chunk = max(1, int(np.ceil(n / (4 * workers))))
    jobs = [(shapes[i:i + chunk], seeds[i:i + chunk], size, float(snr), (lo, hi), max_shift,
             clean) for i in range(0, n, chunk)]
    if workers == 1:
        parts = [_chunk(j) for j in jobs]
    else:
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(_chunk, jobs))
    x = np.concatenate(parts)[..., None]
    return x, y.astype(np.int64), list(names)


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
