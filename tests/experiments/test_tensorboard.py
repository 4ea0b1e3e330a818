"""--tensorboard: the missing extra is named before any run; logs are named by run id."""

import importlib.util

import numpy as np
import pytest

from imbkeras.experiments import RunContext, get_preset, run_experiment
from imbkeras.experiments import _cli


@pytest.fixture
def no_tensorboard(monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "tensorboard" else find_spec(name, *a))


def test_missing_tensorboard_fails_before_any_run(tmp_path, no_tensorboard):
    exp = get_preset("buda2018").profile("smoke")
    with pytest.raises(ImportError, match=r"imbkeras\[tensorboard\]"):
        run_experiment(exp, tmp_path / "out", tensorboard=True, progress=False)
    assert not (tmp_path / "out").exists()


def test_cli_names_the_fix(tmp_path, capsys, no_tensorboard):
    code = _cli.main(["reproduce", "buda2018", "--profile", "smoke", "--out",
                      str(tmp_path / "out"), "--tensorboard", "--no-progress"])
    assert code == _cli.EXIT_USAGE and not (tmp_path / "out").exists()
    assert "pip install 'imbkeras[tensorboard]'" in capsys.readouterr().err


def test_logs_of_a_shared_training_are_named_by_its_first_run(tmp_path):
    ctx = RunContext(x_train=np.zeros((2, 1)), y_train=np.zeros(2, int), x_test=np.zeros((1, 1)),
                     y_test=np.zeros(1, int), num_classes=2, class_names=None, multilabel=False,
                     seed=0, params={}, dataset="d", scenario={}, fold=0,
                     run_dir=tmp_path / "trainings" / "k", tensorboard=True,
                     run_ids=("run-a", "run-b"), log_root=tmp_path)
    recorder, cb = ctx.callbacks()
    assert type(recorder).__name__ == "HistoryRecorder"
    assert cb.log_dir == str(tmp_path / "tensorboard" / "run-a")
    assert (tmp_path / "tensorboard" / "run-a" / "runs.txt").read_text().split() == [
        "run-a", "run-b"]
    fields = {k: v for k, v in ctx.__dict__.items() if not k.startswith("_")}
    assert [type(c).__name__ for c in RunContext(**{**fields, "tensorboard": False}
                                                 ).callbacks()] == ["HistoryRecorder"]
