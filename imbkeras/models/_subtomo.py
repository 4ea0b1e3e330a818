"""Xu lab subtomogram classifiers: Inception3D and DSRF3D-v2 (Xu et al. 2017).

The convolutional parts are rank-generic functions so that the multi-path CNN
(:mod:`imbkeras.models._multipath`) reuses them for its paths, in 3D and 2D.
"""

from __future__ import annotations

import keras

from imbkeras.models._common import (check_activation, check_input_shape,
                                      check_int_tuple, check_output_activation, check_rate,
                                      conv_act, conv_size, dense_act, max_pool_cls,
                                      min_input_size, output_head)
from imbkeras.models._registry import register_model


# ----------------------------------------------------------------------------
# Rank-generic feature extractors.
# ----------------------------------------------------------------------------

def inception_stem_size(n: int, kernel: int = 5, modules: int = 1) -> int:
    """Side length after :func:`inception_stem` (conv ``kernel`` valid, pool 2 same per module)."""
    n = conv_size(conv_size(n, kernel), 2, 2, "same")
    for _ in range(modules - 1):
        n = conv_size(n, 2, 2, "same")
    return n


def inception_stem(x, *, rank: int, activation: str = "relu", batch_norm: bool = False,
                   prefix: str = "", kernel: int = 5, modules: int = 1, width: float = 1.0):
    """Inception3D's convolutional part, for ``rank``-D inputs.

    conv 32 5^r valid -> maxpool 2^r (same) -> inception module with branches
    [1x32], [1x32 -> 3^r x64], [1x16 -> 5^r x32], [maxpool 2^r stride 1 ->
    1x32], concatenated (160 channels). The defaults are Inception3D; the
    multi-path CNN's path variants change ``kernel`` (the stem convolution's
    and the large branch's kernel, 5 in Inception3D), ``modules`` (inception
    modules, each after the first preceded by a maxpool 2^r) and ``width``
    (every filter count times ``width``, at least 4).
    """

    def conv(t, filters, k, name, padding="same"):
        return conv_act(t, max(4, int(round(filters * width))), k, rank=rank, padding=padding,
                        activation=activation, batch_norm=batch_norm,
                        name=f"{prefix}{name}")

    pool = max_pool_cls(rank)
    x = conv(x, 32, kernel, "conv1", padding="valid")
    x = pool(2, padding="same", name=f"{prefix}pool1")(x)
    for m in range(1, modules + 1):
        tag = f"inception{m}"
        if m > 1:
            x = pool(2, padding="same", name=f"{prefix}pool{m}")(x)
        b1 = conv(x, 32, 1, f"{tag}_1x1")
        b3 = conv(x, 32, 1, f"{tag}_3x3_reduce")
        b3 = conv(b3, 64, 3, f"{tag}_3x3")
        b5 = conv(x, 16, 1, f"{tag}_5x5_reduce")
        b5 = conv(b5, 32, kernel, f"{tag}_5x5")
        bp = pool(2, strides=1, padding="same", name=f"{prefix}{tag}_pool")(x)
        bp = conv(bp, 32, 1, f"{tag}_pool_proj")
        x = keras.layers.Concatenate(name=f"{prefix}{tag}_concat")([b1, b3, b5, bp])
    return x


def conv_blocks_size(n: int, num_blocks: int = 3) -> int:
    """Side length after :func:`conv_blocks` (same convs, 2x2 pools)."""
    for _ in range(num_blocks):
        n = conv_size(n, 2, 2)
    return n


def conv_blocks(x, *, rank: int, filters=(32, 64, 128), activation: str = "relu",
                batch_norm: bool = False, prefix: str = ""):
    """DSRF3D-v2's convolutional part: per block 2 x conv 3^r (same) + maxpool 2^r."""
    for b, f in enumerate(filters, start=1):
        for j in (1, 2):
            x = conv_act(x, f, 3, rank=rank, activation=activation, batch_norm=batch_norm,
                         name=f"{prefix}block{b}_conv{j}")
        x = max_pool_cls(rank)(2, name=f"{prefix}block{b}_pool")(x)
    return x


# ----------------------------------------------------------------------------
# Registered 3D classifiers.
# ----------------------------------------------------------------------------

#: Smallest side length Inception3D accepts.
INCEPTION3D_MIN_SIZE = min_input_size(lambda n: conv_size(inception_stem_size(n), 2))


