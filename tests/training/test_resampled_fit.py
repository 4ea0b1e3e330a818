"""fit_resampled: early stopping restores the best weights; bad arguments are named."""

import keras
import numpy as np
import pytest

from imbkeras.models import lipnet
from imbkeras.sampling import HybridSampler
from imbkeras.training import fit_resampled


def _model():
    keras.utils.set_random_seed(0)
    m = lipnet((12, 12, 1), 3)
    m.compile(keras.optimizers.SGD(0.05), keras.losses.CategoricalCrossentropy(
        label_smoothing=0.1))
    return m


def test_early_stopping_with_label_smoothing_and_resampling():
    rng = np.random.default_rng(0)
    x = rng.random((40, 12, 12, 1), dtype="float32")
    y = np.array([0] * 30 + [1] * 7 + [2] * 3)
    h = fit_resampled(_model(), x, y, sampler=HybridSampler(target=24, seed=0), epochs=20,
                      batch_size=8, validation_data=(x[::2], y[::2]), patience=0,
                      label_mode="categorical", num_classes=3)
    assert len(h.history["loss"]) < 20  # stopped early: noise labels do not generalise
    assert "val_loss" in h.history


@pytest.mark.parametrize("kwargs, match", [
    ({"patience": -1, "validation_data": "v"}, "patience"),
    ({"patience": 2}, "validation_data"),
    ({"epochs": 0}, "epochs"),
])
def test_bad_arguments(kwargs, match):
    x, y = np.zeros((6, 12, 12, 1), "float32"), np.array([0, 1, 2] * 2)
    if kwargs.get("validation_data") == "v":
        kwargs["validation_data"] = (x, y)
    with pytest.raises(ValueError, match=match):
        fit_resampled(_model(), x, y, **kwargs)
