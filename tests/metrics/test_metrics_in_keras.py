"""Streaming metrics inside compile / fit / evaluate and through .keras save/load."""

import keras
import numpy as np
import pytest

from imbkeras import metrics as M
from imbkeras.losses import FocalLoss
from imbkeras.metrics import report

K = 3


def data(seed=0, n=96):
    rng = np.random.default_rng(seed)
    y = rng.choice(K, size=n, p=[0.6, 0.3, 0.1])
    x = (rng.normal(size=(n, 6)) + np.eye(K, 6)[y]).astype("float32")
    return x, y


def model(seed=0):
    keras.utils.set_random_seed(seed)
    inp = keras.Input((6,))
    out = keras.layers.Dense(K, activation="softmax")(inp)
    return keras.Model(inp, out)


def all_metrics():
    return [M.MacroF1(K), M.GMean(K), M.AverageAccuracy(K), M.ClassBalanceAccuracy(K), M.MAvG(K),
            M.MulticlassAUC(K, num_thresholds=1000)]


NAMES = ["macro_f1", "gmean", "avacc", "cba", "mavg", "auc_ovr"]


def test_fit_and_evaluate_over_many_batches_equal_report():
    x, y = data()
    m = model()
    # lr 0: predictions do not move during fit, so the epoch's streamed values
    # must equal report() on model.predict (12 batches of 8)
    # our losses take sparse and one-hot targets alike (fit sparse, evaluate one-hot)
    m.compile(keras.optimizers.SGD(learning_rate=0.0), FocalLoss(gamma=0.0),
              metrics=all_metrics())
    hist = m.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=True)
    ev = m.evaluate(x, np.eye(K)[y], batch_size=8, verbose=0, return_dict=True)
    r = report(y, m.predict(x, verbose=0))
    for name in NAMES:
        tol = 2e-3 if name == "auc_ovr" else 1e-5
        assert hist.history[name][-1] == pytest.approx(r[name], abs=tol), name
        assert ev[name] == pytest.approx(r[name], abs=tol), name


def test_compiled_model_with_metrics_round_trips_through_keras_file(tmp_path):
    x, y = data(1, n=32)
    m = model(1)
    m.compile("sgd", "sparse_categorical_crossentropy", metrics=all_metrics())
    before = m.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    path = tmp_path / "m.keras"
    m.save(path)
    loaded = keras.saving.load_model(path)
    after = loaded.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    for name in NAMES:
        assert after[name] == pytest.approx(before[name], abs=1e-6), name
    # the loaded model's compiled metrics are our classes with the same config
    found = {type(obj).__name__: obj.get_config() for obj in loaded.metrics[-1].metrics}
    for met in all_metrics():
        assert found[type(met).__name__] == met.get_config()
