"""Learning-rate schedules of the papers' training recipes."""

from __future__ import annotations

import keras

from imbkeras._validation import check_real


@keras.saving.register_keras_serializable(package="imbkeras")
class InverseDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Caffe's ``inv`` policy: ``lr_t = lr_0 * (1 + gamma * t) ** (-power)``.

    Args:
        initial_learning_rate: ``lr_0`` (Buda's MNIST recipe: 0.01).
        gamma: decay rate (1e-4).
        power: decay exponent (0.75).

    Raises:
        ValueError: for a negative, NaN or infinite argument.
        TypeError: for an argument that is not a real number.

    Examples:
        >>> s = InverseDecay(0.01, gamma=1e-4, power=0.75)
        >>> round(float(s(10000)), 6)
        0.005946

    Reference:
        Buda, Maki, Mazurowski (2018), section 3.3.1.
    """

    def __init__(self, initial_learning_rate: float = 0.01, gamma: float = 1e-4,
                 power: float = 0.75):
        self.initial_learning_rate = check_real(initial_learning_rate,
                                                "initial_learning_rate", minimum=0.0)
        self.gamma = check_real(gamma, "gamma", minimum=0.0)
        self.power = check_real(power, "power", minimum=0.0)

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        return self.initial_learning_rate * keras.ops.power(1.0 + self.gamma * step,
                                                            -self.power)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "gamma": self.gamma,
                "power": self.power}
