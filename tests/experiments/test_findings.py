"""Findings as data: verdicts, report sections, degenerate runs, provenance, the CLI."""

import json

import numpy as np
import pandas as pd
import pytest

import imbkeras
from imbkeras.experiments import (Experiment, Finding, Measurement, NotMeasured, PaperTable,
                                  build_report, check_findings, contrast_effect, get_preset,
                                  paired_effect, paper_vs_ours, register_preset,
                                  register_trainer, run_experiment, verdict)
from imbkeras.experiments import _cli
from imbkeras.experiments._registry import PRESETS, TRAINERS
from imbkeras.metrics import is_degenerate

from .conftest import FIXTURE_MODULE

TOY = "toy_findings"


def _constant(ctx):
    """A model that predicts class 0 for every sample."""
    prob = np.full((len(ctx.x_test), ctx.num_classes), 0.1 / (ctx.num_classes - 1))
    prob[:, 0] = 0.9
    return prob


def _toy_experiment() -> Experiment:
    return Experiment(
        name="toy", datasets=["fixture.blobs"],
        cv={"kind": "stratified_kfold", "folds": 2, "seed": 0},
        scenarios=[{"kind": "step", "ratio": [4], "mu": [0.4]}],
        methods={"centroid": {"trainer": "fixture.centroid"},
                 "noisy": {"trainer": "fixture.centroid", "params": {"noise": 6.0}},
                 "constant": {"trainer": "toy.constant"}},
        seeds=[0, 1], params={"noise": 0.1}, imports=[FIXTURE_MODULE],
        report={"metrics": ["accuracy"]})


def _toy_findings():
    return [
        Finding("toy.F1.clean-beats-noisy", "Clean centroids beat noisy ones.", "90 vs 60",
                lambda df: paired_effect(df, "accuracy", "centroid", "noisy"), source="Fig. 1"),
        Finding("toy.F2.noisy-beats-clean", "Noisy centroids beat clean ones.", "70 vs 65",
                lambda df: paired_effect(df, "accuracy", "noisy", "centroid"),
                caveat="it is false by construction"),
        Finding("toy.F3.absent-method", "A method we never ran is best.", "99",
                lambda df: paired_effect(df, "accuracy", "oracle", "centroid")),
        Finding("toy.F4.absent-metric", "Uses a metric the results lack.", "1.0",
                lambda df: paired_effect(df, "no_such_metric", "centroid", "noisy")),
    ]


def _toy_tables():
    paper = pd.DataFrame({"accuracy": [90.0, 60.0, 99.0]},
                         index=pd.Index(["centroid", "noisy", "oracle"], name="method"))

    def ours(df):
        return (df.groupby("method")["accuracy"].mean() * 100).to_frame()

    return {"Table 1": PaperTable(paper, "toy accuracy (%)", ours),
            "Table 2": PaperTable(paper, "not computed")}


@pytest.fixture
def toy_preset(fixture_dir):
    if "toy.constant" not in TRAINERS:
        register_trainer("toy.constant")(_constant)
    if TOY not in PRESETS:
        register_preset(TOY, {"smoke": _toy_experiment}, "a toy paper",
                        findings=_toy_findings(), paper_tables=_toy_tables())
    return get_preset(TOY)


@pytest.fixture
def toy_run(toy_preset, tmp_path):
    out = tmp_path / "toy"
    df = run_experiment(toy_preset.profile("smoke"), out, progress=False)
    return out, df


# -- verdicts -----------------------------------------------------------------
def test_verdict_rules():
    assert verdict([0.1, 0.12, 0.09]) == ("holds", pytest.approx(0.1033, abs=1e-3),
                                          pytest.approx(0.0153, abs=1e-3), 3)
    assert verdict([0.02, -0.01, 0.015])[0] == "holds within noise"  # a constructed tie
    assert verdict([-0.05, -0.04, -0.06])[0] == "does not hold"
    assert verdict([0.0, 0.0])[0] == "does not hold"
    assert verdict([np.nan])[0] == "not measured"
    assert verdict([0.01])[0] == "holds" and np.isnan(verdict([0.01])[2])
    assert verdict([0.0, 0.0], kind="not_less")[0] == "holds"
    assert verdict([-0.002, 0.001, -0.001], kind="not_less")[0] == "holds within noise"
    assert verdict([-0.05, -0.04, -0.06], kind="not_less")[0] == "does not hold"
    with pytest.raises(ValueError, match="`kind` must be one of"):
        verdict([1.0], kind="bigger")


