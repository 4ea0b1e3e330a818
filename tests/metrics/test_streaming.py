"""Streaming Keras metrics: batches accumulated = report / scikit-learn / imbalanced-learn."""

import keras
import numpy as np
import pytest
import sklearn.metrics as skm
import tensorflow as tf
from imblearn.metrics import geometric_mean_score

from imbkeras import metrics as M
from imbkeras.metrics import report

CM_CLASSES = [M.MacroF1, M.GMean, M.AverageAccuracy, M.ClassBalanceAccuracy, M.MAvG]
KEY = {M.MacroF1: "macro_f1", M.GMean: "gmean", M.AverageAccuracy: "avacc",
       M.ClassBalanceAccuracy: "cba", M.MAvG: "mavg", M.MulticlassAUC: "auc_ovr"}


def random_case(seed, n=150, k=4):
    rng = np.random.default_rng(seed)
    y = rng.choice(k, size=n, p=np.linspace(1, 3, k) / np.linspace(1, 3, k).sum())
    z = rng.normal(size=(n, k)) + 1.2 * np.eye(k)[y]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return y, p.astype("float32")


def streamed(metric, y, p, batch=16, **kw):
    metric.reset_state()
    for i in range(0, len(y), batch):
        metric.update_state(y[i:i + batch], p[i:i + batch], **kw)
    return float(metric.result())


@pytest.mark.parametrize("seed", range(3))
def test_streamed_metrics_equal_report_and_sklearn(seed):
    y, p = random_case(seed)
    k = p.shape[1]
    pred = p.argmax(1)
    r = report(y, p)
    got = {cls: streamed(cls(k), y, p) for cls in CM_CLASSES}
    for cls, value in got.items():
        assert value == pytest.approx(r[KEY[cls]], abs=1e-5), cls.__name__
    labels = list(range(k))
    assert got[M.MacroF1] == pytest.approx(
        skm.f1_score(y, pred, average="macro", labels=labels, zero_division=0), abs=1e-5)
    assert got[M.AverageAccuracy] == pytest.approx(skm.balanced_accuracy_score(y, pred), abs=1e-5)
    assert got[M.GMean] == pytest.approx(
        np.mean(geometric_mean_score(y, pred, average=None, labels=labels)), abs=1e-5)
    assert got[M.MAvG] == pytest.approx(geometric_mean_score(y, pred, average="multiclass"),
                                        abs=1e-5)
    auc = streamed(M.MulticlassAUC(k), y, p)
    exact = skm.roc_auc_score(y, p, multi_class="ovr", average="macro")
    assert auc == pytest.approx(exact, abs=5e-3)
    assert streamed(M.MulticlassAUC(k, num_thresholds=2000), y, p) == pytest.approx(exact,
                                                                                     abs=1e-3)


def test_cba_hand_worked_mosley():
    # confusion matrix (rows true, columns predicted):
    #   [[5, 1, 0],      row sums 6, 6, 4; column sums 7, 4, 5
    #    [2, 3, 1],      CBA = (5 / max(6, 7) + 3 / max(6, 4) + 4 / max(4, 5)) / 3
    #    [0, 0, 4]]          = (5/7 + 1/2 + 4/5) / 3 = 0.671428...
    cm = np.array([[5, 1, 0], [2, 3, 1], [0, 0, 4]])
    y = np.repeat([0, 0, 0, 1, 1, 1, 2, 2, 2], cm.ravel())
    pred = np.repeat([0, 1, 2, 0, 1, 2, 0, 1, 2], cm.ravel())
    m = M.ClassBalanceAccuracy(3)
    m.update_state(y, np.eye(3)[pred])
    assert float(m.result()) == pytest.approx((5 / 7 + 1 / 2 + 4 / 5) / 3)
    assert float(m.result()) == pytest.approx(0.6714286, abs=1e-6)
    np.testing.assert_array_equal(m.confusion.numpy(), cm)


def test_input_forms_agree():
    y, p = random_case(5, n=40, k=3)
    want = report(y, p)["macro_f1"]
    logits = np.log(p)
    forms = [(y, p), (y[:, None], p), (np.eye(3)[y], p), (y, logits),
             (y, p.argmax(1)), (y, p.argmax(1)[:, None]), (np.eye(3)[y] * 0.9 + 0.1 / 3, p)]
    for yt, yp in forms:
        assert streamed(M.MacroF1(3), yt, yp) == pytest.approx(want, abs=1e-6)


