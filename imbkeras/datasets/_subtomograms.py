"""Subtomograms as MRC files with a labels CSV, or one NPZ."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import numpy as np

from imbkeras._validation import check_bool, check_labels, check_names, check_same_length
from imbkeras.datasets._files import CLASS_LIST, check_file, load_files, read_class_list
from imbkeras.datasets._intensity import to_density

_INTEGER = re.compile(r"[+-]?\d+")


def read_mrc(path) -> np.ndarray:
    """One MRC volume as float32 ``(d, h, w, 1)``, densities kept as stored.

    Float modes are kept; integer modes (int8, int16, uint16) are cast
    unchanged (densities have any sign; no intensity scaling).

    Raises:
        FileNotFoundError: for a missing file or a dangling link (named).
        ValueError: naming the file, when it is corrupt, holds a 2-D image or an
            image stack instead of a volume, or holds NaN / inf.
    """
    import mrcfile

    path = os.fspath(check_file(path, "MRC file"))
    try:
        with mrcfile.open(path, permissive=False) as mrc:
            stack = mrc.is_image_stack()
            data = np.asarray(mrc.data)
    except Exception as err:  # noqa: BLE001 - any reader error names the file
        raise ValueError(f"cannot read MRC file {path!r}: {type(err).__name__}: {err}") from err
    if stack or data.ndim != 3:
        what = "a stack of 2-D images" if stack else f"an array of shape {data.shape}"
        raise ValueError(f"MRC file {path!r} holds {what}; expected a 3-D volume.")
    return to_density(data, f"MRC file {path!r}")[..., None]


def _load_npz(path: Path):
    check_file(path, "`path`")
    with np.load(path, allow_pickle=False) as data:
        if "x" not in data or "y" not in data:
            raise ValueError(f"{str(path)!r} must hold arrays 'x' and 'y'; it holds "
                             f"{data.files}.")
        x, y = data["x"], data["y"]
        names = data["class_names"] if "class_names" in data.files else None
    spatial = x.shape[1:4] if x.ndim in (4, 5) else ()
    if x.ndim not in (4, 5) or (x.ndim == 5 and x.shape[-1] != 1) or min(spatial or (0,)) < 2:
        raise ValueError(f"{str(path)!r}: 'x' has shape {x.shape}; expected volumes (n, d, h, w) "
                         f"or (n, d, h, w, 1) with d, h, w >= 2 (2-D images are not volumes).")
    x = to_density(x, f"{str(path)!r} array 'x'")
    try:
        y = check_labels(y, "y")
        check_same_length(x, y)
    except ValueError as err:
        raise ValueError(f"{str(path)!r}: {err}") from None
    k = int(y.max()) + 1
    if names is None:
        names = [str(i) for i in range(k)]
    else:
        try:
            names = check_names([str(v) for v in np.atleast_1d(names)], "class_names")
        except (TypeError, ValueError) as err:
            raise ValueError(f"{str(path)!r}: {err}") from None
        if len(names) < k:
            raise ValueError(f"{str(path)!r}: 'class_names' holds {len(names)} names {names}, "
                             f"but 'y' holds label {k - 1}.")
    return (x if x.ndim == 5 else x[..., None]), y, names


def _read_table(path: Path, table: Path):
    files, y, named, seen = [], [], {}, {}
    with open(table, newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"file", "label"} <= set(reader.fieldnames):
            raise ValueError(f"{str(table)!r} must have the columns file,label[,name]; found "
                             f"{reader.fieldnames}.")
        for row_no, row in enumerate(reader, start=2):
            file = (row["file"] or "").strip()
            text = (row["label"] or "").strip()
            if not file:
                raise ValueError(f"{str(table)!r} row {row_no}: the file is empty; received "
                                 f"{row!r}.")
            if not _INTEGER.fullmatch(text):
                raise ValueError(f"{str(table)!r} row {row_no} ({file!r}): label {row['label']!r} "
                                 f"must be an integer class id >= 0.")
            label = int(text)
            if label < 0:
                raise ValueError(f"{str(table)!r} row {row_no} ({file!r}): label {label} must be "
                                 f">= 0.")
            key = os.path.normpath(file)
            if key in seen:
                raise ValueError(f"{str(table)!r} lists {file!r} twice: rows {seen[key]} and "
                                 f"{row_no}; every file must be listed once.")
            seen[key] = row_no
            try:
                check_file(path / file, "MRC file")
            except FileNotFoundError as err:
                raise FileNotFoundError(f"{str(table)!r} row {row_no} lists {file!r}, which is "
                                        f"missing: {err}") from None
            name = (row.get("name") or "").strip()
            if name:
                if named.get(label, name) != name:
                    raise ValueError(f"{str(table)!r} row {row_no}: label {label} is named "
                                     f"{name!r}, but {named[label]!r} in an earlier row.")
                other = [k for k, v in named.items() if v == name and k != label]
                if other:
                    raise ValueError(f"{str(table)!r} row {row_no}: name {name!r} is given to "
                                     f"labels {other[0]} and {label}; class names must differ.")
                named[label] = name
            files.append(str(path / file))
            y.append(label)
    if not files:
        raise ValueError(f"{str(table)!r} lists no volume.")
    return files, np.asarray(y, np.int64), named


def load_subtomograms(path, *, as_source: bool = False, labels: str = "labels.csv"):
    """Subtomograms and labels from a folder of MRC files + CSV, or from an NPZ.

    Folder layout (what :func:`imbkeras.synthetic.save_subtomograms` writes):
    ``labels.csv`` with columns ``file,label`` (and optionally ``name``, the
    class name), the MRC files it lists and optionally ``class_names.txt``
    (every class in label order, one per line, also those without a volume). An ``.npz`` file needs arrays
    ``x`` (``(n, d, h, w[, 1])``) and ``y`` (and optionally ``class_names``).

    Values are densities, kept as stored (float data unchanged, integer MRC
    modes cast); no intensity scaling, but NaN / inf is an error.

    Args:
        path: the folder or the ``.npz`` file.
        as_source: for a folder, a :class:`imbkeras.pipeline.FileSource`
            (volumes read per batch) instead of an array.
        labels: name of the labels CSV.

    Returns:
        ``(x, y, class_names)``: float32 ``(n, d, h, w, 1)`` (or a
        FileSource), int64 labels, class names (from ``class_names.txt``,
        the CSV's ``name`` column or the NPZ; else the label numbers as
        strings).

    Raises:
        FileNotFoundError: for a missing folder, CSV or listed file, or a
            dangling link (named with its CSV row).
        ValueError: for a corrupt MRC file or one holding 2-D images (named),
            a malformed CSV row (named): a label that is not an integer >= 0,
            a file listed twice, one class with two names or one name for two
            classes; an empty CSV; a ``class_names.txt`` with repeated names,
            too few names or names unlike the CSV's; an NPZ whose ``x`` is not a stack of
            volumes, whose ``y`` is not integer labels >= 0 or has another
            length than ``x``, or whose ``class_names`` repeat or are too
            few; non-finite values; or volumes of different shapes.
    """
    as_source = check_bool(as_source, "as_source")
    path = Path(path)
    if path.suffix == ".npz":
        return _load_npz(path)
    table = path / labels
    if not table.is_file():
        raise FileNotFoundError(f"no labels file {str(table)!r}.")
    files, y, named = _read_table(path, table)
    k = int(y.max()) + 1
    listed = read_class_list(path)
    if listed is None:
        names = [named.get(i, str(i)) for i in range(k)]
    else:
        if len(listed) < k:
            raise ValueError(f"class list {str(path / CLASS_LIST)!r} names {len(listed)} "
                             f"classes {listed}, but {str(table)!r} holds label {k - 1}.")
        clash = [(i, v) for i, v in named.items() if listed[i] != v]
        if clash:
            i, v = clash[0]
            raise ValueError(f"{str(table)!r} names label {i} {v!r}, but class list "
                             f"{str(path / CLASS_LIST)!r} names it {listed[i]!r}.")
        names = listed
    x = load_files(files, read_mrc, as_source, what="MRC file")
    return x, y, names
