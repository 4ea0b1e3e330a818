"""MixUp (Zhang et al. 2018) of inputs and one-hot / multi-hot labels within a batch."""

from __future__ import annotations

import numbers

import keras
import numpy as np
import tensorflow as tf

from imbkeras.layers._base import RandomLayer, as_float


def _check_alpha(alpha):
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not np.isfinite(alpha) \
            or alpha <= 0:
        raise ValueError(f"`alpha` must be a finite number > 0 (lambda ~ Beta(alpha, alpha)); "
                         f"received {alpha!r}.")
    return float(alpha)


def sample_beta(seed, shape, alpha: float):
    """``Beta(alpha, alpha)`` draws from a stateless ``(2,)`` seed."""
    s = tf.random.experimental.stateless_split(tf.cast(tf.reshape(seed, [2]), tf.int64), 2)
    g1 = tf.random.stateless_gamma(shape, s[0], alpha=alpha)
    g2 = tf.random.stateless_gamma(shape, s[1], alpha=alpha)
    total = g1 + g2
    # for tiny alpha both draws can underflow to 0: Beta is then ~ a fair coin on {0, 1}
    return tf.where(total > 0, g1 / tf.where(total > 0, total, 1.0),
                    tf.cast(g1 >= g2, tf.float32))


@keras.saving.register_keras_serializable(package="imbkeras")
class MixUp(RandomLayer):
    """Mix every sample and its label with a random partner from the same batch.

    For each sample ``i``, ``lambda_i ~ Beta(alpha, alpha)`` and a partner
    ``j = perm(i)`` (a random permutation of the batch) give
    ``x_i' = lambda_i x_i + (1 - lambda_i) x_j`` and
    ``y_i' = lambda_i y_i + (1 - lambda_i) y_j``: inputs and labels with the
    same lambda. Works on any input rank (2D images, 3D volumes, features)
    and on one-hot or multi-hot labels.

    Call it on a pair: ``x_mix, y_mix = MixUp(0.2)((x, y))``, e.g. as a
    pipeline stage ``ds.map(lambda x, y: mixup((x, y)))`` (or
    ``make_dataset(..., mixup_alpha=0.2)``). With ``training=False`` the pair
    is returned unchanged.

    Args:
        alpha: Beta concentration, > 0 (small alpha: lambda near 0 or 1).
        seed: seed of the draws.
        **kwargs: ``keras.layers.Layer`` arguments.

    Returns:
        (on call) ``(x_mix, y_mix)``, float, of the input shapes.

    Raises:
        ValueError: for ``alpha <= 0``, inputs that are not an ``(x, y)``
            pair, sparse (integer, 1-D) labels, or ``x`` and ``y`` of
            different batch sizes.

    Examples:
        >>> import numpy as np
        >>> x = np.arange(4, dtype="float32").reshape(4, 1)
        >>> y = np.eye(4, dtype="float32")
        >>> xm, ym = MixUp(alpha=1.0, seed=0)((x, y))
        >>> bool(np.allclose(xm.numpy()[:, 0], ym.numpy() @ np.arange(4)))
        True

    Reference:
        Zhang et al. (2018), "mixup: Beyond empirical risk minimization";
        Luo et al. (2019), section III-B.
    """

    def __init__(self, alpha: float = 0.2, seed: int | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.alpha = _check_alpha(alpha)

    @staticmethod
    def _split(inputs):
        if isinstance(inputs, dict) and set(inputs) >= {"images", "labels"}:
            return inputs["images"], inputs["labels"]
        if not isinstance(inputs, (tuple, list)) or len(inputs) != 2:
            raise ValueError(f"MixUp must be called on a pair (x, y); received "
                             f"{type(inputs).__name__} {getattr(inputs, 'shape', '')}.")
        return inputs[0], inputs[1]

    def _identity(self, inputs):
        x, y = self._split(inputs)
        return as_float(x, self.compute_dtype), y

    def augment(self, inputs, seed):
        """Mix the pair ``inputs = (x, y)`` with the stateless ``(2,)`` ``seed``."""
        x, y = self._split(inputs)
        x = as_float(x, self.compute_dtype)
        y = tf.convert_to_tensor(y)
        if y.shape.rank is not None and y.shape.rank < 2:
            raise ValueError(f"MixUp needs one-hot or multi-hot labels of shape (batch, "
                             f"n_classes); received labels of shape {tuple(y.shape)} (sparse "
                             f"labels? use label_mode='categorical').")
        if x.shape.rank is not None and x.shape.rank < 2:
            raise ValueError(f"MixUp needs a batch of inputs (batch, ...); received shape "
                             f"{tuple(x.shape)}.")
        if x.shape[0] is not None and y.shape[0] is not None and x.shape[0] != y.shape[0]:
            raise ValueError(f"MixUp needs x and y of the same batch size; received "
                             f"{x.shape[0]} and {y.shape[0]}.")
        y = as_float(y, self.compute_dtype)
        s = self._seeds(seed, 2)
        b = tf.shape(x)[:1]
        lam = tf.cast(sample_beta(s[0], b, self.alpha), x.dtype)
        perm = tf.argsort(tf.random.stateless_uniform(b, s[1]))
        lx = tf.reshape(lam, tf.concat([b, tf.ones([tf.rank(x) - 1], tf.int32)], 0))
        ly = tf.reshape(lam, tf.concat([b, tf.ones([tf.rank(y) - 1], tf.int32)], 0))
        x_mix = lx * x + (1 - lx) * tf.gather(x, perm)
        y_mix = ly * y + (1 - ly) * tf.gather(y, perm)
        return x_mix, y_mix

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"alpha": self.alpha, "seed": self.seed})
        return config
