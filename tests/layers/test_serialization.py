"""Every imbkeras layer round-trips through get_config and a .keras save/load.

The layers are every ``keras.layers.Layer`` class of ``imbkeras.layers.__all__``,
each with example arguments (non-default values) and an input shape; a new
layer without an example fails the first test.
"""

import inspect
import json

import keras
import numpy as np
import pytest

from imbkeras import layers as IL
from imbkeras.layers import (MixUp, PriorCorrection, RandomGeometric2D, RandomGeometric3D,
                             RandomRot90Flip)

LAYER_CLASSES = sorted((getattr(IL, n) for n in IL.__all__ if inspect.isclass(getattr(IL, n))
                        and issubclass(getattr(IL, n), keras.layers.Layer)),
                       key=lambda c: c.__name__)

# (class, example arguments, input shape of one sample) for every exported layer;
# MixUp takes (x, y) pairs: its model round trip is its own test below
LAYERS = [
    (PriorCorrection, dict(priors=[0.7, 0.2, 0.1], tau=0.5, from_logits=True), (3,)),
    (RandomGeometric2D, dict(rotation_range=(-30, 45), shear_range=5, width_shift_range=0.1,
                             height_shift_range=(-0.2, 0.1), zoom_range=(0.8, 1.0),
                             horizontal_flip=True, vertical_flip=True, fill_mode="reflect",
                             fill_value=0.5, interpolation="bicubic", seed=3), (8, 8, 1)),
    (RandomRot90Flip, dict(ndim=2, include_identity=False, seed=1), (8, 8, 3)),
    (RandomRot90Flip, dict(ndim=3, seed=2), (4, 4, 4, 1)),
    (RandomGeometric3D, dict(rot90=True, rotation_range=20, rotation_axis=(1, 0.5, 0),
                             flip_axes=["d", "w"], shift_range=(-0.1, 0.05), zoom_range=0.1,
                             interpolation="nearest", fill_mode="wrap", fill_value=1.0,
                             seed=4), (4, 4, 4, 1)),
]


EXAMPLES = LAYERS + [(MixUp, dict(alpha=0.3, seed=9), None)]


def test_every_exported_layer_has_an_example_storing_every_argument():
    assert LAYER_CLASSES and {c for c, _, _ in EXAMPLES} == set(LAYER_CLASSES)
    for cls in LAYER_CLASSES:
        kwargs = next(kw for c, kw, _ in EXAMPLES if c is cls)
        args = [p for p, v in inspect.signature(cls).parameters.items()
                if v.kind not in (v.VAR_KEYWORD, v.VAR_POSITIONAL)]
        assert set(args) <= set(cls(**kwargs).get_config()), cls.__name__


@pytest.mark.parametrize("cls,kwargs,shape", EXAMPLES, ids=lambda v: getattr(v, "__name__", ""))
def test_get_config_round_trip(cls, kwargs, shape):
    layer = cls(**kwargs, name="aug")
    config = json.loads(json.dumps(layer.get_config()))  # JSON-safe, as .keras stores it
    clone = cls.from_config(config)
    assert clone.get_config() == layer.get_config()
    for key in kwargs:
        assert key in config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is cls and restored.get_config() == layer.get_config()


@pytest.mark.parametrize("cls,kwargs,shape", LAYERS, ids=lambda v: getattr(v, "__name__", ""))
def test_keras_save_load_in_a_model(cls, kwargs, shape, tmp_path):
    inputs = keras.Input(shape)
    x = cls(**kwargs)(inputs)
    x = keras.layers.Flatten()(x)
    model = keras.Model(inputs, keras.layers.Dense(2)(x))
    data = np.random.default_rng(0).random((2,) + shape).astype("float32")
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.layers[1]) is cls
    assert loaded.layers[1].get_config() == model.layers[1].get_config()
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0),
                               atol=1e-6)
    # training mode augments inside the model too
    assert loaded(data, training=True).shape == (2, 2)


def test_mixup_keras_save_load(tmp_path):
    xi, yi = keras.Input((4, 4, 1)), keras.Input((3,))
    xm, ym = MixUp(alpha=0.5, seed=1)((xi, yi))
    model = keras.Model([xi, yi], [xm, ym])
    path = tmp_path / "mix.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.random.default_rng(0).random((5, 4, 4, 1)).astype("float32")
    y = np.eye(3, dtype="float32")[[0, 1, 2, 0, 1]]
    out_x, out_y = loaded([x, y], training=False)
    np.testing.assert_allclose(out_x, x)
    np.testing.assert_allclose(out_y, y)
    mixed_x, mixed_y = loaded([x, y], training=True)
    assert mixed_x.shape == x.shape and mixed_y.shape == y.shape
