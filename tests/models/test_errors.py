"""Bad arguments: each error names the argument and echoes the value or the minimum."""

import pytest

from imbkeras.models import (all_cnn_c, create_model, gapnet_pl, get_builder, inception3d,
                             lenet5, list_models, lipnet, mobilenet_classifier, multipath2d,
                             multipath3d)


@pytest.mark.parametrize("build, shape, minimum", [
    (lenet5, (15, 15, 1), 16),
    (all_cnn_c, (8, 8, 3), 9),
    (gapnet_pl, (10, 10, 4), 11),
    (mobilenet_classifier, (31, 31, 3), 32),
    (inception3d, (6, 6, 6, 1), 7),
    (multipath3d, (6, 6, 6, 1), 7),
    (lambda s, c: create_model("lipnet6", input_shape=s, num_classes=c), (28, 28, 1), 30),
    (lambda s, c: create_model("dsrf3d_v2", input_shape=s, num_classes=c), (7, 7, 7, 1), 8),
])
def test_input_too_small_names_minimum(build, shape, minimum):
    with pytest.raises(ValueError, match=rf"at least {minimum}\b"):
        build(shape, 3)


def test_too_small_in_one_dimension_only():
    with pytest.raises(ValueError, match="at least 16"):
        lenet5((28, 10, 1), 10)


@pytest.mark.parametrize("name", list_models())
def test_wrong_rank(name):
    shape = get_builder(name).test_input_shape
    wrong = (8, *shape) if len(shape) == 3 else shape[1:]
    with pytest.raises(ValueError, match="input_shape.*entries"):
        create_model(name, input_shape=wrong, num_classes=3, **get_builder(name).test_kwargs)


@pytest.mark.parametrize("name", list_models())
def test_softmax_needs_two_classes(name):
    builder = get_builder(name)
    with pytest.raises(ValueError, match="num_classes"):
        create_model(name, input_shape=builder.test_input_shape, num_classes=1,
                     output_activation="softmax", **builder.test_kwargs)


def test_sigmoid_multilabel_allows_one_label():
    assert gapnet_pl((32, 32, 4), 1).output_shape == (None, 1)


@pytest.mark.parametrize("bad", [2.5, "3", None])
def test_num_classes_type(bad):
    with pytest.raises(TypeError, match="num_classes"):
        lenet5((28, 28, 1), bad)


def test_unknown_registry_name_lists_known_names():
    with pytest.raises(ValueError, match="Unknown model 'lenet6'. Did you mean 'lenet5'") as info:
        create_model("lenet6")
    for known in ("lenet5", "resnet10", "lipnet4c", "gapnet_pl", "multipath3d"):
        assert known in str(info.value)


@pytest.mark.parametrize("name", ["all_cnn_c", "resnet10", "lipnet4", "lipnet4c",
                                  "inception3d", "dsrf3d_v2", "multipath3d", "multipath2d"])
def test_unknown_activation(name):
    builder = get_builder(name)
    with pytest.raises(ValueError, match="Unknown `activation`='swishy'"):
        create_model(name, input_shape=builder.test_input_shape, num_classes=3,
                     activation="swishy", **builder.test_kwargs)


def test_gapnet_activation_is_selu_or_prelu():
    with pytest.raises(ValueError,
                       match="`activation` must be one of 'selu', 'prelu'; received 'relu'"):
        gapnet_pl((32, 32, 4), 3, activation="relu")


def test_bad_output_activation():
    with pytest.raises(ValueError, match="output_activation"):
        lenet5((28, 28, 1), 10, output_activation="tanh")


@pytest.mark.parametrize("kwargs, match", [
    ({"conv_dropout": 1.0}, "conv_dropout"),
    ({"filters": ()}, "filters"),
    ({"kernel_size": (3, 3, 3)}, "kernel_size"),
    ({"fully_convolutional": True}, "dense_units"),
    ({"kernel_initializer": "he_uniformly"}, r"Unknown `kernel_initializer`='he_uniformly'"),
])
def test_lipnet_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lipnet((28, 28, 1), 3, **kwargs)


def test_lipnet_initializer_not_a_name():
    with pytest.raises(TypeError, match="`kernel_initializer` must be a Keras initializer name"):
        lipnet((28, 28, 1), 3, kernel_initializer=0.05)


def test_input_shape_type():
    with pytest.raises(TypeError, match="input_shape"):
        lenet5("28x28", 10)


def test_multipath_bad_options():
    with pytest.raises(ValueError, match="num_paths"):
        multipath3d((8, 8, 8, 1), 3, num_paths=0)
    with pytest.raises(ValueError, match="`path`='dsrf3d_v2' is a 3D path"):
        multipath2d((16, 16, 1), 3, path="dsrf3d_v2")
    with pytest.raises(ValueError, match="`path` must be one of"):
        multipath3d((8, 8, 8, 1), 3, path="resnet")
    with pytest.raises(ValueError, match="`pooling` must be one of"):
        multipath3d((8, 8, 8, 1), 3, pooling="sum")
