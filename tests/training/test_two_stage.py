"""Two-stage resampling (IS / FS / TS): backbone untouched, head changed, stages compose."""

import keras
import numpy as np
import pytest
from imblearn.combine import SMOTEENN
from imblearn.under_sampling import NearMiss

from imbkeras import sampling
from imbkeras.models import lenet5, split_head
from imbkeras.training import (FeatureSpaceResampling, feature_space_fine_tune,
                               two_stage_fit)


def _data(n_major=40, n_minor=8, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([0] * n_major + [1] * n_minor + [2] * n_minor)
    x = rng.random((len(y), 16, 16, 1), dtype="float32") * 0.5
    x[y == 1, :8] += 0.5
    x[y == 2, 8:] += 0.5
    return x, y


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    m = lenet5((16, 16, 1), 3)
    m.compile(keras.optimizers.RMSprop(1e-3), "sparse_categorical_crossentropy")
    return m


def _weights(model):
    return [w.copy() for w in model.get_weights()]


def _backbone_head(model):
    fe, head = split_head(model)
    head_ids = {id(v) for v in head.weights}
    backbone = [v.numpy().copy() for v in model.weights if id(v) not in head_ids]
    return backbone, [v.numpy().copy() for v in head.weights]


def test_fs_leaves_the_backbone_bit_identical_and_changes_the_head():
    x, y = _data()
    m = _model()
    m.fit(x, y, epochs=1, verbose=0)
    back0, head0 = _backbone_head(m)
    feature_space_fine_tune(m, x, y, sampling.SMOTE(k_neighbors=3), epochs=2, batch_size=8,
                            optimizer=keras.optimizers.RMSprop(1e-2))
    back1, head1 = _backbone_head(m)
    assert all(np.array_equal(a, b) for a, b in zip(back0, back1))
    assert any(not np.array_equal(a, b) for a, b in zip(head0, head1))


def test_ts_equals_is_followed_by_fs_and_callback_equals_function():
    x, y = _data()
    s1, s2 = sampling.RandomOverSampler(seed=0), sampling.RandomUnderSampler()
    a = _model()
    two_stage_fit(a, x, y, s1, s2, epochs=2, batch_size=8, seed=3)
    b = _model()
    two_stage_fit(b, x, y, s1, None, epochs=2, batch_size=8, seed=3)
    feature_space_fine_tune(b, x, y, s2, epochs=2, batch_size=8, seed=3)
    assert all(np.array_equal(u, v) for u, v in zip(_weights(a), _weights(b)))
    # the callback on a plain fit of the same dataset gives the same weights
    from imbkeras.pipeline import make_dataset

    c = _model()
    c.fit(make_dataset(x, y, 8, sampler=s1, seed=3), epochs=2, verbose=0, shuffle=False,
          callbacks=[FeatureSpaceResampling(x, y, s2, epochs=2, batch_size=8, seed=3)])
    assert all(np.array_equal(u, v) for u, v in zip(_weights(a), _weights(c)))


@pytest.mark.parametrize("sampler", [NearMiss(n_neighbors=2), SMOTEENN(random_state=0)],
                         ids=["NearMiss", "SMOTEENN"])
def test_imbalanced_learn_samplers_work_as_stage_two(sampler):
    x, y = _data()
    m = _model()
    h = two_stage_fit(m, x, y, None, sampler, epochs=1, batch_size=8)
    assert len(h["stage2"].history["loss"]) == 1


class _CountInference(keras.layers.Layer):
    """Counts forward passes in inference mode (feature extraction), not training steps."""

    def build(self, input_shape):
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="calls")

    def call(self, x, training=None):
        if not training:
            self.calls.assign_add(1.0)
        return x


def test_features_are_extracted_exactly_once_per_stage():
    x, y = _data()
    inp = keras.Input((16, 16, 1))
    count = _CountInference()
    h = keras.layers.Flatten(name="features")(keras.layers.Conv2D(4, 3)(count(inp)))
    out = keras.layers.Dense(3, activation="softmax")(keras.layers.Dense(8)(h))
    m = keras.Model(inp, out)
    m.compile("rmsprop", "sparse_categorical_crossentropy")
    two_stage_fit(m, x, y, sampling.RandomOverSampler(seed=0), sampling.RandomUnderSampler(),
                  epochs=3, batch_size=8)
    assert float(count.calls.numpy()) == 1.0  # one batch of 56 < 256: one backbone pass


