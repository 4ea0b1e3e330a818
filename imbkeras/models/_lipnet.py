"""LipNet-1/-2/-4/-4c/-6 (Gryshkevych 2016): small CNNs for TEM liposome images."""

from __future__ import annotations

import keras

from imbkeras.models._common import (check_activation, check_initializer, check_input_shape,
                                      check_int_tuple, check_output_activation, check_rate,
                                      conv_act, conv_size, dense_act, min_input_size,
                                      output_head)
from imbkeras.models._registry import register_model


def _lipnet_out(n: int, kernels, convs_per_block: int) -> int:
    for k in kernels:
        for j in range(convs_per_block):
            n = conv_size(n, k, 1, "same" if j == 0 else "valid")
        n = conv_size(n, 2, 2)  # 2x2 max pool or 2x2 stride-2 valid conv
    return n


def lipnet(input_shape=(28, 28, 1), num_classes: int = 3, *, filters=(32, 64),
           convs_per_block: int = 2, kernel_size=3, dense_units=(512,),
           fully_convolutional: bool = False, conv_dropout: float = 0.25,
           dense_dropout: float = 0.5, batch_norm: bool = False,
           activation: str = "relu", output_activation: str | None = "softmax",
           kernel_initializer: str = "glorot_uniform", name: str = "lipnet") -> keras.Model:
    """LipNet family: VGG-like conv blocks + dense layers (or all-convolutional).

    Each block has ``convs_per_block`` convolutions (the first with "same"
    padding, the others "valid", as in the authors' Keras code), a 2x2 max
    pooling and dropout ``conv_dropout``. Then flatten [``features``] ->
    ``dense_units`` FC layers, each with dropout ``dense_dropout`` -> softmax.
    With ``fully_convolutional=True`` (LipNet-4c) each pooling becomes a 2x2
    stride-2 convolution with the block's filters, and flatten + FC become a
    1x1 convolution with ``num_classes`` channels + global average pooling
    (the ``features`` mark is before that 1x1 convolution).

    With ``batch_norm=True`` a batch normalisation sits between every conv/FC
    and its activation (the authors' optional variant; we leave the output
    layer without one).

    Registered variants (``create_model(name)``), all 28x28x1 -> 3 unless said:

    - ``lipnet1``: one block of one conv32, FC 512.
    - ``lipnet2``: blocks of one conv32, one conv64, FC 512.
    - ``lipnet4``: blocks of 2 x conv32, 2 x conv64, FC 512 (authors' code).
    - ``lipnet4c``: LipNet-4, all-convolutional.
    - ``lipnet6``: blocks of 2 x conv32 7x7, 2 x conv64 5x5, 2 x conv128 3x3,
      FC 512, FC 128, 32x32x1 input (authors' code).

    Args:
        input_shape: ``(height, width, channels)``; grayscale 28x28 in the
            thesis, 32x32 for LipNet-6.
        num_classes: number of classes (>= 2); 3 in the thesis.
        filters: filters of each conv block.
        convs_per_block: convolutions per block.
        kernel_size: kernel size, one int or one per block.
        dense_units: widths of the hidden FC layers (empty for none).
        fully_convolutional: LipNet-4c layout (see above); needs
            ``dense_units=()``.
        conv_dropout: dropout after each block.
        dense_dropout: dropout after each hidden FC layer.
        batch_norm: add batch normalisation after every conv/FC layer.
        activation: activation of every hidden layer (any Keras name or
            ``"prelu"``).
        output_activation: ``"softmax"`` or ``None`` for logits.
        kernel_initializer: initializer of every kernel: Keras's default
            ``"glorot_uniform"`` (the authors' Keras code), or e.g.
            ``"he_normal"`` (He et al. 2015, for ReLU layers: keeps the
            activations' variance through deep stacks).
        name: model name.

    Returns:
        A functional ``keras.Model``. Parameters for 28x28x1 -> 3 (32x32x1 for
        LipNet-6): lipnet1 3,213,635; lipnet2 1,626,499; lipnet4 886,243;
        lipnet4c 85,763; lipnet6 559,075.

    Raises:
        ValueError: for an input too small for the blocks (the message gives
            the minimum), the wrong rank, ``num_classes < 2``, bad rates or
            sizes, or an unknown activation or initializer.

    Examples:
        >>> lipnet((28, 28, 1), 3).count_params()
        886243

    Reference:
        Gryshkevych (2016), "Convolutional neural networks for classification
        of transmission electron microscopy imagery", section 7 and Fig. 13;
        authors' code github.com/grishasergii/lipnet.
    """
    filters = check_int_tuple(filters, "filters")
    kernels = check_int_tuple(kernel_size, "kernel_size")
    if len(kernels) == 1:
        kernels = kernels * len(filters)
    if len(kernels) != len(filters):
        raise ValueError(
            f"`kernel_size` must be one int or one per block ({len(filters)}); "
            f"received {kernel_size!r}."
        )
    convs_per_block = check_int_tuple(convs_per_block, "convs_per_block")
    if len(convs_per_block) != 1:
        raise ValueError(f"`convs_per_block` must be one int; received {convs_per_block!r}.")
    convs_per_block = convs_per_block[0]
    dense_units = check_int_tuple(dense_units, "dense_units", allow_empty=True)
    if fully_convolutional and dense_units:
        raise ValueError(
            "`dense_units` must be empty when `fully_convolutional=True` (LipNet-4c "
            f"has no dense layers); received {dense_units!r}."
        )
    min_size = min_input_size(lambda n: _lipnet_out(n, kernels, convs_per_block))
    shape = check_input_shape(input_shape, rank=2, min_spatial=min_size)
    check_output_activation(output_activation, num_classes)
    conv_dropout = check_rate(conv_dropout, "conv_dropout")
    dense_dropout = check_rate(dense_dropout, "dense_dropout")
    activation = check_activation(activation)
    init = {"kernel_initializer": check_initializer(kernel_initializer)}

    inputs = keras.Input(shape, name="image")
    x = inputs
    for b, (f, k) in enumerate(zip(filters, kernels), start=1):
        for j in range(convs_per_block):
            x = conv_act(x, f, k, rank=2, padding="same" if j == 0 else "valid",
                         activation=activation, batch_norm=batch_norm,
                         name=f"block{b}_conv{j + 1}", **init)
        if fully_convolutional:
            x = conv_act(x, f, 2, strides=2, padding="valid", rank=2,
                         activation=activation, batch_norm=batch_norm,
                         name=f"block{b}_down", **init)
        else:
            x = keras.layers.MaxPooling2D(2, name=f"block{b}_pool")(x)
        x = keras.layers.Dropout(conv_dropout, name=f"block{b}_dropout")(x)
    if fully_convolutional:
        x = keras.layers.Identity(name="features")(x)
        x = keras.layers.Conv2D(num_classes, 1, name="head_conv", **init)(x)
        x = keras.layers.GlobalAveragePooling2D(name="head_pool")(x)
        outputs = keras.layers.Activation(output_activation or "linear",
                                          name="predictions")(x)
    else:
        x = keras.layers.Flatten(name="features")(x)
        for i, units in enumerate(dense_units, start=1):
            x = dense_act(x, units, name=f"fc{i}", activation=activation,
                          batch_norm=batch_norm, **init)
            x = keras.layers.Dropout(dense_dropout, name=f"fc{i}_dropout")(x)
        outputs = output_head(x, num_classes, output_activation, **init)
    return keras.Model(inputs, outputs, name=name)


register_model("lipnet1", test_input_shape=(8, 8, 1), filters=(32,), convs_per_block=1,
               name="lipnet1")(lipnet)
register_model("lipnet2", test_input_shape=(8, 8, 1), filters=(32, 64), convs_per_block=1,
               name="lipnet2")(lipnet)
register_model("lipnet4", test_input_shape=(16, 16, 1), name="lipnet4")(lipnet)
register_model("lipnet4c", test_input_shape=(16, 16, 1), fully_convolutional=True,
               dense_units=(), name="lipnet4c")(lipnet)
register_model("lipnet6", test_input_shape=(32, 32, 1), input_shape=(32, 32, 1),
               filters=(32, 64, 128), kernel_size=(7, 5, 3), dense_units=(512, 128),
               name="lipnet6")(lipnet)
