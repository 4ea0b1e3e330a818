"""Human Protein Atlas (Kaggle 2018 layout): 28 localisation labels, RGBY images."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from imbkeras.datasets._files import load_files
from imbkeras.datasets._image_folder import read_image

HPA_CLASSES = (
    "Nucleoplasm", "Nuclear membrane", "Nucleoli", "Nucleoli fibrillar center",
    "Nuclear speckles", "Nuclear bodies", "Endoplasmic reticulum", "Golgi apparatus",
    "Peroxisomes", "Endosomes", "Lysosomes", "Intermediate filaments", "Actin filaments",
    "Focal adhesion sites", "Microtubules", "Microtubule ends", "Cytokinetic bridge",
    "Mitotic spindle", "Microtubule organizing center", "Centrosome", "Lipid droplets",
    "Plasma membrane", "Cell junctions", "Mitochondria", "Aggresome", "Cytosol",
    "Cytoplasmic bodies", "Rods & rings")
CHANNELS = ("red", "green", "blue", "yellow")


class HPALoader:
    """``loader(red_path)``: the four channel PNGs of one id stacked RGBY, in [0, 1], resized."""

    def __init__(self, size: int | None = 299):
        self.size = size

    def __repr__(self):
        return f"HPALoader(size={self.size})"

    def __call__(self, red_path) -> np.ndarray:
        red_path = os.fspath(red_path)
        stem = red_path[: -len("_red.png")]
        planes = []
        for ch in CHANNELS:
            img = read_image(f"{stem}_{ch}.png").astype(np.float32)
            if img.ndim == 3:
                img = img[..., 0]
            planes.append(img / 255.0 if img.max() > 1.0 else img)
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
             csv_name: str = "train.csv", images: str | None = None):
    """The HPA Kaggle training set: multi-hot labels and 4-channel (RGBY) images.

    Layout: ``path/train.csv`` with columns ``Id,Target`` (Target: space-
    separated label ids 0-27) and, in ``path/train/`` (or ``images``), four
    PNGs per id: ``<Id>_red.png`` (microtubules), ``_green.png`` (the protein),
    ``_blue.png`` (nucleus), ``_yellow.png`` (endoplasmic reticulum).

    Args:
        path: the dataset folder.
        size: side to resize to (scikit-image); ``None`` keeps the stored size
            (then every image must have the same size).
        as_source: return a :class:`imbkeras.pipeline.FileSource` (images read
            per batch; the full set does not fit in memory at 299^2 x 4).
        csv_name: the labels file.
        images: the PNG folder (default ``path/train`` if it exists, else ``path``).

    Returns:
        ``(x, y, class_names)``: ``x`` float32 ``(n, size, size, 4)`` (or a
        ``FileSource``), ``y`` int64 multi-hot ``(n, 28)``, the 28 names.

    Raises:
        FileNotFoundError: for a missing CSV, or a missing channel PNG (names
            the id and the channel).
        ValueError: for a malformed CSV, a ``Target`` with unknown or
            non-integer labels or none (names the row), or images of mixed
            sizes with ``size=None``.

    Reference:
        Ouyang et al. (2019), Analysis of the Human Protein Atlas Image
        Classification competition; Al-joudi & Arif (2023).
    """
    root = Path(path)
    table = root / csv_name
    if not table.is_file():
        raise FileNotFoundError(f"no labels file {str(table)!r}; expected the Kaggle HPA layout "
                                f"(see data_scripts/download_hpa.py).")
    folder = Path(images) if images is not None else (root / "train" if (root / "train").is_dir()
                                                      else root)
    ids, y = [], []
    with open(table, newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"Id", "Target"} <= set(reader.fieldnames):
            raise ValueError(f"{str(table)!r} must have the columns Id,Target; found "
                             f"{reader.fieldnames}.")
        for row_no, row in enumerate(reader, start=2):
            labels = (row["Target"] or "").split()
            try:
                values = [int(v) for v in labels]
            except ValueError:
                raise ValueError(f"{str(table)!r} row {row_no} (Id {row['Id']!r}): Target "
                                 f"{row['Target']!r} holds a non-integer label.") from None
            bad = [v for v in values if not 0 <= v < len(HPA_CLASSES)]
            if bad or not values:
                raise ValueError(f"{str(table)!r} row {row_no} (Id {row['Id']!r}): Target "
                                 f"{row['Target']!r} must hold label ids in [0, "
                                 f"{len(HPA_CLASSES) - 1}]" + (f"; unknown {bad}." if bad
                                                                else "; it is empty."))
            hot = np.zeros(len(HPA_CLASSES), np.int64)
            hot[values] = 1
            ids.append(row["Id"])
            y.append(hot)
    if not ids:
        raise ValueError(f"{str(table)!r} lists no image.")
    for i in ids:
        for ch in CHANNELS:
            if not (folder / f"{i}_{ch}.png").is_file():
                raise FileNotFoundError(f"image {i!r} has no {ch} channel: "
                                        f"{str(folder / f'{i}_{ch}.png')!r} is missing.")
    paths = [str(folder / f"{i}_red.png") for i in ids]
    y = np.stack(y)
    x = load_files(paths, HPALoader(size), as_source, what="image",
                   labels=[repr(i) for i in ids], hint="pass `size=` to resize them all.")
    return x, y, list(HPA_CLASSES)
