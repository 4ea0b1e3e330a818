"""The Luo 2019 preset: smoke run writes Table IV and the per-path table."""

from imbkeras.experiments import build_report, get_preset, run_experiment


def test_smoke_profile_writes_table4_and_paths(tmp_path):
    df = run_experiment(get_preset("luo2019").profile("smoke"), tmp_path, progress=False)
    assert df.attrs["status"].failed == 0
    assert list(df["method"]) == ["CNN", "Bagging", "GSVM-RU", "Multi-path+focal+mixup"]
    rep = build_report(tmp_path)
    t4 = rep["tables"]["table4"]
    assert list(t4.index) == list(df["method"]) and (2, "macro_f1") in t4.columns
    paths = rep["tables"]["table3_paths"]
    assert len(paths) == 2 and {"f1", "gmean"} <= set(paths.columns)
    assert (tmp_path / "table4.csv").is_file()


def test_profiles_cover_the_papers_methods_and_class_counts():
    paper = get_preset("luo2019").profile("paper")
    assert paper.datasets == ["luo2019.sim2", "luo2019.sim3", "luo2019.sim4"]
    assert set(paper.methods) == {
        "CNN", "SMOTE", "RUS", "Bagging", "Boosting", "SMOTE+Bagging", "SMOTE+Boosting", "GP",
        "GSVM-RU", "Multi-path", "Multi-path+focal", "Multi-path+mixup",
        "Multi-path+focal+mixup"}
    assert paper.dataset_params["size"] == 40 and paper.cv["test_size"] == 0.2
