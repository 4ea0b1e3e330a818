"""load_hpa on a tiny Kaggle-layout folder written here."""

import numpy as np
import pytest
import skimage.io

from imbkeras.datasets import HPA_CLASSES, load_hpa
from imbkeras.pipeline import FileSource


def _write(root, rows, size=16):
    (root / "train").mkdir(parents=True)
    (root / "train.csv").write_text("Id,Target\n" + "".join(f"{i},{t}\n" for i, t in rows))
    rng = np.random.default_rng(0)
    for i, _ in rows:
        for k, ch in enumerate(("red", "green", "blue", "yellow")):
            img = np.full((size, size), 40 * k + 10, np.uint8) + rng.integers(0, 5, (size, size),
                                                                               dtype=np.uint8)
            skimage.io.imsave(root / "train" / f"{i}_{ch}.png", img, check_contrast=False)
    return root


def test_reads_the_kaggle_layout(tmp_path):
    root = _write(tmp_path / "hpa", [("a1", "0 25"), ("b2", "27"), ("c3", "2 3 5")])
    x, y, names = load_hpa(root, size=8)
    assert x.shape == (3, 8, 8, 4) and names == list(HPA_CLASSES) and len(names) == 28
    assert y.shape == (3, 28) and y[0, [0, 25]].tolist() == [1, 1] and y.sum() == 6
    assert x[..., 3].mean() > x[..., 0].mean()  # channels stacked R, G, B, Y
    src, ys, _ = load_hpa(root, size=8, as_source=True)
    assert isinstance(src, FileSource) and src.shape == (3, 8, 8, 4)
    np.testing.assert_allclose(src[np.arange(3)], x)


@pytest.mark.parametrize("target, match", [("0 x", "row 3.*non-integer"),
                                           ("28", r"row 3.*unknown \[28\]"),
                                           ("", "row 3.*empty")])
def test_bad_targets_name_the_row(tmp_path, target, match):
    root = _write(tmp_path / "hpa", [("a1", "0"), ("b2", target)])
    with pytest.raises(ValueError, match=match):
        load_hpa(root, size=8)


def test_missing_channel_and_mixed_sizes(tmp_path):
    root = _write(tmp_path / "hpa", [("a1", "0"), ("b2", "1")])
    (root / "train" / "b2_yellow.png").unlink()
    with pytest.raises(FileNotFoundError, match="'b2' has no yellow channel"):
        load_hpa(root)
    root = _write(tmp_path / "hpa2", [("a1", "0"), ("b2", "1")])
    for ch in ("red", "green", "blue", "yellow"):
        skimage.io.imsave(root / "train" / f"b2_{ch}.png", np.zeros((9, 9), np.uint8),
                          check_contrast=False)
    with pytest.raises(ValueError, match="'b2' has shape"):
        load_hpa(root, size=None)
    assert load_hpa(root, size=8)[0].shape == (2, 8, 8, 4)


def test_prepare_script_offline(tmp_path):
    import importlib.util
    import zipfile
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "data_scripts" / "download_hpa.py"
    spec = importlib.util.spec_from_file_location("download_hpa", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    src = _write(tmp_path / "src", [("a1", "0"), ("b2", "3 4")])
    archive = tmp_path / "hpa.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(src / "train.csv", "train.csv")
        for f in sorted((src / "train").iterdir()):
            zf.write(f, f"train/{f.name}")
        zf.writestr("test/ignored.png", b"")
    assert mod.main([str(tmp_path / "out"), "--zip", str(archive)]) == 0
    assert not (tmp_path / "out" / "test").exists()
    (tmp_path / "out" / "train" / "a1_green.png").unlink()
    with pytest.raises(SystemExit, match="'a1' has no green channel"):
        mod.main([str(tmp_path / "out"), "--check-only"])
