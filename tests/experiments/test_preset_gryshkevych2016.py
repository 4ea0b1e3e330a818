"""The Gryshkevych 2016 preset: both problems, the thesis' comparisons, findings on counts."""

import json

import numpy as np
import pandas as pd
import pytest

from imbkeras._validation import largest_remainder_counts
from imbkeras.experiments import build_report, check_findings, get_preset, run_experiment
from imbkeras.experiments._registry import DATASETS
from imbkeras.experiments.presets import gryshkevych2016 as G
from imbkeras.sampling import HybridSampler
from imbkeras.synthetic import PROBLEMS, select_input_mode


def test_cpu_profile_holds_both_problems_and_every_comparison():
    exp = get_preset("gryshkevych2016").profile("cpu")
    assert exp.datasets == [G.DATASETS["lamellarity"], G.DATASETS["encapsulation"]]
    assert exp.cv == {"kind": "stratified_kfold", "folds": 5, "seed": 0} and exp.folds is None
    n = exp.dataset_params["n"]
    assert exp.dataset_params["surrounding"] == 50
    for problem in G.PROBLEMS:  # the thesis' shares; the rarest class >= 30 test particles
        names, shares = PROBLEMS[problem]
        counts = largest_remainder_counts(shares, n)
        assert len(names) == 3 and min(counts) >= 30
        np.testing.assert_allclose(counts / n, shares, atol=1e-3)
    m = exp.methods
    # Figure 17: cropped, unmasked, augmentations added in the order of section 8.2.
    ablation = [k for k in m if k.startswith("aug")]
    assert ablation == list(G.ABLATION)
    assert [m[k].params["augment"] for k in ablation] == [
        [], ["rotation"], ["rotation", "shift"], ["rotation", "shift", "flip"],
        ["rotation", "shift", "flip", "shear"], ["rotation", "shift", "flip", "shear", "zoom"]]
    assert {m[k].params["mode"] for k in ablation} == {"cropped"}
    assert {m[f"LipNet-4 {mode}"].params["mode"] for mode in G.MODES} == set(G.MODES)
    assert [m[f"LipNet-{v}"].params["model"] for v in G.LIPNETS] == [
        "lipnet1", "lipnet2", "lipnet4", "lipnet4c", "lipnet6"]
    assert m["SVM"].params["mode"] == "masked" and m["LipNet-4"].params["mode"] == "masked"
    p = exp.params
    assert (p["optimizer"], p["learning_rate"], p["label_smoothing"], p["drop_majority"]) == (
        "adam", 1e-3, 0.1, 0.2)
    # One epoch for every network; LipNet-6 at its own learning rate and He initialisation.
    epochs = {k: {**p, **spec.params}["epochs"] for k, spec in m.items() if k != "SVM"}
    assert set(epochs.values()) == {1}
    six = {**p, **m["LipNet-6"].params}
    assert (six["learning_rate"], six["kernel_initializer"]) == (3e-4, "he_normal")
    assert "kernel_initializer" not in {**p, **m["LipNet-4"].params}  # the trainer's Glorot


def test_both_problems_run_in_the_cpu_configuration_with_three_classes(tmp_path):
    exp = get_preset("gryshkevych2016").profile("cpu")
    exp = exp.replace(folds=[0], dataset_params={**exp.dataset_params, "n": 340, "size": 16},
                      methods={k: v for k, v in exp.methods.items() if k in ("aug0 none", "SVM")})
    exp.params.update(epochs=1)
    df = run_experiment(exp, tmp_path, progress=False)
    assert df.attrs["status"].failed == 0 and len(df) == 4
    for problem in G.PROBLEMS:
        bundle = DATASETS.get(G.DATASETS[problem])(**exp.dataset_params)
        assert bundle.class_names == list(PROBLEMS[problem][0])
        assert bundle.x.shape == (340, 16, 16, 4)
        counts = np.bincount(bundle.y, minlength=3)
        assert counts.tolist() == largest_remainder_counts(PROBLEMS[problem][1], 340).tolist()
        rows = df[df["dataset"] == G.DATASETS[problem]]
        for cm in rows["confusion"]:
            cm = np.array(json.loads(cm))
            assert cm.shape == (3, 3) and cm.sum() == 68
    # The SVM is scored by its votes: its result records them.
    svm = df[df["method"] == "SVM"]
    assert (svm["svm_argmax_disagrees"] >= 0).all()


