"""The Koziarski 2020 preset: IS resampling once, Tables I and II, the paper's methods and weights."""

import contextlib
import importlib.util
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import tifffile

import imbkeras as ik
from imbkeras.experiments import _registry, build_report, get_preset, run_experiment

REPO = Path(__file__).resolve().parents[2]


def test_smoke_profile_writes_tables_i_and_ii(tmp_path):
    exp = get_preset("koziarski2020").profile("smoke")
    df = run_experiment(exp, tmp_path, progress=False)
    methods = ["baseline", "IS-SMOTE", "FS-RUS", "FS-none", "TS-SMOTE+RUS"]
    assert df.attrs["status"].failed == 0 and len(df) == 2 * len(methods)
    assert set(df["method"]) == set(methods)
    # FS, FS-none and TS reuse the trainings of baseline and IS-SMOTE.
    assert df.groupby("kind")["training_key"].nunique().eq(2).all()
    # IS-SMOTE trained on one oversampled set (more images than the imbalanced fold).
    row = df.set_index(["kind", "method"])
    assert row.loc[("linear_ratio", "IS-SMOTE"), "n_stage1"] > \
        row.loc[("linear_ratio", "baseline"), "n_stage1"]
    rep = build_report(tmp_path)
    t2 = rep["tables"]["table2_mean_and_rank"]
    assert list(t2.index) == methods and ("cba", "rank") in t2.columns
    per = rep["tables"]["table2_ranks_per_scenario"]
    assert ("linear_ratio", "cba") in per.columns
    assert "table1_image_space" in rep["tables"]
    assert "## Findings" in rep["markdown"] and "### Table II" in rep["markdown"]
    assert (tmp_path / "cba_vs_ratio.png").stat().st_size > 1000


def test_image_space_resampling_is_done_once_per_training():
    from imbkeras.experiments.presets.koziarski2020 import _image_space, _sampler

    x = np.arange(60 * 4, dtype="float32").reshape(60, 2, 2, 1)
    y = np.r_[np.zeros(50, int), np.ones(10, int)]
    ctx = SimpleNamespace(x_train=x, y_train=y)
    x1, y1, per_epoch = _image_space(ctx, _sampler("rus", 0, 5), "once")
    assert per_epoch is None  # nothing is redrawn per epoch: one subset for the training
    assert np.bincount(y1).tolist() == [10, 10] and x1.shape == (20, 2, 2, 1)
    again, _, _ = _image_space(ctx, _sampler("rus", 0, 5), "once")
    other, _, _ = _image_space(ctx, _sampler("rus", 1, 5), "once")
    assert np.array_equal(x1, again) and not np.array_equal(x1, other)
    # Each kept image is one of the originals, unchanged (reshaped back from vectors).
    assert {tuple(v.ravel()) for v in x1} <= {tuple(v.ravel()) for v in x}
    x2, y2, per_epoch = _image_space(ctx, _sampler("rus", 0, 5), "epoch")
    assert per_epoch is not None and x2 is x


def test_is_rus_trains_on_one_subset_in_every_epoch(monkeypatch):
    """The trainer hands two_stage_fit the resampled set and no per-epoch sampler."""
    from imbkeras.experiments.presets import koziarski2020 as kz

    seen = {}

    def fake_fit(model, x, y, stage1_sampler, stage2_sampler, **kwargs):
        seen.update(n=len(y), counts=np.bincount(y).tolist(), sampler=stage1_sampler)

    monkeypatch.setattr(ik.training, "two_stage_fit", fake_fit)  # the trainer imports it at use
    x = np.random.default_rng(0).random((60, 16, 16, 3)).astype("float32")
    y = np.r_[np.zeros(30, int), np.ones(20, int), np.full(10, 2)]
    params = {**kz.PARAMS, "backbone": "lenet5", "backbone_kwargs": {}, "weights": None,
              "stage1": "rus"}
    ctx = SimpleNamespace(
        params=params, seed=0, x_train=x, y_train=y, x_test=x[:5], num_classes=3,
        wanted={"default"}, verbose=0, scope=contextlib.nullcontext,
        global_batch_size=lambda b: b, callbacks=lambda: [])
    out = kz.two_stage(ctx, **params)
    assert seen == {"n": 30, "counts": [10, 10, 10], "sampler": None}
    assert out.info["n_stage1"] == 30 and out.info["initialisation"] == "random"


