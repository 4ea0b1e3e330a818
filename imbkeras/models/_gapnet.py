"""GapNet-PL (Rumetshofer et al. 2018; used by Al-joudi et al. 2023 on HPA)."""

from __future__ import annotations

import keras

from imbkeras.models._common import (activation_layer, check_activation, check_input_shape,
                                      check_int_tuple, check_output_activation, check_rate,
                                      conv_size, min_input_size, output_head)
from imbkeras.models._registry import register_model


def _gapnet_out(n: int) -> int:
    n = conv_size(conv_size(n, 3, 2, "same"), 2, 2)  # conv /2, pool 2
    return conv_size(conv_size(n, 3, 2, "same"), 2, 2)


#: Smallest side length GapNet-PL accepts (two stride-2 convs, two 2x2 pools).
GAPNET_PL_MIN_SIZE = min_input_size(_gapnet_out)


@register_model("gapnet_pl", test_input_shape=(32, 32, 4))
def gapnet_pl(input_shape=(299, 299, 4), num_classes: int = 28, *,
              activation: str = "selu", dropout: float = 0.3, dense_units=(256, 256),
              output_activation: str | None = "sigmoid",
              name: str = "gapnet_pl") -> keras.Model:
    """GapNet-PL: a multi-scale global-average-pooling CNN for multi-label cells.

    conv32 3x3/2 -> maxpool 2 [tap 1] -> conv64 3x3/2 -> 3 x conv64 3x3 ->
    maxpool 2 [tap 2] -> 3 x conv128 3x3 [tap 3]; the global average pool of
    each tap is concatenated (32 + 64 + 128 = 224 features, layer
    ``features``) -> FC 256 -> alpha-dropout 0.3 -> FC 256 -> alpha-dropout
    0.3 -> ``num_classes`` sigmoid outputs (one independent probability per
    label; train with binary cross-entropy). "Same" padding throughout, 2x2
    max pooling with stride 2 (ml-jku reference code).

    ``activation="selu"`` (default) uses SELU with LeCun-normal initialisation
    and alpha-dropout, the self-normalising setting of the paper;
    ``activation="prelu"`` swaps every SELU for a PReLU (one slope per
    channel, initial slope 0.25) with He-normal initialisation and plain
    dropout.

    Args:
        input_shape: ``(height, width, channels)``; 4 channels (RGBY) resized
            to 299x299 in Al-joudi et al.; each side at least 11.
        num_classes: number of labels (>= 1 for sigmoid outputs).
        activation: ``"selu"`` or ``"prelu"``.
        dropout: (alpha-)dropout rate after each hidden FC layer.
        dense_units: widths of the hidden FC layers.
        output_activation: ``"sigmoid"`` (multi-label, default),
            ``"softmax"`` (single-label) or ``None`` for logits.
        name: model name.

    Returns:
        A functional ``keras.Model``; 630,076 parameters for 299x299x4 -> 28
        with SELU, 631,260 with PReLU (1,184 PReLU slopes).

    Raises:
        ValueError: for an input smaller than 11x11, the wrong rank, a bad
            ``num_classes``, or an activation other than "selu"/"prelu".

    Examples:
        >>> gapnet_pl((299, 299, 4), 28).count_params()
        630076

    Reference:
        Al-joudi et al. (2023); Rumetshofer, Hofmarcher, Roehrl, Hochreiter,
        Klambauer (2018), "Human-level protein localization with
        convolutional neural networks" (GapNet-PL).
    """
    shape = check_input_shape(input_shape, rank=2, min_spatial=GAPNET_PL_MIN_SIZE)
    check_output_activation(output_activation, num_classes)
    activation = check_activation(activation, allowed=("selu", "prelu"))
    dropout = check_rate(dropout, "dropout")
    dense_units = check_int_tuple(dense_units, "dense_units", allow_empty=True)
    selu = activation == "selu"
    init = "lecun_normal" if selu else "he_normal"
    drop_cls = keras.layers.AlphaDropout if selu else keras.layers.Dropout

    def conv(x, filters, strides, cname):
        x = keras.layers.Conv2D(filters, 3, strides=strides, padding="same",
                                kernel_initializer=init, name=cname)(x)
        return activation_layer(activation, f"{cname}_act", 2)(x)

    inputs = keras.Input(shape, name="image")
    x = conv(inputs, 32, 2, "block1_conv1")
    x = keras.layers.MaxPooling2D(2, name="block1_pool")(x)
    tap1 = keras.layers.GlobalAveragePooling2D(name="tap1_gap")(x)
    x = conv(x, 64, 2, "block2_conv1")
    for i in range(2, 5):
        x = conv(x, 64, 1, f"block2_conv{i}")
    x = keras.layers.MaxPooling2D(2, name="block2_pool")(x)
    tap2 = keras.layers.GlobalAveragePooling2D(name="tap2_gap")(x)
    for i in range(1, 4):
        x = conv(x, 128, 1, f"block3_conv{i}")
    tap3 = keras.layers.GlobalAveragePooling2D(name="tap3_gap")(x)
    x = keras.layers.Concatenate(name="features")([tap1, tap2, tap3])
    for i, units in enumerate(dense_units, start=1):
        x = keras.layers.Dense(units, kernel_initializer=init, name=f"fc{i}")(x)
        x = activation_layer(activation, f"fc{i}_act", None)(x)
        x = drop_cls(dropout, name=f"fc{i}_dropout")(x)
    outputs = output_head(x, num_classes, output_activation, kernel_initializer=init)
    return keras.Model(inputs, outputs, name=name)
