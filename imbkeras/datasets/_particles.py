"""Particle cut-outs with masks (TEM liposomes): the thesis' three input modes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from imbkeras._validation import _short, check_choice, check_positive_int, check_same_length
from imbkeras.datasets._files import class_folders, list_files, read_class_list
from imbkeras.datasets._image_folder import IMAGE_EXTENSIONS, read_image
from imbkeras.datasets._intensity import check_scale, to_channels, to_unit_range

MODES = ("surrounding", "cropped", "masked")


def _resize(a: np.ndarray, size: int, order: int) -> np.ndarray:
    import skimage.transform

    return skimage.transform.resize(a, (size, size), order=order, mode="edge",
                                    anti_aliasing=order > 0, preserve_range=True)


def _particle_pair(img, mask, i):
    """Image ``i`` as 2-D float32 and its mask as 2-D bool, checked."""
    img = np.asarray(img)
    if img.dtype.kind not in "biuf":
        raise TypeError(f"image {i} must hold numbers; received dtype {img.dtype}.")
    img = img.astype(np.float32)
    mask = np.asarray(mask)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if mask.ndim == 3 and mask.shape[-1] == 1:
        mask = mask[..., 0]
    if img.ndim != 2:
        raise ValueError(f"image {i} has shape {img.shape}; particle images must be 2-D gray "
                         f"(height, width).")
    if not np.isfinite(img).all():
        raise ValueError(f"image {i} holds non-finite pixels (NaN or inf).")
    if mask.dtype.kind not in "biuf" or (mask.dtype.kind == "f" and not np.isfinite(mask).all()):
        raise ValueError(f"mask {i} must hold finite numbers or booleans; received dtype "
                         f"{mask.dtype}.")
    if img.shape != mask.shape:
        raise ValueError(f"mask {i} has shape {mask.shape}, its image {img.shape}; masks "
                         f"must match their images.")
    mask = mask > 0
    if not mask.any():
        raise ValueError(f"mask {i} is empty: no particle pixel.")
    return img, mask


def particle_inputs(images, masks, mode: str = "surrounding", size: int = 28) -> np.ndarray:
    """Model inputs ``(n, size, size, 2)``: channel 0 the image, channel 1 the mask.

    Args:
        images: non-empty sequence of 2-D gray cut-outs (any sizes; ``(h, w,
            1)`` is accepted), finite.
        masks: the particles' masks, one per image, of the same shapes (a
            pixel is in the particle when its value is > 0).
        mode: ``"surrounding"`` (the whole cut-out), ``"cropped"`` (the mask's
            bounding box) or ``"masked"`` (cropped, and zero outside the mask).
        size: side of the square output, an int >= 4 (scikit-image resize:
            bilinear for images, nearest for masks; in ``"masked"`` mode the
            resized image is multiplied by the resized mask, so the background
            is exactly 0).

    Returns:
        float32 array; models take ``x[..., :1]``, feature baselines use both.

    Raises:
        ValueError: for an unknown mode, no image, a count or shape mismatch
            between images and masks, an image that is not 2-D, non-finite
            pixels, or an empty mask (each names the sample).
        TypeError: for a non-integer ``size`` or images that are not numbers.

    Examples:
        >>> img = np.random.default_rng(0).random((20, 30))
        >>> yy, xx = np.indices((20, 30))
        >>> mask = (yy - 10) ** 2 + (xx - 15) ** 2 < 36  # a disc
        >>> x = particle_inputs([img], [mask], "masked", size=8)
        >>> x.shape, float(x[0, ..., 0][x[0, ..., 1] == 0].max())
        ((1, 8, 8, 2), 0.0)

    Reference:
        Gryshkevych (2016), section 6 (with surrounding / cropped / masked).
    """
    mode = check_choice(mode, "mode", MODES)
    size = check_positive_int(size, "size", minimum=4)
    for value, name in ((images, "images"), (masks, "masks")):
        if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__"):
            raise TypeError(f"`{name}` must be a sequence of 2-D arrays; received "
                            f"{_short(value)}.")
    check_same_length(images, masks, "images", "masks")
    if len(images) == 0:
        raise ValueError("`images` must hold at least one particle; received none.")
    out = np.empty((len(images), size, size, 2), dtype=np.float32)
    for i, (img, mask) in enumerate(zip(images, masks)):
        img, mask = _particle_pair(img, mask, i)
        if mode != "surrounding":
            rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
            sl = np.s_[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
            img, mask = img[sl], mask[sl]
        small_img = _resize(img, size, 1)
        small_mask = _resize(mask.astype(np.float32), size, 0) > 0.5
        if mode == "masked":
            small_img = small_img * small_mask
        out[i, ..., 0] = small_img
        out[i, ..., 1] = small_mask
    return out


def _read_mask(path) -> np.ndarray:
    """A mask file as 2-D bool: > 0 in any colour channel (alpha ignored)."""
    raw = read_image(path)
    source = f"mask file {str(path)!r}"
    if raw.dtype.kind not in "biuf" or (raw.dtype.kind == "f" and not np.isfinite(raw).all()):
        raise ValueError(f"{source} must hold finite numbers; received dtype {raw.dtype}.")
    raw = to_channels(raw, None, source)
    colour = raw[..., :1] if raw.shape[-1] <= 2 else raw[..., :3]
    return (colour > 0).any(axis=-1)


def load_particles(path, mode: str = "surrounding", size: int = 28, *, class_names=None,
                   mask_suffix: str = "_mask", scale: float | None = None):
    """Particle cut-outs and masks from class folders, in one of the three input modes.

    Layout: ``path/<class>/<name>.png`` with its mask ``<name>_mask.png`` (PNG
    or TIF; what :func:`imbkeras.synthetic.save_particles` writes, with
    ``path/class_names.txt`` listing the classes in label order).

    Intensities follow the loaders' one rule: integer pixels are divided by
    their dtype's maximum (8-bit by 255, 16-bit by 65535, int16 by 32767;
    negative values are an error), float pixels are kept and must lie in
    [0, 1]; ``scale`` divides by that number instead. An RGB(A) image becomes
    gray by the mean of its R, G and B planes (alpha dropped). A mask pixel
    belongs to the particle when it is > 0 (in any colour channel).

    Args:
        path: root folder; sub-folders are classes.
        mode, size: see :func:`particle_inputs`.
        class_names: the class folders, in label order (distinct names).
            Default: the names in ``path/class_names.txt`` if it exists, else
            every sub-folder, sorted. A declared class (argument or file) may
            hold no particle; an undeclared empty folder is an error.
        mask_suffix: file-name suffix of the masks (non-empty).
        scale: ``None`` (the dtype rule) or a number > 0 every pixel is divided by.

    Returns:
        ``(x, y, class_names)``: ``x`` float32 ``(n, size, size, 2)`` (image,
        mask), ``y`` int64.

    Raises:
        FileNotFoundError: for a missing root, class folder or mask file, or a
            dangling link (named).
        ValueError: for an empty class folder that was not declared, no
            particle at all, a mask without its image, repeated class names,
            an unreadable file, pixels outside the intensity rule, a mask of
            another shape than its image, or an unknown mode.
    """
    mode = check_choice(mode, "mode", MODES)
    size = check_positive_int(size, "size", minimum=4)
    scale = check_scale(scale)
    if not isinstance(mask_suffix, str) or not mask_suffix:
        raise ValueError(f"`mask_suffix` must be a non-empty string; received "
                         f"{_short(mask_suffix)}.")
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"particle folder `path`={str(root)!r} does not exist.")
    declared = class_names if class_names is not None else read_class_list(root)
    names = class_folders(root, declared)
    images, masks, labels = [], [], []
    for label, name in enumerate(names):
        entries = list_files(root / name, IMAGE_EXTENSIONS)
        files = [p for p in entries if not p.stem.endswith(mask_suffix)]
        mask_files = {p for p in entries if p.stem.endswith(mask_suffix)}
        if not entries and declared is None:
            raise ValueError(f"class folder {str(root / name)!r} holds no particle image.")
        for f in files:
            mask_file = f.with_name(f.stem + mask_suffix + f.suffix)
            if mask_file not in mask_files:
                raise FileNotFoundError(f"no mask {mask_file.name!r} for particle image "
                                        f"{str(f)!r}.")
            mask_files.discard(mask_file)
            source = f"image file {str(f)!r}"
            img = to_channels(to_unit_range(read_image(f), source, scale), 1, source)[..., 0]
            mask = _read_mask(mask_file)
            if mask.shape != img.shape:
                raise ValueError(f"mask {str(mask_file)!r} has shape {mask.shape}, its image "
                                 f"{img.shape}; masks must match their images.")
            images.append(img)
            masks.append(mask)
            labels.append(label)
        if mask_files:
            orphan = sorted(mask_files)[0]
            raise ValueError(f"mask {str(orphan)!r} has no particle image (expected "
                             f"{orphan.name[:-len(mask_suffix + orphan.suffix)] + orphan.suffix!r}"
                             f" beside it).")
    if not images:
        raise ValueError(f"particle folder {str(root)!r} holds no particle image in the class "
                         f"folders {names}.")
    return particle_inputs(images, masks, mode, size), np.asarray(labels, np.int64), names
