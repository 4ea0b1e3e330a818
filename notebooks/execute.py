"""Execute notebooks with nbclient and store them with their outputs.

Usage: ``python notebooks/execute.py notebooks/buda2018.ipynb [...] [--smoke] [--cwd DIR]``.
``--smoke`` sets ``IMBKERAS_SMOKE=1`` (each notebook's seconds-long profile);
without it the notebooks run their quick profile. Each notebook runs in a
fresh temporary directory (or in ``--cwd``): its stored outputs are computed
by the code it is stored with, never loaded from an older results store.
Standard-error streams (log noise of TensorFlow) are dropped from the stored
outputs.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path, cwd: Path, timeout: int = 3600) -> None:
    nb = nbformat.read(path, as_version=4)
    cwd.mkdir(parents=True, exist_ok=True)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(cwd)}}).execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.name == "stderr")]
    nbformat.write(nb, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--cwd", type=Path, default=None,
                        help="working directory of the kernels (default: a fresh one each)")
    args = parser.parse_args()
    os.environ.pop("MPLBACKEND", None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.smoke:
        os.environ["IMBKERAS_SMOKE"] = "1"
    for path in args.notebooks:
        execute(path, args.cwd or Path(tempfile.mkdtemp(prefix=f"imbkeras_{path.stem}_")))
        print(f"stored {path} with outputs")


if __name__ == "__main__":
    main()
