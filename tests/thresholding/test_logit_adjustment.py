"""Post-hoc logit adjustment, per-label threshold tuning and the PriorCorrection layer."""

import keras
import numpy as np
import pytest

from imbkeras.layers import PriorCorrection
from imbkeras.thresholding import logit_adjustment, prior_correction, tune_thresholds

PRIORS = np.array([0.7, 0.2, 0.1])


def probs(seed=0, n=20, k=3):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, k))
    return z, np.exp(z) / np.exp(z).sum(1, keepdims=True)


def np_softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_tau_one_on_probabilities_is_prior_division():
    _, p = probs()
    np.testing.assert_allclose(logit_adjustment(p, PRIORS), prior_correction(p, PRIORS))


@pytest.mark.parametrize("tau", [0.0, 0.5, 1.0, 2.0])
def test_logit_adjustment_formula(tau):
    z, p = probs(1)
    adj = z - tau * np.log(PRIORS)
    np.testing.assert_allclose(logit_adjustment(z, PRIORS, tau, from_logits=True,
                                                output="logits"), adj)
    np.testing.assert_allclose(logit_adjustment(z, PRIORS, tau, from_logits=True),
                               np_softmax(adj))
    np.testing.assert_allclose(logit_adjustment(p, PRIORS, tau), np_softmax(adj))
    if tau == 0:
        np.testing.assert_allclose(logit_adjustment(p, PRIORS, 0.0), p)


def test_logit_adjustment_handles_zero_probabilities_and_bad_input():
    out = logit_adjustment([[1.0, 0.0, 0.0]], PRIORS)
    np.testing.assert_allclose(out, [[1.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="`tau` must be a finite number >= 0"):
        logit_adjustment([[0.5, 0.5]], [0.5, 0.5], tau=-1)
    with pytest.raises(ValueError, match="`output` must be"):
        logit_adjustment([[0.5, 0.5]], [0.5, 0.5], output="argmax")
    with pytest.raises(ValueError, match=r"`priors` must be > 0.0; received \[1.0, 0.0\]"):
        logit_adjustment([[0.5, 0.5]], [1.0, 0.0])
    with pytest.raises(ValueError, match="`scores` must be finite"):
        logit_adjustment([[np.nan, 0.5]], [0.5, 0.5])
    with pytest.raises(ValueError, match="one entry per class"):
        logit_adjustment([[0.5, 0.5]], PRIORS)


def test_tune_thresholds_maximises_f1_per_label():
    y = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 0]])
    p = np.array([[.9, .2], [.35, .8], [.3, .45], [.1, .5], [.6, .1]])
    t = tune_thresholds(y, p)
    # label 0: positives .9 .35 .6, negatives .3 .1 -> any t in (.30, .35] gives F1 = 1
    # label 1: positives .8 .45, negatives .5 .2 .1 -> t <= .45 keeps .5 as FP:
    #          F1(t in (.2, .45]) = 4/5; t in (.5, .8]: 2/3; best 0.8 F1 at the smallest t 0.21
    np.testing.assert_allclose(t, [0.31, 0.21])
    np.testing.assert_allclose(tune_thresholds(y, p, thresholds=[0.5, 0.3, 0.9]), [0.3, 0.3])


def test_tune_thresholds_label_without_positives_gets_default():
    y = np.array([[1, 0], [0, 0]])
    t = tune_thresholds(y, [[.8, .3], [.2, .9]], default=0.4)
    assert t[1] == 0.4


@pytest.mark.parametrize("kwargs,match", [
    ({"thresholds": [0.2, 1.5]}, r"`thresholds` must lie in \[0, 1\]"),
    ({"thresholds": [-0.1]}, r"`thresholds` must lie in \[0, 1\]"),
    ({"default": 2.0}, r"`default` must lie in \[0, 1\]"),
    ({"thresholds": []}, "must not be empty"),
])
def test_tune_thresholds_bad_thresholds(kwargs, match):
    with pytest.raises(ValueError, match=match):
        tune_thresholds([[1], [0]], [[.6], [.4]], **kwargs)


def test_tune_thresholds_rejects_nan_probabilities():
    with pytest.raises(ValueError, match="`y_prob` must be finite"):
        tune_thresholds([[1], [0]], [[np.nan], [.4]])


# ------------------------------------------------------------------ the layer
def test_prior_correction_layer_equals_function():
    z, p = probs(2)
    out = keras.ops.convert_to_numpy(PriorCorrection(PRIORS)(p.astype("float32")))
    np.testing.assert_allclose(out, prior_correction(p, PRIORS), rtol=1e-5, atol=1e-6)
    out = keras.ops.convert_to_numpy(
        PriorCorrection(PRIORS, tau=0.5, from_logits=True)(z.astype("float32")))
    np.testing.assert_allclose(out, logit_adjustment(z, PRIORS, 0.5, from_logits=True),
                               rtol=1e-5, atol=1e-6)


def test_prior_correction_layer_saved_model_predicts_corrected(tmp_path):
    keras.utils.set_random_seed(0)
    inp = keras.Input((4,))
    base = keras.Model(inp, keras.layers.Dense(3, activation="softmax")(inp))
    full = keras.Sequential([base, PriorCorrection(PRIORS.tolist(), name="thr")])
    full.compile("sgd", "categorical_crossentropy")
    x = np.random.default_rng(3).normal(size=(8, 4)).astype("float32")
    want = prior_correction(base.predict(x, verbose=0), PRIORS)
    path = tmp_path / "thr.keras"
    full.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)
    layer = loaded.get_layer("thr")
    assert isinstance(layer, PriorCorrection)
    assert layer.get_config()["priors"] == pytest.approx(PRIORS.tolist())


def test_prior_correction_layer_bad_input():
    with pytest.raises(ValueError, match=r"`priors` must be > 0.0; received \[0.5, 0.0\]"):
        PriorCorrection([0.5, 0.0])
    with pytest.raises(ValueError, match="`tau` must be a finite number >= 0"):
        PriorCorrection([0.5, 0.5], tau=-0.5)
    with pytest.raises(ValueError, match="`priors` has 3 entries but the input"):
        PriorCorrection(PRIORS)(np.ones((2, 4), "float32"))


@pytest.mark.parametrize("from_logits", [False, True])
def test_multi_label_prior_correction_shifts_each_labels_log_odds(from_logits):
    rates = np.array([0.9, 0.5, 0.05])
    rng = np.random.default_rng(3)
    z = rng.normal(scale=2.0, size=(6, 3)).astype("float32")
    layer = PriorCorrection(rates, tau=0.5, from_logits=from_logits, multi_label=True)
    inp = z if from_logits else 1 / (1 + np.exp(-z))
    got = keras.ops.convert_to_numpy(layer(inp))
    want = 1 / (1 + np.exp(-(z - 0.5 * np.log(rates / (1 - rates)))))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)
    # a label at rate 1/2 is left as it is; the saved layer keeps its form
    np.testing.assert_allclose(got[:, 1], 1 / (1 + np.exp(-z[:, 1])), rtol=1e-4, atol=1e-6)
    again = PriorCorrection.from_config(layer.get_config())
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(inp)), got, atol=1e-6)
    with pytest.raises(ValueError, match=r"positive rate, in \(0, 1\).*label 0 is 1.0"):
        PriorCorrection([1.0, 0.5], multi_label=True)
