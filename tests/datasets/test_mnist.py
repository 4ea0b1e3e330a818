"""load_mnist on tiny IDX files written here in the real format (headers built with struct)."""

import gzip
import importlib.util
import struct
from pathlib import Path

import numpy as np
import pytest

from imbkeras import datasets
from imbkeras.experiments import _registry

STEMS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
REPO = Path(__file__).resolve().parents[2]


def images_bytes(images: np.ndarray) -> bytes:
    """IDX3 of unsigned bytes: magic 0x00000803, then n, rows, cols (big-endian uint32)."""
    n, rows, cols = images.shape
    return struct.pack(">IIII", 0x00000803, n, rows, cols) + images.astype(np.uint8).tobytes()


def labels_bytes(labels: np.ndarray) -> bytes:
    """IDX1 of unsigned bytes: magic 0x00000801, then n."""
    return struct.pack(">II", 0x00000801, len(labels)) + labels.astype(np.uint8).tobytes()


def sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255  # both ends of the grey scale
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    return images, labels


def write(directory: Path, name: str, data: bytes, gz: bool = False) -> Path:
    path = directory / (name + (".gz" if gz else ""))
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_split(directory: Path, kind: str, images, labels, gz: bool = False) -> None:
    img_stem, lab_stem = STEMS[kind]
    write(directory, img_stem, images_bytes(images), gz)
    write(directory, lab_stem, labels_bytes(labels), gz)


@pytest.fixture
def mnist_dir(tmp_path):
    """5 train and 3 test images, train raw and test gzipped."""
    train, test = sample(5, 0), sample(3, 1)
    write_split(tmp_path, "train", *train)
    write_split(tmp_path, "test", *test, gz=True)
    return tmp_path, train, test


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize("kind", ["train", "test"])
def test_round_trip_scaling_and_dtypes(tmp_path, kind, gz):
    images, labels = sample(5, 3)
    write_split(tmp_path, kind, images, labels, gz=gz)
    x, y = datasets.load_mnist(tmp_path, kind=kind)
    assert x.shape == (5, 28, 28, 1) and x.dtype == np.float32
    assert y.shape == (5,) and y.dtype == np.int64
    np.testing.assert_array_equal(x[..., 0], images.astype(np.float32) / np.float32(255))
    np.testing.assert_array_equal(np.rint(x[..., 0] * 255).astype(np.uint8), images)
    np.testing.assert_array_equal(y, labels)
    assert x.min() == 0.0 and x.max() == 1.0
    assert x.flags.writeable and y.flags.writeable


def test_str_path_with_tilde_and_raw_preferred_over_gz(tmp_path, monkeypatch):
    images, labels = sample(4, 5)
    write_split(tmp_path, "train", images, labels)
    # a different, gzipped copy beside the raw files must be ignored
    write_split(tmp_path, "train", images[:2], labels[:2], gz=True)
    monkeypatch.setenv("HOME", str(tmp_path.parent))
    x, y = datasets.load_mnist(f"~/{tmp_path.name}", kind="train")
    assert len(x) == 4
    np.testing.assert_array_equal(y, labels)


def test_gzip_detected_by_content_not_name(tmp_path):
    """A browser may gunzip a download but keep the .gz name."""
    images, labels = sample(2, 6)
    write(tmp_path, STEMS["test"][0] + ".gz", images_bytes(images))
    write(tmp_path, STEMS["test"][1], gzip.compress(labels_bytes(labels)))
    x, y = datasets.load_mnist(tmp_path, kind="test")
    np.testing.assert_array_equal(np.rint(x[..., 0] * 255), images)
    np.testing.assert_array_equal(y, labels)


def test_zero_images(tmp_path):
    write_split(tmp_path, "test", np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.uint8))
    x, y = datasets.load_mnist(tmp_path, kind="test")
    assert x.shape == (0, 28, 28, 1) and y.shape == (0,)


def test_bad_kind(mnist_dir):
    with pytest.raises(ValueError, match=r"`kind`.*'valid'"):
        datasets.load_mnist(mnist_dir[0], kind="valid")


