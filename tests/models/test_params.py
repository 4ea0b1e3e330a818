"""Parameter counts pinned at the papers' configurations; the initializers reach every kernel."""

import keras
import numpy as np
import pytest

from imbkeras.models import create_model, lipnet

PAPER_CONFIGS = [
    # name, input_shape, num_classes, options, parameters
    ("lenet5", (28, 28, 1), 10, {}, 431_080),                    # Buda 2018 (Caffe)
    ("all_cnn_c", (32, 32, 3), 10, {}, 1_369_738),               # Buda 2018, Table 3
    ("resnet10", (224, 224, 3), 1000, {}, 5_420_968),            # Buda 2018 (cvjena)
    ("lipnet1", (28, 28, 1), 3, {}, 3_213_635),                  # Gryshkevych 2016
    ("lipnet2", (28, 28, 1), 3, {}, 1_626_499),
    ("lipnet4", (28, 28, 1), 3, {}, 886_243),
    ("lipnet4", (28, 28, 1), 3, {"batch_norm": True}, 888_355),
    ("lipnet4c", (28, 28, 1), 3, {}, 85_763),
    ("lipnet6", (32, 32, 1), 3, {}, 559_075),
    ("gapnet_pl", (299, 299, 4), 28, {}, 630_076),               # Al-joudi 2023
    ("gapnet_pl", (299, 299, 4), 28, {"activation": "prelu"}, 631_260),
    ("mobilenet_classifier", (150, 150, 3), 8, {}, 4_286_664),   # Koziarski 2020
    ("inception3d", (40, 40, 40, 1), 4, {}, 3_271_444),          # Xu 2017 / Luo 2019
    ("dsrf3d_v2", (40, 40, 40, 1), 4, {}, 18_297_124),
    ("multipath3d", (40, 40, 40, 1), 4, {}, 13_085_764),         # Luo 2019
    ("multipath3d", (40, 40, 40, 1), 4, {"pooling": "global_avg"}, 511_044),
    ("multipath2d", (32, 32, 1), 3, {}, 350_931),
]


@pytest.mark.parametrize("name, shape, num_classes, options, expected", PAPER_CONFIGS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(PAPER_CONFIGS)])
def test_paper_parameter_counts(name, shape, num_classes, options, expected):
    model = create_model(name, input_shape=shape, num_classes=num_classes, **options)
    assert model.count_params() == expected


def test_registry_defaults_are_paper_configurations():
    assert create_model("lipnet6").input_shape == (None, 32, 32, 1)
    assert create_model("lipnet4").input_shape == (None, 28, 28, 1)
    gap = create_model("gapnet_pl")
    assert gap.input_shape == (None, 299, 299, 4) and gap.output_shape == (None, 28)
    mb = create_model("mobilenet_classifier", alpha=0.25, head_units=8)
    assert mb.input_shape == (None, 150, 150, 3) and mb.output_shape == (None, 8)
    assert create_model("multipath3d").output_shape == (None, 4)
    assert create_model("lipnet4").name == "lipnet4"


def test_lipnet_kernel_initializer_reaches_every_kernel():
    keras.utils.set_random_seed(0)
    net = lipnet((32, 32, 1), 3, filters=(32, 64, 128), kernel_size=(7, 5, 3),
                 dense_units=(512, 128), kernel_initializer="he_normal")
    for layer in net.layers:
        if hasattr(layer, "kernel"):
            w = layer.kernel.numpy()
            fan_in = int(np.prod(w.shape[:-1]))
            # he_normal: a truncated normal whose std is sqrt(2 / fan_in)
            assert w.std() == pytest.approx(np.sqrt(2 / fan_in), rel=0.1), layer.name
    glorot = lipnet((28, 28, 1), 3).get_layer("fc1").kernel.numpy()
    assert glorot.std() == pytest.approx(np.sqrt(2 / sum(glorot.shape)), rel=0.05)


def test_validating_the_initializer_draws_no_random_number():
    # Keras seeds an unseeded initializer from Python's random when building it: a draw
    # in the validation would shift every later layer's weights.
    import random

    from imbkeras.models._common import check_initializer

    state = random.getstate()
    check_initializer("he_normal")
    assert random.getstate() == state
    keras.utils.set_random_seed(0)
    plain = keras.layers.Dense(4)
    plain.build((None, 3))
    keras.utils.set_random_seed(0)
    check_initializer("glorot_uniform")
    checked = keras.layers.Dense(4, kernel_initializer="glorot_uniform")
    checked.build((None, 3))
    np.testing.assert_array_equal(plain.kernel.numpy(), checked.kernel.numpy())
