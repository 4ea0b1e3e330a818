"""Images stored in class sub-folders (``root/<class>/<image>.tif|png|jpg``)."""

from __future__ import annotations

import numbers
import os
from pathlib import Path

import numpy as np

from imbkeras._validation import check_bool, check_names, check_positive_int
from imbkeras.datasets._files import check_file, class_folders, list_files, load_files
from imbkeras.datasets._intensity import check_scale, to_channels, to_unit_range

IMAGE_EXTENSIONS = (".tif", ".tiff", ".png", ".jpg", ".jpeg", ".bmp")


def read_image(path) -> np.ndarray:
    """Read one image file as stored (its own dtype): TIF with tifffile, others with scikit-image.

    No scaling happens here; the loaders scale by the intensity rule of
    :class:`ImageLoader`.

    Raises:
        FileNotFoundError: naming the file when it does not exist or is a dangling link.
        ValueError: naming the file when it cannot be read.
    """
    path = os.fspath(check_file(path, "image file"))
    try:
        if path.lower().endswith((".tif", ".tiff")):
            import tifffile

            return np.asarray(tifffile.imread(path))
        import skimage.io

        return np.asarray(skimage.io.imread(path))
    except Exception as err:  # noqa: BLE001 - any reader error names the file
        raise ValueError(f"cannot read image file {path!r}: {type(err).__name__}: {err}") from err


def read_unit_image(path, channels: int | None = None, scale: float | None = None) -> np.ndarray:
    """One image file as float32 ``(h, w, c)`` in [0, 1]: the intensity and colour rules.

    Integer pixels are divided by their dtype's maximum (uint8 255, uint16
    65535, int16 32767; negative values are an error), float pixels are kept
    and must lie in [0, 1], booleans give 0/1; ``scale`` divides by that
    number instead. ``channels`` converts colour: to 1 the mean of R, G, B,
    to 3 gray repeated or alpha dropped.

    Raises:
        FileNotFoundError: for a missing file or dangling link (named).
        ValueError: naming the file, for pixels outside the rule, a shape of
            another rank or a conversion the colour rule does not define.
    """
    path = os.fspath(path)
    source = f"image file {path!r}"
    return to_channels(to_unit_range(read_image(path), source, scale), channels, source)


def _check_channels(channels):
    if channels is None:
        return None
    if isinstance(channels, (bool, np.bool_)) or not isinstance(channels, numbers.Integral) \
            or channels not in (1, 3, 4):
        raise ValueError(f"`channels` must be None, 1, 3 or 4; received {channels!r}.")
    return int(channels)


class ImageLoader:
    """``loader(path)`` for :class:`imbkeras.pipeline.FileSource`: read, to float
    in [0, 1] by the intensity rule (integers divided by their dtype's maximum,
    floats kept and checked, or ``scale``), to ``channels`` (gray: mean of R, G,
    B; RGB: gray repeated or alpha dropped), resized to ``image_size``
    (scikit-image)."""

    def __init__(self, image_size=None, channels=None, scale=None):
        if image_size is not None:
            try:
                size = tuple(check_positive_int(s, "image_size") for s in image_size)
            except (TypeError, ValueError):
                size = ()
            if len(size) != 2:
                raise ValueError(f"`image_size` must be (height, width) with positive ints; "
                                 f"received {image_size!r}.")
            image_size = size
        self.image_size = image_size
        self.channels = _check_channels(channels)
        self.scale = check_scale(scale)

    def __repr__(self):
        return (f"ImageLoader(image_size={self.image_size}, channels={self.channels}, "
                f"scale={self.scale})")

    def __call__(self, path) -> np.ndarray:
        img = read_unit_image(path, self.channels, self.scale)
        if self.image_size is not None and img.shape[:2] != self.image_size:
            import skimage.transform

            img = skimage.transform.resize(img, self.image_size, order=1, mode="edge",
                                           anti_aliasing=True, preserve_range=True)
        return img.astype("float32")


