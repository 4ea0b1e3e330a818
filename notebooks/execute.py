"""Execute notebooks with nbclient and store them with their outputs.

Usage: ``python notebooks/execute.py notebooks/buda2018.ipynb [...] [--smoke] [--cwd DIR]``.
``--smoke`` sets ``IMBKERAS_SMOKE=1`` (each notebook's seconds-long profile);
without it the notebooks run their quick profile. Each notebook runs in a
fresh temporary directory (or in ``--cwd``): its stored outputs are computed
by the code it is stored with, never loaded from an older results store.
Standard-error streams (log noise of TensorFlow) are dropped from the stored
outputs. The first code cell of every notebook becomes :data:`COLAB_CELL`, the
one way our notebooks install imbkeras on Colab.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

#: The first code cell of every notebook: on Colab it installs imbkeras from what the user
#: points it at (a wheel or the repository URL), never from a bare package-index name.
COLAB_CELL = """\
# On Colab, install imbkeras from what you point at: a wheel you built and uploaded
# (`python -m pip wheel --no-deps -w dist .` in a clone) or the repository URL you cloned.
import os, subprocess, sys
if "google.colab" in sys.modules:
    source = os.environ.get("IMBKERAS_PIP", "")
    if not (source.endswith((".whl", ".tar.gz", ".zip")) or "://" in source
            or ("/" in source and os.path.isdir(source))):  # a wheel, a URL, a clone
        raise SystemExit(
            "Set IMBKERAS_PIP to what imbkeras is installed from, then rerun this cell:\\n"
            "  1. a wheel: run `python -m pip wheel --no-deps -w dist .` in a clone, upload "
            "dist/imbkeras-*.whl, then os.environ['IMBKERAS_PIP'] = '/content/<that file>'\\n"
            "  2. the repository: os.environ['IMBKERAS_PIP'] = "
            "'git+https://<host>/<owner>/<repo>.git' (the URL you cloned from)\\n"
            f"(received IMBKERAS_PIP={source!r}; a bare package name is never installed)")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)"""


def set_colab_cell(nb) -> None:
    """Make the first code cell :data:`COLAB_CELL` (insert it if no cell installs)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    if code and "google.colab" in code[0].source:
        code[0].source = COLAB_CELL
    else:
        first = 1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0
        nb.cells.insert(first, nbformat.v4.new_code_cell(COLAB_CELL))


def execute(path: Path, cwd: Path, timeout: int = 3600) -> None:
    nb = nbformat.read(path, as_version=4)
    set_colab_cell(nb)
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
