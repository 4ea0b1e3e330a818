"""MNIST from its original IDX files (``train-images-idx3-ubyte`` & co., raw or gzipped)."""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from imbkeras.datasets._intensity import to_unit_range

DOWNLOAD_HINT = "`python data_scripts/download_mnist.py DIR` fetches them"

# Official file stems for each split; a stem may be followed by ".gz".
_STEMS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_IDX_UBYTE = 0x08          # IDX data type code for unsigned bytes
_GZIP_MAGIC = b"\x1f\x8b"


def _find_file(directory: Path, stem: str) -> Path:
    """Return ``directory/stem`` or ``directory/stem.gz`` (raw preferred)."""
    for name in (stem, stem + ".gz"):
        candidate = directory / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"MNIST file {stem!r} (or {stem + '.gz'!r}) not found in `path`={str(directory)!r}; "
        f"{DOWNLOAD_HINT}."
    )


def _read_bytes(file: Path) -> bytes:
    """File contents, gunzipped when the file starts with the gzip magic bytes.

    Detecting gzip by content rather than by the ``.gz`` suffix also accepts
    files that a browser decompressed but left named ``*.gz``.
    """
    data = file.read_bytes()
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as err:
            raise ValueError(
                f"MNIST file {str(file)!r} is a truncated or corrupt gzip file ({err}); "
                f"delete it and download it again ({DOWNLOAD_HINT})."
            ) from err
    return data


def read_idx(file: str | os.PathLike, ndim: int) -> np.ndarray:
    """Parse one IDX file of unsigned bytes with ``ndim`` dimensions.

    The IDX format (LeCun et al.) is a big-endian header -- two zero bytes, the
    data type code (0x08 = unsigned byte), the number of dimensions, then one
    uint32 size per dimension -- followed by the data in C order. MNIST images
    are ``ndim=3`` (magic number 2051 = 0x00000803), labels ``ndim=1`` (2049).

    Args:
        file: path of the raw or gzipped IDX file.
        ndim: the number of dimensions the file must have.

    Returns:
        A read-only ``uint8`` array of the shape given in the header.

    Raises:
        ValueError: if the magic number is not ``0x0000 08 <ndim>``, or the file
            is shorter or longer than its header says (truncated or corrupt).
    """
    file = Path(file)
    data = _read_bytes(file)
    expected_magic = (_IDX_UBYTE << 8) | ndim
    if len(data) < 4:
        raise ValueError(
            f"MNIST file {str(file)!r} is truncated: {len(data)} bytes, shorter than the "
            f"4-byte IDX magic number."
        )
    magic = int.from_bytes(data[:4], "big")
    if magic != expected_magic:
        raise ValueError(
            f"MNIST file {str(file)!r} has a bad magic number 0x{magic:08X} "
            f"({magic}); expected 0x{expected_magic:08X} ({expected_magic}): an IDX "
            f"file of unsigned bytes with {ndim} dimension(s). Is it the right file?"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(
            f"MNIST file {str(file)!r} is truncated: {len(data)} bytes, shorter than its "
            f"{header}-byte IDX header."
        )
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape, dtype=np.int64))
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "longer than its header says"
        raise ValueError(
            f"MNIST file {str(file)!r} is {what}: the header gives shape {shape}, i.e. "
            f"{expected} bytes, but the file holds {len(data)} bytes."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def load_mnist(path: str | os.PathLike, kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load the official MNIST train or test split from its IDX files.

    Reads ``train-images-idx3-ubyte`` / ``train-labels-idx1-ubyte`` (``kind=
    "train"``, 60,000 images) or ``t10k-images-idx3-ubyte`` /
    ``t10k-labels-idx1-ubyte`` (``kind="test"``, 10,000 images) from the
    directory ``path``. Each file may be raw or gzipped (``*.gz``, as
    distributed); a raw file is used when both exist. The IDX headers are
    parsed and checked with NumPy only. ``data_scripts/download_mnist.py``
    downloads and verifies the four files.

    Args:
        path: directory holding the IDX files; ``~`` is expanded.
        kind: ``"train"`` or ``"test"``.

    Returns:
        ``(x, y)``: float32 images ``(n, 28, 28, 1)`` scaled to [0, 1] (grey
        level / 255) and int64 labels 0-9, in file order.

    Raises:
        ValueError: if ``kind`` is not ``"train"``/``"test"``; if a file has a
            bad magic number, is truncated or corrupt; or if the image and label
            files hold different numbers of samples.
        FileNotFoundError: if ``path`` is not an existing directory or a file
            is missing (the message names the file).

    Examples:
        >>> x, y = load_mnist("~/.imbkeras/mnist", kind="test")  # doctest: +SKIP
        >>> x.shape, x.dtype.name, y.dtype.name, float(x.max())  # doctest: +SKIP
        ((10000, 28, 28, 1), 'float32', 'int64', 1.0)

    Reference:
        Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning
        applied to document recognition", Proc. IEEE 86(11), 1998. File format:
        http://yann.lecun.com/exdb/mnist/ ("FILE FORMATS FOR THE MNIST DATABASE").
    """
    if not isinstance(kind, str) or kind not in _STEMS:
        raise ValueError(f"`kind` must be 'train' or 'test'; received {kind!r}.")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"`path` must be a str or os.PathLike directory; received {path!r}.")
    directory = Path(os.path.expanduser(os.fspath(path)))
    if not directory.is_dir():
        state = "is not a directory" if directory.exists() else "does not exist"
        raise FileNotFoundError(
            f"`path`={str(directory)!r} {state}; it must be the directory holding the "
            f"MNIST IDX files ({DOWNLOAD_HINT})."
        )
    images_stem, labels_stem = _STEMS[kind]
    images_file = _find_file(directory, images_stem)
    labels_file = _find_file(directory, labels_stem)
    images = read_idx(images_file, ndim=3)
    labels = read_idx(labels_file, ndim=1)
    if len(images) != len(labels):
        raise ValueError(
            f"MNIST image/label count mismatch for kind={kind!r}: {str(images_file)!r} "
            f"holds {len(images)} images but {str(labels_file)!r} holds {len(labels)} labels."
        )
    x = to_unit_range(images, f"MNIST file {str(images_file)!r}",  # uint8: / 255
                      allow_empty=True)[..., None]
    y = labels.astype(np.int64)
    return x, y
