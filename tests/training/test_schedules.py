import keras
import numpy as np
import pytest

from imbkeras.training import InverseDecay


def test_inverse_decay_formula_and_serialization():
    s = InverseDecay(0.01, 1e-4, 0.75)
    for t in (0, 1, 500, 10000):
        assert float(s(t)) == pytest.approx(0.01 * (1 + 1e-4 * t) ** -0.75, rel=1e-6)
    s2 = keras.optimizers.schedules.deserialize(keras.optimizers.schedules.serialize(s))
    assert float(s2(1234)) == pytest.approx(float(s(1234)))


def test_inverse_decay_in_optimizer_save_load(tmp_path):
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    m.compile(keras.optimizers.SGD(InverseDecay(0.1, 1e-2, 0.5), momentum=0.9), "mse")
    m.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    m.save(tmp_path / "m.keras")
    m2 = keras.saving.load_model(tmp_path / "m.keras")
    assert isinstance(m2.optimizer.get_config()["learning_rate"], dict)
    step = int(m2.optimizer.iterations)
    assert step == 1
    assert float(m2.optimizer.learning_rate) == pytest.approx(0.1 * (1 + 1e-2 * step) ** -0.5)


def test_inverse_decay_rejects_negative():
    with pytest.raises(ValueError, match="gamma"):
        InverseDecay(0.01, gamma=-1.0)
