"""A trainer's own decisions score its runs: metrics, recorded predictions, the cached training."""

import json

import numpy as np
import pytest

from imbkeras import metrics
from imbkeras.baselines import ParticleFeatureSVM
from imbkeras.experiments import (DataBundle, Experiment, ResultStore, TrainOutput,
                                  register_dataset, register_trainer, run_experiment)
from imbkeras.experiments._registry import DATASETS, TRAINERS


def _features(n, seed):
    """Imbalanced 3-class features where class weights move the votes off Platt's argmax."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(int(n * 0.8), int), np.ones(int(n * 0.15), int),
              np.full(n - int(n * 0.8) - int(n * 0.15), 2)]
    centers = np.array([[0.0, 0.0], [1.2, 0.0], [0.0, 1.2]])
    return centers[y] + rng.normal(0, 0.9, size=(n, 2)), y


if "test.svm_features" not in DATASETS:
    @register_dataset("test.svm_features")
    def _svm_features(n: int = 400, seed: int = 0):
        x, y = _features(n, seed)
        return DataBundle(x.astype("float64"), y, class_names=["a", "b", "c"])

if "test.svm_votes" not in TRAINERS:
    @register_trainer("test.svm_votes")
    def _svm_votes(ctx, *, no_decisions: bool = False):
        clf = ParticleFeatureSVM(random_state=0).fit(ctx.x_train, ctx.y_train)
        prob = clf.predict_proba(ctx.x_test)
        out = {"default": prob}
        decisions = {"default": clf.predict(ctx.x_test)}
        if no_decisions:
            decisions = {}
        return TrainOutput(out, decisions=decisions)


def _experiment(**params):
    return Experiment(name="decisions", datasets=["test.svm_features"],
                      cv={"kind": "stratified_kfold", "folds": 2, "seed": 0},
                      scenarios=[{"kind": "none"}], folds=[0], seeds=[0],
                      methods={"votes": {"trainer": "test.svm_votes", "params": params}})


def test_recorded_predictions_and_metrics_follow_the_svm_votes_not_platt(tmp_path):
    x, y = _features(400, 0)
    from imbkeras.experiments._grid import fold_indices
    tr, te = fold_indices(y, {"kind": "stratified_kfold", "folds": 2, "seed": 0})[0]
    clf = ParticleFeatureSVM(random_state=0).fit(x[tr], y[tr])
    votes, prob = clf.predict(x[te]), clf.predict_proba(x[te])
    assert (votes != prob.argmax(1)).sum() >= 5  # the case this test is about

    df = run_experiment(_experiment(), tmp_path / "a", progress=False)
    row = df.iloc[0]
    pred = ResultStore(tmp_path / "a").predictions(row["run_id"])
    np.testing.assert_array_equal(pred["y_true"], y[te])
    np.testing.assert_array_equal(pred["y_pred"], votes)
    np.testing.assert_allclose(pred["y_prob"], prob)
    want = metrics.report(y[te], prob, y_pred=votes)
    assert row["accuracy"] == pytest.approx(np.mean(votes == y[te]))
    for key in ("macro_f1", "gmean", "avacc", "cba", "mavg"):
        assert row[key] == pytest.approx(want[key])
    assert row["auc_ovr"] == pytest.approx(metrics.report(y[te], prob)["auc_ovr"])
    cm = np.array(json.loads(row["confusion"]))
    np.testing.assert_array_equal(cm.diagonal(), [np.sum((votes == c) & (y[te] == c))
                                                  for c in range(3)])
    # Without decisions the same scores are judged by their argmax: other numbers.
    plain = run_experiment(_experiment(no_decisions=True), tmp_path / "b",
                           progress=False).iloc[0]
    assert plain["accuracy"] == pytest.approx(np.mean(prob.argmax(1) == y[te]))
    assert plain["avacc"] != pytest.approx(row["avacc"])
    # The cached training keeps the decisions: a forced re-evaluation reads them back.
    store = ResultStore(tmp_path / "a")
    store.clear_run(row["run_id"])
    again = run_experiment(_experiment(), tmp_path / "a", progress=False).iloc[0]
    assert again["avacc"] == pytest.approx(row["avacc"])
    np.testing.assert_array_equal(store.predictions(row["run_id"])["y_pred"], votes)


@pytest.mark.parametrize("decisions, match", [
    ({"other": np.zeros(2, int)}, "not one of its outputs"),
    ({"default": np.zeros(3, int)}, r"one per test sample \(2\)"),
    ({"default": np.zeros(2)}, "integer labels"),
])
def test_bad_decisions_are_named(decisions, match):
    out = TrainOutput({"default": np.full((2, 2), 0.5)}, decisions=decisions)
    with pytest.raises(ValueError, match=match):
        TrainOutput.coerce(out, "toy")
