"""Every loss round-trips through .keras save/load inside a compiled model; DRW callback.

The losses are every ``keras.losses.Loss`` class of ``imbkeras.losses.__all__``,
each with example arguments (non-default values, so that every argument is
seen to round-trip); a new loss without examples fails the first test.
"""

import inspect

import keras
import numpy as np
import pytest

from imbkeras import losses as L
from imbkeras.training import DeferredReweighting

N = [40, 12, 4]


LOSS_CLASSES = sorted((getattr(L, n) for n in L.__all__ if inspect.isclass(getattr(L, n))
                       and issubclass(getattr(L, n), keras.losses.Loss)),
                      key=lambda c: c.__name__)

# example arguments of every exported loss class (several forms where they differ)
EXAMPLES = {
    "FocalLoss": [dict(alpha=[0.2, 0.3, 0.5], gamma=1.5, label_smoothing=0.05), dict(alpha=0.25)],
    "BinaryFocalLoss": [dict(alpha=[0.3, 0.6, 0.9], gamma=2.0)],
    "WeightedCrossEntropy": [dict(class_weights={0: 0.5, 1: 1.0, 2: 4.0}, label_smoothing=0.1),
                             dict(class_weights=[1.0, 2.0, 3.0], multi_label=True)],
    "ClassBalancedLoss": [dict(samples_per_class=N, beta=0.99, base="focal", gamma=1.0)],
    "LogitAdjustedLoss": [dict(priors=[0.6, 0.3, 0.1], tau=1.5, label_smoothing=0.1)],
    "BalancedSoftmaxLoss": [dict(samples_per_class=N)],
    "LDAMLoss": [dict(samples_per_class=N, max_margin=0.4, scale=5.0,
                      class_weights=[1.0, 1.5, 2.0])],
}


def make_losses():
    return [getattr(L, name)(**kw) for name in sorted(EXAMPLES) for kw in EXAMPLES[name]]


def test_every_exported_loss_has_examples_and_stores_every_argument():
    assert LOSS_CLASSES and {c.__name__ for c in LOSS_CLASSES} == set(EXAMPLES)
    for cls in LOSS_CLASSES:
        config = cls(**EXAMPLES[cls.__name__][0]).get_config()
        # every argument but ``dtype``, which Keras's own losses do not store either
        args = [p for p, v in inspect.signature(cls).parameters.items()
                if v.kind not in (v.VAR_KEYWORD, v.VAR_POSITIONAL) and p != "dtype"]
        assert set(args) <= set(config), f"{cls.__name__}: {set(args) - set(config)} not stored"
        clone = cls.from_config(config)
        assert type(clone) is cls and clone.get_config() == config


@pytest.mark.parametrize("loss", make_losses(), ids=lambda l: f"{type(l).__name__}")
def test_loss_round_trips_through_keras_file(loss, tmp_path):
    keras.utils.set_random_seed(0)
    multi = isinstance(loss, L.BinaryFocalLoss) or getattr(loss, "multi_label", False)
    inp = keras.Input((4,))
    out = keras.layers.Dense(3, activation="sigmoid" if multi else "softmax")(inp)
    model = keras.Model(inp, out)
    model.compile("sgd", loss=loss)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded.loss) is type(loss)
    assert loaded.loss.get_config() == loss.get_config()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 4)).astype("float32")
    y = (rng.random((6, 3)) < 0.4).astype("float32") if multi else rng.integers(0, 3, 6)
    p = model.predict(x, verbose=0)
    np.testing.assert_allclose(float(loaded.loss(y, p)), float(loss(y, p)), rtol=1e-6)
    # also through the plain (de)serialisation API
    clone = keras.losses.deserialize(keras.losses.serialize(loss))
    assert type(clone) is type(loss) and clone.get_config() == loss.get_config()


def test_one_compiled_model_trains_evaluates_and_reloads(tmp_path):
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(24, 4)).astype("float32")
    y = rng.choice(3, 24, p=[0.6, 0.3, 0.1])
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(3)(inp))               # logits
    model.compile("sgd", loss=L.LDAMLoss(N, scale=1.0, from_logits=True))
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    before = model.evaluate(x, y, verbose=0)
    model.save(tmp_path / "ldam.keras")
    after = keras.saving.load_model(tmp_path / "ldam.keras").evaluate(x, y, verbose=0)
    assert after == pytest.approx(before, rel=1e-6)


