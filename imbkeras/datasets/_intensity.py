"""The one intensity rule of every image loader, and the documented colour conversions.

Intensity rule (:func:`to_unit_range`), the same for PNG, TIF, JPEG and BMP
files in every loader (``load_image_folder``, ``load_hpa``, ``load_particles``):

- integer pixels are divided by their dtype's maximum: uint8 by 255, uint16
  by 65535, int16 by 32767 (and so on); negative values of a signed dtype
  are an error -- never by the image's own maximum;
- boolean pixels give 0 and 1;
- float pixels are kept as stored and must lie in [0, 1];
- ``scale=`` (a number > 0) divides every image by it instead, whatever its
  dtype (e.g. ``scale=4095`` for 12-bit data stored in uint16); the result
  must still lie in [0, 1];
- NaN or inf pixels, empty images and other dtypes are errors that name the file.

Colour rule (:func:`to_channels`): images are ``(h, w, c)`` with 1 (gray), 2
(gray + alpha), 3 (RGB) or 4 (RGBA) channels. To 1 channel: the mean of R,
G and B (alpha dropped); to 3: gray repeated, or alpha dropped; 4 channels
are only kept, never made up. No conversion ever picks one colour channel.
"""

from __future__ import annotations

import numpy as np

from imbkeras._validation import check_positive_real

INTENSITY_RULE = ("integer pixels are divided by their dtype's maximum (uint8 255, uint16 "
                  "65535, int16 32767; negative values are an error), float pixels are kept "
                  "and must lie in [0, 1], booleans give 0/1; `scale=` divides by that number "
                  "instead")


def check_scale(scale, name: str = "scale"):
    """``None`` (the dtype rule) or a finite number > 0; returned as a float or ``None``."""
    return None if scale is None else check_positive_real(scale, name)


def to_unit_range(img, source: str, scale: float | None = None, *,
                  allow_empty: bool = False) -> np.ndarray:
    """Pixels of one file as float32 in [0, 1] by the dtype rule (see the module doc).

    Args:
        img: the array as stored in the file.
        source: how errors name the file (``"image file '/a/b.png'"``).
        scale: ``None`` for the dtype rule, else the number every pixel is divided by.
        allow_empty: accept an array without pixels (a stack of zero images).

    Raises:
        ValueError: naming ``source``, for an empty image, an unsupported dtype, NaN or
            inf pixels, negative values of a signed integer dtype, or values outside
            [0, 1] (after ``scale``).
    """
    img = np.asarray(img)
    kind = img.dtype.kind
    if img.size == 0:
        if allow_empty:
            return img.astype(np.float32)
        raise ValueError(f"{source} holds an empty image of shape {img.shape}.")
    if kind not in "biuf":
        raise ValueError(f"{source} has unsupported pixel dtype {img.dtype}; expected integer, "
                         f"boolean or float pixels.")
    if kind == "f" and not np.isfinite(img).all():
        bad = np.argwhere(~np.isfinite(img))[0]
        raise ValueError(f"{source} holds a non-finite pixel {float(img[tuple(bad)])!r} at "
                         f"{tuple(int(i) for i in bad)}.")
    if scale is not None:
        out = img.astype(np.float64) / scale
    elif kind == "b":
        return img.astype(np.float32)
    elif kind in "iu":
        top = np.iinfo(img.dtype).max
        if kind == "i" and img.min() < 0:
            raise ValueError(f"{source} holds negative pixels (minimum {int(img.min())}) of dtype "
                             f"{img.dtype}; integer pixels must be >= 0 (they are divided by the "
                             f"dtype's maximum {top}).")
        if img.dtype.itemsize <= 2:  # exact in float32: one correctly rounded division
            return img.astype(np.float32) / np.float32(top)
        return (img.astype(np.float64) / top).astype(np.float32)
    else:
        out = img
    lo, hi = float(out.min()), float(out.max())
    if lo < 0 or hi > 1:
        how = f"after dividing by `scale`={scale!r}" if scale is not None else \
            f"{img.dtype} pixels are kept as stored"
        fix = (f"pass `scale=` with the data's full-scale value (e.g. scale="
               f"{float(img.max()):.6g}) to divide by it" if lo >= 0 else
               "negative values have no place in [0, 1]: rescale the data before saving it")
        raise ValueError(f"{source} holds values in [{lo:.6g}, {hi:.6g}], outside [0, 1] "
                         f"({how}); {fix}.")
    return out.astype(np.float32)


def to_channels(img: np.ndarray, channels: int | None, source: str) -> np.ndarray:
    """An ``(h, w)`` or ``(h, w, c)`` image as ``(h, w, channels)`` by the colour rule.

    Raises:
        ValueError: naming ``source``, for another rank, more than 4 channels, or a
            conversion the rule does not define (e.g. 3 channels to 4).
    """
    if img.ndim == 2:
        img = img[..., None]
    if img.ndim != 3 or not 1 <= img.shape[-1] <= 4:
        raise ValueError(f"{source} has shape {img.shape}; expected 2-D (height, width) or "
                         f"3-D (height, width, channels) with 1 to 4 channels (gray, gray + "
                         f"alpha, RGB, RGBA).")
    c = img.shape[-1]
    if channels is None or c == channels:
        return img
    colour = img[..., :1] if c <= 2 else img[..., :3]  # alpha dropped
    if channels == 1:
        return colour.mean(axis=-1, keepdims=True, dtype=np.float64).astype(img.dtype)
    if channels == 3:
        return np.repeat(colour, 3, axis=-1) if colour.shape[-1] == 1 else colour
    raise ValueError(f"{source} has {c} channels; cannot convert to channels={channels} "
                     f"(gray, gray + alpha and RGB images have no 4th channel to keep).")


def to_density(arr, source: str) -> np.ndarray:
    """Volume data (MRC, NPZ) as float32, values kept as stored: densities have any sign.

    Cryo-ET densities are not intensities: float data are kept, integer modes
    (int8, int16, uint16) are cast unchanged. Only finiteness is checked.

    Raises:
        ValueError: naming ``source``, for an unsupported dtype, no value, or NaN / inf.
    """
    arr = np.asarray(arr)
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{source} has unsupported dtype {arr.dtype}; expected integer or "
                         f"float densities.")
    if arr.size == 0:
        raise ValueError(f"{source} holds no value (shape {arr.shape}).")
    out = arr.astype(np.float32)
    if not np.isfinite(out).all():
        bad = np.argwhere(~np.isfinite(out))[0]
        raise ValueError(f"{source} holds a non-finite value {float(out[tuple(bad)])!r} at "
                         f"{tuple(int(i) for i in bad)}.")
    return out
