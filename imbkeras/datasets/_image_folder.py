"""Images stored in class sub-folders (``root/<class>/<image>.tif|png|jpg``)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from imbkeras._validation import check_positive_int
from imbkeras.datasets._files import load_files

IMAGE_EXTENSIONS = (".tif", ".tiff", ".png", ".jpg", ".jpeg", ".bmp")


def read_image(path) -> np.ndarray:
    """Read one image file as an array: TIF with tifffile, others with scikit-image.

    Raises:
        FileNotFoundError: naming the file when it does not exist.
        ValueError: naming the file when it cannot be read.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"image file {path!r} does not exist.")
    try:
        if path.lower().endswith((".tif", ".tiff")):
            import tifffile

            return np.asarray(tifffile.imread(path))
        import skimage.io

        return np.asarray(skimage.io.imread(path))
    except Exception as err:  # noqa: BLE001 - any reader error names the file
        raise ValueError(f"cannot read image file {path!r}: {type(err).__name__}: {err}") from err


def _to_float(img: np.ndarray, path: str) -> np.ndarray:
    if img.dtype == np.uint8:
        return img.astype("float32") / 255.0
    if img.dtype == np.uint16:
        return img.astype("float32") / 65535.0
    if img.dtype.kind == "b":
        return img.astype("float32")
    if img.dtype.kind in "fi":
        return img.astype("float32")
    raise ValueError(f"image file {path!r} has unsupported dtype {img.dtype}.")


class ImageLoader:
    """``loader(path)`` for :class:`imbkeras.pipeline.FileSource`: read, to float
    in [0, 1], to ``channels``, resized to ``image_size`` (scikit-image)."""

    def __init__(self, image_size=None, channels=None):
        if image_size is not None:
            try:
                size = tuple(check_positive_int(s, "image_size") for s in image_size)
            except (TypeError, ValueError):
                size = ()
            if len(size) != 2:
                raise ValueError(f"`image_size` must be (height, width) with positive ints; "
                                 f"received {image_size!r}.")
            image_size = size
        if channels is not None and channels not in (1, 3, 4):
            raise ValueError(f"`channels` must be None, 1, 3 or 4; received {channels!r}.")
        self.image_size = image_size
        self.channels = channels

    def __repr__(self):
        return f"ImageLoader(image_size={self.image_size}, channels={self.channels})"

    def __call__(self, path) -> np.ndarray:
        path = os.fspath(path)
        img = _to_float(read_image(path), path)
        if img.ndim == 2:
            img = img[..., None]
        if img.ndim != 3:
            raise ValueError(f"image file {path!r} has shape {img.shape}; expected 2-D (gray) "
                             f"or 3-D (height, width, channels).")
        if self.channels is not None and img.shape[-1] != self.channels:
            if img.shape[-1] == 1:
                img = np.repeat(img, self.channels, axis=-1)
            elif self.channels == 1 and img.shape[-1] in (3, 4):
                img = img[..., :3].mean(axis=-1, keepdims=True)
            elif img.shape[-1] == 4 and self.channels == 3:
                img = img[..., :3]
            else:
                raise ValueError(f"image file {path!r} has {img.shape[-1]} channels; cannot "
                                 f"convert to channels={self.channels}.")
        if self.image_size is not None and img.shape[:2] != self.image_size:
            import skimage.transform

            img = skimage.transform.resize(img, self.image_size, order=1, mode="edge",
                                           anti_aliasing=True, preserve_range=True)
        return img.astype("float32")


def load_image_folder(path, *, image_size=None, channels: int | None = None,
                      class_names=None, as_source: bool = False,
                      extensions=IMAGE_EXTENSIONS):
    """Images in class sub-folders as arrays or a ``FileSource``, with labels and class names.

    Args:
        path: the root directory; each sub-folder is a class (sorted by name,
            so labels follow the folder order, e.g. Kather's ``01_TUMOR`` ...
            ``08_EMPTY``).
        image_size: ``(height, width)`` to resize to (scikit-image); default:
            as stored (then every image must have the same shape).
        channels: convert to this many channels (1 or 3); default as stored.
        class_names: the expected class folders (in label order); a missing
            one is an error. Default: every sub-folder.
        as_source: return a :class:`imbkeras.pipeline.FileSource` (images read
            per batch by ``make_dataset``) instead of an array in memory.
        extensions: image file endings to read (case-insensitive).

    Returns:
        ``(x, y, class_names)``: ``x`` float32 ``(n, h, w, c)`` in [0, 1] (or
        a ``FileSource``), ``y`` int64 labels, and the class names.

    Raises:
        FileNotFoundError: if ``path`` or an expected class folder is missing.
        ValueError: for a class folder without images, an unreadable file or
            images of different shapes (each names the file or folder).

    Example:
        >>> import tempfile, numpy as np, skimage.io, os
        >>> root = tempfile.mkdtemp()
        >>> for c in ("a", "b"):
        ...     os.makedirs(os.path.join(root, c))
        ...     skimage.io.imsave(os.path.join(root, c, "0.png"), np.zeros((4, 4), "uint8"), check_contrast=False)
        >>> x, y, names = load_image_folder(root, image_size=(8, 8))
        >>> x.shape, y.tolist(), names
        ((2, 8, 8, 1), [0, 1], ['a', 'b'])

    Reference:
        Kather et al. (2016), Multi-class texture analysis in colorectal cancer
        histology (the dataset Koziarski 2020 uses).
    """
    loader = ImageLoader(image_size, channels)  # checks the arguments before any file
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"image folder `path`={str(root)!r} does not exist or is not a "
                                f"directory.")
    found = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if class_names is None:
        class_names = found
        if not class_names:
            raise ValueError(f"`path`={str(root)!r} has no class sub-folders.")
    else:
        class_names = [str(c) for c in class_names]
        missing = [c for c in class_names if c not in found]
        if missing:
            raise FileNotFoundError(f"class folders {missing} are missing in {str(root)!r}; "
                                    f"found {found}.")
    ext = tuple(e.lower() for e in extensions)
    paths, labels = [], []
    for label, name in enumerate(class_names):
        files = sorted(p for p in (root / name).iterdir()
                       if p.is_file() and p.suffix.lower() in ext)
        if not files:
            raise ValueError(f"class folder {str(root / name)!r} holds no image file "
                             f"({', '.join(ext)}).")
        paths += [str(p) for p in files]
        labels += [label] * len(files)
    y = np.asarray(labels, dtype=np.int64)
    x = load_files(paths, loader, as_source, what="image file",
                   hint="pass `image_size=` to resize them all.")
    return x, y, list(class_names)
