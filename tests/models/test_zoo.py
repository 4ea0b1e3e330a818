"""Every registered model: build small, one training step, .keras round trip, head split."""

import numpy as np
import pytest
import keras

from imbkeras.models import create_model, get_builder, list_models, split_head

NUM_CLASSES = 3


def _is_multilabel(model):
    return model.get_layer("predictions").get_config().get("activation") == "sigmoid"


def test_every_model_has_a_test_shape():
    for name in list_models():
        assert get_builder(name).test_input_shape is not None, name


@pytest.mark.parametrize("name", list_models())
def test_model_zoo(name, tmp_path):
    builder = get_builder(name)
    shape = builder.test_input_shape
    keras.utils.set_random_seed(0)
    model = create_model(name, input_shape=shape, num_classes=NUM_CLASSES,
                         **builder.test_kwargs)
    assert isinstance(model, keras.Model)
    assert model.output_shape == (None, NUM_CLASSES)

    rng = np.random.default_rng(0)
    x = rng.random((2, *shape), dtype=np.float32)
    if _is_multilabel(model):
        y = rng.integers(0, 2, (2, NUM_CLASSES)).astype("float32")
        loss = "binary_crossentropy"
    else:
        y = np.array([0, 2])
        loss = "sparse_categorical_crossentropy"
    model.compile(keras.optimizers.SGD(0.01), loss=loss)
    before = [w.numpy() for w in model.trainable_weights]
    value = model.train_on_batch(x, y)
    assert np.isfinite(value)
    assert any(not np.array_equal(b, w.numpy())
               for b, w in zip(before, model.trainable_weights))

    pred = np.asarray(model(x, training=False))
    assert pred.shape == (2, NUM_CLASSES)
    if not _is_multilabel(model):
        np.testing.assert_allclose(pred.sum(axis=1), 1.0, rtol=1e-5)

    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded(x, training=False)), pred,
                               rtol=1e-5, atol=1e-6)

    extractor, head = split_head(model)
    feats = extractor(x, training=False)
    np.testing.assert_allclose(np.asarray(head(feats, training=False)), pred,
                               rtol=1e-5, atol=1e-6)
    assert head.count_params() > 0
    assert extractor.count_params() + head.count_params() == model.count_params()


@pytest.mark.parametrize("name", list_models())
def test_logits_option(name):
    builder = get_builder(name)
    model = create_model(name, input_shape=builder.test_input_shape,
                         num_classes=NUM_CLASSES, output_activation=None,
                         **builder.test_kwargs)
    x = np.random.default_rng(1).random((2, *builder.test_input_shape), dtype=np.float32)
    out = np.asarray(model(x, training=False))
    assert out.shape == (2, NUM_CLASSES)
    assert not np.allclose(out.sum(axis=1), 1.0)
