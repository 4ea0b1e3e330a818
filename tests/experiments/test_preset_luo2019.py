"""The Luo 2019 preset: Table IV on the multi-path CNN, the paper's classes, findings, input."""

import numpy as np
import pytest

from imbkeras.experiments import build_report, check_findings, get_preset, run_experiment
from imbkeras.experiments.presets import luo2019


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("luo_smoke")
    df = run_experiment(get_preset("luo2019").profile("smoke"), out, progress=False)
    return out, df


def test_smoke_profile_writes_table4_and_the_path_grid(smoke):
    out, df = smoke
    assert df.attrs["status"].failed == 0
    assert list(df["method"]) == [
        "Multi-path CNN", "Multi-path CNN + bagging", "Multi-path CNN + SMOTE + GP",
        "Multi-path CNN + mixup+focal loss", "GSVM-RU", "Single-path CNN (not in the paper)"]
    # one path pretraining serves every Table IV row of a class set
    assert df[df["method"].str.startswith("Multi-path")]["training_key"].nunique() == 1
    rep = build_report(out)
    t4 = rep["tables"]["table4"]
    assert list(t4.index) == list(df["method"]) and (2, "macro_f1") in t4.columns
    grid = rep["tables"]["table3_grid"]
    assert {("f1", "inception3d"), ("gmean", "inception3d_k3")} <= set(grid.columns)
    assert len(rep["tables"]["table3_chosen"]) == 2  # one kept path per class
    findings = check_findings(df, "luo2019")
    assert len(findings) == len(luo2019.FINDINGS)


def test_every_table4_method_builds_on_multipath3d(smoke):
    _, df = smoke
    for profile in ("quick", "cpu", "paper"):
        exp = get_preset("luo2019").profile(profile)
        rows = [luo2019.table4_name(s) for s in luo2019.TABLE4]
        assert [m for m in exp.methods if m.startswith("Multi-path")] == rows
        for name in rows:
            spec = exp.methods[name]
            assert spec.trainer == luo2019.MULTIPATH
            assert {**exp.params, **spec.params}["model"] == "multipath3d"
    multi = df[df["method"].str.startswith("Multi-path")]
    assert (multi["model"] == "multipath3d").all()


def test_mixup_is_beta_point_one_in_the_paper_and_cpu_profiles():
    for profile in ("paper", "cpu"):
        assert get_preset("luo2019").profile(profile).params["mixup_alpha"] == 0.1


def test_profiles_keep_the_papers_data_and_rows():
    for profile in ("paper", "cpu"):
        exp = get_preset("luo2019").profile(profile)
        assert exp.datasets == ["luo2019.sim2", "luo2019.sim3", "luo2019.sim4"]
        assert "n" not in exp.dataset_params  # all 1,634 volumes
        assert exp.cv["test_size"] == 0.2
        assert {luo2019.GSVM, luo2019.BEST} <= set(exp.methods)
        assert len(exp.params["path_designs"]) == 3
    assert get_preset("luo2019").profile("paper").dataset_params["size"] == 40
    assert luo2019.CLASS_SETS[2] == ("proteasome_d", "ribosome")
    assert luo2019.CLASS_SETS[3] == ("proteasome_d", "ribosome", "TRiC")


def test_class_selection_relabels_and_names_unknown_classes():
    names = ["proteasome_d", "ribosome", "TRiC", "proteasome_s"]
    x, y = np.arange(8)[:, None], np.array([0, 1, 2, 3, 0, 1, 2, 3])
    xs, ys, kept = luo2019.select_classes(x, y, names, ["ribosome", "proteasome_d"])
    assert kept == ["ribosome", "proteasome_d"] and ys.tolist() == [1, 0, 1, 0]
    assert xs.ravel().tolist() == [0, 1, 4, 5]
    with pytest.raises(ValueError, match=r"unknown class.*'ribosom'.*proteasome_s"):
        luo2019.select_classes(x, y, names, ["proteasome_d", "ribosom"])
    with pytest.raises(ValueError, match="2 or more distinct"):
        luo2019.select_classes(x, y, names, ["TRiC", "TRiC"])


def test_findings_read_the_grid_and_table4(smoke):
    import pandas as pd

    _, df = smoke
    grid, chosen = luo2019._ovr_grid(df.assign(dataset="luo2019.sim4"))
    assert set(chosen) == {"proteasome_d", "ribosome"} and set(grid) == {
        "inception3d", "inception3d_k3"}
    # a results table built to hold the paper's claims gives "holds" on each of them
    rows = []
    for k in (2, 3, 4):
        for i, name in enumerate(luo2019.TABLE4_PAPER.index):
            f1, g = luo2019.TABLE4_PAPER.loc[name] / 100
            rows.append({"dataset": f"luo2019.sim{k}", "method": name, "seed": 0,
                         "macro_f1": f1, "gmean": g})
        rows.append({"dataset": f"luo2019.sim{k}", "method": "GSVM-RU", "seed": 0,
                     "macro_f1": 0.5, "gmean": 0.6})
    paper = pd.DataFrame(rows)
    assert check_findings(paper, luo2019.FINDINGS[:3])["verdict"].tolist() == ["holds"] * 3
    worse = paper.assign(macro_f1=np.where(paper["method"] == "Multi-path CNN + GP", 0.6,
                                           paper["macro_f1"]))
    assert check_findings(worse, luo2019.FINDINGS[1:2])["verdict"][0] == "does not hold"


def test_every_keras_fit_of_the_path_grid_and_heads_is_in_the_history(smoke):
    import pandas as pd

    out, df = smoke
    key = df.loc[df["method"] == luo2019.PLAIN, "training_key"].iloc[0]
    h = pd.read_csv(out / "trainings" / key / "history.csv")
    grid = build_report(out)["tables"]["table3_grid"]
    exp = get_preset("luo2019").profile("smoke")
    paths = len(grid.columns.get_level_values(1).unique()) * 2  # designs x classes
    members = exp.params.get("n_estimators", 5)
    # the path grid (validated: val_loss), then plain, bagging's members, mixup+focal
    assert h["fit"].nunique() == paths + 1 + members + 1
    assert h.loc[h["fit"] < paths, "val_loss"].notna().all()
    assert h.loc[h["fit"] >= paths, "loss"].notna().all()
    single = df.loc[df["method"].str.startswith("Single-path"), "training_key"].iloc[0]
    assert (out / "trainings" / single / "history.csv").is_file()