def test_deferred_reweighting_switches_the_compiled_loss(capsys):
    # lr 0 keeps the predictions fixed, so each epoch's loss shows the weights in force
    keras.utils.set_random_seed(2)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(16, 4)).astype("float32")
    y = np.array([0] * 10 + [1] * 4 + [2] * 2)
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(3, activation="softmax")(inp))
    loss = L.WeightedCrossEntropy([1.0, 1.0, 1.0])
    model.compile(keras.optimizers.SGD(0.0), loss=loss)
    drw = DeferredReweighting([10, 4, 2], start_epoch=2, beta=0.9, verbose=1)
    hist = model.fit(x, y, batch_size=16, epochs=4, verbose=0, callbacks=[drw])
    p = model.predict(x, verbose=0)
    ce = -np.log(p[np.arange(16), y])
    w = L.class_balanced_weights([10, 4, 2], 0.9)
    want = [ce.mean()] * 2 + [(w[y] * ce).mean()] * 2
    np.testing.assert_allclose(hist.history["loss"], want, rtol=1e-5)
    assert "class-balanced weights" in capsys.readouterr().out
    np.testing.assert_allclose(loss.class_weights, w, rtol=1e-6)
    # a second fit starts again from the weights training began with
    hist = model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[drw])
    np.testing.assert_allclose(hist.history["loss"], [ce.mean()], rtol=1e-5)


def test_deferred_reweighting_errors_and_config():
    with pytest.raises(ValueError, match=r"0 samples for class\(es\) \[2\]"):
        DeferredReweighting([10, 3, 0], start_epoch=1)
    with pytest.raises(ValueError, match="`beta` must be < 1.0"):
        DeferredReweighting([10, 3], start_epoch=1, beta=1.0)
    with pytest.raises(ValueError, match="`start_epoch` must be >= 0"):
        DeferredReweighting([10, 3], start_epoch=-1)
    drw = DeferredReweighting([10, 3], start_epoch=5, beta=0.99)
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(drw))
    assert isinstance(clone, DeferredReweighting) and clone.get_config() == drw.get_config()
    inp = keras.Input((2,))
    model = keras.Model(inp, keras.layers.Dense(2, activation="softmax")(inp))
    model.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="needs a compiled loss with per-class weights"):
        model.fit(np.zeros((2, 2)), np.array([0, 1]), epochs=1, verbose=0, callbacks=[drw])
    model.compile("sgd", L.LDAMLoss([5, 3, 1]))
    with pytest.raises(ValueError, match="`samples_per_class` has 2 entries but the loss"):
        model.fit(np.zeros((2, 2)), np.array([0, 1]), epochs=1, verbose=0, callbacks=[drw])
    with pytest.raises(ValueError, match="`weights` has 2 entries"):
        L.LDAMLoss([5, 3, 1]).set_class_weights([1.0, 2.0])


def test_deferred_reweighting_by_steps_matches_the_loss_it_switches_to():
    # 16 samples in batches of 4, 3 epochs = 12 steps; weights from step 6 (mid-epoch 1)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = np.repeat([0, 1, 2], [10, 4, 2])
    inp = keras.Input((3,))
    model = keras.Model(inp, keras.layers.Dense(3, activation="softmax")(inp))
    model.compile(keras.optimizers.SGD(0.0), loss=L.WeightedCrossEntropy([1.0, 1.0, 1.0]))
    losses_seen = []

    class PerBatch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            losses_seen.append(logs["loss"])

    drw = DeferredReweighting([10, 4, 2], start_step=6, beta=0.9)
    model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0,
              callbacks=[drw, PerBatch()])
    p = model.predict(x, verbose=0)
    ce = -np.log(p[np.arange(16), y])
    w = L.class_balanced_weights([10, 4, 2], 0.9)
    per_batch = [(ce[i:i + 4], (w[y] * ce)[i:i + 4]) for i in range(0, 16, 4)] * 3
    # Keras logs the running mean over the epoch's batches so far
    want = []
    for e in range(3):
        vals = [per_batch[4 * e + b][1 if 4 * e + b >= 6 else 0].mean() for b in range(4)]
        want += [np.mean(vals[:b + 1]) for b in range(4)]
    np.testing.assert_allclose(losses_seen, want, rtol=1e-5)
    with pytest.raises(ValueError, match="one of `start_epoch` and `start_step`"):
        DeferredReweighting([10, 3])
    with pytest.raises(ValueError, match="one of `start_epoch` and `start_step`"):
        DeferredReweighting([10, 3], start_epoch=1, start_step=4)
    with pytest.raises(ValueError, match="`start_step` must be >= 0"):
        DeferredReweighting([10, 3], start_step=-2)
    clone = DeferredReweighting.from_config(drw.get_config())
    assert clone.get_config() == drw.get_config() and clone.start_step == 6
