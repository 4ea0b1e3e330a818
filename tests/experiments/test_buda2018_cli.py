import numpy as np
import pandas as pd
import pytest

from imbkeras.experiments import _cli
from imbkeras.experiments._buda2018 import _steps_per_chunk, quick_config
from imbkeras.metrics import SCALAR_KEYS


def test_quick_profile_matches_the_issue():
    cfg = quick_config()
    assert [(s["kind"], s["ratio"], s["mu"]) for s in cfg.scenarios] == [
        ("step", 1, 0.5), ("step", 10, 0.5), ("step", 50, 0.5), ("linear", 10, None)]
    assert cfg.methods == ("baseline", "ROS", "RUS", "thresholding", "ROS+thr")
    assert (cfg.learning_rate, cfg.lr_gamma, cfg.lr_power, cfg.momentum) == (0.01, 1e-4, 0.75, 0.9)


def test_steps_per_chunk_divides_iterations():
    assert _steps_per_chunk(600, 100) == 100
    assert _steps_per_chunk(7, 100) == 7
    assert _steps_per_chunk(250, 100) == 50


def test_cli_quick_tiny_run_writes_every_output(tmp_path, capsys):
    out = tmp_path / "run"
    rc = _cli.main(["reproduce", "buda2018", "--quick", "--out", str(out), "--iterations", "3",
                    "--ratios", "10", "--methods", "baseline,ROS,thresholding,ROS+thr,ROS-2ph",
                    "--verbose", "0"])
    assert rc == 0
    df = pd.read_csv(out / "results.csv")
    assert len(df) == 2 * 5  # step + linear, five methods each
    assert set(df["method"]) == {"baseline", "ROS", "thresholding", "ROS+thr", "ROS-2ph"}
    for col in ("dataset", "kind", "ratio", "mu", "method", "seed", *SCALAR_KEYS):
        assert col in df.columns
    assert df["iterations"].eq(np.where(df["method"] == "ROS-2ph", 6, 3)).all()
    assert (out / "auc_vs_ratio.png").stat().st_size > 1000
    for run_id in df["run_id"]:
        data = np.load(out / "predictions" / f"{run_id}.npz")
        assert data["y_prob"].shape == (len(data["y_true"]), 10)
    text = capsys.readouterr().out
    assert "[1/4]" in text and "auc_ovr (mean over seeds)" in text

    assert _cli.main(["report", str(out)]) == 0
    assert "ROS+thr" in capsys.readouterr().out


def test_cli_errors_are_clear(tmp_path, capsys):
    assert _cli.main(["report", str(tmp_path)]) == 2
    assert "results.csv" in capsys.readouterr().err
    assert _cli.main(["reproduce", "buda2018", "--quick", "--dataset", "nope", "--out",
                      str(tmp_path), "--verbose", "0"]) == 2
    assert "digits" in capsys.readouterr().err
    assert _cli.main(["reproduce", "buda2018", "--quick", "--methods", "magic", "--out",
                      str(tmp_path)]) == 2
    with pytest.raises(SystemExit):
        _cli.main(["reproduce", "nopaper"])
