"""LeNet-5 as in Caffe's MNIST example (used by Buda et al. 2018)."""

from __future__ import annotations

import keras

from imbkeras.models._common import (check_input_shape, conv_size, min_input_size,
                                      output_head)
from imbkeras.models._registry import register_model


def _lenet_out(n: int) -> int:
    for _ in range(2):  # conv 5x5 valid -> maxpool 2
        n = conv_size(conv_size(n, 5), 2, 2)
    return n


#: Smallest side length LeNet-5 accepts (two valid 5x5 convs and two 2x2 pools).
LENET5_MIN_SIZE = min_input_size(_lenet_out)


@register_model("lenet5", test_input_shape=(16, 16, 1))
def lenet5(input_shape=(28, 28, 1), num_classes: int = 10, *,
           output_activation: str | None = "softmax", weight_decay: float = 0.0,
           name: str = "lenet5") -> keras.Model:
    """LeNet-5, Caffe MNIST layout.

    conv 20 5x5 (no activation) -> maxpool 2 -> conv 50 5x5 (no activation)
    -> maxpool 2 -> FC 500 -> ReLU -> FC ``num_classes``. Caffe scales inputs by
    1/256; feed images in [0, 1] (as every imbkeras loader returns them).

    Args:
        input_shape: ``(height, width, channels)``; each side at least 16.
        num_classes: number of output classes (>= 2).
        output_activation: ``"softmax"`` (default) or ``None`` for logits.
        weight_decay: L2 weight decay in Caffe's sense (gradient term
            ``weight_decay * w``), applied to every kernel; 0 disables it.
        name: model name.

    Returns:
        A functional ``keras.Model``; 431,080 parameters for 28x28x1 -> 10.

    Raises:
        ValueError: for an input smaller than 16x16, the wrong rank, or
            ``num_classes < 2``.

    Examples:
        >>> lenet5((28, 28, 1), 10).count_params()
        431080

    Reference:
        Buda, Maki, Mazurowski (2018), Table 2; LeCun et al. (1998).
    """
    shape = check_input_shape(input_shape, rank=2, min_spatial=LENET5_MIN_SIZE)
    if weight_decay < 0:
        raise ValueError(f"`weight_decay` must be >= 0; received {weight_decay!r}.")
    # Caffe adds weight_decay * w to the gradient: L2 penalty of weight_decay / 2.
    reg = keras.regularizers.L2(weight_decay / 2.0) if weight_decay else None
    init = "glorot_uniform"  # Caffe's "xavier" filler
    inputs = keras.Input(shape, name="image")
    x = keras.layers.Conv2D(20, 5, kernel_initializer=init, kernel_regularizer=reg,
                            name="conv1")(inputs)
    x = keras.layers.MaxPooling2D(2, name="pool1")(x)
    x = keras.layers.Conv2D(50, 5, kernel_initializer=init, kernel_regularizer=reg,
                            name="conv2")(x)
    x = keras.layers.MaxPooling2D(2, name="pool2")(x)
    x = keras.layers.Flatten(name="features")(x)
    x = keras.layers.Dense(500, activation="relu", kernel_initializer=init,
                           kernel_regularizer=reg, name="ip1")(x)
    outputs = output_head(x, num_classes, output_activation, kernel_initializer=init,
                          kernel_regularizer=reg)
    return keras.Model(inputs, outputs, name=name)
