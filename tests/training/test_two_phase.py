import numpy as np
import pytest

from imbkeras.models import lenet5
from imbkeras.pipeline import make_dataset
from imbkeras.training import fine_tune_head


def test_fine_tune_head_updates_only_the_head_and_restores_flags():
    rng = np.random.default_rng(0)
    x = rng.random((24, 16, 16, 1)).astype("float32")
    y = np.repeat([0, 1, 2], [16, 6, 2])
    model = lenet5((16, 16, 1), 3)
    before = {layer.name: [w.copy() for w in layer.get_weights()] for layer in model.layers}
    hist = fine_tune_head(model, make_dataset(x, y, 8), optimizer="sgd",
                          loss="sparse_categorical_crossentropy", epochs=2)
    assert len(hist.history["loss"]) == 2
    for name in ("conv1", "conv2"):
        for a, b in zip(before[name], model.get_layer(name).get_weights()):
            np.testing.assert_array_equal(a, b)
    for name in ("ip1", "predictions"):
        assert any(not np.array_equal(a, b) for a, b in
                   zip(before[name], model.get_layer(name).get_weights()))
    assert all(layer.trainable for layer in model.layers)


def test_fine_tune_head_unknown_feature_layer():
    with pytest.raises(ValueError, match="feature_layer"):
        fine_tune_head(lenet5((16, 16, 1), 3), None, optimizer="sgd", loss="mse",
                       feature_layer="nope")
