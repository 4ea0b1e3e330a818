"""CIFAR-10 python batches: read exactly, refuse broken or foreign files naming them."""

import importlib.util
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest

import imbkeras as ik
from imbkeras.datasets import load_cifar10, read_cifar_batch

REPO = Path(__file__).resolve().parents[2]


def _batch(path, n=4, seed=0, labels=None, **extra):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    entry = {b"batch_label": b"testing batch", b"data": data,
             b"labels": list(labels if labels is not None else rng.integers(0, 10, n)),
             b"filenames": [f"{i}.png".encode() for i in range(n)], **extra}
    with open(path, "wb") as fh:
        pickle.dump(entry, fh, protocol=2)
    return data, np.asarray(entry[b"labels"])


def _folder(root, n=4):
    d = root / "cifar-10-batches-py"
    d.mkdir(parents=True)
    parts = [_batch(d / f"data_batch_{i}", n, seed=i) for i in range(1, 6)]
    test = _batch(d / "test_batch", n, seed=9)
    return d, parts, test


def test_reads_the_official_layout(tmp_path):
    d, parts, (tdata, tlabels) = _folder(tmp_path)
    x, y = load_cifar10(tmp_path, kind="train")  # the folder that contains the batches
    assert x.shape == (20, 32, 32, 3) and x.dtype == np.float32 and y.dtype == np.int64
    data = np.concatenate([p[0] for p in parts])
    # Channel planes: 1024 red, then green, then blue values, row-major.
    assert x[0, 0, 1, 0] == pytest.approx(data[0, 1] / 255)
    assert x[0, 0, 0, 1] == pytest.approx(data[0, 1024] / 255)
    assert x[3, 31, 31, 2] == pytest.approx(data[3, 3071] / 255)
    assert np.array_equal(y, np.concatenate([p[1] for p in parts]))
    xt, yt = load_cifar10(d, kind="test")
    assert np.array_equal(yt, tlabels) and float(xt.max()) <= 1.0
    img, lab = read_cifar_batch(d / "test_batch")
    assert img.dtype == np.uint8 and np.array_equal(img.reshape(4, -1, 3)[..., 0],
                                                     tdata[:, :1024])


@pytest.mark.parametrize("case", ["truncated", "not_pickle", "cifar100", "bad_shape",
                                  "label_10", "length"])
def test_broken_batches_are_named(tmp_path, case):
    d, _, _ = _folder(tmp_path)
    f = d / "test_batch"
    if case == "truncated":
        f.write_bytes(f.read_bytes()[:100])
    elif case == "not_pickle":
        f.write_bytes(b"CIFAR binary version " * 10)
    elif case == "cifar100":
        with open(f, "wb") as fh:
            pickle.dump({b"data": np.zeros((2, 3072), np.uint8), b"fine_labels": [0, 1]}, fh)
    elif case == "bad_shape":
        with open(f, "wb") as fh:
            pickle.dump({b"data": np.zeros((2, 1024), np.uint8), b"labels": [0, 1]}, fh)
    elif case == "label_10":
        _batch(f, 3, labels=[0, 10, 2])
    else:
        with open(f, "wb") as fh:
            pickle.dump({b"data": np.zeros((3, 3072), np.uint8), b"labels": [0, 1]}, fh)
    match = {"cifar100": "CIFAR-100", "label_10": "0-9", "length": "2 labels for 3 images"}
    with pytest.raises(ValueError, match="test_batch") as err:
        load_cifar10(d, kind="test")
    if case in match:
        assert match[case] in str(err.value)


def test_missing_files_and_bad_arguments(tmp_path):
    d, _, _ = _folder(tmp_path)
    (d / "data_batch_3").unlink()
    with pytest.raises(FileNotFoundError, match="data_batch_3.*download_cifar10"):
        load_cifar10(d)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_cifar10(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="`kind` must be 'train' or 'test'; received 'val'"):
        load_cifar10(d, kind="val")
    with pytest.raises(TypeError, match="`path` must be a str"):
        load_cifar10(3)


