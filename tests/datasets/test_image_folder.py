"""load_image_folder on TIF and PNG class folders written here, including bad files."""

import numpy as np
import pytest
import skimage.io
import tifffile

from imbkeras.datasets import load_image_folder
from imbkeras.pipeline import FileSource, make_dataset


def _write(root, classes=("01_TUMOR", "02_STROMA"), n=3, size=12, kind="tif"):
    rng = np.random.default_rng(0)
    for c, name in enumerate(classes):
        (root / name).mkdir(parents=True)
        for i in range(n):
            img = (rng.random((size, size, 3)) * 100 + 100 * c).astype("uint8")
            if kind == "tif":
                tifffile.imwrite(root / name / f"{i}.tif", img)
            else:
                skimage.io.imsave(root / name / f"{i}.png", img, check_contrast=False)
    return root


@pytest.mark.parametrize("kind", ["tif", "png"])
def test_reads_class_folders(tmp_path, kind):
    root = _write(tmp_path / "data", kind=kind)
    x, y, names = load_image_folder(root)
    assert x.shape == (6, 12, 12, 3) and x.dtype == np.float32
    assert y.tolist() == [0, 0, 0, 1, 1, 1] and names == ["01_TUMOR", "02_STROMA"]
    assert 0 <= x.min() and x.max() <= 1 and x[y == 1].mean() > x[y == 0].mean()
    small, _, _ = load_image_folder(root, image_size=(6, 6), channels=1)
    assert small.shape == (6, 6, 6, 1)
    src, ys, _ = load_image_folder(root, image_size=(8, 8), as_source=True)
    assert isinstance(src, FileSource) and src.shape == (6, 8, 8, 3)
    xb, yb = next(iter(make_dataset(src, ys, 6, shuffle=False)))
    assert xb.shape == (6, 8, 8, 3)


def test_bad_folders_and_files_are_named(tmp_path):
    root = _write(tmp_path / "data")
    with pytest.raises(FileNotFoundError, match="03_COMPLEX"):
        load_image_folder(root, class_names=["01_TUMOR", "03_COMPLEX"])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_image_folder(tmp_path / "nope")
    (root / "04_EMPTY").mkdir()
    with pytest.raises(ValueError, match="04_EMPTY.*no image file"):
        load_image_folder(root)
    (root / "04_EMPTY").rmdir()
    (root / "02_STROMA" / "9.tif").write_bytes(b"this is no tiff")
    with pytest.raises(ValueError, match=r"9\.tif"):
        load_image_folder(root)
    src, y, _ = load_image_folder(root, as_source=True)  # read lazily: fails when loaded
    with pytest.raises(ValueError, match=r"9\.tif"):
        src[np.arange(len(y))]
    (root / "02_STROMA" / "9.tif").unlink()
    tifffile.imwrite(root / "02_STROMA" / "8.tif", np.zeros((5, 5, 3), "uint8"))
    with pytest.raises(ValueError, match=r"8\.tif.*image_size"):
        load_image_folder(root)