def test_tie_holds_within_noise_through_check_findings():
    df = pd.DataFrame({"method": ["A", "B"] * 4, "seed": np.repeat([0, 1, 2, 3], 2),
                       "auc": [0.91, 0.90, 0.89, 0.90, 0.92, 0.90, 0.90, 0.905]})
    f = Finding("tie", "A beats B.", "-", lambda d: paired_effect(d, "auc", "A", "B"))
    row = check_findings(df, [f]).iloc[0]
    assert row["verdict"] == "holds within noise"
    assert row["n"] == 4 and 0 < row["effect"] < row["spread"]


def test_toy_preset_verdicts(toy_run):
    _, df = toy_run
    found = check_findings(df, TOY).set_index("id")
    assert found.loc["toy.F1.clean-beats-noisy", "verdict"] == "holds"
    assert found.loc["toy.F2.noisy-beats-clean", "verdict"] == "does not hold"
    assert found.loc["toy.F2.noisy-beats-clean", "note"] == "it is false by construction"
    assert found.loc["toy.F3.absent-method", "verdict"] == "not measured"
    assert "oracle" in found.loc["toy.F3.absent-method", "note"]
    assert found.loc["toy.F4.absent-metric", "verdict"] == "not measured"
    assert found.loc["toy.F1.clean-beats-noisy", "n"] == 4  # 2 folds x 2 seeds


def test_report_has_findings_paper_vs_ours_and_degenerate_runs(toy_run):
    out, df = toy_run
    assert df["degenerate"].tolist() == [m == "constant" for m in df["method"]]
    text = build_report(out)["markdown"]
    assert "## Findings" in text and "## Paper vs ours" in text
    assert "1 / 4 findings hold, 2 not measured" in text
    assert "| toy.F1.clean-beats-noisy |" in text
    assert "## Degenerate runs" in text and "| constant | 4 |" in text
    assert (out / "findings.csv").is_file()
    both = pd.read_csv(out / "paper_vs_ours_Table_1.csv", index_col=0, header=[0, 1])
    assert both.loc["oracle", ("accuracy", "paper")] == 99.0
    assert np.isnan(both.loc["oracle", ("accuracy", "ours")])  # not run: blank
    assert both.loc["centroid", ("accuracy", "ours")] == pytest.approx(
        df[df.method == "centroid"]["accuracy"].mean() * 100)
    assert "### Table 2: not computed" in text


def test_report_renders_with_missing_runs(toy_preset, tmp_path):
    out = tmp_path / "partial"
    exp = toy_preset.profile("smoke").with_overrides(methods=["centroid"])
    df = run_experiment(exp, out, progress=False)
    text = build_report(out)["markdown"]
    assert "0 / 4 findings hold, 4 not measured" in text
    tables = paper_vs_ours(df, TOY)
    assert tables["Table 1"][("accuracy", "ours")].isna().tolist() == [False, True, True]
    assert tables["Table 2"][("accuracy", "ours")].isna().all()


def test_a_failing_check_names_the_finding():
    def broken(df):
        return 1 / 0

    with pytest.raises(RuntimeError, match="finding 'bad'.*ZeroDivisionError"):
        check_findings(pd.DataFrame({"method": ["A"]}), [Finding("bad", "x", "-", broken)])
    with pytest.raises(TypeError, match="must return a Measurement"):
        check_findings(pd.DataFrame({"method": ["A"]}),
                       [Finding("bad", "x", "-", lambda df: 0.5)])
    with pytest.raises(TypeError, match="`results` must be a pandas DataFrame"):
        check_findings([1, 2], TOY)


