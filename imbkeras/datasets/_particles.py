"""Particle cut-outs with masks (TEM liposomes): the thesis' three input modes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from imbkeras._validation import check_positive_int
from imbkeras.datasets._image_folder import IMAGE_EXTENSIONS, read_image

MODES = ("surrounding", "cropped", "masked")


def _resize(a: np.ndarray, size: int, order: int) -> np.ndarray:
    import skimage.transform

    return skimage.transform.resize(a, (size, size), order=order, mode="edge",
                                    anti_aliasing=order > 0, preserve_range=True)


def particle_inputs(images, masks, mode: str = "surrounding", size: int = 28) -> np.ndarray:
    """Model inputs ``(n, size, size, 2)``: channel 0 the image, channel 1 the mask.

    Args:
        images: sequence of 2-D gray cut-outs (any sizes).
        masks: the particles' masks, one per image, of the same shapes.
        mode: ``"surrounding"`` (the whole cut-out), ``"cropped"`` (the mask's
            bounding box) or ``"masked"`` (cropped, and zero outside the mask).
        size: side of the square output (scikit-image resize: bilinear for
            images, nearest for masks; in ``"masked"`` mode the resized image
            is multiplied by the resized mask, so the background is exactly 0).

    Returns:
        float32 array; models take ``x[..., :1]``, feature baselines use both.

    Raises:
        ValueError: for an unknown mode, a count or shape mismatch between
            images and masks, or an empty mask.

    Example:
        >>> img = np.random.default_rng(0).random((20, 30))
        >>> yy, xx = np.indices((20, 30))
        >>> mask = (yy - 10) ** 2 + (xx - 15) ** 2 < 36  # a disc
        >>> x = particle_inputs([img], [mask], "masked", size=8)
        >>> x.shape, float(x[0, ..., 0][x[0, ..., 1] == 0].max())
        ((1, 8, 8, 2), 0.0)

    Reference:
        Gryshkevych (2016), section 6 (with surrounding / cropped / masked).
    """
    if mode not in MODES:
        raise ValueError(f"`mode` must be one of {MODES}; received {mode!r}.")
    size = check_positive_int(size, "size", minimum=4)
    if len(images) != len(masks):
        raise ValueError(f"`images` and `masks` must have the same length; received "
                         f"{len(images)} and {len(masks)}.")
    out = np.empty((len(images), size, size, 2), dtype=np.float32)
    for i, (img, mask) in enumerate(zip(images, masks)):
        img = np.asarray(img, dtype=np.float32)
        mask = np.asarray(mask) > 0
        if img.ndim == 3 and img.shape[-1] == 1:
            img = img[..., 0]
        if img.shape != mask.shape:
            raise ValueError(f"mask {i} has shape {mask.shape}, its image {img.shape}; masks "
                             f"must match their images.")
        if not mask.any():
            raise ValueError(f"mask {i} is empty: no particle pixel.")
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


def load_particles(path, mode: str = "surrounding", size: int = 28, *, class_names=None,
                   mask_suffix: str = "_mask"):
    """Particle cut-outs and masks from class folders, in one of the three input modes.

    Layout: ``path/<class>/<name>.png`` with its mask ``<name>_mask.png`` (PNG
    or TIF; what :func:`imbkeras.synthetic.save_particles` writes).

    Args:
        path: root folder; sub-folders are classes (sorted, or ``class_names``).
        mode, size: see :func:`particle_inputs`.
        class_names: expected class folders, in label order.
        mask_suffix: file-name suffix of the masks.

    Returns:
        ``(x, y, class_names)``: ``x`` float32 ``(n, size, size, 2)`` (image,
        mask), ``y`` int64.

    Raises:
        FileNotFoundError: for a missing root, class folder or mask file (named).
        ValueError: for an empty class folder, an unreadable file, a mask of
            another shape than its image, or an unknown mode.
    """
    if mode not in MODES:
        raise ValueError(f"`mode` must be one of {MODES}; received {mode!r}.")
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"particle folder `path`={str(root)!r} does not exist.")
    found = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    names = list(class_names) if class_names is not None else found
    missing = [c for c in names if c not in found]
    if missing or not names:
        raise FileNotFoundError(f"class folders {missing or '(none)'} missing in {str(root)!r}; "
                                f"found {found}.")
    images, masks, labels = [], [], []
    for label, name in enumerate(names):
        files = sorted(p for p in (root / name).iterdir()
                       if p.suffix.lower() in IMAGE_EXTENSIONS and not p.stem.endswith(mask_suffix))
        if not files:
            raise ValueError(f"class folder {str(root / name)!r} holds no particle image.")
        for f in files:
            mask_file = f.with_name(f.stem + mask_suffix + f.suffix)
            if not mask_file.is_file():
                raise FileNotFoundError(f"no mask {mask_file.name!r} for particle image {str(f)!r}.")
            img = read_image(f).astype(np.float32)
            img = img / 255.0 if img.max() > 1.0 else img
            mask = read_image(mask_file)
            if mask.shape[:2] != img.shape[:2]:
                raise ValueError(f"mask {str(mask_file)!r} has shape {mask.shape}, its image "
                                 f"{img.shape}; masks must match their images.")
            images.append(img if img.ndim == 2 else img[..., 0])
            masks.append(mask if mask.ndim == 2 else mask[..., 0])
            labels.append(label)
    return particle_inputs(images, masks, mode, size), np.asarray(labels, np.int64), names
