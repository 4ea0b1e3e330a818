"""Random 3D geometric augmentation of volumes ``(b, d, h, w, c)``."""

from __future__ import annotations

import itertools
import math
import numbers

import keras
import numpy as np
import tensorflow as tf

from imbkeras.layers._augment2d import check_rank
from imbkeras.layers._base import (RandomLayer, as_float, check_range, is_active, range_bounds,
                                   uniform)
from imbkeras.layers._geometry import (affine_transform, check_fill_mode, check_fill_value,
                                       check_interpolation)

_AXES = {"d": 0, "h": 1, "w": 2, 0: 0, 1: 1, 2: 2}


def cube_rotations() -> np.ndarray:
    """The 24 proper rotations of the cube as ``(24, 3, 3)`` signed permutation matrices."""
    mats = []
    for perm in itertools.permutations(range(3)):
        for signs in itertools.product((1, -1), repeat=3):
            m = np.zeros((3, 3))
            m[np.arange(3), perm] = signs
            if round(np.linalg.det(m)) == 1:
                mats.append(m)
    return np.stack(mats).astype(np.float32)


def rotation_matrix(axis, angle_degrees: float) -> np.ndarray:
    """Rotation matrix (Rodrigues) about ``axis`` (a ``(d, h, w)`` vector) by an angle.

    Examples:
        >>> np.round(rotation_matrix((1, 0, 0), 90)).astype(int).tolist()
        [[1, 0, 0], [0, 0, -1], [0, 1, 0]]
    """
    u = np.asarray(axis, dtype=np.float64)
    u = u / np.linalg.norm(u)
    t = math.radians(angle_degrees)
    k = np.array([[0, -u[2], u[1]], [u[2], 0, -u[0]], [-u[1], u[0], 0]])
    return np.cos(t) * np.eye(3) + np.sin(t) * k + (1 - np.cos(t)) * np.outer(u, u)


def _check_axis(axis):
    if axis is None:
        return None
    if isinstance(axis, (str, numbers.Integral)) and not isinstance(axis, bool):
        if axis not in _AXES:
            raise ValueError(f"`rotation_axis` must be None (random), 'd', 'h', 'w', 0, 1, 2 "
                             f"or a 3-vector; received {axis!r}.")
        return axis
    try:
        v = [float(a) for a in axis]
    except (TypeError, ValueError):
        v = []
    if len(v) != 3 or not np.all(np.isfinite(v)) or np.linalg.norm(v) == 0:
        raise ValueError(f"`rotation_axis` must be None (random), 'd', 'h', 'w', 0, 1, 2 or a "
                         f"non-zero 3-vector; received {axis!r}.")
    return v


def _check_flip_axes(flip_axes):
    error = ValueError(f"`flip_axes` must be a sequence of distinct spatial axes from 'd', "
                       f"'h', 'w' (or 0, 1, 2); received {flip_axes!r}.")
    try:
        axes = list(flip_axes)
    except TypeError:
        raise error from None
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (str, numbers.Integral)) or a not in _AXES:
            raise error
    if len({_AXES[a] for a in axes}) != len(axes):
        raise error
    return axes