def test_contrast_effect_pairs_blocks_and_reports_not_measured():
    df = pd.DataFrame({"method": "base", "ratio": [10, 50, 10, 50], "seed": [0, 0, 1, 1],
                       "auc": [0.99, 0.95, 0.98, 0.96]})
    m = contrast_effect(df, "auc", "ratio", 10, 50)
    assert np.allclose(sorted(m.effects), [0.02, 0.04])
    with pytest.raises(NotMeasured, match="ratio=100"):
        contrast_effect(df, "auc", "ratio", 10, 100)


def test_bad_declarations_are_named():
    with pytest.raises(ValueError, match="`kind` must be one of"):
        Finding("x", "y", "-", lambda df: Measurement([1.0]), kind="more")
    with pytest.raises(TypeError, match="`check` must be a callable"):
        Finding("x", "y", "-", "not callable")
    with pytest.raises(ValueError, match="`id` must be a non-empty string"):
        Finding("", "y", "-", lambda df: Measurement([1.0]))
    f = Finding("dup", "y", "-", lambda df: Measurement([1.0]))
    with pytest.raises(ValueError, match="repeats the id"):
        register_preset("toy_dup", {"smoke": _toy_experiment}, findings=[f, f])
    with pytest.raises(TypeError, match=r"`paper_tables\['T'\]` must be a PaperTable"):
        register_preset("toy_bad_table", {"smoke": _toy_experiment}, paper_tables={"T": [1]})
    with pytest.raises(TypeError, match="PaperTable `data` must be a pandas DataFrame"):
        PaperTable([[1, 2]])


def test_is_degenerate():
    assert is_degenerate([[0.9, 0.1], [0.6, 0.4], [0.7, 0.3]])
    assert not is_degenerate([[0.9, 0.1], [0.4, 0.6]])
    assert not is_degenerate([[0.9, 0.1]])  # one sample says nothing
    assert is_degenerate([[0.9, 0.2], [0.8, 0.1]], threshold=0.5)
    assert not is_degenerate([[0.9, 0.2], [0.8, 0.6]], threshold=[0.5, 0.5])
    with pytest.raises(ValueError, match="`y_prob` must be a 2-D array"):
        is_degenerate([0.1, 0.9])


# -- profiles, CLI and provenance -----------------------------------------------
def test_every_preset_profile_knows_where_it_came_from():
    for name in ("buda2018", "koziarski2020", "luo2019", "gryshkevych2016", "aljoudi2023"):
        preset = get_preset(name)
        assert {"smoke", "quick", "paper"} <= set(preset.profiles)
        exp = preset.profile("smoke")
        assert (exp.preset, exp.profile) == (name, "smoke")
    assert "cpu" in get_preset("buda2018").profiles
    with pytest.raises(ValueError, match="Unknown profile='fast'.*known: smoke, quick, cpu"):
        get_preset("buda2018").profile("fast")


def test_reproduce_without_profile_lists_the_quick_grid(capsys):
    assert _cli.main(["reproduce", "buda2018", "--list"]) == 0
    out = capsys.readouterr().out
    quick = get_preset("buda2018").profile("quick")
    from imbkeras.experiments import expand

    assert out.splitlines()[:-1] == [r.run_id for r in expand(quick)]
    assert out.splitlines()[-1].startswith(f"{len(expand(quick))} runs")


def test_unknown_profile_is_a_usage_error(capsys):
    assert _cli.main(["reproduce", "buda2018", "--profile", "fast", "--list"]) == 2
    assert "known: smoke, quick, cpu, paper" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        _cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"imbkeras {imbkeras.__version__}"