@register_model("inception3d", test_input_shape=(8, 8, 8, 1))
def inception3d(input_shape=(40, 40, 40, 1), num_classes: int = 4, *,
                dropout: float = 0.7, activation: str = "relu", batch_norm: bool = False,
                output_activation: str | None = "softmax",
                name: str = "inception3d") -> keras.Model:
    """Inception3D subtomogram classifier (Xu et al. 2017, the Xu lab code).

    conv3d 32 5^3 valid -> maxpool 2^3 -> inception module with branches
    [1^3 x32], [1^3 x32 -> 3^3 x64], [1^3 x16 -> 5^3 x32], [maxpool 2^3 stride
    1 -> 1^3 x32] (concatenated, 160 channels) -> avgpool 2^3 stride 1 ->
    flatten [``features``] -> dropout 0.7 -> dense softmax. ReLU after every
    convolution, "same" padding inside the module.

    Args:
        input_shape: ``(depth, height, width, channels)``; 40^3 x 1 in the
            papers; each side at least 7.
        num_classes: number of classes (>= 2).
        dropout: dropout rate before the output layer.
        activation: activation after every convolution (any Keras name or
            ``"prelu"``).
        batch_norm: add batch normalisation after every convolution (not in
            the original code).
        output_activation: ``"softmax"`` or ``None`` for logits.
        name: model name.

    Returns:
        A functional ``keras.Model``; 3,271,444 parameters for 40^3 x 1 -> 4.

    Raises:
        ValueError: for an input smaller than 7^3, the wrong rank (e.g. a 2D
            shape), ``num_classes < 2``, a bad rate or an unknown activation.

    Examples:
        >>> inception3d((40, 40, 40, 1), 4).count_params()
        3271444

    Reference:
        Xu, Chai, Muthakana, Liang, Yang, Zeev-Ben-Mordehai, Xing (2017),
        "Deep learning-based subdivision approach for large scale
        macromolecules structure recovery from electron cryo tomograms";
        Luo et al. (2019) build their multi-path CNN from it.
    """
    shape = check_input_shape(input_shape, rank=3, min_spatial=INCEPTION3D_MIN_SIZE)
    check_output_activation(output_activation, num_classes)
    dropout = check_rate(dropout, "dropout")
    activation = check_activation(activation)
    inputs = keras.Input(shape, name="volume")
    x = inception_stem(inputs, rank=3, activation=activation, batch_norm=batch_norm)
    x = keras.layers.AveragePooling3D(2, strides=1, name="pool2")(x)
    x = keras.layers.Flatten(name="features")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    outputs = output_head(x, num_classes, output_activation)
    return keras.Model(inputs, outputs, name=name)


@register_model("dsrf3d_v2", test_input_shape=(8, 8, 8, 1), test_kwargs={"dense_units": (16, 16)})
def dsrf3d_v2(input_shape=(40, 40, 40, 1), num_classes: int = 4, *,
              filters=(32, 64, 128), dense_units=(1024, 1024), dropout: float = 0.7,
              activation: str = "relu", batch_norm: bool = False,
              output_activation: str | None = "softmax",
              name: str = "dsrf3d_v2") -> keras.Model:
    """DSRF3D-v2 subtomogram classifier (Xu lab): a 3D VGG-style network.

    Three blocks [conv3d 3^3 x2 (same), maxpool 2^3] with 32/64/128 filters ->
    flatten [``features``] -> FC 1024 -> dropout 0.7 -> FC 1024 -> dropout 0.7
    -> softmax; ReLU after every conv/FC layer.

    Args:
        input_shape: ``(depth, height, width, channels)``; 40^3 x 1 in the
            papers; each side at least 8.
        num_classes: number of classes (>= 2).
        filters: filters of each block.
        dense_units: widths of the hidden FC layers.
        dropout: dropout rate after each hidden FC layer.
        activation: activation of hidden layers (any Keras name or
            ``"prelu"``).
        batch_norm: add batch normalisation after every conv/FC layer.
        output_activation: ``"softmax"`` or ``None`` for logits.
        name: model name.

    Returns:
        A functional ``keras.Model``; 18,297,124 parameters for 40^3 x 1 -> 4
        (16,385,024 of them in the first FC layer).

    Raises:
        ValueError: for an input smaller than 8^3 (with three blocks), the
            wrong rank, ``num_classes < 2``, a bad rate or an unknown
            activation.

    Examples:
        >>> dsrf3d_v2((40, 40, 40, 1), 4).count_params()
        18297124

    Reference:
        Xu et al. (2017) (DSRF3D) and the Xu lab's later DSRF3D-v2; Luo et
        al. (2019).
    """
    filters = check_int_tuple(filters, "filters")
    dense_units = check_int_tuple(dense_units, "dense_units", allow_empty=True)
    min_size = min_input_size(lambda n: conv_blocks_size(n, len(filters)))
    shape = check_input_shape(input_shape, rank=3, min_spatial=min_size)
    check_output_activation(output_activation, num_classes)
    dropout = check_rate(dropout, "dropout")
    activation = check_activation(activation)
    inputs = keras.Input(shape, name="volume")
    x = conv_blocks(inputs, rank=3, filters=filters, activation=activation,
                    batch_norm=batch_norm)
    x = keras.layers.Flatten(name="features")(x)
    for i, units in enumerate(dense_units, start=1):
        x = dense_act(x, units, name=f"fc{i}", activation=activation, batch_norm=batch_norm)
        x = keras.layers.Dropout(dropout, name=f"fc{i}_dropout")(x)
    outputs = output_head(x, num_classes, output_activation)
    return keras.Model(inputs, outputs, name=name)

