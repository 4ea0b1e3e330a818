"""The Al-joudi 2023 preset: SELU and PReLU GapNet-PL train on the one-shot resampled fold;
the no-resampling control and the per-epoch variant run; tables, findings and MLCM written."""

import numpy as np
import pytest

from imbkeras.experiments import _registry, build_report, get_preset, run_experiment
from imbkeras.sampling import MultilabelHybridSampler
from imbkeras.synthetic import draw_labels


def test_smoke_profile_trains_selu_and_prelu_and_writes_the_tables(tmp_path):
    df = run_experiment(get_preset("aljoudi2023").profile("smoke"), tmp_path, progress=False)
    assert df.attrs["status"].failed == 0
    assert list(df["method"]) == ["SELU", "SELU tuned", "PReLU", "PReLU tuned",
                                  "PReLU no resampling", "PReLU per-epoch"]
    assert np.isfinite(df["macro_auc"]).all()
    # the one-shot set is smaller than the fold (images of frequent labels removed)
    one = df[df.method == "PReLU"].iloc[0]
    ctrl = df[df.method == "PReLU no resampling"].iloc[0]
    assert one["n_train_after"] < one["n_train_before"] == ctrl["n_train_after"]
    assert one["n_duplicated"] > 0 and one["n_removed"] > 0
    rep = build_report(tmp_path)
    t2 = rep["tables"]["table2"]
    assert list(t2.index) == list(df["method"]) and "batch_f1" in t2.columns
    per = rep["tables"]["table3_PReLU"]
    assert {"Precision", "Recall", "F1", "TP", "FP", "FN", "TN"} <= set(per.columns)
    assert len(per) == 28
    fold = rep["tables"]["table2_per_fold"]
    assert list(fold.columns) == ["AUC", "Accuracy", "F1", "Recall", "Precision"]
    counts = rep["tables"]["resampling_counts"]
    assert {"before", "added", "removed", "after"} <= set(counts.columns)
    findings = (tmp_path / "findings.csv").read_text()
    assert "alj.S3.resampling-rare-recall" in findings
    assert (tmp_path / "confusion.png").stat().st_size > 1000
    # tuned thresholds differ from 0.5 and are stored with the predictions
    from imbkeras.experiments import ResultStore

    store = ResultStore(tmp_path)
    tuned = store.predictions(df.loc[df.method == "SELU tuned", "run_id"].item())
    assert tuned["threshold"].shape == (28,) and not np.allclose(tuned["threshold"], 0.5)


def test_hybrid_resampling_moves_every_label_toward_the_target():
    y = draw_labels(300, np.random.default_rng(0))
    s = MultilabelHybridSampler(target="median", seed=0)
    target = s.resolve_target(y)
    before = y.sum(0)
    after = y[s.resample_indices(y)].sum(0)
    present = before > 0
    below = present & (before < target)
    assert np.all(after[below] >= target)  # every rare label is raised to the target
    dev_before, dev_after = np.abs(before - target)[present], np.abs(after - target)[present]
    assert dev_after.max() < dev_before.max() and dev_after.mean() < 0.5 * dev_before.mean()
    # co-occurrence can leave a label a little off: never far beyond where it started
    assert np.all(dev_after <= np.maximum(dev_before, 0.5 * target))


def test_profiles_follow_the_paper(monkeypatch):
    p = get_preset("aljoudi2023").profile("paper")
    assert p.datasets == ["hpa"] and p.cv["folds"] == 5
    assert (p.params["batch_size"], p.params["learning_rate"], p.params["momentum"],
            p.params["target"], p.params["epochs"]) == (80, 0.1, 0.9, 500, 80)
    assert p.params["resampling"] == "oneshot" and p.params["augment"] == "copies"
    cpu = get_preset("aljoudi2023").profile("cpu")
    assert cpu.cv["folds"] == 5 and cpu.folds is None
    assert (cpu.params["optimizer"], cpu.params["learning_rate"], cpu.params["momentum"]) == (
        "sgd", 0.1, 0.9)
    assert {"SELU", "PReLU", "PReLU no resampling"} <= set(cpu.methods)
    monkeypatch.delenv("IMBKERAS_HPA_DIR", raising=False)
    with pytest.raises(FileNotFoundError, match="IMBKERAS_HPA_DIR"):
        _registry.DATASETS.get("hpa")()


def test_paper_tables_and_findings_are_declared():
    preset = get_preset("aljoudi2023")
    t2 = preset.paper_tables["Table 2"].data
    assert t2.loc[("PReLU", "mean"), "F1"] == 0.541 and t2.loc[("SELU", "mean"), "Accuracy"] == 0.495
    assert len(preset.paper_tables["Table 3"].data) == 28
    assert len(preset.findings) == 6


def test_bad_resampling_mode_names_the_parameter(tmp_path):
    exp = get_preset("aljoudi2023").profile("smoke")
    import dataclasses

    exp.methods = {"SELU": dataclasses.replace(exp.methods["SELU"], params={
        "activation": "selu", "resampling": "twice"})}
    df = run_experiment(exp, tmp_path, progress=False)
    assert df.attrs["status"].failed == 1
    from imbkeras.experiments import ResultStore

    assert "params.resampling" in str(ResultStore(tmp_path).errors())


def test_copies_are_augmented_by_one_rot90_or_flip_each():
    from imbkeras.experiments.presets.aljoudi2023 import _rot90_flip_each

    x = np.random.default_rng(0).random((40, 6, 6, 2)).astype("float32")
    out = _rot90_flip_each(x.copy(), seed=0)
    for a, b in zip(x, out):
        cands = [np.rot90(a, k, axes=(0, 1)) for k in range(4)] + [a[::-1], a[:, ::-1]]
        assert any(np.array_equal(b, c) for c in cands)
    assert not np.array_equal(out, x)
