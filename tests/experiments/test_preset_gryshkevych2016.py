"""The Gryshkevych 2016 preset: smoke run writes the per-class tables and the ablation plot."""

import numpy as np

from imbkeras.experiments import build_report, get_preset, run_experiment
from imbkeras.sampling import HybridSampler


def test_smoke_profile_writes_per_class_tables_and_ablation(tmp_path):
    exp = get_preset("gryshkevych2016").profile("smoke")
    df = run_experiment(exp, tmp_path, progress=False)
    assert df.attrs["status"].failed == 0 and set(df["method"]) == {"LipNet-4", "aug0 none",
                                                                     "SVM"}
    rep = build_report(tmp_path)
    per = rep["tables"]["per_class_metrics"]
    assert set(per.columns) == {"tpr", "tnr", "ppv", "npv", "f1"}
    assert {"unilamellar", "multilamellar", "uncertain"} <= set(per.index.get_level_values(2))
    assert "ablation_tpr" in rep["tables"]
    for name in ("ablation_tpr_plot.png", "confusion.png", "per_class_metrics.csv"):
        assert (tmp_path / name).stat().st_size > 100


def test_profiles_follow_the_thesis():
    paper = get_preset("gryshkevych2016").profile("paper")
    assert paper.cv["folds"] == 5 and len(paper.datasets) == 3
    assert {"LipNet-1", "LipNet-2", "LipNet-4", "LipNet-4c", "LipNet-6", "SVM"} <= set(
        paper.methods)
    ablation = [m for m in paper.methods if m.startswith("aug")]
    assert [len(paper.methods[m].params["augment"]) for m in ablation] == [0, 1, 2, 3, 4, 5]
    p = paper.params
    assert (p["learning_rate"], p["momentum"], p["label_smoothing"], p["drop_majority"]) == (
        0.01, 0.9, 0.1, 0.2)


def test_per_epoch_undersampling_keeps_every_minority_sample():
    y = np.array([0] * 100 + [1] * 12 + [2] * 3)
    s = HybridSampler(target=80, seed=0)  # 80 % of the majority, as the preset draws
    rng = np.random.default_rng(0)
    epochs = [s.resample_indices(y, rng) for _ in range(3)]
    majority = [frozenset(e[y[e] == 0]) for e in epochs]
    assert len(set(majority)) == 3 and all(len(m) == 80 for m in majority)
    for e in epochs:
        for c in (1, 2):
            assert set(np.flatnonzero(y == c)) <= set(e) and (y[e] == c).sum() == 80
