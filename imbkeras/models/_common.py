"""Helpers shared by the model builders: argument checks, layer factories and
output heads."""

from __future__ import annotations

import numbers
import random
from collections.abc import Callable, Sequence

import keras

from imbkeras._validation import check_num_classes, check_real

#: Activations that are layers with weights rather than plain functions.
_LAYER_ACTIVATIONS = ("prelu",)


def check_input_shape(input_shape, rank: int, name: str = "input_shape",
                      min_spatial: int | Sequence[int] = 1) -> tuple:
    """Validate ``input_shape`` = spatial dims + channels for a ``rank``-D model.

    Args:
        input_shape: e.g. ``(28, 28, 1)`` for 2D or ``(40, 40, 40, 1)`` for 3D.
        rank: number of spatial dimensions the model expects (2 or 3).
        name: argument name used in error messages.
        min_spatial: the smallest size each spatial dimension may have.

    Returns:
        The shape as a tuple of ints.

    Raises:
        TypeError: if ``input_shape`` is not a sequence of ints.
        ValueError: for the wrong number of entries (rank), non-positive
            entries, or a spatial size below ``min_spatial`` (the message says
            the minimum).
    """
    if isinstance(input_shape, (str, bytes)):
        raise TypeError(
            f"`{name}` must be a tuple of ints (spatial dims + channels); "
            f"received {input_shape!r}."
        )
    try:
        shape = tuple(int(s) for s in input_shape)
        if any(isinstance(s, bool) or int(s) != s for s in input_shape):
            raise ValueError
    except (TypeError, ValueError):
        raise TypeError(
            f"`{name}` must be a tuple of ints (spatial dims + channels); "
            f"received {input_shape!r}."
        ) from None
    if len(shape) != rank + 1:
        raise ValueError(
            f"`{name}` must have {rank + 1} entries ({rank} spatial dims + channels) "
            f"for this {rank}D model; received {input_shape!r} ({len(shape)} entries)."
        )
    if any(s < 1 for s in shape):
        raise ValueError(f"`{name}` must be positive; received {input_shape!r}.")
    mins = [min_spatial] * rank if isinstance(min_spatial, int) else list(min_spatial)
    for s, m in zip(shape[:rank], mins):
        if s < m:
            raise ValueError(
                f"`{name}`={input_shape!r} is too small for this network: each "
                f"spatial dimension must be at least {m} (minimum input "
                f"{tuple([m] * rank + [shape[-1]])})."
            )
    return shape


# ----------------------------------------------------------------------------
# Spatial-size arithmetic, used to find each network's smallest valid input.
# ----------------------------------------------------------------------------

