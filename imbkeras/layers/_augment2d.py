"""Random 2D geometric augmentation: Gryshkevych's set (rotation, shear, shift, zoom, flips)."""

from __future__ import annotations

import math

import keras
import tensorflow as tf

from imbkeras.layers._base import (RandomLayer, as_float, check_range, is_active, range_bounds,
                                   uniform)
from imbkeras.layers._geometry import (affine_transform, check_fill_mode, check_fill_value,
                                       check_interpolation)


def check_rank(x, ranks, layer: str, expected: str):
    rank = x.shape.rank
    if rank not in ranks:
        hint = {3: "a single 2D image (h, w, c)", 4: "a batch of 2D images (b, h, w, c)",
                5: "a batch of 3D volumes (b, d, h, w, c)"}.get(rank, f"rank-{rank} data")
        raise ValueError(f"{layer} expects {expected}; received shape {tuple(x.shape)} "
                         f"({hint}).")


@keras.saving.register_keras_serializable(package="imbkeras")
class RandomGeometric2D(RandomLayer):
    """Random rotation, shear, shift, zoom and flips of 2D images, each optional.

    One affine map per image (rotation, shear and zoom about the image centre,
    then a shift; flips are exact), applied to a batch ``(b, h, w, c)`` or a
    single image ``(h, w, c)``. The argument names follow Keras's
    ``ImageDataGenerator``, the tool Gryshkevych (2016) used.

    Args:
        rotation_range: degrees; ``r`` means uniform in ``(-r, r)``, or a pair
            ``(low, high)``; positive angles turn the content as
            ``scipy.ndimage.rotate`` does. Gryshkevych: 180.
        shear_range: shear angle in degrees, same forms (Keras 1's
            ``shear_range=0.2`` radians, Gryshkevych's setting, is about 11.5).
        width_shift_range: horizontal shift as a fraction of the width:
            ``f`` in [0, 1) means ``(-f, f)``, or a pair. Gryshkevych: 0.1.
        height_shift_range: vertical shift, same forms.
        zoom_range: sampling-grid scale per axis, drawn independently for
            rows and columns as in ``ImageDataGenerator``: ``z`` in [0, 1)
            means ``(1 - z, 1 + z)``, or a pair ``(low, high)``, ``low > 0``.
            Values below 1 zoom in (0.8 shows 80 % of the field of view),
            above 1 zoom out. Gryshkevych: ``(0.8, 1.0)``.
        horizontal_flip: flip left-right with probability 0.5.
        vertical_flip: flip up-down with probability 0.5.
        fill_mode: ``"constant"``, ``"nearest"`` (default, as
            ``ImageDataGenerator``), ``"reflect"`` or ``"wrap"``.
        fill_value: value of ``"constant"`` fill.
        interpolation: ``"nearest"``, ``"bilinear"`` (default) or
            ``"bicubic"`` (Keys cubic convolution: spline quality, slower).
        seed: seed of the draws.
        **kwargs: ``keras.layers.Layer`` arguments (``name``, ``dtype``...).

    Returns:
        (on call) float images of the input's shape; the input unchanged (as
        float) when ``training=False``.

    Raises:
        ValueError: for ranges of the wrong form (negative, not a pair,
            ``low > high``, shifts outside (-1, 1), zoom <= 0), unknown modes,
            or input that is not 2D image data (e.g. 3D volumes).

    Examples:
        >>> import numpy as np
        >>> aug = RandomGeometric2D(rotation_range=180, width_shift_range=0.1,
        ...                         horizontal_flip=True, seed=0)
        >>> aug(np.zeros((2, 8, 8, 1), "float32")).shape
        TensorShape([2, 8, 8, 1])

    Reference:
        Gryshkevych (2016), section 4.8.1 (rotation +-180, shear 0.2, shift
        10 %, zoom 0.8-1.0, horizontal/vertical flips).
    """

    def __init__(self, rotation_range=0.0, shear_range=0.0, width_shift_range=0.0,
                 height_shift_range=0.0, zoom_range=0.0, horizontal_flip: bool = False,
                 vertical_flip: bool = False, fill_mode: str = "nearest",
                 fill_value: float = 0.0, interpolation: str = "bilinear",
                 seed: int | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rotation_range = check_range(rotation_range, "rotation_range", kind="angle")
        self.shear_range = check_range(shear_range, "shear_range", kind="angle")
        self.width_shift_range = check_range(width_shift_range, "width_shift_range",
                                             kind="fraction")
        self.height_shift_range = check_range(height_shift_range, "height_shift_range",
                                              kind="fraction")
        self.zoom_range = check_range(zoom_range, "zoom_range", kind="zoom")
        self.horizontal_flip = bool(horizontal_flip)
        self.vertical_flip = bool(vertical_flip)
        self.fill_mode = check_fill_mode(fill_mode)
        self.fill_value = check_fill_value(fill_value)
        self.interpolation = check_interpolation(interpolation)
        if self.interpolation in ("trilinear",):
            raise ValueError(f"`interpolation` must be 'nearest', 'bilinear' or 'bicubic' for "
                             f"2D images; received {interpolation!r}.")

    def _active(self):
        return (is_active(self.rotation_range, "angle") or is_active(self.shear_range, "angle")
                or is_active(self.width_shift_range, "fraction")
                or is_active(self.height_shift_range, "fraction")
                or is_active(self.zoom_range, "zoom") or self.horizontal_flip
                or self.vertical_flip)

    def matrices(self, batch_size, height, width, seed):
        """The ``(b, 2, 3)`` maps (output -> input, ``(row, col)`` indices) for a seed."""
        s = self._seeds(seed, 8)
        shape = tf.reshape(batch_size, [1])
        zeros = tf.zeros(shape, tf.float32)
        ones = tf.ones(shape, tf.float32)
        deg = math.pi / 180.0
        theta = -uniform(s[0], shape, range_bounds(self.rotation_range, "angle")) * deg \
            if is_active(self.rotation_range, "angle") else zeros
        shear = uniform(s[1], shape, range_bounds(self.shear_range, "angle")) * deg \
            if is_active(self.shear_range, "angle") else zeros
        zr, zc = ((uniform(s[2], shape, range_bounds(self.zoom_range, "zoom")),
                   uniform(s[3], shape, range_bounds(self.zoom_range, "zoom")))
                  if is_active(self.zoom_range, "zoom") else (ones, ones))
        h = tf.cast(height, tf.float32)
        w = tf.cast(width, tf.float32)
        tr = uniform(s[4], shape, range_bounds(self.height_shift_range, "fraction")) * h \
            if is_active(self.height_shift_range, "fraction") else zeros
        tc = uniform(s[5], shape, range_bounds(self.width_shift_range, "fraction")) * w \
            if is_active(self.width_shift_range, "fraction") else zeros

        def flip(seed_, on):
            if not on:
                return ones
            return tf.where(tf.random.stateless_uniform(shape, seed_) < 0.5, -1.0, 1.0)

        fr, fc = flip(s[6], self.vertical_flip), flip(s[7], self.horizontal_flip)
        # M = R(theta) @ Shear(shear) @ diag(zr, zc) @ diag(fr, fc); R @ S has
        # columns (cos t, sin t) and (-sin(t + s), cos(t + s)).
        m00 = tf.cos(theta) * zr * fr
        m10 = tf.sin(theta) * zr * fr
        m01 = -tf.sin(theta + shear) * zc * fc
        m11 = tf.cos(theta + shear) * zc * fc
        cr, cc = (h - 1.0) / 2.0, (w - 1.0) / 2.0
        o0 = cr + tr - (m00 * cr + m01 * cc)
        o1 = cc + tc - (m10 * cr + m11 * cc)
        return tf.reshape(tf.stack([m00, m01, o0, m10, m11, o1], axis=-1), [-1, 2, 3])

    def augment(self, inputs, seed):
        """Augment ``inputs`` with the stateless ``(2,)`` ``seed`` (same seed, same output)."""
        x = as_float(inputs, self.compute_dtype)
        check_rank(x, (3, 4), type(self).__name__,
                   "2D images (b, h, w, c) or (h, w, c); use RandomGeometric3D for volumes")
        if not self._active():
            return x
        single = x.shape.rank == 3
        if single:
            x = x[None]
        shape = tf.shape(x)
        m = self.matrices(shape[0], shape[1], shape[2], seed)
        if self.interpolation in ("nearest", "bilinear", "linear"):
            # fast path: the fused TF kernel, transform = (a0 a1 a2 b0 b1 b2 0 0) on (x=col, y=row)
            transform = tf.stack([m[:, 1, 1], m[:, 1, 0], m[:, 1, 2], m[:, 0, 1], m[:, 0, 0],
                                  m[:, 0, 2], tf.zeros_like(m[:, 0, 0]),
                                  tf.zeros_like(m[:, 0, 0])], axis=-1)
            out = keras.ops.image.affine_transform(
                x, transform, interpolation="nearest" if self.interpolation == "nearest"
                else "bilinear", fill_mode=self.fill_mode, fill_value=self.fill_value,
                data_format="channels_last")
        else:
            out = affine_transform(x, m, "cubic", self.fill_mode, self.fill_value)
        return out[0] if single else out

    def get_config(self):
        config = super().get_config()
        config.update({
            "rotation_range": self.rotation_range, "shear_range": self.shear_range,
            "width_shift_range": self.width_shift_range,
            "height_shift_range": self.height_shift_range, "zoom_range": self.zoom_range,
            "horizontal_flip": self.horizontal_flip, "vertical_flip": self.vertical_flip,
            "fill_mode": self.fill_mode, "fill_value": self.fill_value,
            "interpolation": self.interpolation, "seed": self.seed})
        return config
