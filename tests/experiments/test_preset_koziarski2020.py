"""The Koziarski 2020 preset: smoke run writes the rank tables; paper profile as published."""

import importlib.util
import zipfile
from pathlib import Path

import numpy as np
import pytest
import tifffile

from imbkeras.experiments import _registry, get_preset, run_experiment

REPO = Path(__file__).resolve().parents[2]


def test_smoke_profile_writes_the_rank_tables(tmp_path):
    exp = get_preset("koziarski2020").profile("smoke")
    df = run_experiment(exp, tmp_path, progress=False)
    assert df.attrs["status"].failed == 0 and len(df) == 2 * 4
    assert set(df["method"]) == {"baseline", "IS-SMOTE", "FS-RUS", "TS-SMOTE+RUS"}
    # FS and TS reuse the trainings of baseline and IS-SMOTE.
    assert df.groupby("kind")["training_key"].nunique().eq(2).all()
    from imbkeras.experiments import build_report

    rep = build_report(tmp_path)
    per = rep["tables"]["table2_ranks_per_scenario"]
    assert list(per.index) == ["baseline", "IS-SMOTE", "FS-RUS", "TS-SMOTE+RUS"]
    assert ("linear_ratio", "cba") in per.columns
    assert (tmp_path / "table2_ranks_overall.csv").is_file()
    assert (tmp_path / "cba_vs_ratio.png").stat().st_size > 1000


def test_profiles_follow_the_paper():
    paper = get_preset("koziarski2020").profile("paper")
    assert paper.cv == {"kind": "stratified_kfold", "folds": 10, "seed": 0}
    assert sorted({s["kind"] for s in paper.expand_scenarios()}) == [
        "half_minority", "linear_ratio", "single_majority", "single_minority"]
    assert sorted({s["ratio"] for s in paper.expand_scenarios()}) == [1, 2, 5, 10]
    p = paper.params
    assert (p["epochs"], p["batch_size"], p["learning_rate"], p["smote_k"]) == (20, 32, 1e-4, 5)
    assert {"IS-SMOTE", "FS-RUS", "TS-SMOTE+RUS"} <= set(paper.methods)
    assert paper.methods["TS-SMOTE+RUS"].output == "fs_rus"


def _kather_dir(root, per_class=2, size=20):
    from imbkeras.experiments.presets.koziarski2020 import KATHER_CLASSES

    rng = np.random.default_rng(0)
    for name in KATHER_CLASSES:
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            tifffile.imwrite(root / name / f"{i}.tif",
                             (rng.random((size, size, 3)) * 255).astype("uint8"))
    return root


def test_kather_dataset_reads_the_environment_folder(tmp_path, monkeypatch):
    kather = _registry.DATASETS.get("kather")
    monkeypatch.delenv("IMBKERAS_KATHER_DIR", raising=False)
    with pytest.raises(FileNotFoundError, match="IMBKERAS_KATHER_DIR.*download_kather"):
        kather()
    monkeypatch.setenv("IMBKERAS_KATHER_DIR", str(_kather_dir(tmp_path / "k")))
    bundle = kather(image_size=32)
    assert bundle.x.shape == (16, 32, 32, 3) and bundle.class_names[0] == "01_TUMOR"
    (tmp_path / "k" / "08_EMPTY" / "0.tif").write_bytes(b"broken")
    with pytest.raises(ValueError, match=r"08_EMPTY/0\.tif"):
        kather(image_size=32)


def test_download_script_offline_parts(tmp_path):
    spec = importlib.util.spec_from_file_location(
        "download_kather", REPO / "data_scripts" / "download_kather.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    src = _kather_dir(tmp_path / "src" / mod.FOLDER, per_class=1)
    archive = tmp_path / mod.ARCHIVE
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(src.rglob("*.tif")):
            zf.write(f, f.relative_to(src.parent))
    with pytest.raises(SystemExit, match="MD5 mismatch"):
        mod.main([str(tmp_path / "out"), "--zip", str(archive), "--md5", "0" * 32])
    with pytest.raises(SystemExit, match="expected 625 tiles per class"):
        mod.main([str(tmp_path / "out"), "--zip", str(archive), "--md5", mod.md5sum(archive)])
    assert (tmp_path / "out" / mod.FOLDER / "01_TUMOR" / "0.tif").is_file()
    (tmp_path / "bad.zip").write_bytes(b"no zip")
    with pytest.raises(SystemExit, match="not a valid zip"):
        mod.main([str(tmp_path / "out2"), "--zip", str(tmp_path / "bad.zip")])
