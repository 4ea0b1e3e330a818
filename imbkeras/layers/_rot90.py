"""One of the rot90 multiples or a flip per sample (Al-joudi et al. 2023), 2D and 3D."""

from __future__ import annotations

import itertools

import keras
import numpy as np
import tensorflow as tf

from imbkeras.layers._augment2d import check_rank
from imbkeras.layers._base import RandomLayer, as_float


def rot90_flip_ops(spatial):
    """Names and index permutations of the candidate transforms for a spatial shape.

    2D: identity, rot90 k = 1, 2, 3 (``np.rot90`` on the (h, w) plane) and
    flips of h and w (6). 3D: identity, rot90 k = 1, 2, 3 in each of the
    planes (d, h), (d, w), (h, w) and flips of d, h, w (13). Odd multiples in a
    non-square plane would change the shape and are left out.
    """
    spatial = tuple(int(s) for s in spatial)
    grid = np.arange(int(np.prod(spatial)), dtype=np.int32).reshape(spatial)
    names, perms = ["identity"], [grid.ravel()]
    for a, b in itertools.combinations(range(len(spatial)), 2):
        for k in (1, 2, 3):
            if k % 2 and spatial[a] != spatial[b]:
                continue
            names.append(f"rot90(k={k}, axes=({a}, {b}))")
            perms.append(np.rot90(grid, k, axes=(a, b)).ravel())
    for a in range(len(spatial)):
        names.append(f"flip(axis={a})")
        perms.append(np.flip(grid, a).ravel())
    return names, np.stack(perms)


@keras.saving.register_keras_serializable(package="imbkeras")
class RandomRot90Flip(RandomLayer):
    """Apply one random transform per sample: a multiple of 90 degrees or a flip.

    Every sample gets one transform drawn uniformly from
    :func:`rot90_flip_ops`: for 2D images the identity, rotations by 90, 180,
    270 degrees and horizontal / vertical flips (Al-joudi et al.'s set); for
    3D volumes the identity, the three rot90 multiples in each axis plane and
    the flips of each axis. The transforms permute pixels exactly (no
    interpolation).

    Args:
        ndim: 2 for images ``(b, h, w, c)`` (or one image ``(h, w, c)``), 3 for
            volumes ``(b, d, h, w, c)``.
        include_identity: keep the identity among the choices (default True,
            "one of rotation by 0, 90, 180, 270 and flips").
        seed: seed of the draws.
        **kwargs: ``keras.layers.Layer`` arguments.

    Returns:
        (on call) float data of the input's shape.

    Raises:
        ValueError: for ``ndim`` other than 2 or 3, or input of the other
            dimensionality (volumes to the 2D layer and vice versa), or
            spatial sizes not known statically.

    Examples:
        >>> import numpy as np
        >>> layer = RandomRot90Flip(ndim=2, seed=0)
        >>> layer(np.arange(2 * 16).reshape(2, 4, 4, 1)).shape
        TensorShape([2, 4, 4, 1])

    Reference:
        Al-joudi et al. (2023), section 3.2 (rotation by 0/90/180/270 or a
        horizontal/vertical flip, one per image).
    """

    def __init__(self, ndim: int = 2, include_identity: bool = True, seed: int | None = None,
                 **kwargs):
        super().__init__(seed=seed, **kwargs)
        if ndim not in (2, 3) or isinstance(ndim, bool):
            raise ValueError(f"`ndim` must be 2 (images) or 3 (volumes); received {ndim!r}.")
        self.ndim = int(ndim)
        self.include_identity = bool(include_identity)

    def augment(self, inputs, seed):
        """Augment ``inputs`` with the stateless ``(2,)`` ``seed``."""
        x = as_float(inputs, self.compute_dtype)
        if self.ndim == 2:
            check_rank(x, (3, 4), type(self).__name__ + "(ndim=2)",
                       "2D images (b, h, w, c) or (h, w, c); pass ndim=3 for volumes")
        else:
            check_rank(x, (5,), type(self).__name__ + "(ndim=3)",
                       "3D volumes (b, d, h, w, c); pass ndim=2 for images")
        single = x.shape.rank == 3
        if single:
            x = x[None]
        spatial = x.shape[1:-1]
        if any(s is None for s in spatial):
            raise ValueError(f"{type(self).__name__} needs static spatial sizes; received "
                             f"shape {tuple(x.shape)}.")
        _, perms = rot90_flip_ops(spatial)
        if not self.include_identity:
            perms = perms[1:]
        shape = tf.shape(x)
        choice = tf.random.stateless_uniform(shape[:1], tf.cast(tf.reshape(seed, [2]), tf.int64),
                                             maxval=len(perms), dtype=tf.int32)
        index = tf.gather(tf.constant(perms), choice)
        flat = tf.reshape(x, tf.stack([shape[0], -1, shape[-1]]))
        out = tf.reshape(tf.gather(flat, index, batch_dims=1), shape)
        return out[0] if single else out

    def get_config(self):
        config = super().get_config()
        config.update({"ndim": self.ndim, "include_identity": self.include_identity,
                       "seed": self.seed})
        return config