def test_table2_ranks_per_partitioning_without_ir1():
    from imbkeras.experiments.presets.koziarski2020 import table2

    rows = []
    for kind, ratio in (("linear_ratio", 2), ("linear_ratio", 10), ("none", None)):
        for fold in (0, 1):
            for m, v in (("baseline", 0.80), ("TS-SMOTE+RUS", 0.90)):
                bonus = 0.5 if kind == "none" and m == "baseline" else 0.0  # IR 1: ignored
                rows.append({"dataset": "d", "kind": kind, "ratio": ratio, "fold": fold,
                             "seed": 0, "method": m, "avacc": v + bonus + fold / 100,
                             "cba": v, "mavg": v})
    t2 = table2(pd.DataFrame(rows))
    assert t2.loc["TS-SMOTE+RUS", ("avacc", "rank")] == 1.0  # 4 partitionings, IR 1 excluded
    assert t2.loc["baseline", ("avacc", "mean")] == pytest.approx(0.805)


def test_profiles_follow_the_paper():
    paper = get_preset("koziarski2020").profile("paper")
    assert paper.cv == {"kind": "stratified_kfold", "folds": 10, "seed": 0}
    assert sorted({s["kind"] for s in paper.expand_scenarios()}) == [
        "half_minority", "linear_ratio", "none", "single_majority", "single_minority"]
    assert sorted({s.get("ratio") or 1 for s in paper.expand_scenarios()}) == [1, 2, 5, 10]
    p = paper.params
    assert (p["epochs"], p["batch_size"], p["learning_rate"], p["smote_k"]) == (20, 32, 1e-4, 5)
    assert p["weights"] == "imagenet"
    paper_methods = ["baseline", "IS-RUS", "IS-ROS", "IS-SMOTE", "FS-RUS", "FS-ROS",
                     "FS-SMOTE", "FS-none", "TS-SMOTE+RUS", "TS-SMOTE+SMOTE"]
    cpu = get_preset("koziarski2020").profile("cpu")
    assert list(cpu.methods) == paper_methods
    assert list(paper.methods)[:len(paper_methods)] == paper_methods  # then the extension
    assert "TS-ROS+RUS" in paper.methods and "TS-ROS+RUS" not in cpu.methods
    assert paper.methods["TS-SMOTE+RUS"].output == "fs_rus"
    assert cpu.cv["folds"] == 5 and cpu.params["smote_k"] == 5


def test_paper_profile_without_imagenet_weights_fails_before_any_run(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    out = tmp_path / "out"
    exp = get_preset("koziarski2020").profile("paper")
    with pytest.raises(FileNotFoundError) as err:
        run_experiment(exp, out, progress=False)
    text = str(err.value)
    assert "download_kather.py --mobilenet-weights" in text and "params.weights=none" in text
    assert not out.exists()
    # Random initialisation said explicitly passes the check (then needs the data).
    from imbkeras.experiments.presets.koziarski2020 import preflight

    preflight(exp.with_overrides(sets=["params.weights=none"]))
    with pytest.raises(ValueError, match="`params.weights` must be 'imagenet', 'none'"):
        preflight(exp.with_overrides(sets=["params.weights=imagenett"]))


def test_unknown_sampler_in_a_two_stage_pair_is_named():
    from imbkeras.experiments.presets.koziarski2020 import _methods

    with pytest.raises(ValueError, match=r"unknown sampler 'smot'; known: \['rus', 'ros', "
                                         r"'smote'\]"):
        _methods([("smot", "rus")])


def test_paper_tables_and_findings_are_declared():
    preset = get_preset("koziarski2020")
    t1 = preset.paper_tables["Table I"].data
    assert t1.shape == (36, 4)
    assert t1.loc[("single_majority", 10, "mavg"), "IS-SMOTE"] == 0.8168
    t2 = preset.paper_tables["Table II"].data
    assert t2.loc["TS-SMOTE+RUS", "avacc rank"] == 3.70
    assert {f.id for f in preset.findings} >= {"kozi.T1.rus-never-best", "kozi.T2.ts-best",
                                                "kozi.T2.fs-beats-is",
                                                "kozi.T1.oversampling-helps"}


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
