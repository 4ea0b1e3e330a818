"""Bagging and SAMME boosting of Keras models beat a single weak member; save/load; errors."""

import keras
import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score

from imbkeras.ensemble import BaggingClassifier, BoostingClassifier
from imbkeras.sampling import RandomOverSampler


def weak(input_shape, num_classes):
    inp = keras.Input(input_shape)
    out = keras.layers.Dense(num_classes, activation="softmax")(
        keras.layers.Dense(3, activation="tanh")(inp))
    model = keras.Model(inp, out)
    model.compile(keras.optimizers.Adam(0.03), "sparse_categorical_crossentropy")
    return model


def _task(n=600, seed=0):
    """Three imbalanced classes on concentric rings: hard for one tiny network."""
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.7, 0.2, 0.1])
    radius = np.array([1.0, 2.0, 3.0])[y] + rng.normal(0, 0.25, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.c_[radius * np.cos(angle), radius * np.sin(angle)].astype("float32")
    return x, y


def _score(clf, x, y):
    return balanced_accuracy_score(y, clf.predict(x))


def test_bagging_and_boosting_beat_a_single_weak_member(tmp_path):
    x, y = _task()
    xt, yt = _task(seed=1)
    bag = BaggingClassifier(weak, 7, sampler=RandomOverSampler(), epochs=8, seed=0).fit(x, y)
    single = _score(type("M", (), {"predict": lambda s, a: bag.members_[0].predict(
        a, verbose=0).argmax(1)})(), xt, yt)
    assert _score(bag, xt, yt) > single
    boost = BoostingClassifier(weak, 7, epochs=8, seed=0).fit(x, y)
    first = boost.members_[0].predict(xt, verbose=0).argmax(1)
    assert _score(boost, xt, yt) > balanced_accuracy_score(yt, first)
    assert len(boost.weights_) >= 2 and all(w > 0 for w in boost.weights_)
    # saved and loaded: the same probabilities
    again = BaggingClassifier.load(bag.save(tmp_path / "bag"))
    np.testing.assert_allclose(again.predict_proba(xt), bag.predict_proba(xt), rtol=1e-5)
    with pytest.raises(ValueError, match="holds a bagging ensemble"):
        BoostingClassifier.load(tmp_path / "bag")


def test_seeded():
    x, y = _task(200)
    a = BaggingClassifier(weak, 2, epochs=2, seed=3).fit(x, y).predict_proba(x)
    b = BaggingClassifier(weak, 2, epochs=2, seed=3).fit(x, y).predict_proba(x)
    np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"n_estimators": 0}, ValueError, "n_estimators"),
    ({"voting": "max"}, ValueError, "voting"),
    ({"build_fn": 3}, TypeError, "build_fn"),
])
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        BaggingClassifier(**{"build_fn": weak, **kwargs})
