"""Shared machinery of imbkeras's random layers: seeds, ranges, rank checks."""

from __future__ import annotations

import numbers

import keras
import numpy as np
import tensorflow as tf

from imbkeras._validation import _short
from imbkeras._validation import check_seed as _check_seed
from imbkeras.layers._geometry import stateless_seeds




def _is_number(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, numbers.Real) and bool(np.isfinite(v))


def check_range(value, name: str, *, kind: str):
    """Validate a range argument; return it normalised (float or ``[low, high]``).

    kinds: ``"angle"`` (number r >= 0 means (-r, r); any pair low <= high),
    ``"fraction"`` (number in [0, 1) means (-f, f); pair within (-1, 1)),
    ``"zoom"`` (number z in [0, 1) means (1 - z, 1 + z); pair 0 < low <= high).
    """
    forms = {
        "angle": "a number >= 0 (meaning (-r, r)) or a pair (low, high) with low <= high",
        "fraction": "a number in [0, 1) (meaning (-f, f)) or a pair (low, high) within "
                    "(-1, 1) with low <= high",
        "zoom": "a number in [0, 1) (meaning (1 - z, 1 + z)) or a pair (low, high) with "
                "0 < low <= high",
    }[kind]
    bad = ValueError(f"`{name}` must be {forms}; received {_short(value)}.")
    if _is_number(value):
        v = float(value)
        if v < 0 or (kind in ("fraction", "zoom") and v >= 1):
            raise bad
        return v
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise bad
    lo, hi = value
    if not (_is_number(lo) and _is_number(hi)) or lo > hi:
        raise bad
    if kind == "fraction" and not (-1 < lo and hi < 1):
        raise bad
    if kind == "zoom" and lo <= 0:
        raise bad
    return [float(lo), float(hi)]


def range_bounds(value, kind: str):
    """``(low, high)`` of a normalised range."""
    if isinstance(value, list):
        return tuple(value)
    if kind == "zoom":
        return 1.0 - value, 1.0 + value
    return -value, value


def is_active(value, kind: str) -> bool:
    lo, hi = range_bounds(value, kind)
    neutral = 1.0 if kind == "zoom" else 0.0
    return not (lo == neutral and hi == neutral)


def uniform(seed, shape, bounds):
    lo, hi = bounds
    return tf.random.stateless_uniform(shape, seed, minval=lo, maxval=hi, dtype=tf.float32)


def check_seed(seed, name: str = "seed"):
    """A layer's seed: ``None`` (Keras draws one) or a non-negative int."""
    seed = _check_seed(seed, name)
    return None if seed is None else int(seed)


def as_float(x, dtype="float32"):
    x = tf.convert_to_tensor(x)
    if x.dtype != tf.as_dtype(dtype):
        x = tf.cast(x, dtype)
    return x


class RandomLayer(keras.layers.Layer):
    """Base of the random layers: ``call`` draws a seed, ``augment`` is stateless.

    ``augment(inputs, seed)`` is a pure function of its ``(2,)`` integer seed,
    so pipelines can pass one seed per batch and get the same augmentation
    for the same seed whatever the parallelism; ``call`` takes the next seed
    from a ``keras.random.SeedGenerator`` (state saved with the model).
    Outputs are float (the layer's compute dtype).
    """

    stateless_augment = True  # pipelines call ``augment(x, seed)`` with per-batch seeds

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = check_seed(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed)
        self.supports_masking = False

    def call(self, inputs, training=True):
        if training is False:
            return self._identity(inputs)
        return self.augment(inputs, self.seed_generator.next())

    def _identity(self, inputs):
        return as_float(inputs, self.compute_dtype)

    def augment(self, inputs, seed):  # pragma: no cover - abstract
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return input_shape

    @staticmethod
    def _seeds(seed, num):
        return stateless_seeds(seed, num)