@keras.saving.register_keras_serializable(package="imbkeras")
class RandomGeometric3D(RandomLayer):
    """Random rotations (rot90 group and continuous), flips, shifts and zoom of volumes.

    One affine map per volume about its centre, sampled from
    ``(b, d, h, w, c)`` inputs (Keras has no 3D augmentation):
    ``M = R90 @ R(axis, angle) @ zoom @ flips``, then a shift. When only the
    exact parts are on (``rot90`` and flips) voxels are permuted exactly; a
    rot90 applied four times is the identity.

    Args:
        rot90: apply a uniformly random element of the 24 rotations of the
            cube (needs ``d == h == w``).
        rotation_range: continuous rotation angle in degrees: ``r`` means
            uniform in ``(-r, r)``, or a pair ``(low, high)``. The content
            turns by the angle about the axis (right-handed in ``(d, h, w)``
            index order; ``scipy.ndimage.rotate(v, angle, axes=(1, 2))`` for
            the ``"d"`` axis).
        rotation_axis: axis of the continuous rotation: ``None`` (uniformly
            random direction per sample, i.e. rotations about arbitrary
            axes), ``"d"``, ``"h"``, ``"w"`` (or 0, 1, 2) or a 3-vector in
            ``(d, h, w)`` order.
        flip_axes: spatial axes each flipped with probability 0.5, e.g.
            ``("d", "h", "w")``.
        shift_range: shift as a fraction of each side: ``f`` in [0, 1) or a
            pair; the same range for the three axes.
        zoom_range: isotropic sampling-grid scale, ``z`` in [0, 1) meaning
            ``(1 - z, 1 + z)`` or a pair ``(low, high)``; below 1 zooms in.
        interpolation: ``"nearest"``, ``"trilinear"`` (default) or ``"cubic"``
            (64 taps: slow).
        fill_mode: ``"constant"`` (default), ``"nearest"``, ``"reflect"``,
            ``"wrap"``.
        fill_value: value of ``"constant"`` fill.
        seed: seed of the draws.
        **kwargs: ``keras.layers.Layer`` arguments.

    Returns:
        (on call) float volumes of the input's shape.

    Raises:
        ValueError: for ranges of the wrong form, unknown axes or modes,
            ``rot90=True`` on non-cubic volumes, or input that is not a batch
            of volumes (e.g. 2D images).

    Examples:
        >>> import numpy as np
        >>> aug = RandomGeometric3D(rot90=True, flip_axes=("d", "h", "w"), seed=0)
        >>> vol = np.random.default_rng(0).random((2, 8, 8, 8, 1)).astype("float32")
        >>> out = aug(vol).numpy()
        >>> out.shape, bool(np.allclose(np.sort(out.ravel()), np.sort(vol.ravel())))
        ((2, 8, 8, 8, 1), True)

    Reference:
        Luo et al. (2019) (40^3 subtomograms in random orientations); the 3D
        counterpart of Gryshkevych's (2016) 2D augmentation set.
    """

    def __init__(self, rot90: bool = False, rotation_range=0.0, rotation_axis=None,
                 flip_axes=(), shift_range=0.0, zoom_range=0.0,
                 interpolation: str = "trilinear", fill_mode: str = "constant",
                 fill_value: float = 0.0, seed: int | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.rot90 = bool(rot90)
        self.rotation_range = check_range(rotation_range, "rotation_range", kind="angle")
        self.rotation_axis = _check_axis(rotation_axis)
        self.flip_axes = _check_flip_axes(flip_axes)
        self.shift_range = check_range(shift_range, "shift_range", kind="fraction")
        self.zoom_range = check_range(zoom_range, "zoom_range", kind="zoom")
        self.interpolation = check_interpolation(interpolation)
        if self.interpolation == "bilinear":
            raise ValueError(f"`interpolation` must be 'nearest', 'trilinear' or 'cubic' for "
                             f"volumes; received {interpolation!r}.")
        self.fill_mode = check_fill_mode(fill_mode)
        self.fill_value = check_fill_value(fill_value)

    def _continuous(self):
        return (is_active(self.rotation_range, "angle") or is_active(self.shift_range, "fraction")
                or is_active(self.zoom_range, "zoom"))

    def matrices(self, batch_size, spatial, seed):
        """The ``(b, 3, 4)`` maps (output -> input indices) for a seed."""
        s = self._seeds(seed, 6)
        shape = tf.reshape(batch_size, [1])
        eye = tf.eye(3, batch_shape=shape)
        m = eye
        if self.rot90:
            choice = tf.random.stateless_uniform(shape, s[0], maxval=24, dtype=tf.int32)
            m = tf.gather(tf.constant(cube_rotations()), choice)
        if is_active(self.rotation_range, "angle"):
            theta = uniform(s[1], shape, range_bounds(self.rotation_range, "angle"))
            theta = theta * (math.pi / 180.0)
            if self.rotation_axis is None:
                u = tf.random.stateless_normal(tf.concat([shape, [3]], 0), s[2])
                u = u / tf.maximum(tf.norm(u, axis=-1, keepdims=True), 1e-12)
            else:
                if isinstance(self.rotation_axis, list):
                    v = np.asarray(self.rotation_axis, np.float32)
                else:
                    v = np.eye(3, dtype=np.float32)[_AXES[self.rotation_axis]]
                u = tf.broadcast_to(tf.constant(v / np.linalg.norm(v)), tf.concat([shape, [3]], 0))
            zero = tf.zeros_like(u[:, 0])
            k = tf.reshape(tf.stack([zero, -u[:, 2], u[:, 1], u[:, 2], zero, -u[:, 0],
                                     -u[:, 1], u[:, 0], zero], -1), [-1, 3, 3])
            c, sn = tf.cos(theta)[:, None, None], tf.sin(theta)[:, None, None]
            rot = c * eye + sn * k + (1 - c) * (u[:, :, None] * u[:, None, :])
            m = tf.matmul(m, rot, transpose_b=True)  # content turns by +angle
        scale = tf.ones(tf.concat([shape, [3]], 0))
        if is_active(self.zoom_range, "zoom"):
            scale = scale * uniform(s[3], shape, range_bounds(self.zoom_range, "zoom"))[:, None]
        if self.flip_axes:
            mask = np.zeros(3, np.float32)
            mask[[_AXES[a] for a in self.flip_axes]] = 1.0
            flips = tf.where(tf.random.stateless_uniform(tf.concat([shape, [3]], 0), s[4]) < 0.5,
                             -1.0, 1.0)
            scale = scale * tf.where(tf.constant(mask) > 0, flips, 1.0)
        m = m * scale[:, None, :]
        size = tf.constant([float(n) for n in spatial])
        centre = (size - 1.0) / 2.0
        shift = tf.zeros(tf.concat([shape, [3]], 0))
        if is_active(self.shift_range, "fraction"):
            shift = uniform(s[5], tf.concat([shape, [3]], 0),
                            range_bounds(self.shift_range, "fraction")) * size
        offset = centre + shift - tf.linalg.matvec(m, tf.broadcast_to(centre, tf.shape(shift)))
        return tf.concat([m, offset[:, :, None]], axis=-1)

    def augment(self, inputs, seed):
        """Augment ``inputs`` with the stateless ``(2,)`` ``seed``."""
        x = as_float(inputs, self.compute_dtype)
        check_rank(x, (5,), type(self).__name__,
                   "a batch of 3D volumes (b, d, h, w, c); use RandomGeometric2D for images")
        spatial = x.shape[1:-1]
        if any(s is None for s in spatial):
            raise ValueError(f"RandomGeometric3D needs static spatial sizes; received shape "
                             f"{tuple(x.shape)}.")
        if self.rot90 and len(set(spatial)) != 1:
            raise ValueError(f"`rot90`=True needs cubic volumes (d == h == w); received spatial "
                             f"shape {tuple(spatial)}.")
        if not (self.rot90 or self.flip_axes or self._continuous()):
            return x
        m = self.matrices(tf.shape(x)[0], spatial, seed)
        interpolation = self.interpolation if self._continuous() else "nearest"
        return affine_transform(x, m, interpolation, self.fill_mode, self.fill_value)

    def get_config(self):
        config = super().get_config()
        config.update({
            "rot90": self.rot90, "rotation_range": self.rotation_range,
            "rotation_axis": self.rotation_axis, "flip_axes": self.flip_axes,
            "shift_range": self.shift_range, "zoom_range": self.zoom_range,
            "interpolation": self.interpolation, "fill_mode": self.fill_mode,
            "fill_value": self.fill_value, "seed": self.seed})
        return config
