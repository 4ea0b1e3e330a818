"""Helpers shared by the model builders: argument checks and output heads."""

from __future__ import annotations

from collections.abc import Sequence

import keras

from imbkeras._validation import check_num_classes


def check_input_shape(input_shape, rank: int, name: str = "input_shape",
                      min_spatial: int | Sequence[int] = 1) -> tuple:
    """Validate ``input_shape`` = spatial dims + channels for a ``rank``-D model.

    Args:
        input_shape: e.g. ``(28, 28, 1)`` for 2D or ``(40, 40, 40, 1)`` for 3D.
        rank: number of spatial dimensions the model expects (2 or 3).
        min_spatial: the smallest size each spatial dimension may have.
    """
    try:
        shape = tuple(int(s) for s in input_shape)
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
                f"spatial dimension must be at least {m}."
            )
    return shape


def output_head(x, num_classes: int, output_activation: str | None = "softmax",
                name: str = "predictions", **dense_kwargs):
    """Final dense layer; ``output_activation=None`` returns logits."""
    check_num_classes(num_classes)
    if output_activation not in (None, "softmax", "sigmoid", "linear"):
        raise ValueError(
            "`output_activation` must be 'softmax', 'sigmoid' or None (logits); "
            f"received {output_activation!r}."
        )
    return keras.layers.Dense(num_classes, activation=output_activation, name=name,
                              **dense_kwargs)(x)
