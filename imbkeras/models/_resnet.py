"""ResNet-10, pre-activation (cvjena layout), as used by Buda et al. (2018) on ImageNet."""

from __future__ import annotations

import keras

from imbkeras.models._common import (activation_layer, check_activation, check_input_shape,
                                      check_int_tuple, check_nonneg, output_head)
from imbkeras.models._registry import register_model


@register_model("resnet10", test_input_shape=(32, 32, 3))
def resnet10(input_shape=(224, 224, 3), num_classes: int = 1000, *,
             filters=(64, 128, 256, 512), activation: str = "relu",
             weight_decay: float = 0.0, output_activation: str | None = "softmax",
             name: str = "resnet10") -> keras.Model:
    """ResNet-10 with pre-activation basic blocks (Simon, Rodner, Denzler 2016).

    conv 7x7/2 64 -> BN-ReLU -> maxpool 3x3/2 (same) -> four basic residual
    blocks with 64, 128/2, 256/2, 512/2 filters -> BN-ReLU -> global average
    pooling [``features``] -> FC ``num_classes`` -> softmax.

    Each block is pre-activated: BN-ReLU -> conv 3x3 (stride 1 or 2) -> BN-ReLU
    -> conv 3x3, added to the shortcut; the shortcut is the identity for the
    first block (whose input is already activated by the stem) and a 1x1
    stride-2 projection of the pre-activated input for the others. That is
    nine convolutions + one FC layer, as Buda et al. count. Convolutions have
    no bias (a batch norm follows each of them) and He-normal (MSRA)
    initialisation, as in the paper.

    Args:
        input_shape: ``(height, width, channels)``; any size >= 1 works
            ("same" padding everywhere), ImageNet crops are 224x224.
        num_classes: number of classes (>= 2).
        filters: filters of the four blocks.
        activation: activation in the stem and blocks (any Keras name or
            ``"prelu"``).
        weight_decay: Caffe-style weight decay (L2 penalty ``weight_decay / 2``)
            on every kernel; the paper used 1e-4.
        output_activation: ``"softmax"`` or ``None`` for logits.
        name: model name.

    Returns:
        A functional ``keras.Model``; 5,420,968 parameters (5,417,000
        trainable, the rest batch-norm statistics) for 224x224x3 -> 1000.

    Raises:
        ValueError: for the wrong rank, ``num_classes < 2`` or an unknown
            activation.

    Examples:
        >>> resnet10((224, 224, 3), 1000).count_params()
        5420968

    Reference:
        Buda, Maki, Mazurowski (2018), Fig. 2; Simon, Rodner, Denzler (2016),
        "ImageNet pre-trained models with batch normalization"; He et al.
        (2016), "Identity mappings in deep residual networks".
    """
    shape = check_input_shape(input_shape, rank=2)
    filters = check_int_tuple(filters, "filters")
    activation = check_activation(activation)
    weight_decay = check_nonneg(weight_decay, "weight_decay")
    reg = keras.regularizers.L2(weight_decay / 2.0) if weight_decay else None
    conv_kw = dict(use_bias=False, kernel_initializer="he_normal", kernel_regularizer=reg)

    def bn_act(x, prefix):
        x = keras.layers.BatchNormalization(name=f"{prefix}_bn")(x)
        return activation_layer(activation, f"{prefix}_act", 2)(x)

    inputs = keras.Input(shape, name="image")
    x = keras.layers.Conv2D(filters[0], 7, strides=2, padding="same", name="conv1",
                            **conv_kw)(inputs)
    x = bn_act(x, "conv1")
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    for i, f in enumerate(filters):
        prefix = f"block{i + 1}"
        stride = 1 if i == 0 else 2
        pre = x if i == 0 else bn_act(x, f"{prefix}_pre")
        if stride == 1 and x.shape[-1] == f:
            shortcut = x
        else:
            shortcut = keras.layers.Conv2D(f, 1, strides=stride, name=f"{prefix}_proj",
                                           **conv_kw)(pre)
        y = keras.layers.Conv2D(f, 3, strides=stride, padding="same",
                                name=f"{prefix}_conv1", **conv_kw)(pre)
        y = bn_act(y, f"{prefix}_conv1")
        y = keras.layers.Conv2D(f, 3, padding="same", name=f"{prefix}_conv2", **conv_kw)(y)
        x = keras.layers.Add(name=f"{prefix}_add")([shortcut, y])
    x = bn_act(x, "post")
    x = keras.layers.GlobalAveragePooling2D(name="features")(x)
    outputs = output_head(x, num_classes, output_activation, kernel_regularizer=reg)
    return keras.Model(inputs, outputs, name=name)