def test_the_input_modes_of_one_dataset_are_one_simulated_set():
    bundle = DATASETS.get(G.DATASETS["lamellarity"])(n=40, size=16)
    sur, crop, masked = (select_input_mode(bundle.x, m) for m in G.MODES)
    # the same particles: the cropped mask fills more of the frame than with surrounding
    assert (crop[..., 1].mean((1, 2)) > sur[..., 1].mean((1, 2))).all()
    np.testing.assert_array_equal(masked[..., 1], crop[..., 1])
    np.testing.assert_allclose(masked[..., 0], crop[..., 0] * crop[..., 1])


def test_smoke_profile_writes_pooled_tables_and_the_ablation_plot(tmp_path):
    exp = get_preset("gryshkevych2016").profile("smoke")
    df = run_experiment(exp, tmp_path, progress=False)
    assert df.attrs["status"].failed == 0
    assert set(df["method"]) == {"aug0 none", "LipNet-4", "SVM"}
    assert set(df["dataset"]) == set(G.DATASETS.values())
    rep = build_report(tmp_path)
    per = rep["tables"]["per_class_pooled"]
    assert {"tpr", "tnr", "ppv", "npv", "f1", "support"} <= set(per.columns)
    assert set(per.index.get_level_values("class")) == {
        "unilamellar", "multilamellar", "uncertain", "full", "empty"}
    assert per.xs("SVM", level="method")["support"].sum() == 2 * 60
    for name in ("ablation_tpr_plot.png", "confusion.png", "per_class_pooled.csv"):
        assert (tmp_path / name).stat().st_size > 100


def _rows(problem, method, confusions):
    return [{"dataset": G.DATASETS[problem], "kind": "none", "fold": f, "seed": 0,
             "method": method, "macro_f1": np.nan, "confusion": json.dumps(cm)}
            for f, cm in enumerate(confusions)]


def _lam(found):
    """A lamellarity fold: 50 unilamellar, 10 multilamellar, 5 uncertain (``found`` of them)."""
    return [[48, 1, 1], [0, 10, 0], [5 - found, 0, found]]


def test_findings_are_measured_on_the_pooled_counts_and_can_fail():
    ids = ["gry.F17.lam-none-misses-uncertain", "gry.F17.lam-rotation-lifts-uncertain"]
    findings = [f for f in G.FINDINGS if f.id in ids]
    agree = pd.DataFrame(_rows("lamellarity", G.ABLATION[0], [_lam(0), _lam(0), _lam(1)])
                         + _rows("lamellarity", G.ABLATION[1], [_lam(2), _lam(3), _lam(2)]))
    table = check_findings(agree, findings).set_index("id")
    assert table.loc[ids, "verdict"].tolist() == ["holds", "holds"]
    assert "0.07 -> aug1 +rotation 0.47" in table.loc[ids[1], "ours"]
    assert "15 particles" in table.loc[ids[1], "ours"]
    swap = agree.assign(method=agree["method"].map({G.ABLATION[0]: G.ABLATION[1],
                                                    G.ABLATION[1]: G.ABLATION[0]}))
    table = check_findings(swap, findings).set_index("id")
    assert table.loc[ids, "verdict"].tolist() == ["does not hold", "does not hold"]
    missing = check_findings(agree[agree["method"] == G.ABLATION[0]], findings).set_index("id")
    assert missing.loc[ids[1], "verdict"] == "not measured"


def test_paper_tables_set_the_thesis_beside_pooled_counts():
    df = pd.DataFrame(_rows("lamellarity", "SVM", [[[9, 1, 0], [0, 5, 0], [0, 1, 2]]] * 2))
    from imbkeras.experiments import paper_vs_ours

    t8 = paper_vs_ours(df, "gryshkevych2016")["Table 8"]
    assert t8.loc["uncertain", ("uncertain", "paper")] == 0.86
    assert t8.loc["uncertain", ("uncertain", "ours")] == pytest.approx(2 / 3, abs=1e-3)
    assert t8.loc["unilamellar", ("unilamellar", "ours")] == pytest.approx(0.9)


def test_bad_input_is_refused_with_names():
    with pytest.raises(ValueError, match=r"particle \d+ \(class '\w+'\) spans \d+x\d+ pixels"):
        DATASETS.get(G.DATASETS["encapsulation"])(n=20, size=16, min_extent=500)
    exp = get_preset("gryshkevych2016").profile("smoke")
    exp.dataset_params["size"] = 8
    with pytest.raises(ValueError, match=r"method '.*': `dataset_params.size`=8 is below the "
                                         r"minimum input of 'lipnet4'"):
        G.preflight(exp)
    bundle = DATASETS.get(G.DATASETS["lamellarity"])(n=40, size=16)
    with pytest.raises(ValueError, match=r"`mode` must be one of \['surrounding', 'cropped', "
                                         r"'masked'\]; received 'zoomed'"):
        G._inputs(bundle.x, "zoomed")


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