def test_reproduce_help_names_the_profiles(capsys):
    with pytest.raises(SystemExit):
        _cli.main(["reproduce", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "quick (the default" in text and "cpu (the reproduction" in text


def test_findings_command(toy_run, capsys, tmp_path):
    out, _ = toy_run
    assert _cli.main(["findings", "buda2018"]) == 0
    text = capsys.readouterr().out
    assert "buda.F3.imbalance-hurts" in text and "13 findings" in text
    # A directory of another preset is refused with a clear error.
    assert _cli.main(["findings", "buda2018", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"holds a run of preset {TOY!r}" in err and "not of 'buda2018'" in err
    assert _cli.main(["findings", "buda2018", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _cli.main(["findings", "budda2018"])
    assert "Unknown paper 'budda2018'. Did you mean 'buda2018'?" in capsys.readouterr().err


def test_findings_command_gives_verdicts_of_a_buda_run(tmp_path, capsys):
    out = tmp_path / "buda"
    assert _cli.main(["reproduce", "buda2018", "--profile", "smoke", "--out", str(out),
                      "--no-progress"]) == 0
    capsys.readouterr()
    assert _cli.main(["findings", "buda2018", str(out)]) == 0
    text = capsys.readouterr().out
    assert "buda2018 (smoke profile, 4 runs)" in text
    assert "| buda.S4.1.two-phase | not measured |" in text  # smoke runs no two-phase
    report = (out / "report.md").read_text()
    assert "## Findings" in report and "### Table 4" in report
    prov = json.loads((out / "provenance.json").read_text())
    assert (prov["preset"], prov["profile"]) == ("buda2018", "smoke")
    assert prov["imbkeras_version"] == imbkeras.__version__
    assert prov["datasets"] == [{"name": "digits"}]
    assert prov["cpu_count"] >= 1 and prov["wall_seconds"] > 0
    assert prov["invocations"][0]["runs_done"] == 4
    # Resuming appends an invocation; nothing earlier is lost.
    assert _cli.main(["reproduce", "buda2018", "--profile", "smoke", "--out", str(out),
                      "--no-progress"]) == 0
    prov = json.loads((out / "provenance.json").read_text())
    assert [i["runs_skipped"] for i in prov["invocations"]] == [0, 4]
    assert [i["commit"] for i in prov["invocations"]] == [prov["commit"]] * 2  # each one's code
    assert prov["wall_seconds"] == pytest.approx(sum(i["wall_seconds"]
                                                     for i in prov["invocations"]), abs=0.2)


def test_provenance_dirty_flag_ignores_the_results_directory_it_writes(tmp_path, monkeypatch):
    import shutil
    import subprocess

    from imbkeras.experiments._provenance import git_state

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "reproductions" / "paper").mkdir(parents=True)
    (repo / "pkg" / "__init__.py").write_text("x = 1\n")
    (repo / "reproductions" / "paper" / "results.csv").write_text("a\n1\n")

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo,
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "first")
    monkeypatch.setattr(imbkeras, "__file__", str(repo / "pkg" / "__init__.py"))
    monkeypatch.chdir(tmp_path)
    out = repo / "reproductions" / "paper"
    assert git_state(exclude=out)["dirty"] is False
    (out / "results.csv").write_text("a\n2\n")  # a rerun into the committed place
    assert git_state()["dirty"] is True and git_state(exclude=out)["dirty"] is False
    (repo / "pkg" / "__init__.py").write_text("x = 2\n")  # the code changed: dirty
    assert git_state(exclude=out)["dirty"] is True
    assert git_state(exclude=tmp_path / "elsewhere")["dirty"] is True


def test_find_reproduction(tmp_path, monkeypatch):
    from imbkeras.experiments import find_reproduction

    base = tmp_path / "reproductions"
    assert find_reproduction("buda2018", root=base) is None
    (base / "buda2018").mkdir(parents=True)
    (base / "buda2018" / "results.csv").write_text("method\nbaseline\n")
    assert find_reproduction("buda2018", root=base) == base / "buda2018"
    monkeypatch.setenv("IMBKERAS_REPRODUCTIONS", str(base))
    assert find_reproduction("buda2018") == base / "buda2018"
    monkeypatch.delenv("IMBKERAS_REPRODUCTIONS")
    monkeypatch.chdir(tmp_path)
    assert find_reproduction("buda2018") == (base / "buda2018").resolve()
    with pytest.raises(ValueError, match="Unknown paper 'budda2018'"):
        find_reproduction("budda2018")