def test_missing_directory(tmp_path):
    missing = tmp_path / "nope"
    match = r"`path`=.*nope.*does not exist.*download_mnist\.py"
    with pytest.raises(FileNotFoundError, match=match):
        datasets.load_mnist(missing)


def test_path_is_a_file(mnist_dir):
    file = mnist_dir[0] / STEMS["train"][0]
    with pytest.raises(FileNotFoundError, match=r"`path`=.*not a directory"):
        datasets.load_mnist(file)


def test_path_wrong_type():
    with pytest.raises(TypeError, match="`path`"):
        datasets.load_mnist(123)


@pytest.mark.parametrize("which", [0, 1], ids=["images", "labels"])
def test_missing_file_names_it_and_the_script(mnist_dir, which):
    directory = mnist_dir[0]
    stem = STEMS["train"][which]
    (directory / stem).unlink()
    with pytest.raises(FileNotFoundError, match=rf"'{stem}'.*download_mnist\.py"):
        datasets.load_mnist(directory, kind="train")


@pytest.mark.parametrize("magic", [0x00000801, 0x00000903, 0x01000803, 0x1234])
def test_bad_magic_images(tmp_path, magic):
    images, labels = sample(2, 7)
    data = bytearray(images_bytes(images))
    data[:4] = struct.pack(">I", magic)
    write(tmp_path, STEMS["train"][0], bytes(data))
    write(tmp_path, STEMS["train"][1], labels_bytes(labels))
    match = rf"train-images-idx3-ubyte.*bad magic number 0x{magic:08X}.*0x00000803"
    with pytest.raises(ValueError, match=match):
        datasets.load_mnist(tmp_path)


def test_bad_magic_labels_given_an_images_file(tmp_path):
    images, labels = sample(2, 8)
    write(tmp_path, STEMS["train"][0], images_bytes(images))
    write(tmp_path, STEMS["train"][1], images_bytes(images))  # swapped by mistake
    match = r"train-labels-idx1-ubyte.*bad magic number 0x00000803.*0x00000801"
    with pytest.raises(ValueError, match=match):
        datasets.load_mnist(tmp_path)


@pytest.mark.parametrize("keep", [0, 3, 10, 16 + 28 * 28 - 1],
                         ids=["empty", "in-magic", "in-header", "in-data"])
def test_truncated_images(tmp_path, keep):
    images, labels = sample(2, 9)
    write(tmp_path, STEMS["train"][0], images_bytes(images)[:keep])
    write(tmp_path, STEMS["train"][1], labels_bytes(labels))
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.*truncated"):
        datasets.load_mnist(tmp_path)


def test_truncated_labels(tmp_path):
    images, labels = sample(3, 10)
    write(tmp_path, STEMS["test"][0], images_bytes(images))
    write(tmp_path, STEMS["test"][1], labels_bytes(labels)[:-1])
    match = r"t10k-labels-idx1-ubyte.*truncated.*\(3,\).*11 bytes.*10 bytes"
    with pytest.raises(ValueError, match=match):
        datasets.load_mnist(tmp_path, kind="test")


def test_trailing_bytes(tmp_path):
    images, labels = sample(2, 11)
    write(tmp_path, STEMS["train"][0], images_bytes(images) + b"\0")
    write(tmp_path, STEMS["train"][1], labels_bytes(labels))
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte.*longer than its header"):
        datasets.load_mnist(tmp_path)


