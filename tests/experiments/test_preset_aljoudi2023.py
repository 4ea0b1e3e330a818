"""The Al-joudi 2023 preset: SELU and PReLU GapNet-PL train; tables and MLCM written."""

import numpy as np
import pytest

from imbkeras.experiments import _registry, build_report, get_preset, run_experiment
from imbkeras.sampling import MultilabelHybridSampler
from imbkeras.synthetic import draw_labels


def test_smoke_profile_trains_selu_and_prelu_and_writes_the_tables(tmp_path):
    df = run_experiment(get_preset("aljoudi2023").profile("smoke"), tmp_path, progress=False)
    assert df.attrs["status"].failed == 0
    assert list(df["method"]) == ["SELU", "SELU tuned", "PReLU", "PReLU tuned"]
    assert np.isfinite(df["macro_auc"]).all()
    rep = build_report(tmp_path)
    t2 = rep["tables"]["table2"]
    assert list(t2.index) == list(df["method"]) and "macro_recall" in t2.columns
    per = rep["tables"]["per_class"]
    assert {"tp", "fp", "fn", "tn", "f1", "auc"} <= set(per.columns) and len(per) == 4 * 28
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
    monkeypatch.delenv("IMBKERAS_HPA_DIR", raising=False)
    with pytest.raises(FileNotFoundError, match="IMBKERAS_HPA_DIR"):
        _registry.DATASETS.get("hpa")()
