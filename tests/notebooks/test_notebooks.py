"""Every notebook executes with nbclient on its smoke configuration, and is stored with outputs."""

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def _colab_cell() -> str:
    import importlib.util

    spec = importlib.util.spec_from_file_location("nb_execute", NOTEBOOKS[0].parent / "execute.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.COLAB_CELL


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path, monkeypatch):
    monkeypatch.setenv("IMBKERAS_SMOKE", "1")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # inline plots, as users see them
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no inline figure"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_with_outputs_and_installs_on_colab(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    # the one install cell (notebooks/execute.py's COLAB_CELL), never a bare package name
    assert "".join(code[0]["source"]) == _colab_cell()
    assert all(c.get("execution_count") for c in code), "store the notebook executed"
    outputs = [o for c in code for o in c.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert "matplotlib.use(" not in "".join("".join(c["source"]) for c in code)


def test_there_are_notebooks():
    assert NOTEBOOKS
    assert os.path.isdir(NOTEBOOKS[0].parent)


@pytest.mark.parametrize("source, installs", [
    ("", None), ("imbkeras", None), ("numpy", None),
    ("/content/imbkeras-0.1.0-py3-none-any.whl", "/content/imbkeras-0.1.0-py3-none-any.whl"),
    ("git+https://example.org/me/imbkeras.git", "git+https://example.org/me/imbkeras.git"),
])
def test_colab_cell_installs_only_what_the_user_points_at(source, installs, monkeypatch):
    import subprocess
    import sys

    calls = []
    monkeypatch.setitem(sys.modules, "google.colab", object())
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(cmd))
    monkeypatch.setenv("IMBKERAS_PIP", source)
    if installs is None:  # nothing, or a bare name: stop with the two instructions
        with pytest.raises(SystemExit, match="pip wheel --no-deps") as err:
            exec(_colab_cell(), {})
        assert "git+https://" in str(err.value) and repr(source) in str(err.value)
        assert not calls
    else:
        exec(_colab_cell(), {})
        assert calls == [[sys.executable, "-m", "pip", "install", "-q", installs]]
