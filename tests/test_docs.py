"""The documentation site builds from the docstrings with warnings as errors (no network)."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_strict(tmp_path):
    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                          str(tmp_path / "site")], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin",
                                           "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr[-4000:]
    site = tmp_path / "site"
    for page in ("index.html", "api/sampling/index.html", "reproductions/luo2019/index.html"):
        assert (site / page).is_file(), page
    # the quick start is the README's, and the API pages come from the docstrings
    index = (site / "index.html").read_text()
    assert "Quick start" in index and "demo" in index and "Buda et al. 2018 quick" in index
    assert "RandomOverSampler" in (site / "api/sampling/index.html").read_text()
    shutil.rmtree(site)
