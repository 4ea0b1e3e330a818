"""The Buda 2018 preset on the engine, through the command line."""

import numpy as np
import pandas as pd
import pytest

from imbkeras.experiments import _cli, get_preset
from imbkeras.experiments.presets.buda2018 import _steps_per_chunk
from imbkeras.metrics import SCALAR_KEYS


def test_quick_profile_matches_the_paper_recipe():
    exp = get_preset("buda2018").profile("quick")
    assert [(s["kind"], s["ratio"], s.get("mu")) for s in exp.expand_scenarios()] == [
        ("step", 1, 0.5), ("step", 10, 0.5), ("step", 50, 0.5), ("linear", 10, None)]
    assert list(exp.methods) == ["baseline", "ROS", "RUS", "thresholding", "ROS+thr"]
    p = exp.params
    assert (p["learning_rate"], p["lr_gamma"], p["lr_power"], p["momentum"]) == (0.01, 1e-4,
                                                                               0.75, 0.9)
    assert (p["iterations"], p["batch_size"], p["weight_decay"]) == (600, 64, 5e-4)
    paper = get_preset("buda2018").profile("paper")
    assert len(paper.expand_scenarios()) == 9 * 9 + 9 and len(paper.methods) == 8


def test_steps_per_chunk_divides_iterations():
    assert _steps_per_chunk(600, 100) == 100
    assert _steps_per_chunk(7, 100) == 7
    assert _steps_per_chunk(250, 100) == 50


def test_cli_quick_tiny_run_writes_every_output(tmp_path, capsys):
    out = tmp_path / "run"
    rc = _cli.main(["reproduce", "buda2018", "--quick", "--out", str(out), "--iterations", "3",
                    "--ratios", "10", "--methods", "baseline,ROS,thresholding,ROS+thr,RUS",
                    "--verbose", "0", "--set", "methods.RUS.output=two_phase",
                    "--no-progress"])
    assert rc == 0
    df = pd.read_csv(out / "results.csv")
    assert len(df) == 2 * 5  # step + linear, five methods each
    assert set(df["method"]) == {"baseline", "ROS", "thresholding", "ROS+thr", "RUS"}
    for col in ("dataset", "kind", "ratio", "mu", "method", "seed", "realised_ratio",
                *SCALAR_KEYS):
        assert col in df.columns
    assert np.allclose(df["realised_ratio"], 10, rtol=0.05)
    assert (out / "auc_ovr_vs_ratio.png").stat().st_size > 1000
    assert (out / "report.md").read_text().count("| digits |") == 4
    for run_id in df["run_id"]:
        data = np.load(out / "runs" / run_id / "predictions.npz")
        assert data["y_prob"].shape == (len(data["y_true"]), 10)
    text = capsys.readouterr().out
    assert "10 runs done" in text and "## auc_ovr" in text
    # Thresholding shares the baseline's training: identical AUC ranking inputs, other accuracy.
    base = df.set_index(["kind", "method"])
    assert base.loc[("step", "baseline"), "train_seconds"] == \
        base.loc[("step", "thresholding"), "train_seconds"]

    assert _cli.main(["report", str(out), "--metric", "macro_f1"]) == 0
    assert "ROS+thr" in capsys.readouterr().out


def test_cli_errors_are_clear(tmp_path, capsys):
    assert _cli.main(["report", str(tmp_path)]) == 2
    assert "results.csv" in capsys.readouterr().err
    assert _cli.main(["reproduce", "buda2018", "--quick", "--dataset", "nope", "--out",
                      str(tmp_path / "x")]) == 2
    assert "digits" in capsys.readouterr().err
    assert _cli.main(["reproduce", "buda2018", "--quick", "--methods", "magic", "--out",
                      str(tmp_path / "x")]) == 2
    assert "magic" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    with pytest.raises(SystemExit):
        _cli.main(["reproduce", "nopaper"])


def test_example_config_is_valid_and_lists_its_grid(capsys):
    from pathlib import Path

    config = Path(__file__).resolve().parents[2] / "configs" / "example_digits.yaml"
    assert _cli.main(["run", str(config), "--list"]) == 0
    assert "24 runs, 18 trainings" in capsys.readouterr().out
