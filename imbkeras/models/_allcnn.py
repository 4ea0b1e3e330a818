"""All-CNN-C (Springenberg et al. 2014), as used by Buda et al. (2018) on CIFAR-10."""

from __future__ import annotations

import keras

from imbkeras.models._common import (activation_layer, check_activation, check_input_shape,
                                      check_nonneg, check_output_activation, check_rate,
                                      conv_size, min_input_size)
from imbkeras.models._registry import register_model


def _all_cnn_out(n: int) -> int:
    for _ in range(2):  # two 3x3 same convs, one 3x3 stride-2 same conv
        n = conv_size(n, 3, 2, "same")
    return conv_size(n, 3)  # 3x3 valid


#: Smallest side length All-CNN-C accepts.
ALL_CNN_C_MIN_SIZE = min_input_size(_all_cnn_out)


@register_model("all_cnn_c", test_input_shape=(12, 12, 3))
def all_cnn_c(input_shape=(32, 32, 3), num_classes: int = 10, *,
              input_dropout: float = 0.2, dropout: float = 0.5,
              activation: str = "relu", final_activation: bool = True,
              weight_decay: float = 0.0, output_activation: str | None = "softmax",
              name: str = "all_cnn_c") -> keras.Model:
    """All-CNN-C: an all-convolutional CIFAR network without dense layers.

    dropout 0.2 on the input -> 2 x conv96 3x3 -> conv96 3x3 stride 2 -> dropout
    0.5 -> 2 x conv192 3x3 -> conv192 3x3 stride 2 -> dropout 0.5 -> conv192 3x3
    valid -> [``features``] -> conv192 1x1 -> conv ``num_classes`` 1x1 -> global
    average pooling -> softmax, with ``activation`` (ReLU) after every
    convolution (Buda et al., Table 3). Padding is "same" except for the 3x3
    valid conv. Weights use Xavier (Glorot uniform) initialisation and zero
    biases, as in the paper.

    The layer named ``features`` (an identity) marks the split used by
    :func:`split_head`: Buda et al. fine-tune "the two last convolutional
    layers with kernels of size 1" in two-phase training, so the head is both
    1x1 convolutions + pooling + softmax.

    Args:
        input_shape: ``(height, width, channels)``; each side at least 9.
        num_classes: number of classes (>= 2).
        input_dropout: dropout rate on the input image.
        dropout: dropout rate after each stride-2 convolution.
        activation: activation after every convolution (any Keras name or
            ``"prelu"``).
        final_activation: apply ``activation`` to the class maps too, as the
            paper's table does (ReLU before pooling); ``False`` leaves them
            linear.
        weight_decay: Caffe-style weight decay (L2 penalty ``weight_decay / 2``)
            on every kernel; the paper used 0.001.
        output_activation: ``"softmax"`` or ``None`` for logits (the pooled
            class maps).
        name: model name.

    Returns:
        A functional ``keras.Model``; 1,369,738 parameters for 32x32x3 -> 10.

    Raises:
        ValueError: for an input smaller than 9x9, the wrong rank,
            ``num_classes < 2``, a rate outside [0, 1) or an unknown activation.

    Examples:
        >>> all_cnn_c((32, 32, 3), 10).count_params()
        1369738

    Reference:
        Buda, Maki, Mazurowski (2018), Table 3; Springenberg, Dosovitskiy,
        Brox, Riedmiller (2014), "Striving for simplicity: the all
        convolutional net".
    """
    shape = check_input_shape(input_shape, rank=2, min_spatial=ALL_CNN_C_MIN_SIZE)
    check_output_activation(output_activation, num_classes)
    input_dropout = check_rate(input_dropout, "input_dropout")
    dropout = check_rate(dropout, "dropout")
    activation = check_activation(activation)
    weight_decay = check_nonneg(weight_decay, "weight_decay")
    reg = keras.regularizers.L2(weight_decay / 2.0) if weight_decay else None

    def conv(x, filters, kernel, strides=1, padding="same", cname="", act=True):
        x = keras.layers.Conv2D(filters, kernel, strides=strides, padding=padding,
                                kernel_initializer="glorot_uniform",
                                kernel_regularizer=reg, name=cname)(x)
        if act:
            x = activation_layer(activation, f"{cname}_act", 2)(x)
        return x

    inputs = keras.Input(shape, name="image")
    x = keras.layers.Dropout(input_dropout, name="input_dropout")(inputs)
    x = conv(x, 96, 3, cname="block1_conv1")
    x = conv(x, 96, 3, cname="block1_conv2")
    x = conv(x, 96, 3, strides=2, cname="block1_conv3")
    x = keras.layers.Dropout(dropout, name="block1_dropout")(x)
    x = conv(x, 192, 3, cname="block2_conv1")
    x = conv(x, 192, 3, cname="block2_conv2")
    x = conv(x, 192, 3, strides=2, cname="block2_conv3")
    x = keras.layers.Dropout(dropout, name="block2_dropout")(x)
    x = conv(x, 192, 3, padding="valid", cname="block3_conv1")
    x = keras.layers.Identity(name="features")(x)
    x = conv(x, 192, 1, cname="head_conv")
    x = conv(x, num_classes, 1, cname="head_classes", act=final_activation)
    x = keras.layers.GlobalAveragePooling2D(name="head_pool")(x)
    outputs = keras.layers.Activation(output_activation or "linear", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)