def conv_size(n: int, kernel: int, stride: int = 1, padding: str = "valid") -> int:
    """Output length of a convolution/pooling window along one axis."""
    if padding == "same":
        return -(-n // stride)
    return (n - kernel) // stride + 1 if n >= kernel else 0


def min_input_size(out_size: Callable[[int], int], limit: int = 4096) -> int:
    """Smallest ``n`` such that ``out_size(n) >= 1`` (``out_size`` is monotone).

    ``out_size`` maps an input side length to the side length of the last
    feature map (0 or less when some layer would get an empty input).
    """
    for n in range(1, limit + 1):
        if out_size(n) >= 1:
            return n
    raise ValueError(f"no valid input size up to {limit}.")  # pragma: no cover


# ----------------------------------------------------------------------------
# Argument checks.
# ----------------------------------------------------------------------------

def check_rate(value, name: str) -> float:
    """A dropout rate in ``[0, 1)``."""
    return check_real(value, name, minimum=0.0, maximum=1.0, right_open=True)


def check_nonneg(value, name: str) -> float:
    return check_real(value, name, minimum=0.0)


def check_int_tuple(value, name: str, allow_empty: bool = False) -> tuple:
    """A positive int or a sequence of positive ints -> tuple of ints."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    try:
        out = tuple(value)
    except TypeError:
        raise TypeError(
            f"`{name}` must be a sequence of positive ints; received {value!r}."
        ) from None
    if any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1
           for v in out):
        raise ValueError(f"`{name}` must hold positive ints; received {value!r}.")
    if not out and not allow_empty:
        raise ValueError(f"`{name}` must not be empty; received {value!r}.")
    return tuple(int(v) for v in out)


def check_choice(value, name: str, choices: Sequence) -> object:
    if value not in tuple(choices):
        raise ValueError(
            f"`{name}` must be one of {', '.join(repr(c) for c in choices)}; "
            f"received {value!r}."
        )
    return value


def check_activation(activation, name: str = "activation",
                     allowed: Sequence[str] | None = None) -> str:
    """Validate an activation name: any Keras activation, or ``"prelu"``.

    Raises:
        ValueError: for an unknown name (or one outside ``allowed``).
        TypeError: for a non-string.
    """
    if not isinstance(activation, str):
        raise TypeError(
            f"`{name}` must be an activation name such as 'relu'; received "
            f"{activation!r}."
        )
    if allowed is not None:
        return check_choice(activation, name, allowed)
    if activation in _LAYER_ACTIVATIONS:
        return activation
    try:
        keras.activations.get(activation)
    except (ValueError, TypeError):
        raise ValueError(
            f"Unknown `{name}`={activation!r}: expected a Keras activation name "
            f"(e.g. 'relu', 'selu', 'elu', 'gelu', 'swish') or 'prelu'."
        ) from None
    return activation


def check_initializer(initializer, name: str = "kernel_initializer") -> str:
    """Validate an initializer name: any Keras initializer (e.g. ``"he_normal"``).

    Draws no random number: Keras seeds an unseeded initializer from Python's
    ``random`` when it is built, so the state is restored after the trial
    build (a validated model gets the very weights of an unvalidated one).

    Raises:
        ValueError: for an unknown name.
        TypeError: for a non-string.
    """
    if not isinstance(initializer, str):
        raise TypeError(f"`{name}` must be a Keras initializer name such as 'he_normal'; "
                        f"received {initializer!r}.")
    state = random.getstate()
    try:
        keras.initializers.get(initializer)
    except (ValueError, TypeError):
        raise ValueError(f"Unknown `{name}`={initializer!r}: expected a Keras initializer "
                         f"name (e.g. 'glorot_uniform', 'he_normal', 'lecun_normal').") from None
    finally:
        random.setstate(state)
    return initializer


def check_output_activation(output_activation, num_classes: int) -> None:
    """``softmax`` (needs >= 2 classes), ``sigmoid`` (>= 1) or ``None`` (logits)."""
    if output_activation not in (None, "softmax", "sigmoid", "linear"):
        raise ValueError(
            "`output_activation` must be 'softmax', 'sigmoid' or None (logits); "
            f"received {output_activation!r}."
        )
    check_num_classes(num_classes, minimum=1 if output_activation == "sigmoid" else 2)


# ----------------------------------------------------------------------------
# Layer factories (rank-generic).
# ----------------------------------------------------------------------------

def conv_cls(rank: int):
    return {1: keras.layers.Conv1D, 2: keras.layers.Conv2D, 3: keras.layers.Conv3D}[rank]


def max_pool_cls(rank: int):
    return {1: keras.layers.MaxPooling1D, 2: keras.layers.MaxPooling2D,
            3: keras.layers.MaxPooling3D}[rank]


def avg_pool_cls(rank: int):
    return {1: keras.layers.AveragePooling1D, 2: keras.layers.AveragePooling2D,
            3: keras.layers.AveragePooling3D}[rank]


def global_pool_cls(rank: int, kind: str = "avg"):
    if kind == "avg":
        return {1: keras.layers.GlobalAveragePooling1D, 2: keras.layers.GlobalAveragePooling2D,
                3: keras.layers.GlobalAveragePooling3D}[rank]
    return {1: keras.layers.GlobalMaxPooling1D, 2: keras.layers.GlobalMaxPooling2D,
            3: keras.layers.GlobalMaxPooling3D}[rank]


def activation_layer(activation: str, name: str, rank: int | None = None):
    """A layer applying ``activation``; ``"prelu"`` gets one slope per channel."""
    if activation == "prelu":
        shared = list(range(1, rank + 1)) if rank else None
        return keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25),
                                  shared_axes=shared, name=name)
    return keras.layers.Activation(activation, name=name)


def conv_act(x, filters: int, kernel_size, *, rank: int, name: str, strides=1,
             padding: str = "same", activation: str | None = "relu",
             batch_norm: bool = False, **conv_kwargs):
    """Convolution (+ batch norm) + activation, named ``name``, ``name_bn``, ``name_act``."""
    conv = conv_cls(rank)(filters, kernel_size, strides=strides, padding=padding,
                          use_bias=not batch_norm, name=name, **conv_kwargs)
    x = conv(x)
    if batch_norm:
        x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    if activation is not None:
        x = activation_layer(activation, f"{name}_act", rank)(x)
    return x


def dense_act(x, units: int, *, name: str, activation: str | None = "relu",
              batch_norm: bool = False, **dense_kwargs):
    """Dense (+ batch norm) + activation."""
    x = keras.layers.Dense(units, use_bias=not batch_norm, name=name, **dense_kwargs)(x)
    if batch_norm:
        x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    if activation is not None:
        x = activation_layer(activation, f"{name}_act", None)(x)
    return x


def output_head(x, num_classes: int, output_activation: str | None = "softmax",
                name: str = "predictions", **dense_kwargs):
    """Final dense layer; ``output_activation=None`` returns logits."""
    check_output_activation(output_activation, num_classes)
    return keras.layers.Dense(num_classes, activation=output_activation, name=name,
                              **dense_kwargs)(x)
