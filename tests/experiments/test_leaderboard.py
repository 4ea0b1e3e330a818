"""The leaderboard: nine long-tail recipes beside each paper's best, on the paper's protocol."""

import dataclasses
import typing

import pandas as pd
import pytest

from imbkeras.experiments import _cli, get_preset
from imbkeras.experiments.presets import leaderboard as lb


def test_recipes_are_long_tail_fits_and_protocols_are_declared():
    from imbkeras.training import LONG_TAIL_RECIPES

    assert tuple(lb.RECIPES) == LONG_TAIL_RECIPES == typing.get_args(lb.RecipeName)
    assert tuple(lb.PROTOCOLS) == typing.get_args(lb.ProtocolName)


@pytest.mark.parametrize("protocol", list(lb.PROTOCOLS))
@pytest.mark.parametrize("profile", ["smoke", "quick", "cpu", "paper"])
def test_a_profile_is_the_papers_protocol_with_the_recipes_and_its_best(protocol, profile):
    proto = lb.PROTOCOLS[protocol]
    exp = get_preset(f"leaderboard.{protocol}").profile(profile).validate()
    paper = get_preset(proto.paper).profile(profile)
    for field in ("datasets", "dataset_params", "cv", "scenarios", "protocol", "seeds", "folds"):
        assert getattr(exp, field) == getattr(paper, field), field
    assert list(exp.methods) == [*proto.recipes().values(), lb.reference_name(protocol)]
    reference = get_preset(proto.paper).profile("cpu").methods[proto.reference]
    assert exp.methods[lb.reference_name(protocol)] == reference
    assert {m.params["recipe"] for n, m in exp.methods.items() if m.trainer == lb.TRAINER} \
        == set(proto.recipes())
    # every recipe runs, except the single-label ones on a multi-label protocol
    assert set(proto.recipes()) | {k for k, v in lb.RECIPES.items() if v in proto.skipped()} \
        == set(lb.RECIPES)
    assert bool(proto.skipped()) == proto.multi_label == (protocol == "aljoudi2023")
    assert all(exp.params[k] == paper.params[k] for k in exp.params)


def test_a_smoke_leaderboard_runs_every_recipe_on_the_reference_budget(tmp_path):
    out = tmp_path / "lb"
    code = _cli.main(["leaderboard", "--papers", "buda2018", "--profile", "smoke",
                      "--out", str(out), "--no-progress"])
    assert code == 0
    df = pd.read_csv(out / "buda2018" / "results.csv")
    assert set(df["method"]) == {*lb.RECIPES.values(), lb.reference_name("buda2018")}
    exp = get_preset("leaderboard.buda2018").profile("smoke")
    iterations = exp.params["iterations"]
    recipes = df[df["method"] != lb.reference_name("buda2018")]
    assert (recipes["steps"] == iterations).all() and (recipes["budget_steps"] == iterations).all()
    # the reference (Buda's trainer) took `iterations` steps: its epochs of `chunk` steps
    key = df.loc[df["method"] == lb.reference_name("buda2018"), "training_key"].iloc[0]
    history = pd.read_csv(out / "buda2018" / "trainings" / key / "history.csv")
    from imbkeras.experiments.presets.buda2018 import _steps_per_chunk

    assert len(history) * _steps_per_chunk(iterations, exp.params["log_every"]) == iterations
    text = (out / "leaderboard.md").read_text()
    assert "paper's best" in text and "buda2018: best recipe" in text
    assert "not computed" in text  # one protocol: no test across protocols
    table = pd.read_csv(out / "leaderboard.csv", header=[0, 1], index_col=0)
    assert len(table) == len(lb.RECIPES) + 1
    verdicts = pd.read_csv(out / "leaderboard_verdicts.csv")
    assert verdicts["protocol"].tolist() == ["buda2018"]
    assert set(verdicts.columns) >= {"ours", "effect", "spread", "n", "verdict"}
    assert verdicts["verdict"].iloc[0] in ("holds", "holds within noise", "does not hold")


def test_a_paper_without_a_protocol_is_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "lb"
    assert _cli.main(["leaderboard", "--papers", "buda2018,smith2021", "--out",
                      str(out)]) == 2
    err = capsys.readouterr().err
    assert "'smith2021'" in err and "aljoudi2023" in err and not out.exists()