def test_per_voxel_predictions_and_sample_weight():
    rng = np.random.default_rng(6)
    y = rng.integers(0, 3, size=(2, 4, 4, 3))
    p = rng.dirichlet(np.ones(3), size=(2, 4, 4, 3)).astype("float32")
    m = M.AverageAccuracy(3)
    m.update_state(y, p)
    assert float(m.result()) == pytest.approx(report(y.ravel(), p.reshape(-1, 3))["avacc"],
                                              abs=1e-6)
    # per-sample weights broadcast over voxels; integer weights = repeated samples
    w = np.array([2.0, 1.0])
    m = M.MacroF1(3)
    m.update_state(y, p, sample_weight=w)
    rep = np.concatenate([y[0].ravel(), y[0].ravel(), y[1].ravel()])
    rep_p = np.concatenate([p[0].reshape(-1, 3), p[0].reshape(-1, 3), p[1].reshape(-1, 3)])
    assert float(m.result()) == pytest.approx(report(rep, rep_p)["macro_f1"], abs=1e-6)
    a = M.MulticlassAUC(3, num_thresholds=500)
    a.update_state(y, p, sample_weight=w)
    b = M.MulticlassAUC(3, num_thresholds=500)
    b.update_state(rep, rep_p)
    assert float(a.result()) == pytest.approx(float(b.result()), abs=1e-6)


def test_reset_and_empty_state():
    m = M.GMean(3)
    assert float(m.result()) == 0.0
    m.update_state([0, 1, 2], np.eye(3))
    assert float(m.result()) == pytest.approx(1.0)
    m.reset_state()
    assert float(m.result()) == 0.0
    assert np.isnan(float(M.MulticlassAUC(3).result()))


@pytest.mark.parametrize("cls", CM_CLASSES + [M.MulticlassAUC])
def test_labels_with_more_classes_than_the_metric(cls):
    m = cls(3)
    with pytest.raises(ValueError, match=r"label 3 .*num_classes=3"):
        m.update_state([0, 1, 3], np.full((3, 3), 1 / 3, "float32"))
    with pytest.raises(ValueError, match="num_classes=3"):
        m.update_state(np.eye(4)[[0, 1, 3]], np.full((3, 3), 1 / 3, "float32"))
    with pytest.raises(ValueError, match=r"\(\.\.\., 3\)"):
        m.update_state([0, 1, 2], np.full((3, 4), 1 / 4, "float32"))


@pytest.mark.parametrize("cls", CM_CLASSES + [M.MulticlassAUC])
def test_nan_scores_rejected(cls):
    p = np.full((3, 3), 1 / 3, "float32")
    p[1, 2] = np.nan
    with pytest.raises(ValueError, match="`y_pred` must be finite"):
        cls(3).update_state([0, 1, 2], p)


def test_bad_constructor_arguments_and_auc_range():
    with pytest.raises(ValueError, match="`num_classes` must be >= 2"):
        M.MacroF1(1)
    with pytest.raises(TypeError, match="`num_classes` must be an integer"):
        M.GMean(3.5)
    with pytest.raises(ValueError, match="`num_thresholds` must be >= 3"):
        M.MulticlassAUC(3, num_thresholds=2)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        M.MulticlassAUC(2).update_state([0, 1], np.array([[2.0, -1.0], [0.0, 1.0]]))


def test_out_of_range_labels_in_graph_give_nan():
    m = M.MacroF1(3)

    @tf.function
    def step(y, p):
        m.update_state(y, p)
        return m.result()

    assert np.isfinite(float(step(tf.constant([0, 1, 2]), tf.eye(3))))
    assert np.isnan(float(step(tf.constant([0, 1, 5]), tf.eye(3))))


def test_config_round_trip():
    for cls in CM_CLASSES + [M.MulticlassAUC]:
        m = cls(5, name="x")
        clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(m))
        assert type(clone) is cls and clone.get_config() == m.get_config()
    assert M.MulticlassAUC(4, num_thresholds=50).get_config()["num_thresholds"] == 50
