"""Every loss against a direct NumPy implementation of its formula (and Keras where they
overlap); finite gradients for extreme logits."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from imbkeras import losses as L

RTOL, ATOL = 1e-5, 1e-6


# ----------------------------------------------------------------- numpy references
def np_softmax(z):
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def np_log_softmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def np_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def onehot(y, k):
    return np.eye(k)[y]


def smooth(y, s, k):
    return y * (1 - s) + s / k


def np_focal(y, p, alpha, gamma, s):
    k = p.shape[-1]
    y = smooth(y, s, k)
    a = 1.0 if alpha is None else np.asarray(alpha)
    return -(a * y * (1 - p) ** gamma * np.log(p)).sum(-1)


def np_binary_focal(y, p, alpha, gamma, s):
    # -alpha_t (1 - p_t)^gamma log p_t; with soft targets p_t = y p + (1 - y)(1 - p) and
    # alpha_t = y a + (1 - y)(1 - a) multiply the soft binary cross-entropy (Keras's form)
    y = y * (1 - s) + 0.5 * s
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    pt = y * p + (1 - y) * (1 - p)
    a_t = 1.0 if alpha is None else y * np.asarray(alpha) + (1 - y) * (1 - np.asarray(alpha))
    return (a_t * (1 - pt) ** gamma * bce).mean(-1)


def np_cb_weights(n, beta):
    n = np.asarray(n, float)
    w = (1 - beta) / (1 - beta ** n)
    return w / w.sum() * len(n)


def case(seed, shape=(7,), k=4, scale=2.0):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=scale, size=shape + (k,))
    y = rng.integers(0, k, size=shape)
    return y, z


def val(t):
    return np.asarray(keras.ops.convert_to_numpy(t), dtype=np.float64)


# ------------------------------------------------------------------------ focal
@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("alpha", [None, 0.25, [0.1, 0.2, 0.3, 0.4]])
@pytest.mark.parametrize("gamma,smoothing", [(0.0, 0.0), (2.0, 0.0), (0.5, 0.1)])
def test_focal_loss_equals_numpy(from_logits, alpha, gamma, smoothing):
    y, z = case(0)
    p = np_softmax(z)
    inp = z if from_logits else p
    want = np_focal(onehot(y, 4), p, alpha, gamma, smoothing)
    for target in (y, onehot(y, 4), y[:, None]):          # sparse, one-hot, (n, 1)
        got = L.focal_loss(target, inp.astype("float32"), alpha=alpha, gamma=gamma,
                           from_logits=from_logits, label_smoothing=smoothing)
        np.testing.assert_allclose(val(got), want, rtol=RTOL, atol=ATOL)


def test_focal_loss_per_voxel_targets():
    y, z = case(1, shape=(2, 3, 3, 2), k=3)
    got = L.focal_loss(y, z.astype("float32"), alpha=[1, 2, 3], gamma=2.0, from_logits=True)
    assert got.shape == (2, 3, 3, 2)
    want = np_focal(onehot(y, 3), np_softmax(z), [1, 2, 3], 2.0, 0.0)
    np.testing.assert_allclose(val(got), want, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_focal_loss_equals_keras_categorical_focal(from_logits, smoothing):
    y, z = case(2, shape=(16,), k=5)
    inp = (z if from_logits else np_softmax(z)).astype("float32")
    ours = L.FocalLoss(alpha=0.25, gamma=2.0, from_logits=from_logits, label_smoothing=smoothing)
    ref = keras.losses.CategoricalFocalCrossentropy(alpha=0.25, gamma=2.0,
                                                    from_logits=from_logits,
                                                    label_smoothing=smoothing)
    np.testing.assert_allclose(val(ours(onehot(y, 5), inp)), val(ref(onehot(y, 5), inp)),
                               rtol=1e-5)
    np.testing.assert_allclose(val(ours(y, inp)), val(ref(onehot(y, 5), inp)), rtol=1e-5)


@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("alpha", [None, 0.25, [0.9, 0.5, 0.1]])
@pytest.mark.parametrize("gamma,smoothing", [(0.0, 0.0), (2.0, 0.1)])
def test_binary_focal_equals_numpy(from_logits, alpha, gamma, smoothing):
    rng = np.random.default_rng(3)
    z = rng.normal(scale=2, size=(6, 3))
    y = (rng.random((6, 3)) < 0.4).astype(float)
    inp = (z if from_logits else np_sigmoid(z)).astype("float32")
    got = L.binary_focal_loss(y, inp, alpha=alpha, gamma=gamma, from_logits=from_logits,
                              label_smoothing=smoothing)
    want = np_binary_focal(y, np_sigmoid(z), alpha, gamma, smoothing)
    np.testing.assert_allclose(val(got), want, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("from_logits", [True, False])
def test_binary_focal_equals_keras(from_logits):
    rng = np.random.default_rng(4)
    z = rng.normal(scale=2, size=(8, 3)).astype("float32")
    y = (rng.random((8, 3)) < 0.4).astype("float32")
    inp = z if from_logits else np_sigmoid(z).astype("float32")
    for alpha, balance in ((0.25, True), (None, False)):
        ours = L.BinaryFocalLoss(alpha=alpha, gamma=2.0, from_logits=from_logits)
        ref = keras.losses.BinaryFocalCrossentropy(apply_class_balancing=balance, alpha=0.25,
                                                   gamma=2.0, from_logits=from_logits)
        np.testing.assert_allclose(val(ours(y, inp)), val(ref(y, inp)), rtol=1e-4)


# ------------------------------------------------------------- weighted CE
@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_weighted_cross_entropy_softmax_equals_numpy(from_logits, smoothing):
    w = np.array([0.5, 1.0, 2.0, 4.0])
    y, z = case(5, shape=(2, 3, 3), k=4)                       # per-pixel targets
    inp = (z if from_logits else np_softmax(z)).astype("float32")
    want = w[y] * -(smooth(onehot(y, 4), smoothing, 4) * np_log_softmax(z)).sum(-1)
    for target in (y, onehot(y, 4)):
        got = L.weighted_cross_entropy(target, inp, w, from_logits=from_logits,
                                       label_smoothing=smoothing)
        np.testing.assert_allclose(val(got), want, rtol=RTOL, atol=ATOL)


def test_weighted_cross_entropy_equals_keras_class_weight():
    y, z = case(6, shape=(10,), k=3)
    w = {0: 1.0, 1: 3.0, 2: 0.5}
    ours = L.WeightedCrossEntropy(w, from_logits=True)
    ref = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    sw = np.array([w[c] for c in y])
    np.testing.assert_allclose(val(ours(y, z.astype("float32"))),
                               val(ref(y, z.astype("float32"), sample_weight=sw)), rtol=1e-5)


@pytest.mark.parametrize("from_logits", [True, False])
def test_weighted_cross_entropy_multilabel_equals_numpy(from_logits):
    rng = np.random.default_rng(7)
    z = rng.normal(size=(2, 4, 3))                              # (batch, positions, labels)
    y = (rng.random((2, 4, 3)) < 0.3).astype(float)
    w = np.array([1.0, 5.0, 0.2])
    p = np_sigmoid(z)
    want = (w * -(y * np.log(p) + (1 - y) * np.log(1 - p))).mean(-1)
    got = L.weighted_cross_entropy(y, (z if from_logits else p).astype("float32"), w,
                                   multi_label=True, from_logits=from_logits)
    np.testing.assert_allclose(val(got), want, rtol=1e-4, atol=1e-6)


# ------------------------------------------------------------ class balanced
@pytest.mark.parametrize("base", ["softmax", "sigmoid", "focal"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_class_balanced_loss_equals_numpy(base, smoothing):
    n, beta, gamma = [500, 50, 5, 20], 0.99, 1.5
    y, z = case(8, shape=(9,), k=4)
    w = np_cb_weights(n, beta)
    t = smooth(onehot(y, 4), smoothing, 4)
    if base == "softmax":
        per = -(t * np_log_softmax(z)).sum(-1)
    else:
        p = np_sigmoid(z)
        bce = -(t * np.log(p) + (1 - t) * np.log(1 - p))
        if base == "focal":
            bce = (t * (1 - p) + (1 - t) * p) ** gamma * bce
        per = bce.sum(-1)
    want = w[y] * per
    got = L.class_balanced_loss(y, z.astype("float32"), n, beta=beta, base=base, gamma=gamma,
                                from_logits=True, label_smoothing=smoothing)
    np.testing.assert_allclose(val(got), want, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("base", ["sigmoid", "focal"])
@pytest.mark.parametrize("from_logits", [True, False])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_multi_label_class_balanced_loss_weights_each_label(base, from_logits, smoothing):
    n, beta, gamma = [500, 50, 5, 20], 0.99, 1.5
    rng = np.random.default_rng(11)
    z = rng.normal(scale=2.0, size=(9, 4))
    y = (rng.random((9, 4)) < 0.4).astype("float32")
    p = np_sigmoid(z)
    t = y * (1 - smoothing) + smoothing / 2
    bce = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    if base == "focal":
        bce = (t * (1 - p) + (1 - t) * p) ** gamma * bce
    want = (np_cb_weights(n, beta) * bce).mean(-1)
    got = L.class_balanced_loss(y, (z if from_logits else p).astype("float32"), n, beta=beta,
                                base=base, gamma=gamma, from_logits=from_logits,
                                label_smoothing=smoothing, multi_label=True)
    np.testing.assert_allclose(val(got), want, rtol=1e-3, atol=1e-5)
    with pytest.raises(ValueError, match=r"`multi_label=True` needs one binary problem per "
                                         r"label.*received 'softmax'"):
        L.ClassBalancedLoss(n, base="softmax", multi_label=True)


@pytest.mark.parametrize("tau", [0.0, 1.0, 2.0])
@pytest.mark.parametrize("from_logits", [True, False])
def test_multi_label_logit_adjusted_loss_is_the_binary_adjustment_per_label(tau, from_logits):
    rates = np.array([0.6, 0.25, 0.1, 0.05])
    rng = np.random.default_rng(12)
    z = rng.normal(scale=2.0, size=(9, 4))
    y = (rng.random((9, 4)) < 0.4).astype("float32")
    q = np_sigmoid(z + tau * np.log(rates / (1 - rates)))
    want = (-(y * np.log(q) + (1 - y) * np.log(1 - q))).mean(-1)
    inp = (z if from_logits else np_sigmoid(z)).astype("float32")
    got = L.LogitAdjustedLoss(rates, tau=tau, from_logits=from_logits, multi_label=True,
                              reduction=None)(y, inp)
    np.testing.assert_allclose(val(got), want, rtol=1e-3, atol=1e-5)
    if tau == 0.0:  # no adjustment: Keras's binary cross-entropy
        ref = keras.losses.BinaryCrossentropy(from_logits=from_logits, reduction=None)(y, inp)
        np.testing.assert_allclose(val(got), val(ref), rtol=1e-3, atol=1e-5)
    with pytest.raises(ValueError, match=r"`priors` must hold each label's positive rate, in "
                                         r"\(0, 1\).*label 1 is 1.0"):
        L.LogitAdjustedLoss([0.5, 1.0], multi_label=True)


def test_class_balanced_weights_formula_and_limits():
    n = [1000, 100, 10]
    w = L.class_balanced_weights(n, 0.999, normalize=False)
    np.testing.assert_allclose(w, (1 - 0.999) / (1 - 0.999 ** np.array(n)))
    np.testing.assert_allclose(L.class_balanced_weights(n, 0.0), [1, 1, 1])
    inv = 1 / np.array(n, float)
    np.testing.assert_allclose(L.class_balanced_weights(n, 1 - 1e-9), inv / inv.sum() * 3,
                               rtol=1e-3)


# ------------------------------------------------- logit adjustment / balanced softmax
@pytest.mark.parametrize("tau", [0.0, 0.5, 1.0, 2.0])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_logit_adjusted_loss_equals_numpy(tau, smoothing):
    pri = np.array([0.6, 0.25, 0.1, 0.05])
    y, z = case(9)
    want = -(smooth(onehot(y, 4), smoothing, 4) * np_log_softmax(z + tau * np.log(pri))).sum(-1)
    got = L.logit_adjusted_loss(y, z.astype("float32"), pri, tau=tau, from_logits=True,
                                label_smoothing=smoothing)
    np.testing.assert_allclose(val(got), want, rtol=RTOL, atol=ATOL)
    # probabilities in: z = log p, the same loss up to float error
    got_p = L.logit_adjusted_loss(y, np_softmax(z).astype("float32"), pri, tau=tau,
                                  label_smoothing=smoothing)
    np.testing.assert_allclose(val(got_p), want, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("from_logits", [True, False])
def test_logit_adjusted_tau_zero_is_cross_entropy(from_logits):
    y, z = case(10, k=3)
    inp = (z if from_logits else np_softmax(z)).astype("float32")
    ours = L.LogitAdjustedLoss([0.7, 0.2, 0.1], tau=0.0, from_logits=from_logits)
    ref = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    np.testing.assert_allclose(val(ours(y, inp)), val(ref(y, inp)), rtol=1e-5)


def test_balanced_softmax_equals_numpy_and_logit_adjustment():
    n = np.array([300, 30, 3, 60])
    y, z = case(11)
    want = -(onehot(y, 4) * np_log_softmax(z + np.log(n))).sum(-1)
    got = L.balanced_softmax_loss(y, z.astype("float32"), n, from_logits=True)
    np.testing.assert_allclose(val(got), want, rtol=RTOL, atol=ATOL)
    la = L.logit_adjusted_loss(y, z.astype("float32"), n / n.sum(), 1.0, from_logits=True)
    np.testing.assert_allclose(val(got), val(la), rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------------- LDAM
@pytest.mark.parametrize("weights", [None, [1.0, 2.0, 0.5, 3.0]])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_ldam_loss_equals_numpy(weights, smoothing):
    n = np.array([1000, 100, 10, 1])
    y, _ = case(12)
    rng = np.random.default_rng(12)
    cos = rng.uniform(-1, 1, size=(7, 4))                      # cosine logits
    m = n ** -0.25
    m = m * 0.5 / m.max()
    zm = cos - onehot(y, 4) * m
    want = -(smooth(onehot(y, 4), smoothing, 4) * np_log_softmax(30 * zm)).sum(-1)
    if weights is not None:
        want = np.asarray(weights)[y] * want
    got = L.ldam_loss(y, cos.astype("float32"), n, max_margin=0.5, scale=30.0,
                      class_weights=weights, from_logits=True, label_smoothing=smoothing)
    np.testing.assert_allclose(val(got), want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(L.ldam_margins(n, 0.5), m)


def test_loss_classes_equal_their_functions():
    y, z = case(13)
    z = z.astype("float32")
    n = [40, 30, 20, 10]
    pairs = [
        (L.FocalLoss([1, 2, 3, 4], 1.0, True, 0.1),
         L.focal_loss(y, z, [1, 2, 3, 4], 1.0, True, 0.1)),
        (L.WeightedCrossEntropy([1, 2, 3, 4], from_logits=True),
         L.weighted_cross_entropy(y, z, [1, 2, 3, 4], from_logits=True)),
        (L.ClassBalancedLoss(n, 0.9, "focal", 2.0, True),
         L.class_balanced_loss(y, z, n, 0.9, "focal", 2.0, True)),
        (L.LogitAdjustedLoss([.4, .3, .2, .1], 1.5, True),
         L.logit_adjusted_loss(y, z, [.4, .3, .2, .1], 1.5, True)),
        (L.BalancedSoftmaxLoss(n, True), L.balanced_softmax_loss(y, z, n, True)),
        (L.LDAMLoss(n, 0.3, 10.0, from_logits=True),
         L.ldam_loss(y, z, n, 0.3, 10.0, from_logits=True)),
    ]
    for obj, per_sample in pairs:
        np.testing.assert_allclose(float(val(obj(y, z))), val(per_sample).mean(), rtol=1e-5)


# ------------------------------------------------------------ finite gradients
EXTREME = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3], [0.0, 0.0, 0.0], [88.0, -88.0, 40.0]],
                   "float32")
Y_EXTREME = np.array([0, 0, 2, 1])
SOFTMAX_LOSSES = [
    L.FocalLoss(gamma=0.0, from_logits=True),
    L.FocalLoss(alpha=[0.2, 0.3, 0.5], gamma=0.5, from_logits=True, label_smoothing=0.1),
    L.FocalLoss(gamma=2.0, from_logits=True),
    L.WeightedCrossEntropy([1, 2, 3], from_logits=True, label_smoothing=0.1),
    L.ClassBalancedLoss([100, 10, 1], 0.999, "softmax", from_logits=True),
    L.ClassBalancedLoss([100, 10, 1], 0.999, "sigmoid", from_logits=True),
    L.ClassBalancedLoss([100, 10, 1], 0.999, "focal", gamma=0.5, from_logits=True),
    L.LogitAdjustedLoss([0.9, 0.09, 0.01], 1.0, from_logits=True, label_smoothing=0.1),
    L.BalancedSoftmaxLoss([100, 10, 1], from_logits=True),
    L.LDAMLoss([100, 10, 1], from_logits=True, label_smoothing=0.1),
]


@pytest.mark.parametrize("loss", SOFTMAX_LOSSES, ids=lambda l: l.name)
def test_gradients_finite_for_extreme_logits(loss):
    z = tf.Variable(EXTREME)
    with tf.GradientTape() as tape:
        value = loss(Y_EXTREME, z)
    g = tape.gradient(value, z).numpy()
    assert np.isfinite(float(value)) and np.isfinite(g).all(), (float(value), g)


@pytest.mark.parametrize("loss", [L.FocalLoss(gamma=0.5), L.WeightedCrossEntropy([1, 1, 2]),
                                  L.LDAMLoss([5, 3, 1]), L.LogitAdjustedLoss([.5, .3, .2])],
                         ids=lambda l: l.name)
def test_gradients_finite_for_saturated_probabilities(loss):
    p = tf.Variable(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], "float32"))
    with tf.GradientTape() as tape:
        value = loss(np.array([0, 2, 2]), p)
    g = tape.gradient(value, p).numpy()
    assert np.isfinite(float(value)) and np.isfinite(g).all()


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0])
def test_binary_losses_gradients_finite(gamma):
    z = tf.Variable(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 90.0]], "float32"))
    y = np.array([[1, 0, 1], [1, 0, 0]], "float32")
    for loss in (L.BinaryFocalLoss(alpha=[.2, .5, .9], gamma=gamma, from_logits=True),
                 L.WeightedCrossEntropy([1, 2, 3], multi_label=True, from_logits=True)):
        with tf.GradientTape() as tape:
            value = loss(y, z)
        g = tape.gradient(value, z).numpy()
        assert np.isfinite(float(value)) and np.isfinite(g).all()
