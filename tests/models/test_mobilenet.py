"""MobileNet classifier weights: ImageNet download failure, local weight files."""

import time

import keras
import numpy as np
import pytest

from imbkeras.models import mobilenet_classifier, split_head

SMALL = dict(input_shape=(32, 32, 3), num_classes=3, alpha=0.25, head_units=16)


def _x():
    return np.random.default_rng(0).random((2, 32, 32, 3), dtype=np.float32)


def test_imagenet_download_failure_is_clear_and_fast(monkeypatch):
    calls = []

    def offline(fname, origin=None, **kwargs):
        calls.append((fname, origin))
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(keras.utils, "get_file", offline)
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="could not fetch the MobileNet ImageNet") as info:
        mobilenet_classifier(**SMALL, weights="imagenet")
    assert time.perf_counter() - start < 30
    assert "weights=" in str(info.value) and "local path" in str(info.value)
    assert calls and calls[0][0] == "mobilenet_2_5_224_tf_no_top.h5"
    assert calls[0][1].startswith("https://storage.googleapis.com/")


def test_imagenet_loads_the_fetched_backbone_file(monkeypatch, tmp_path):
    # Stand-in for Keras's no-top ImageNet file: a legacy .h5 of the same backbone.
    backbone = keras.applications.MobileNet(input_shape=(32, 32, 3), alpha=0.25,
                                            include_top=False, weights=None)
    path = tmp_path / "mobilenet_2_5_224_tf_no_top.h5"
    backbone.save(path)
    monkeypatch.setattr(keras.utils, "get_file", lambda *a, **k: str(path))
    model = mobilenet_classifier(**SMALL, weights="imagenet")
    for layer in (layer for layer in backbone.layers if layer.weights):
        for a, b in zip(layer.get_weights(), model.get_layer(layer.name).get_weights()):
            np.testing.assert_array_equal(a, b)


def test_imagenet_argument_checks():
    with pytest.raises(ValueError, match="alpha"):
        mobilenet_classifier((32, 32, 3), 3, alpha=0.3, weights="imagenet")
    with pytest.raises(ValueError, match="3-channel"):
        mobilenet_classifier((32, 32, 1), 3, alpha=0.25, weights="imagenet")


def test_local_weights_file_of_the_classifier(tmp_path):
    keras.utils.set_random_seed(1)
    first = mobilenet_classifier(**SMALL)
    path = tmp_path / "classifier.weights.h5"
    first.save_weights(path)
    keras.utils.set_random_seed(2)
    second = mobilenet_classifier(**SMALL, weights=path)
    np.testing.assert_array_equal(np.asarray(first(_x())), np.asarray(second(_x())))


def test_local_weights_file_of_the_backbone(tmp_path):
    backbone = keras.applications.MobileNet(input_shape=(32, 32, 3), alpha=0.25,
                                            include_top=False, weights=None)
    path = tmp_path / "backbone.weights.h5"
    backbone.save_weights(path)
    model = mobilenet_classifier(**SMALL, weights=str(path))
    np.testing.assert_array_equal(backbone.get_layer("conv1").get_weights()[0],
                                  model.get_layer("conv1").get_weights()[0])


def test_bad_weights_argument(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        mobilenet_classifier(**SMALL, weights=tmp_path / "missing.weights.h5")
    with pytest.raises(TypeError, match="weights"):
        mobilenet_classifier(**SMALL, weights=3)


def test_head_is_fc_plus_softmax_and_base_can_be_frozen():
    model = mobilenet_classifier(**SMALL, trainable_base=False)
    extractor, head = split_head(model)
    assert extractor.output_shape == (None, 256)  # 1024 * alpha
    assert [layer.name for layer in head.layers[1:]] == ["fc", "predictions"]
    trainable = {w.path.split("/")[0] for w in model.trainable_weights}
    assert trainable == {"fc", "predictions"}
