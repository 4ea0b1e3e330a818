"""One sample per file: load them all into an array, or keep them on disk; checked listings."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from imbkeras._validation import check_names

#: the file (beside class folders or MRC files) that lists the classes in label order
CLASS_LIST = "class_names.txt"


def check_file(path, what: str = "file") -> Path:
    """``path`` as a ``Path`` if it is a regular file (or a link to one).

    Raises:
        FileNotFoundError: naming the file when it is missing or a dangling symbolic link
            (and its target).
        ValueError: naming it when it is not a regular file (a directory).
    """
    p = Path(path)
    if p.is_file():
        return p
    if p.is_symlink():
        raise FileNotFoundError(f"{what} {str(p)!r} is a dangling symbolic link: its target "
                                f"{os.readlink(p)!r} does not exist.")
    if p.exists():
        raise ValueError(f"{what} {str(p)!r} is not a regular file.")
    raise FileNotFoundError(f"{what} {str(p)!r} does not exist.")


def list_files(folder: Path, extensions, what: str = "image file") -> list:
    """The files of ``folder`` whose names end in ``extensions`` (case-insensitive), sorted.

    Hidden names (``.name``) are skipped. Every listed entry is checked: a dangling
    link or a directory with an image ending is an error, never dropped silently.
    """
    ext = tuple(e.lower() for e in extensions)
    entries = sorted(p for p in folder.iterdir()
                     if p.suffix.lower() in ext and not p.name.startswith("."))
    return [check_file(p, what) for p in entries]


def class_folders(root: Path, class_names, what: str = "class folder") -> list:
    """Class names in label order: ``class_names`` (checked) or every sub-folder, sorted.

    Raises:
        TypeError / ValueError: for ``class_names`` that are not distinct non-empty strings.
        ValueError: for a name that is not a plain folder name, or a root without
            sub-folders.
        FileNotFoundError: naming the class folders that are missing (or dangling links).
    """
    found = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if class_names is None:
        if not found:
            raise ValueError(f"`path`={str(root)!r} has no class sub-folders.")
        return found
    names = check_names(class_names, "class_names")
    bad = [c for c in names if c in (".", "..") or "/" in c or os.sep in c]
    if bad:
        raise ValueError(f"`class_names` must be plain folder names; received {bad[0]!r}.")
    missing = [c for c in names if not (root / c).is_dir()]
    if missing:
        raise FileNotFoundError(f"{what}s {missing} are missing in {str(root)!r}; found "
                                f"{found}.")
    return names


def read_class_list(root: Path):
    """The class names in ``root/class_names.txt`` (one per line, label order), or ``None``.

    Raises:
        ValueError: naming the file when its names repeat or it lists none.
        FileNotFoundError: when it is a dangling link.
    """
    file = root / CLASS_LIST
    if not file.exists() and not file.is_symlink():
        return None
    lines = [ln.strip() for ln in check_file(file, "class list").read_text().splitlines()]
    try:
        return check_names([ln for ln in lines if ln], "class_names")
    except (TypeError, ValueError) as err:
        raise ValueError(f"class list {str(file)!r} is malformed: {err}") from None


def load_files(paths, loader, as_source: bool = False, *, what: str = "file", labels=None,
               hint: str = ""):
    """Every file read by ``loader`` into one float32 array, or a ``FileSource``.

    Args:
        paths: one path per sample.
        loader: ``loader(path) -> array``.
        as_source: return :class:`imbkeras.pipeline.FileSource` (read per batch).
        what: how errors call a sample (``"image file"``, ``"MRC file"``...).
        labels: names of the samples in errors (default: their paths).
        hint: what to do about samples of different shapes.

    Raises:
        ValueError: when a sample's shape differs from the first one's (named).
    """
    if as_source:
        from imbkeras.pipeline import FileSource

        return FileSource(paths, loader)
    labels = [repr(str(p)) for p in paths] if labels is None else labels
    first = loader(paths[0])
    x = np.empty((len(paths),) + first.shape, dtype=np.float32)
    for i, p in enumerate(paths):
        sample = first if i == 0 else loader(p)
        if sample.shape != first.shape:
            raise ValueError(f"{what} {labels[i]} has shape {sample.shape}, unlike {labels[0]} "
                             f"{first.shape}" + (f"; {hint}" if hint else "."))
        x[i] = sample
    return x
