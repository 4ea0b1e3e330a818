"""One sample per file: load them all into an array, or keep them on disk."""

from __future__ import annotations

import numpy as np


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