def test_engine_dataset_and_preprocessing(tmp_path, monkeypatch):
    from imbkeras.experiments import _registry

    _folder(tmp_path)
    monkeypatch.setenv("IMBKERAS_CIFAR10_DIR", str(tmp_path))
    cifar = _registry.DATASETS.get("cifar10")
    raw = cifar(preprocess="none")
    assert raw.x.shape == (20, 32, 32, 3) and raw.x_test.shape == (4, 32, 32, 3)
    assert raw.class_names[0] == "airplane" and 0 <= raw.x.min() and raw.x.max() <= 1
    white = cifar()
    assert white.x.shape == raw.x.shape and np.isfinite(white.x).all()
    assert abs(float(white.x.reshape(20, -1).mean(0).mean())) < 1e-3  # centred
    with pytest.raises(ValueError, match="`preprocess` must be 'gcn_zca' or 'none'"):
        cifar(preprocess="zca")
    monkeypatch.setenv("IMBKERAS_CIFAR10_DIR", str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match="IMBKERAS_CIFAR10_DIR.*download_cifar10"):
        cifar()


def test_buda_paper_profiles_refuse_missing_data_before_any_run(tmp_path, monkeypatch):
    monkeypatch.setenv("IMBKERAS_MNIST_DIR", str(tmp_path / "no_mnist"))
    monkeypatch.setenv("IMBKERAS_CIFAR10_DIR", str(tmp_path / "no_cifar"))
    preset = ik.experiments.get_preset("buda2018")
    for profile, script in (("paper", "download_mnist.py"),
                            ("paper_cifar10", "download_cifar10.py")):
        out = tmp_path / profile
        with pytest.raises(FileNotFoundError, match=f"{script}.*--dataset digits"):
            ik.experiments.run_experiment(preset.profile(profile), out, progress=False)
        assert not out.exists()
    exp = preset.profile("paper_cifar10")
    assert exp.datasets == ["cifar10"]
    assert {s["ratio"] for s in exp.expand_scenarios()} == {2, 10, 20, 50}
    assert exp.params["cifar_batch_size"] == 256 and exp.params["cifar_iterations"] == 70000
    # Digits only when asked for by name: it passes the check.
    from imbkeras.experiments.presets.buda2018 import preflight

    preflight(preset.profile("paper").replace(datasets=["digits"]))


def test_cifar_recipe_uses_all_cnn_and_step_decay():
    from imbkeras.experiments.presets.buda2018 import PARAMS, CIFAR_PARAMS, _optimizer, _recipe

    r = _recipe({**PARAMS, **CIFAR_PARAMS}, "cifar10")
    assert (r["model"], r["batch_size"], r["weight_decay"]) == ("all_cnn_c", 256, 1e-3)
    lr = _optimizer(r).learning_rate
    sched = _optimizer(r)._learning_rate
    assert float(sched(0)) == pytest.approx(0.05) and float(sched(45000)) == pytest.approx(0.005)
    assert float(sched(65000)) == pytest.approx(0.00005)
    assert float(lr) == pytest.approx(0.05)
    assert _recipe({**PARAMS, **CIFAR_PARAMS}, "mnist")["model"] == "lenet5"


def test_download_script_offline_parts(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "download_cifar10", REPO / "data_scripts" / "download_cifar10.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    _folder(tmp_path / "src")
    archive = tmp_path / mod.ARCHIVE
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(tmp_path / "src" / mod.FOLDER, arcname=mod.FOLDER)
    with pytest.raises(SystemExit, match="MD5 mismatch"):
        mod.main([str(tmp_path / "out"), "--tar", str(archive)])
    root = mod.unpack(archive, tmp_path / "out")
    assert (root / "test_batch").is_file()
    with pytest.raises(SystemExit, match="expected 5000 images per class"):
        mod.check(root)
    with pytest.raises(SystemExit, match="does not exist"):
        mod.main([str(tmp_path / "out"), "--tar", str(tmp_path / "missing.tar.gz")])
