"""Human Protein Atlas (Kaggle 2018 layout): 28 localisation labels, RGBY images."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from imbkeras._validation import check_bool, check_positive_int
from imbkeras.datasets._files import check_file, load_files
from imbkeras.datasets._image_folder import read_unit_image
from imbkeras.datasets._intensity import check_scale

HPA_CLASSES = (
    "Nucleoplasm", "Nuclear membrane", "Nucleoli", "Nucleoli fibrillar center",
    "Nuclear speckles", "Nuclear bodies", "Endoplasmic reticulum", "Golgi apparatus",
    "Peroxisomes", "Endosomes", "Lysosomes", "Intermediate filaments", "Actin filaments",
    "Focal adhesion sites", "Microtubules", "Microtubule ends", "Cytokinetic bridge",
    "Mitotic spindle", "Microtubule organizing center", "Centrosome", "Lipid droplets",
    "Plasma membrane", "Cell junctions", "Mitochondria", "Aggresome", "Cytosol",
    "Cytoplasmic bodies", "Rods & rings")
CHANNELS = ("red", "green", "blue", "yellow")


def _check_size(size):
    return None if size is None else check_positive_int(size, "size")


class HPALoader:
    """``loader(red_path)``: the four channel PNGs of one id stacked RGBY, in [0, 1], resized.

    Each channel file is scaled by the intensity rule (integer pixels divided
    by their dtype's maximum: 8-bit by 255, 16-bit by 65535; float pixels kept
    and checked to lie in [0, 1]; or divided by ``scale``). A channel stored
    as RGB(A) becomes gray by the mean of its R, G and B planes.
    """

    def __init__(self, size: int | None = 299, scale: float | None = None):
        self.size = _check_size(size)
        self.scale = check_scale(scale)

    def __repr__(self):
        return f"HPALoader(size={self.size}, scale={self.scale})"

    def __call__(self, red_path) -> np.ndarray:
        red_path = os.fspath(red_path)
        stem = red_path[: -len("_red.png")]
        planes = [read_unit_image(f"{stem}_{ch}.png", 1, self.scale)[..., 0] for ch in CHANNELS]
        shapes = {p.shape for p in planes}
        if len(shapes) > 1:
            raise ValueError(f"the channels of {os.path.basename(stem)!r} have different "
                             f"sizes {sorted(shapes)}.")
        x = np.stack(planes, axis=-1)
        if self.size is not None and x.shape[:2] != (self.size, self.size):
            import skimage.transform

            x = skimage.transform.resize(x, (self.size, self.size), order=1, mode="edge",
                                         anti_aliasing=True, preserve_range=True)
        return x.astype(np.float32)


def load_hpa(path, size: int | None = 299, *, as_source: bool = False,
             csv_name: str = "train.csv", images: str | None = None,
             scale: float | None = None):
    """The HPA Kaggle training set: multi-hot labels and 4-channel (RGBY) images.

    Layout: ``path/train.csv`` with columns ``Id,Target`` (Target: space-
    separated label ids 0-27) and, in ``path/train/`` (or ``images``), four
    PNGs per id: ``<Id>_red.png`` (microtubules), ``_green.png`` (the protein),
    ``_blue.png`` (nucleus), ``_yellow.png`` (endoplasmic reticulum).

    Intensities: integer pixels are divided by their dtype's maximum (the
    Kaggle 8-bit PNGs by 255, 16-bit full-size PNGs by 65535, whatever the
    image's own brightness), float pixels are kept and must lie in [0, 1];
    ``scale`` divides by that number instead. A channel PNG stored as RGB(A)
    becomes gray by the mean of its R, G and B planes (alpha dropped).

    Args:
        path: the dataset folder.
        size: side (an int >= 1) to resize to (scikit-image); ``None`` keeps
            the stored size (then every image must have the same size).
        as_source: return a :class:`imbkeras.pipeline.FileSource` (images read
            per batch; the full set does not fit in memory at 299^2 x 4).
        csv_name: the labels file.
        images: the PNG folder (default ``path/train`` if it exists, else ``path``).
        scale: ``None`` (the dtype rule) or a number > 0 every pixel is divided by.

    Returns:
        ``(x, y, class_names)``: ``x`` float32 ``(n, size, size, 4)`` in
        [0, 1] (or a ``FileSource``), ``y`` int64 multi-hot ``(n, 28)``, the
        28 names.

    Raises:
        FileNotFoundError: for a missing CSV, or a missing channel PNG or a
            dangling link (names the id and the channel).
        ValueError: for a malformed CSV, an empty or repeated ``Id`` (names
            both rows), an ``Id`` with a path separator, a ``Target`` with
            unknown or non-integer labels or none (names the row), pixels
            outside the intensity rule (names the file), or images of mixed
            sizes with ``size=None``.
        TypeError: for a ``size`` that is not an int.

    Reference:
        Ouyang et al. (2019), Analysis of the Human Protein Atlas Image
        Classification competition; Al-joudi & Arif (2023).
    """
    size = _check_size(size)
    loader = HPALoader(size, scale)
    as_source = check_bool(as_source, "as_source")
    root = Path(path)
    table = root / csv_name
    if not table.is_file():
        raise FileNotFoundError(f"no labels file {str(table)!r}; expected the Kaggle HPA layout "
                                f"(see data_scripts/download_hpa.py).")
    folder = Path(images) if images is not None else (root / "train" if (root / "train").is_dir()
                                                      else root)
    ids, y, rows = [], [], {}
    with open(table, newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"Id", "Target"} <= set(reader.fieldnames):
            raise ValueError(f"{str(table)!r} must have the columns Id,Target; found "
                             f"{reader.fieldnames}.")
        for row_no, row in enumerate(reader, start=2):
            image_id = (row["Id"] or "").strip()
            if not image_id or "/" in image_id or os.sep in image_id:
                raise ValueError(f"{str(table)!r} row {row_no}: Id {row['Id']!r} must be a "
                                 f"non-empty file-name stem (no path separator).")
            if image_id in rows:
                raise ValueError(f"{str(table)!r} lists Id {image_id!r} twice: rows "
                                 f"{rows[image_id]} and {row_no}; every Id must be unique.")
            rows[image_id] = row_no
            labels = (row["Target"] or "").split()
            try:
                values = [int(v) for v in labels]
            except ValueError:
                raise ValueError(f"{str(table)!r} row {row_no} (Id {image_id!r}): Target "
                                 f"{row['Target']!r} holds a non-integer label.") from None
            bad = [v for v in values if not 0 <= v < len(HPA_CLASSES)]
            if bad or not values:
                raise ValueError(f"{str(table)!r} row {row_no} (Id {image_id!r}): Target "
                                 f"{row['Target']!r} must hold label ids in [0, "
                                 f"{len(HPA_CLASSES) - 1}]" + (f"; unknown {bad}." if bad
                                                                else "; it is empty."))
            hot = np.zeros(len(HPA_CLASSES), np.int64)
            hot[values] = 1
            ids.append(image_id)
            y.append(hot)
    if not ids:
        raise ValueError(f"{str(table)!r} lists no image.")
    for i in ids:
        for ch in CHANNELS:
            try:
                check_file(folder / f"{i}_{ch}.png", "channel PNG")
            except FileNotFoundError as err:
                raise FileNotFoundError(f"image {i!r} has no {ch} channel: {err}") from None
    paths = [str(folder / f"{i}_red.png") for i in ids]
    y = np.stack(y)
    x = load_files(paths, loader, as_source, what="image",
                   labels=[repr(i) for i in ids], hint="pass `size=` to resize them all.")
    return x, y, list(HPA_CLASSES)
