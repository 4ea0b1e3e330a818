"""split_head and count_params_by_block."""


import keras
import numpy as np
import pandas as pd
import pytest

from imbkeras.models import (all_cnn_c, count_params_by_block, create_model, gapnet_pl, lenet5,
                             lipnet, resnet10, split_head)


def test_lenet_head_is_buda_output_layers():
    extractor, head = split_head(lenet5((28, 28, 1), 10))
    assert extractor.output_shape == (None, 800)
    assert [layer.name for layer in head.layers[1:]] == ["ip1", "predictions"]


def test_all_cnn_c_head_is_the_two_1x1_convolutions():
    extractor, head = split_head(all_cnn_c((32, 32, 3), 10))
    assert extractor.output_shape == (None, 6, 6, 192)
    convs = [layer.name for layer in head.layers if isinstance(layer, keras.layers.Conv2D)]
    assert convs == ["head_conv", "head_classes"]


@pytest.mark.parametrize("build, feature_dim, head_params", [
    (lambda: resnet10((32, 32, 3), 5), 512, 512 * 5 + 5),
    (lambda: gapnet_pl((32, 32, 4), 28), 224,
     (224 * 256 + 256) + (256 * 256 + 256) + (256 * 28 + 28)),
    (lambda: lipnet((28, 28, 1), 3, fully_convolutional=True, dense_units=()), None, 64 * 3 + 3),
], ids=["resnet10", "gapnet_pl", "lipnet4c"])
def test_head_sizes(build, feature_dim, head_params):
    extractor, head = split_head(build())
    if feature_dim is not None:
        assert extractor.output_shape == (None, feature_dim)
    assert head.count_params() == head_params


def test_head_shares_weights_with_model():
    model = lenet5((28, 28, 1), 10)
    _, head = split_head(model)
    assert head.get_layer("ip1") is model.get_layer("ip1")


def test_split_head_fallback_and_explicit_layer():
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, name="c")(inputs)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    x = keras.layers.Dense(6, name="d1")(x)
    outputs = keras.layers.Dense(2, activation="softmax", name="d2")(x)
    model = keras.Model(inputs, outputs)
    extractor, head = split_head(model)  # last pooling layer
    assert extractor.output_shape == (None, 4)
    extractor, head = split_head(model, feature_layer="d1")
    assert [layer.name for layer in head.layers[1:]] == ["d2"]
    x_in = np.random.default_rng(0).random((2, 8, 8, 1), dtype=np.float32)
    np.testing.assert_allclose(np.asarray(head(extractor(x_in))), np.asarray(model(x_in)),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="feature_layer.*'nope'.*d1"):
        split_head(model, feature_layer="nope")
    dense_only = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="feature_layer"):
        split_head(dense_only)
    with pytest.raises(TypeError, match="model"):
        split_head("lenet5")


def test_count_params_by_block():
    frame = count_params_by_block(lenet5((28, 28, 1), 10))
    assert isinstance(frame, pd.DataFrame)
    assert frame["block"].tolist() == ["conv1", "conv2", "ip1", "predictions"]
    assert frame["params"].tolist() == [520, 25050, 400500, 5010]
    model = create_model("lipnet4", batch_norm=True)
    frame = count_params_by_block(model)
    assert frame["block"].tolist() == ["block1", "block2", "fc1", "predictions"]
    assert frame["params"].sum() == model.count_params()
    assert frame["non_trainable"].sum() == model.count_params() - sum(
        int(np.prod(w.shape)) for w in model.trainable_weights)
    everything = count_params_by_block(model, include_empty=True)
    assert {"image", "features"} <= set(everything["block"])
    by_type = count_params_by_block(model, block_of=lambda n: n.split("_")[-1])
    assert "bn" in set(by_type["block"])
