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
    bag = BaggingClassifier(**{"build_fn": weak, **kwargs})  # stored as given (scikit-learn)
    assert bag.get_params()[next(iter(kwargs))] == next(iter(kwargs.values()))
    x, y = _task(40)
    with pytest.raises(exc, match=match):
        bag.fit(x, y)


# scikit-learn's own estimator checks that apply to a Keras-backed classifier, on a tiny
# builder (one member, one epoch). Not run: the statistical ones (check_classifiers_train
# wants 0.83 accuracy from any setting), the sample-weight and sparse-fit ones (no
# sample_weight in fit, dense data only: sparse input is rejected, which is checked), and
# the full suite's timing (about 6 minutes per class on 2 cores).
SKLEARN_CHECKS = [
    "check_parameters_default_constructible", "check_no_attributes_set_in_init",
    "check_get_params_invariance", "check_set_params", "check_estimators_unfitted",
    "check_estimator_repr", "check_dont_overwrite_parameters", "check_fit_check_is_fitted",
    "check_n_features_in", "check_classifiers_classes", "check_estimators_nan_inf",
    "check_requires_y_none", "check_fit2d_predict1d", "check_estimators_empty_data_messages",
    "check_estimator_sparse_array", "check_complex_data", "check_estimators_pickle",
    "check_dtype_object", "check_fit2d_1sample", "check_classifiers_one_label",
    "check_supervised_y_2d", "check_fit_idempotent", "check_n_features_in_after_fitting",
]
# the two share every check but fit's body: boosting runs the ones that fit quickly
BOOSTING_CHECKS = [c for c in SKLEARN_CHECKS
                   if c not in ("check_classifiers_classes", "check_fit_idempotent",
                                "check_supervised_y_2d", "check_dtype_object",
                                "check_dont_overwrite_parameters")]


def _tiny(input_shape, num_classes):
    model = keras.Sequential([keras.Input(input_shape),
                              keras.layers.Dense(num_classes, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("cls, check", [(BaggingClassifier, c) for c in SKLEARN_CHECKS]
                         + [(BoostingClassifier, c) for c in BOOSTING_CHECKS])
def test_scikit_learn_estimator_checks(cls, check):
    from sklearn.utils import estimator_checks

    getattr(estimator_checks, check)(cls.__name__, cls(_tiny, 1, epochs=1, batch_size=64))


def test_clone_score_and_string_labels():
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    x, y = _task(60)
    names = np.array(["ring1", "ring2", "ring3"])[y]
    bag = BaggingClassifier(_tiny, 2, epochs=1, seed=0)
    again = clone(bag).set_params(n_estimators=1)
    assert again.get_params()["n_estimators"] == 1 and bag.n_estimators == 2
    assert repr(again).startswith("BaggingClassifier(") and "n_estimators=1" in repr(again)
    scores = cross_val_score(again, x, names, cv=2)
    assert scores.shape == (2,) and np.all((scores >= 0) & (scores <= 1))
    fitted = again.fit(x, names)
    assert set(fitted.predict(x)) <= set(names) and fitted.classes_.tolist() == sorted(set(names))
    assert 0 <= fitted.score(x, names) <= 1


@pytest.mark.parametrize("cls", [BaggingClassifier, BoostingClassifier])
def test_fit_callbacks_reach_every_member(cls):
    class Count(keras.callbacks.Callback):
        fits = epochs = 0

        def on_train_begin(self, logs=None):
            Count.fits += 1

        def on_epoch_end(self, epoch, logs=None):
            Count.epochs += 1

    x, y = _task(60)
    clf = cls(_tiny, 2, epochs=2, seed=0).fit(x, y, callbacks=[Count()])
    trained = len(getattr(clf, "errors_", clf.members_))  # boosting may drop its last member
    assert Count.fits == trained >= 1 and Count.epochs == 2 * trained
    assert "callbacks" not in clf.get_params()
    with pytest.raises(TypeError, match=r"`callbacks` must be a list of keras callbacks or "
                                        r"None; received"):
        cls(_tiny, 1, epochs=1).fit(x, y, callbacks=Count())