def test_the_multi_label_protocol_runs_the_multi_label_recipes(tmp_path, capsys):
    from imbkeras.training import MULTI_LABEL_RECIPES

    out = tmp_path / "lb"
    assert _cli.main(["leaderboard", "--papers", "aljoudi2023", "--profile", "smoke",
                      "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "aljoudi2023: balanced softmax skipped (multi-label), since it shifts one softmax" \
        in printed and "aljoudi2023: LDAM-DRW skipped" in printed
    df = pd.read_csv(out / "aljoudi2023" / "results.csv")
    ref = lb.reference_name("aljoudi2023")
    assert set(df["method"]) == {*(lb.RECIPES[k] for k in MULTI_LABEL_RECIPES), ref}
    assert df["macro_auc"].notna().all() and len(df) == len(MULTI_LABEL_RECIPES) + 1
    recipes = df[df["method"] != ref]
    assert (recipes["steps"] == recipes["budget_steps"]).all()
    # the budget: the reference's epochs over its one-shot resampled set
    n_after = df.loc[df["method"] == ref, "n_train_after"].iloc[0]
    batch = get_preset("leaderboard.aljoudi2023").profile("smoke").params["batch_size"]
    assert (recipes["budget_steps"] == -(-n_after // batch)).all()  # smoke: one epoch
    text = (out / "leaderboard.md").read_text()
    assert "Not run on aljoudi2023 (multi-label): LDAM-DRW, since its margin" in text


def _with_ce_recipe(paper, recipe):
    """The smoke profile of ``leaderboard.<paper>`` with its CE row given another recipe."""
    exp = get_preset(f"leaderboard.{paper}").profile("smoke")
    spec = exp.methods["CE"]
    return exp.replace(methods={**exp.methods, "CE": dataclasses.replace(
        spec, params={**spec.params, "recipe": recipe})})


def test_a_single_label_recipe_on_the_multi_label_protocol_is_refused_before_it_runs():
    from imbkeras.experiments import _registry

    bad = _with_ce_recipe("aljoudi2023", "ldam_drw")
    with pytest.raises(ValueError, match=r"method 'CE': `params.recipe`='ldam_drw' does not "
                                         r"apply to the aljoudi2023 protocol \(its margin"):
        _registry.preflight(bad)


def test_a_recipe_typo_is_refused_by_validate():
    bad = _with_ce_recipe("buda2018", "ldam")
    with pytest.raises(ValueError, match=r"`methods\.CE\.params\.recipe` must be one of "
                                         r"\['ce', .*received 'ldam'\. Did you mean"):
        bad.validate()


def test_summary_needs_results(tmp_path):
    with pytest.raises(FileNotFoundError, match="no leaderboard protocol's results"):
        lb.summary(tmp_path)


def test_a_protocols_ranks_are_over_its_scenarios_folds_and_seeds():
    from scipy.stats import rankdata

    ref = lb.reference_name("buda2018")
    runs = {(0, 0): {"CE": 0.9, "ROS": 0.8, ref: 0.1}, (1, 0): {"CE": 0.5, "ROS": 0.6, ref: 0.55},
            (0, 1): {"CE": 0.7, "ROS": 0.75, ref: 0.6}}
    df = pd.DataFrame([{"dataset": "d", "kind": "step", "ratio": 10, "mu": float("nan"),
                        "fold": fold, "seed": seed, "method": m, "auc_ovr": v}
                       for (fold, seed), row in runs.items() for m, v in row.items()])
    scores, ranks = lb._protocol_scores(df, "auc_ovr")
    table = pd.DataFrame(runs).T
    assert scores.to_dict() == pytest.approx(table.mean().rename({ref: lb.PAPER_BEST}).to_dict())
    expected = pd.Series(rankdata(-table.to_numpy(), axis=1).mean(axis=0), index=table.columns)
    assert ranks.to_dict() == pytest.approx(expected.rename({ref: lb.PAPER_BEST}).to_dict())
    assert ranks["ROS"] == pytest.approx(4 / 3)  # ranked by its mean (the best) it would be 1


def test_the_cross_protocol_tests_take_the_methods_run_on_every_protocol():
    from scipy.stats import friedmanchisquare

    scores = {"a": [0.9, 0.8, 0.7, 0.6, 0.5], "b": [0.6, 0.9, 0.5, 0.8], "c": [0.7, 0.6, 0.9, 0.5]}
    rows = pd.DataFrame([{"protocol": p, "method": m, "score": v}
                         for p, vs in scores.items() for m, v in zip("mnoqx", vs)])
    lines = lb._cross_protocol_tests(rows)
    ref = friedmanchisquare(*([scores[p][i] for p in "abc"] for i in range(4)))
    assert lines[0] == (f"Friedman test across protocols: chi² = {ref.statistic:.3f}, "
                        f"p = {ref.pvalue:.3g} (4 methods, 3 protocols; left out, as not run "
                        f"on every protocol: x).")
    assert lines[2] == ("Pairwise Wilcoxon across protocols (Holm-corrected): 0 of 6 pairs "
                        "differ at 0.05.")
    two = lb._cross_protocol_tests(rows[rows["method"].isin(["m", "n", "x"])])
    assert two[0].startswith("Friedman test across protocols: not computed (the Friedman test "
                             "needs >= 3 methods")
    assert two[0].endswith("not run on every protocol: x).")


def test_the_3d_protocol_runs_recipes_on_the_multipath_network(tmp_path):
    from imbkeras.experiments import run_experiment

    # Every recipe runs in 2D (tests/training/test_long_tail.py, the buda2018 run above); in
    # 3D the ones that change the pipeline or the model's head: plain, two-stage, mixup.
    methods = ["CE", "cRT", "mixup-DRW", lb.reference_name("luo2019")]
    exp = get_preset("leaderboard.luo2019").profile("smoke").with_overrides(methods=methods)
    df = run_experiment(exp, tmp_path / "luo", progress=False)
    assert df.attrs["status"].failed == 0 and list(df["method"]) == methods
    recipes = df[df["method"] != lb.reference_name("luo2019")]
    k = 2  # the smoke profile's class set
    budget = k * exp.params["path_epochs"] * -(-recipes["n_train"] // exp.params["batch_size"])
    assert (recipes["steps"] == budget).all()


def test_a_protocol_keeps_its_papers_preflight():
    from imbkeras.experiments import _registry

    exp = get_preset("leaderboard.koziarski2020").profile("paper")
    try:
        get_preset("koziarski2020").preflight(get_preset("koziarski2020").profile("paper"))
    except FileNotFoundError:  # no ImageNet weights here: the leaderboard refuses as well
        with pytest.raises(FileNotFoundError, match="ImageNet weights"):
            _registry.preflight(exp)
    else:
        _registry.preflight(exp)
