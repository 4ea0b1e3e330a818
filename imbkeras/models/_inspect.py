"""Model surgery and summaries: feature extractor / head split, parameters per block."""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import pandas as pd

_SPLIT_TYPES = (
    keras.layers.Flatten,
    keras.layers.GlobalAveragePooling1D, keras.layers.GlobalAveragePooling2D,
    keras.layers.GlobalAveragePooling3D,
    keras.layers.GlobalMaxPooling1D, keras.layers.GlobalMaxPooling2D,
    keras.layers.GlobalMaxPooling3D,
    keras.layers.MaxPooling1D, keras.layers.MaxPooling2D, keras.layers.MaxPooling3D,
    keras.layers.AveragePooling1D, keras.layers.AveragePooling2D,
    keras.layers.AveragePooling3D,
)


def _single(tensors):
    return tensors[0] if len(tensors) == 1 else tensors


def _split_layer(model: keras.Model, feature_layer: str | None):
    names = [layer.name for layer in model.layers]
    if feature_layer is not None:
        if feature_layer not in names:
            raise ValueError(
                f"`feature_layer`={feature_layer!r} is not a layer of model "
                f"{model.name!r}; its layers are {', '.join(names)}."
            )
        return model.get_layer(feature_layer)
    if "features" in names:
        return model.get_layer("features")
    candidates = [layer for layer in model.layers if isinstance(layer, _SPLIT_TYPES)]
    if not candidates:
        raise ValueError(
            f"model {model.name!r} has no layer named 'features' and no pooling or "
            "flatten layer to split at; pass `feature_layer=` (a layer name)."
        )
    return candidates[-1]


def split_head(model: keras.Model, feature_layer: str | None = None
               ) -> tuple[keras.Model, keras.Model]:
    """Split a model into a feature extractor and a classifier head.

    The split point is, in order: ``feature_layer`` if given; else the layer
    named ``features`` (every imbkeras builder names one); else the last
    pooling or flatten layer. The head is everything after it: Koziarski's FC
    + softmax for ``mobilenet_classifier``, Buda's fine-tuned output layers
    (``ip1`` + output for LeNet-5, the two 1x1 convolutions for All-CNN-C, the
    FC layer for ResNet-10), the dense layers after ``flatten`` elsewhere.

    Both parts share the layers (and weights) of ``model``: training the head
    trains ``model``'s head, and ``head(extractor(x))`` equals ``model(x)``.

    Args:
        model: a functional ``keras.Model``.
        feature_layer: name of the layer whose output is the feature vector.

    Returns:
        ``(feature_extractor, head)``: two ``keras.Model``; the extractor maps
        the model's input to the features, the head maps features to outputs.

    Raises:
        ValueError: if ``feature_layer`` is unknown (the message lists the
            layers), no split layer is found, or the layer does not separate
            the model (the head would still need the model input).

    Examples:
        >>> from imbkeras.models import lenet5
        >>> fe, head = split_head(lenet5((28, 28, 1), 10))
        >>> fe.output_shape, [layer.name for layer in head.layers[1:]]
        ((None, 800), ['ip1', 'predictions'])

    Reference:
        Buda et al. (2018) two-phase training; Koziarski et al. (2020)
        feature-space resampling.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model; received {type(model).__name__}.")
    layer = _split_layer(model, feature_layer)
    features = layer.output
    extractor = keras.Model(_single(model.inputs), features, name=f"{model.name}_features")
    try:
        head = keras.Model(features, _single(model.outputs), name=f"{model.name}_head")
    except ValueError as err:
        raise ValueError(
            f"layer {layer.name!r} does not separate model {model.name!r} into feature "
            f"extractor and head ({err})."
        ) from err
    return extractor, head


def default_block_name(layer_name: str) -> str:
    """``block1_conv2_bn`` -> ``block1``; ``conv_dw_3_relu`` -> ``conv_dw_3``; ``fc1`` -> ``fc1``.

    The block is the name up to its first ``_``-separated token that contains
    a digit; a name without digits is grouped by its first token
    (``head_conv`` -> ``head``).
    """
    tokens = layer_name.split("_")
    for i, tok in enumerate(tokens):
        if any(c.isdigit() for c in tok):
            return "_".join(tokens[: i + 1])
    return tokens[0]


def count_params_by_block(model: keras.Model,
                          block_of: Callable[[str], str] | None = None,
                          include_empty: bool = False) -> pd.DataFrame:
    """Parameters of ``model`` grouped into blocks, in layer order.

    Nested models (e.g. the paths ``path_0``... of a multi-path CNN) are one
    block each. Other layers are grouped by ``block_of(layer.name)``; the
    default (:func:`default_block_name`) follows the builders' naming
    (``block2_conv1``, ``block2_pool`` -> ``block2``).

    Args:
        model: a ``keras.Model``.
        block_of: maps a layer name to its block name.
        include_empty: keep blocks without parameters (inputs, pooling...).

    Returns:
        A ``pandas.DataFrame`` with columns ``block``, ``layers``, ``params``,
        ``trainable``, ``non_trainable``; ``params`` sums to
        ``model.count_params()`` (shared layers are counted once).

    Raises:
        TypeError: if ``model`` is not a ``keras.Model``.

    Examples:
        >>> from imbkeras.models import lenet5
        >>> count_params_by_block(lenet5((28, 28, 1), 10))["params"].tolist()
        [520, 25050, 400500, 5010]
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model; received {type(model).__name__}.")
    block_of = block_of or default_block_name
    rows: dict[str, dict] = {}
    seen: set[int] = set()
    for layer in model.layers:
        block = layer.name if isinstance(layer, keras.Model) else block_of(layer.name)
        row = rows.setdefault(block, {"block": block, "layers": 0, "params": 0,
                                      "trainable": 0, "non_trainable": 0})
        row["layers"] += 1
        for w in layer.trainable_weights:
            if id(w) not in seen:
                seen.add(id(w))
                row["trainable"] += int(np.prod(w.shape))
        for w in layer.non_trainable_weights:
            if id(w) not in seen:
                seen.add(id(w))
                row["non_trainable"] += int(np.prod(w.shape))
        row["params"] = row["trainable"] + row["non_trainable"]
    frame = pd.DataFrame(list(rows.values()),
                         columns=["block", "layers", "params", "trainable", "non_trainable"])
    if not include_empty:
        frame = frame[frame["params"] > 0].reset_index(drop=True)
    return frame