def test_truncated_gzip(tmp_path):
    images, labels = sample(2, 12)
    blob = gzip.compress(images_bytes(images))
    write(tmp_path, STEMS["train"][0] + ".gz", blob[: len(blob) // 2])
    write(tmp_path, STEMS["train"][1], labels_bytes(labels), gz=True)
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz.*truncated or corrupt gzip"):
        datasets.load_mnist(tmp_path)


def test_count_mismatch(tmp_path):
    images, labels = sample(5, 13)
    write(tmp_path, STEMS["train"][0], images_bytes(images))
    write(tmp_path, STEMS["train"][1], labels_bytes(labels[:4]))
    with pytest.raises(ValueError, match=r"count mismatch.*5 images.*4 labels"):
        datasets.load_mnist(tmp_path)


# ---- the experiment engine's "mnist" dataset ------------------------------------------


def load_split(name):
    bundle = _registry.DATASETS.get(name)()
    return (bundle.x, bundle.y), (bundle.x_test, bundle.y_test)


def test_mnist_is_an_experiment_dataset():
    assert {"mnist", "digits"} <= set(_registry.DATASETS.names())


def test_load_split_uses_env_dir_and_official_split(mnist_dir, monkeypatch):
    directory, (train_images, train_labels), (test_images, test_labels) = mnist_dir
    monkeypatch.setenv("IMBKERAS_MNIST_DIR", str(directory))
    (xtr, ytr), (xte, yte) = load_split("mnist")
    assert xtr.shape == (5, 28, 28, 1) and xte.shape == (3, 28, 28, 1)
    np.testing.assert_array_equal(np.rint(xtr[..., 0] * 255), train_images)
    np.testing.assert_array_equal(np.rint(xte[..., 0] * 255), test_images)
    np.testing.assert_array_equal(ytr, train_labels)
    np.testing.assert_array_equal(yte, test_labels)


def test_load_split_missing_dir_names_env_var_and_script(tmp_path, monkeypatch):
    monkeypatch.setenv("IMBKERAS_MNIST_DIR", str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError, match=r"IMBKERAS_MNIST_DIR.*absent.*download_mnist\.py"):
        load_split("mnist")


def test_load_split_default_dir_when_env_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("IMBKERAS_MNIST_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    match = r"IMBKERAS_MNIST_DIR is unset.*~/\.imbkeras/mnist.*download_mnist\.py"
    with pytest.raises(FileNotFoundError, match=match):
        load_split("mnist")
    default = tmp_path / ".imbkeras" / "mnist"
    default.mkdir(parents=True)
    write_split(default, "train", *sample(2, 14), gz=True)
    write_split(default, "test", *sample(1, 15), gz=True)
    (xtr, _), (xte, _) = load_split("mnist")
    assert len(xtr) == 2 and len(xte) == 1


def test_load_split_missing_test_file(mnist_dir, monkeypatch):
    directory = mnist_dir[0]
    (directory / (STEMS["test"][1] + ".gz")).unlink()
    monkeypatch.setenv("IMBKERAS_MNIST_DIR", str(directory))
    with pytest.raises(FileNotFoundError, match=r"IMBKERAS_MNIST_DIR.*t10k-labels-idx1-ubyte"):
        load_split("mnist")


def test_load_split_unknown_name_lists_mnist():
    with pytest.raises(ValueError, match=r"Known: .*digits.*mnist"):
        load_split("cifar")


# ---- data_scripts/download_mnist.py (no network: only its offline parts) ---------------


def _download_script():
    path = REPO / "data_scripts" / "download_mnist.py"
    spec = importlib.util.spec_from_file_location("download_mnist", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_download_script_skips_valid_files_and_loads_them(tmp_path, monkeypatch, capsys):
    script = _download_script()
    assert set(script.MD5) == {stem + ".gz" for pair in STEMS.values() for stem in pair}
    write_split(tmp_path, "train", *sample(4, 16), gz=True)
    write_split(tmp_path, "test", *sample(2, 17), gz=True)
    # pretend the tiny files are the real ones: checksums match, no download is attempted
    monkeypatch.setattr(script, "MD5", {n: script.md5sum(tmp_path / n) for n in script.MD5})
    monkeypatch.setattr(script, "EXPECTED_COUNTS", {"train": 4, "test": 2})
    monkeypatch.setattr(script, "fetch",
                        lambda url, target: pytest.fail(f"tried to download {url}"))
    assert script.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("MD5 ok") == 4 and "train: x (4, 28, 28, 1)" in out and "class counts" in out
