"""MobileNet classifier with a 1024-unit FC head (Koziarski 2020)."""

from __future__ import annotations

import os
import warnings

import keras

from imbkeras._validation import _short
from imbkeras.models._common import (check_input_shape, check_output_activation,
                                      check_rate, output_head)
from imbkeras.models._registry import register_model

#: Where Keras publishes the MobileNet ImageNet weights (no-top files).
MOBILENET_WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
)
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}


def _weights_name(alpha: float, side: int) -> str:
    rows = side if side in (128, 160, 192, 224) else 224
    if alpha not in _ALPHA_TEXT:
        raise ValueError(f"`alpha` must be one of {sorted(_ALPHA_TEXT)} for ImageNet weights; "
                         f"received {alpha!r}.")
    return f"mobilenet_{_ALPHA_TEXT[alpha]}_{rows}_tf_no_top.h5"


def mobilenet_weights_path(alpha: float = 1.0, side: int = 150) -> str:
    """Where Keras keeps the no-top MobileNet ImageNet weights for ``alpha`` and ``side``.

    Nothing is downloaded: the path is in the Keras cache (``$KERAS_HOME``, else
    ``~/.keras``), under ``models/``; the file exists once it has been fetched
    (``weights="imagenet"`` while online, or ``data_scripts/download_kather.py
    --mobilenet-weights``). Sides other than 128/160/192/224 use the 224 file.

    Examples:
        >>> mobilenet_weights_path(1.0, 150).endswith("mobilenet_1_0_224_tf_no_top.h5")
        True
    """
    root = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(root, "models", _weights_name(float(alpha), int(side)))


def _imagenet_weights_file(alpha: float, side: int) -> str:
    """Download (or find in the Keras cache) the no-top ImageNet weights."""
    fname = _weights_name(alpha, side)
    origin = MOBILENET_WEIGHTS_URL + fname
    try:
        return keras.utils.get_file(fname, origin, cache_subdir="models")
    except Exception as err:  # noqa: BLE001 - any network/file failure
        raise RuntimeError(
            f"weights='imagenet': could not fetch the MobileNet ImageNet weights "
            f"{fname!r} from {origin} ({type(err).__name__}: {err}). Without "
            "internet access, download that file elsewhere and pass its local path "
            "as `weights=...`, or use weights=None for random initialisation."
        ) from err


@register_model("mobilenet_classifier", test_input_shape=(32, 32, 3),
                test_kwargs={"alpha": 0.25, "head_units": 16})
