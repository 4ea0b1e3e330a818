"""Subtomograms as MRC files with a labels CSV, or one NPZ."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from imbkeras.datasets._files import load_files


def read_mrc(path) -> np.ndarray:
    """One MRC volume as float32 ``(d, h, w, 1)``; a ``ValueError`` names a corrupt file."""
    import mrcfile

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"MRC file {path!r} does not exist.")
    try:
        with mrcfile.open(path, permissive=False) as mrc:
            data = np.asarray(mrc.data, dtype=np.float32)
    except Exception as err:  # noqa: BLE001 - any reader error names the file
        raise ValueError(f"cannot read MRC file {path!r}: {type(err).__name__}: {err}") from err
    if data.ndim != 3:
        raise ValueError(f"MRC file {path!r} holds an array of shape {data.shape}; expected a "
                         f"3-D volume.")
    return data[..., None]


def load_subtomograms(path, *, as_source: bool = False, labels: str = "labels.csv"):
    """Subtomograms and labels from a folder of MRC files + CSV, or from an NPZ.

    Folder layout (what :func:`imbkeras.synthetic.save_subtomograms` writes):
    ``labels.csv`` with columns ``file,label`` (and optionally ``name``, the
    class name) and the MRC files it lists. An ``.npz`` file needs arrays
    ``x`` (``(n, d, h, w[, 1])``) and ``y`` (and optionally ``class_names``).

    Args:
        path: the folder or the ``.npz`` file.
        as_source: for a folder, a :class:`imbkeras.pipeline.FileSource`
            (volumes read per batch) instead of an array.
        labels: name of the labels CSV.

    Returns:
        ``(x, y, class_names)``: float32 ``(n, d, h, w, 1)`` (or a
        FileSource), int64 labels, class names (from the CSV's ``name``
        column or the NPZ; else the label numbers as strings).

    Raises:
        FileNotFoundError: for a missing folder, CSV or listed file.
        ValueError: for a corrupt MRC file (named), a malformed CSV row (named)
            or volumes of different shapes.
    """
    path = Path(path)
    if path.suffix == ".npz":
        if not path.is_file():
            raise FileNotFoundError(f"`path`={str(path)!r} does not exist.")
        with np.load(path, allow_pickle=False) as data:
            if "x" not in data or "y" not in data:
                raise ValueError(f"{str(path)!r} must hold arrays 'x' and 'y'; it holds "
                                 f"{data.files}.")
            x = np.asarray(data["x"], np.float32)
            y = np.asarray(data["y"]).astype(np.int64)
            names = [str(v) for v in data["class_names"]] if "class_names" in data.files \
                else [str(i) for i in range(int(y.max()) + 1)]
        return (x if x.ndim == 5 else x[..., None]), y, names
    table = path / labels
    if not table.is_file():
        raise FileNotFoundError(f"no labels file {str(table)!r}.")
    files, y, named = [], [], {}
    with open(table, newline="") as fh:
        for row_no, row in enumerate(csv.DictReader(fh), start=2):
            try:
                label = int(row["label"])
                file = row["file"]
            except (KeyError, TypeError, ValueError):
                raise ValueError(f"{str(table)!r} row {row_no}: expected columns file,label with "
                                 f"an integer label; received {row!r}.") from None
            if not (path / file).is_file():
                raise FileNotFoundError(f"{str(table)!r} row {row_no} lists {file!r}, which is "
                                        f"missing.")
            files.append(str(path / file))
            y.append(label)
            if row.get("name"):
                named[label] = row["name"]
    y = np.asarray(y, np.int64)
    k = int(y.max()) + 1
    names = [named.get(i, str(i)) for i in range(k)]
    x = load_files(files, read_mrc, as_source, what="MRC file")
    return x, y, names
