"""Multi-path CNN: paths trained one at a time (one-vs-rest), then assembled."""

import keras
import numpy as np
import pytest

from imbkeras.models import (assemble_multipath, build_path_classifier, build_path_model,
                             count_params_by_block, multipath2d, multipath3d,
                             multipath_path_model)

SHAPE = (8, 8, 8, 1)


def _data(n=4, k=3, shape=SHAPE):
    rng = np.random.default_rng(0)
    return rng.random((n, *shape), dtype=np.float32), np.arange(n) % k


def _weights(model):
    return [w.numpy().copy() for w in model.weights]


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def test_one_path_per_class_named_submodels():
    model = multipath3d(SHAPE, 3)
    paths = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    assert [p.name for p in paths] == ["path_0", "path_1", "path_2"]
    assert multipath3d(SHAPE, 4, num_paths=2).get_layer("path_1").name == "path_1"
    rows = count_params_by_block(model).set_index("block")["params"]
    assert rows["path_0"] == rows["path_1"] == rows["path_2"] == 127_120
    assert rows.sum() == model.count_params()


def test_train_paths_in_place_one_at_a_time():
    x, y = _data()
    model = multipath3d(SHAPE, 3)
    for i in range(3):
        before = {j: _weights(multipath_path_model(model, j)) for j in range(3)}
        clf = build_path_classifier(path_model=multipath_path_model(model, i))
        assert clf.output_shape == (None, 1)
        clf.compile(keras.optimizers.SGD(0.1), loss="binary_crossentropy")
        clf.train_on_batch(x, (y == i).astype("float32")[:, None])
        for j in range(3):  # only path i moved
            assert _same(before[j], _weights(multipath_path_model(model, j))) == (j != i)
    model.compile("sgd", loss="sparse_categorical_crossentropy")
    assert np.isfinite(model.train_on_batch(x, y))


def test_pretrained_paths_assemble_and_round_trip(tmp_path):
    x, y = _data()
    clfs = [build_path_classifier(SHAPE, i) for i in range(3)]
    for i, clf in enumerate(clfs):
        clf.compile(keras.optimizers.SGD(0.1), loss="binary_crossentropy")
        clf.train_on_batch(x, (y == i).astype("float32")[:, None])
    model = assemble_multipath(clfs, num_classes=3, name="multipath3d")
    assert model.output_shape == (None, 3)
    for i, clf in enumerate(clfs):  # the trained paths are reused, not copied
        assert model.get_layer(f"path_{i}") is clf.get_layer(f"path_{i}")
    model.compile(keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    model.train_on_batch(x, y)
    pred = np.asarray(model(x, training=False))
    model.save(tmp_path / "mp.keras")
    loaded = keras.saving.load_model(tmp_path / "mp.keras")
    np.testing.assert_allclose(np.asarray(loaded(x, training=False)), pred, rtol=1e-5, atol=1e-6)


def test_path_weights_load_back_from_file(tmp_path):
    x, y = _data()
    clf = build_path_classifier(SHAPE, 1, output_activation=None)
    clf.compile(keras.optimizers.SGD(0.1),
                loss=keras.losses.BinaryCrossentropy(from_logits=True))
    clf.train_on_batch(x, (y == 1).astype("float32")[:, None])
    path_file = tmp_path / "path_1.weights.h5"
    clf.get_layer("path_1").save_weights(path_file)
    model = multipath3d(SHAPE, 3)
    multipath_path_model(model, 1).load_weights(path_file)
    assert _same(_weights(clf.get_layer("path_1")), _weights(multipath_path_model(model, 1)))


def test_softmax_path_classifier_and_global_pooling():
    clf = build_path_classifier(SHAPE, 0, output_activation="softmax", pooling="global_avg")
    assert clf.output_shape == (None, 2)
    model = multipath3d(SHAPE, 3, pooling="global_max", dense_units=(8,))
    assert model.get_layer("features").output.shape == (None, 3 * 160)


def test_vgg_paths_and_2d():
    model = multipath3d(SHAPE, 2, path="dsrf3d_v2", pooling="global_avg")
    assert model.get_layer("path_0").output_shape == (None, 1, 1, 1, 128)
    model2d = multipath2d((16, 16, 1), 3, path="vgg", pooling="global_avg")
    assert model2d.output_shape == (None, 3)
    assert build_path_model((16, 16, 1), 4).name == "path_4"


def test_helper_errors():
    model = multipath3d(SHAPE, 3)
    with pytest.raises(ValueError, match="index.*5.*path_0, path_1, path_2"):
        multipath_path_model(model, 5)
    with pytest.raises(ValueError, match="distinct names"):
        assemble_multipath([build_path_model(SHAPE, 0), build_path_model(SHAPE, 0)])
    with pytest.raises(ValueError, match="one input shape"):
        assemble_multipath([build_path_model(SHAPE, 0), build_path_model((9, 9, 9, 1), 1)])
    with pytest.raises(TypeError, match="path model"):
        assemble_multipath([keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])])
    with pytest.raises(ValueError, match="non-empty"):
        assemble_multipath([])
    with pytest.raises(ValueError, match="input_shape"):
        build_path_classifier()