def mobilenet_classifier(input_shape=(150, 150, 3), num_classes: int = 8, *,
                         head_units: int | None = 1024, weights: str | os.PathLike | None = None,
                         alpha: float = 1.0, dropout: float = 0.0,
                         rescale_inputs: bool = True, trainable_base: bool = True,
                         output_activation: str | None = "softmax",
                         name: str = "mobilenet_classifier") -> keras.Model:
    """MobileNet feature extractor + FC ``head_units`` + softmax (Koziarski 2020).

    ``keras.applications.MobileNet(include_top=False, weights=None, alpha)`` ->
    global average pooling (``features``: 1024-d for ``alpha=1``, the features
    Koziarski resamples in feature space) -> FC ``head_units`` ReLU ->
    [dropout] -> softmax ``num_classes``. The MobileNet layers live directly in
    the returned model (not nested), so :func:`split_head` returns the FC +
    softmax head that the paper fine-tunes.

    Inputs are expected in [0, 1] (as every imbkeras loader returns them); with
    ``rescale_inputs=True`` a ``Rescaling`` layer maps them to [-1, 1], the
    range MobileNet was trained on. Set it to ``False`` if you apply
    ``keras.applications.mobilenet.preprocess_input`` yourself.

    Args:
        input_shape: ``(height, width, channels)``; each side at least 32;
            150x150x3 in the paper.
        num_classes: number of classes (>= 2); 8 in the paper.
        head_units: width of the FC layer before the softmax (1024 in the
            paper); ``None`` or 0 for none.
        weights: ``None`` (random initialisation), ``"imagenet"`` (download
            the no-top ImageNet weights with ``keras.utils.get_file``, or take
            them from the Keras cache), or a local path: either a weights file
            of this whole classifier (``model.save_weights``) or a weights file
            of the MobileNet backbone (e.g. Keras's
            ``mobilenet_1_0_224_tf_no_top.h5``).
        alpha: MobileNet width multiplier; ImageNet weights exist for 0.25,
            0.5, 0.75 and 1.0.
        dropout: dropout rate after the FC layer.
        rescale_inputs: map [0, 1] inputs to [-1, 1] inside the model.
        trainable_base: ``False`` freezes the MobileNet layers.
        output_activation: ``"softmax"`` or ``None`` for logits.
        name: model name.

    Returns:
        A functional ``keras.Model``; 4,286,664 parameters for 150x150x3 -> 8
        (3,228,864 in MobileNet, 1,049,600 in the FC layer, 8,200 in the
        softmax layer).

    Raises:
        ValueError: for an input smaller than 32x32, the wrong rank,
            ``num_classes < 2``, a bad ``alpha``, ``weights="imagenet"`` with
            an unsupported alpha or not 3 channels, a missing weights file or
            one that fits neither the classifier nor its backbone.
        RuntimeError: if ``weights="imagenet"`` and the file cannot be fetched
            (e.g. no internet); the message says how to pass a local file.

    Examples:
        >>> mobilenet_classifier((150, 150, 3), 8).count_params()
        4286664

    Reference:
        Koziarski, Kwolek, Cyganek (2020), "Convolutional neural
        network-based classification of histopathological images affected by
        data imbalance"; Howard et al. (2017), MobileNets.
    """
    shape = check_input_shape(input_shape, rank=2, min_spatial=32)
    check_output_activation(output_activation, num_classes)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha <= 0:
        raise ValueError(f"`alpha` must be a positive float; received {alpha!r}.")
    if head_units is not None and (isinstance(head_units, bool)
                                   or not isinstance(head_units, int) or head_units < 0):
        raise ValueError(f"`head_units` must be a positive int or None; received {head_units!r}.")
    dropout = check_rate(dropout, "dropout")
    if weights is not None and not isinstance(weights, (str, os.PathLike)):
        raise TypeError(
            f"`weights` must be None, 'imagenet' or a file path; received {weights!r}."
        )
    imagenet = isinstance(weights, str) and weights == "imagenet"
    weights_path = None
    if imagenet:
        if float(alpha) not in _ALPHA_TEXT:
            raise ValueError(
                "`alpha` must be one of 0.25, 0.5, 0.75, 1.0 with weights='imagenet'; "
                f"received {alpha!r}."
            )
        if shape[-1] != 3:
            raise ValueError(
                "weights='imagenet' needs 3-channel input; received "
                f"input_shape={input_shape!r}."
            )
    elif weights is not None:
        weights_path = os.fspath(weights)
        if not os.path.isfile(weights_path):
            raise ValueError(f"`weights` file not found: received {weights!r}.")

    inputs = keras.Input(shape, name="image")
    x = inputs
    if rescale_inputs:
        x = keras.layers.Rescaling(2.0, offset=-1.0, name="rescale")(x)
    base = keras.applications.MobileNet(input_tensor=x, include_top=False, weights=None,
                                        alpha=alpha, pooling=None)
    base.trainable = trainable_base
    x = keras.layers.GlobalAveragePooling2D(name="features")(base.output)
    if head_units:
        x = keras.layers.Dense(head_units, activation="relu", name="fc")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name="fc_dropout")(x)
    outputs = output_head(x, num_classes, output_activation)
    model = keras.Model(inputs, outputs, name=name)

    if imagenet:
        base.load_weights(_imagenet_weights_file(float(alpha), shape[0]))
    elif weights_path is not None:
        try:
            with warnings.catch_warnings():  # a backbone-only file is expected to miss
                warnings.simplefilter("ignore")
                model.load_weights(weights_path)
        except Exception as err_model:  # noqa: BLE001
            try:
                base.load_weights(weights_path)
            except Exception as err_base:  # noqa: BLE001
                raise ValueError(
                    f"`weights`={weights!r} fits neither this classifier "
                    f"({_short(err_model, 300)}) nor its MobileNet backbone "
                    f"({_short(err_base, 300)})."
                ) from err_base
    return model

