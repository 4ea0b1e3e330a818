"""Every training's history (history.csv), --save-models, and the report's learning curves."""

import keras
import numpy as np
import pandas as pd
import pytest

from imbkeras.experiments import Experiment, RunContext, build_report, run_experiment
from imbkeras.experiments import _cli


def _ctx(tmp_path, **kw):
    run_dir = tmp_path / "trainings" / "k"
    run_dir.mkdir(parents=True)
    return RunContext(x_train=np.zeros((2, 1)), y_train=np.zeros(2, int),
                      x_test=np.zeros((1, 1)), y_test=np.zeros(1, int), num_classes=2,
                      class_names=None, multilabel=False, seed=0, params={}, dataset="d",
                      scenario={}, fold=0, run_dir=run_dir, run_ids=("r",), **kw)


def _fit(ctx, epochs, validation=False):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = np.random.default_rng(0).normal(size=(16, 3)), np.arange(16) % 2
    model.fit(x, y, epochs=epochs, verbose=0, callbacks=ctx.callbacks(),
              validation_data=(x, y) if validation else None)
    return model


def test_every_epoch_of_every_fit_is_recorded_in_order(tmp_path):
    ctx = _ctx(tmp_path)
    _fit(ctx, 3, validation=True)
    _fit(ctx, 2)
    h = pd.read_csv(ctx.run_dir / "history.csv")
    assert h["fit"].tolist() == [0, 0, 0, 1, 1] and h["epoch"].tolist() == [0, 1, 2, 0, 1]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(h.columns)
    assert h["val_loss"].iloc[:3].notna().all() and h["val_loss"].iloc[3:].isna().all()
    assert ctx.finish() == [] and not list(ctx.run_dir.glob("*.keras"))  # not asked to save


def test_save_models_keeps_one_model_as_model_keras(tmp_path):
    ctx = _ctx(tmp_path, save_models=True)
    model = _fit(ctx, 1)
    assert ctx.finish() == []
    saved = keras.models.load_model(ctx.run_dir / "model.keras")
    x = np.ones((2, 3))
    np.testing.assert_allclose(saved.predict(x, verbose=0), model.predict(x, verbose=0))


def test_save_models_keeps_every_fit_of_a_training_that_fits_several(tmp_path):
    ctx = _ctx(tmp_path, save_models=True)
    _fit(ctx, 1)
    _fit(ctx, 1)
    ctx.finish()
    assert sorted(p.name for p in ctx.run_dir.glob("*.keras")) == [
        "model_fit0.keras", "model_fit1.keras"]


def test_save_models_on_a_training_without_a_keras_model_says_so(tmp_path, blob_config):
    exp = Experiment.from_dict(blob_config(scenarios=[{"kind": "none"}], seeds=[0],
                                           methods={"centroid": {"trainer": "fixture.centroid"}}))
    with pytest.warns(UserWarning, match="fixture.centroid.*fitted no Keras model"):
        run_experiment(exp, tmp_path / "out", save_models=True, progress=False)
    assert not list((tmp_path / "out").rglob("*.keras"))
    with pytest.raises(ValueError, match=r"`save_models` must be True or False; received 'yes'"):
        run_experiment(exp, tmp_path / "out2", save_models="yes", progress=False)
    assert not (tmp_path / "out2").exists()


def test_a_preset_run_writes_histories_models_and_learning_curves(tmp_path):
    out = tmp_path / "out"
    code = _cli.main(["reproduce", "buda2018", "--profile", "smoke", "--out", str(out),
                      "--methods", "baseline,ROS", "--save-models", "--no-progress"])
    assert code == 0
    keys = pd.read_csv(out / "results.csv")["training_key"].unique()
    assert len(keys) >= 2
    for key in keys:
        h = pd.read_csv(out / "trainings" / key / "history.csv")
        assert len(h) >= 1 and h["loss"].notna().all()
        assert (out / "trainings" / key / "model.keras").is_file()
    report = build_report(out)
    assert "learning_curves" in report["figures"] and (out / "learning_curves.png").is_file()
    assert "Learning curves" in report["markdown"]