def test_large_feature_matrices_go_to_a_memory_map(tmp_path):
    from imbkeras.training import extract_features

    x, _ = _data()
    fe, _ = split_head(lenet5((16, 16, 1), 3))
    f = extract_features(fe, x, batch_size=16, memmap_threshold=10, cache_dir=str(tmp_path))
    assert isinstance(f, np.memmap) and f.shape == (56, 50)
    np.testing.assert_allclose(f, extract_features(fe, x), rtol=1e-5, atol=1e-6)


def test_bad_inputs_are_named():
    x, y = _data()
    m = _model()
    with pytest.raises(ValueError, match="k_neighbors"):
        feature_space_fine_tune(m, x, y, sampling.SMOTE(k_neighbors=20), epochs=1)
    with pytest.raises(ValueError, match=r"`features` must have shape \(56, 50\)"):
        feature_space_fine_tune(m, None, y, sampling.RandomOverSampler(),
                                features=np.zeros((56, 7)))
    with pytest.raises(ValueError, match=r"expects inputs of shape \(16, 16, 1\)"):
        two_stage_fit(m, np.zeros((56, 12, 12, 1)), y, epochs=1)
    with pytest.raises(ValueError, match="compiled"):
        two_stage_fit(lenet5((16, 16, 1), 3), x, y, epochs=1)
    with pytest.raises(TypeError, match="fit_resample"):
        feature_space_fine_tune(m, x, y, object(), epochs=1)
    flat = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    flat = keras.Model(flat.inputs, flat.outputs)
    with pytest.raises(ValueError, match="feature_layer"):
        feature_space_fine_tune(flat, np.zeros((4, 4)), [0, 1, 0, 1],
                                sampling.RandomOverSampler())


def test_both_stages_keep_compiled_metrics_validation_and_callbacks():
    x, y = _data()
    xv, yv = _data(seed=1)
    keras.utils.set_random_seed(0)
    m = lenet5((16, 16, 1), 3)
    m.compile(keras.optimizers.RMSprop(1e-3), "sparse_categorical_crossentropy",
              metrics=["accuracy"])
    seen = {"stage1": 0, "stage2": 0}

    def counter(stage):
        return keras.callbacks.LambdaCallback(
            on_epoch_end=lambda e, logs: seen.__setitem__(stage, seen[stage] + 1))

    h = two_stage_fit(m, x, y, sampling.RandomOverSampler(seed=0), sampling.RandomOverSampler(),
                      epochs=2, stage2_epochs=3, batch_size=16, validation_data=(xv, yv),
                      callbacks=[counter("stage1")], stage2_callbacks=[counter("stage2")])
    for stage, epochs in (("stage1", 2), ("stage2", 3)):
        hist = h[stage].history
        assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(hist), (stage, hist)
        assert len(hist["val_accuracy"]) == epochs and seen[stage] == epochs
    # stage 2's validation accuracy is the model's on the validation set after fine-tuning
    final = float(np.mean(m.predict(xv, verbose=0).argmax(1) == yv))
    assert abs(h["stage2"].history["val_accuracy"][-1] - final) < 1e-6


def test_bad_validation_data_and_callbacks_are_named():
    x, y = _data()
    m = _model()
    with pytest.raises(TypeError, match="validation_data"):
        two_stage_fit(m, x, y, epochs=1, validation_data=x)
    with pytest.raises(ValueError, match="same length|len"):
        two_stage_fit(m, x, y, epochs=1, validation_data=(x, y[:5]))
    with pytest.raises(ValueError, match=r"validation_data\[0\]"):
        two_stage_fit(m, x, y, epochs=1, validation_data=(np.zeros((4, 8, 8, 1)), y[:4]))
    with pytest.raises(TypeError, match="stage2_callbacks"):
        two_stage_fit(m, x, y, stage2_sampler=sampling.RandomOverSampler(), epochs=1,
                      stage2_callbacks=keras.callbacks.History())