def load_image_folder(path, *, image_size=None, channels: int | None = None,
                      class_names=None, as_source: bool = False,
                      extensions=IMAGE_EXTENSIONS, scale: float | None = None):
    """Images in class sub-folders as arrays or a ``FileSource``, with labels and class names.

    Intensities follow one rule for every file: integer pixels are divided by
    their dtype's maximum (uint8 by 255, uint16 by 65535, int16 by 32767; a
    negative value is an error), boolean pixels give 0/1, float pixels are
    kept and must already lie in [0, 1]. ``scale`` replaces the rule by one
    division (e.g. ``scale=4095`` for 12-bit data stored as uint16).

    Args:
        path: the root directory; each sub-folder is a class (sorted by name,
            so labels follow the folder order, e.g. Kather's ``01_TUMOR`` ...
            ``08_EMPTY``).
        image_size: ``(height, width)`` to resize to (scikit-image); default:
            as stored (then every image must have the same shape).
        channels: convert to this many channels: 1 (gray: the mean of R, G
            and B, alpha dropped) or 3 (gray repeated, or RGBA's alpha
            dropped); 4 keeps 4-channel images only. Default: as stored.
        class_names: the expected class folders (in label order; distinct
            strings); a missing one is an error. Default: every sub-folder.
        as_source: return a :class:`imbkeras.pipeline.FileSource` (images read
            per batch by ``make_dataset``) instead of an array in memory.
        extensions: image file endings to read (case-insensitive); hidden
            files (``.name``) are skipped.
        scale: ``None`` (the dtype rule) or a number > 0 every pixel is divided by.

    Returns:
        ``(x, y, class_names)``: ``x`` float32 ``(n, h, w, c)`` in [0, 1] (or
        a ``FileSource``), ``y`` int64 labels, and the class names.

    Raises:
        FileNotFoundError: if ``path`` or an expected class folder is missing,
            or an image entry is a dangling symbolic link (named).
        ValueError: for a class folder without images, repeated
            ``class_names``, an unreadable file, pixels outside the intensity
            rule (negative integers, floats outside [0, 1], NaN), an image of
            another rank or images of different shapes (each names the file
            or folder).
        TypeError: for ``class_names`` or ``extensions`` given as one string.

    Examples:
        >>> import tempfile, numpy as np, skimage.io, os
        >>> root = tempfile.mkdtemp()
        >>> for c in ("a", "b"):
        ...     os.makedirs(os.path.join(root, c))
        ...     skimage.io.imsave(os.path.join(root, c, "0.png"), np.full((4, 4), 51, "uint8"), check_contrast=False)
        >>> x, y, names = load_image_folder(root, image_size=(8, 8))
        >>> x.shape, y.tolist(), names, round(float(x.max()), 3)
        ((2, 8, 8, 1), [0, 1], ['a', 'b'], 0.2)

    Reference:
        Kather et al. (2016), Multi-class texture analysis in colorectal cancer
        histology (the dataset Koziarski 2020 uses).
    """
    loader = ImageLoader(image_size, channels, scale)  # checks the arguments before any file
    as_source = check_bool(as_source, "as_source")
    ext = check_names(extensions, "extensions")
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"image folder `path`={str(root)!r} does not exist or is not a "
                                f"directory.")
    class_names = class_folders(root, class_names)
    paths, labels = [], []
    for label, name in enumerate(class_names):
        files = list_files(root / name, ext)
        if not files:
            raise ValueError(f"class folder {str(root / name)!r} holds no image file "
                             f"({', '.join(ext)}).")
        paths += [str(p) for p in files]
        labels += [label] * len(files)
    y = np.asarray(labels, dtype=np.int64)
    x = load_files(paths, loader, as_source, what="image file",
                   hint="pass `image_size=` to resize them all.")
    return x, y, list(class_names)
