"""Shared argument checks and tensor helpers for the losses (private)."""

from __future__ import annotations


import keras
import numpy as np
from keras import ops

from imbkeras._validation import (_short, check_class_vector, check_label_rates,  # noqa: F401
                                  check_priors, check_real)

register = keras.saving.register_keras_serializable(package="imbkeras")


# --------------------------------------------------------------------------- checks
def check_gamma(gamma, name: str = "gamma") -> float:
    return check_real(gamma, name, minimum=0.0)


def check_label_smoothing(label_smoothing) -> float:
    return check_real(label_smoothing, "label_smoothing", minimum=0.0, maximum=1.0)


def check_beta(beta) -> float:
    return check_real(beta, "beta", minimum=0.0, maximum=1.0, right_open=True)


def check_samples_per_class(samples_per_class, name: str = "samples_per_class") -> np.ndarray:
    """Validate per-class training counts: 1-D, finite, every class with > 0 samples.

    Raises:
        ValueError: naming the classes with 0 samples (their weight, margin or
            log-prior would be infinite), or for negative / non-finite counts.
    """
    arr = check_class_vector(samples_per_class, name, minimum=0.0)
    if arr.size < 2:
        raise ValueError(f"`{name}` must have one count per class (>= 2 classes); received "
                         f"{_short(arr.tolist())}.")
    if (arr == 0).any():
        missing = np.flatnonzero(arr == 0).tolist()
        raise ValueError(f"`{name}` has 0 samples for class(es) {missing}; count-based losses "
                         f"need every class in the training set (received "
                         f"{_short(arr.tolist())}). Drop the empty classes or give them a "
                         f"pseudo-count of 1.")
    return arr


def check_length(vector_len: int, num_classes, name: str, what: str = "y_pred") -> None:
    if num_classes is not None and vector_len != num_classes:
        where = " (its last axis)" if what == "y_pred" else ""
        raise ValueError(f"`{name}` has {vector_len} entries but `{what}`{where} has "
                         f"{num_classes} classes; give one entry per class.")


def to_list(arr) -> list | float | None:
    if arr is None:
        return None
    a = np.asarray(arr, dtype=np.float64)
    return float(a) if a.ndim == 0 else [float(v) for v in a]


# ---------------------------------------------------------------- class weights
def class_balanced_weights(samples_per_class, beta: float = 0.9999,
                           normalize: bool = True) -> np.ndarray:
    """Class-balanced weights from the effective number of samples (Cui et al. 2019).

    ``w_c = (1 - beta) / (1 - beta ** n_c)``; the inverse of the effective number
    ``E_c = (1 - beta ** n_c) / (1 - beta)``. ``beta = 0`` gives equal weights,
    ``beta -> 1`` approaches inverse class frequency.

    Args:
        samples_per_class: training count of every class (all > 0).
        beta: in ``[0, 1)``.
        normalize: rescale so that the weights sum to the number of classes (as
            in the paper), so the loss keeps its scale.

    Returns:
        float64 array of length K.

    Raises:
        ValueError: for ``beta`` outside ``[0, 1)`` or a class with 0 samples.

    Examples:
        >>> class_balanced_weights([100, 10], beta=0.9).round(4).tolist()
        [0.7889, 1.2111]

    Reference:
        Cui, Jia, Lin, Song, Belongie (2019), Class-Balanced Loss Based on
        Effective Number of Samples, CVPR, eq. (2)-(3).
    """
    n = check_samples_per_class(samples_per_class)
    beta = check_beta(beta)
    w = (1.0 - beta) / (1.0 - np.power(beta, n))
    if normalize:
        w = w / w.sum() * len(n)
    return w


def ldam_margins(samples_per_class, max_margin: float = 0.5) -> np.ndarray:
    """LDAM margins ``m_c = C / n_c ** (1/4)`` with ``C`` so that ``max(m) = max_margin``.

    Examples:
        >>> ldam_margins([10000, 1], max_margin=0.5).tolist()
        [0.05, 0.5]

    Reference:
        Cao, Wei, Gaidon, Arechiga, Ma (2019), Learning Imbalanced Datasets with
        Label-Distribution-Aware Margin Loss, NeurIPS, eq. (13).
    """
    n = check_samples_per_class(samples_per_class)
    max_margin = check_real(max_margin, "max_margin", minimum=0.0)
    m = 1.0 / np.power(n, 0.25)
    return m * (max_margin / m.max())


# -------------------------------------------------------------------- tensors
def dense_targets(y_true, y_pred, name: str = "y_true"):
    """Return ``(one_hot_targets, y_pred)`` for sparse, ``(..., 1)`` or one-hot ``y_true``.

    ``y_pred`` has shape ``(..., K)``. ``y_true`` is sparse when it has one rank
    less than ``y_pred`` or a trailing axis of size 1 (and ``K > 1``); it is
    one-hot / soft when it has the shape of ``y_pred``.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    if not backend_is_floating(y_pred.dtype):
        y_pred = ops.cast(y_pred, "float32")
    y_true = ops.convert_to_tensor(y_true)
    k = y_pred.shape[-1]
    if k is None:
        raise ValueError("`y_pred` must have a known number of classes (last axis); received "
                         f"shape {y_pred.shape}.")
    rt, rp = len(y_true.shape), len(y_pred.shape)
    if rt == rp - 1:
        sparse = True
    elif rt == rp and y_true.shape[-1] == 1 and k > 1:
        y_true = ops.squeeze(y_true, axis=-1)
        sparse = True
    elif rt == rp and (y_true.shape[-1] in (k, None)):
        sparse = False
    else:
        raise ValueError(f"`{name}` must be sparse class ids of shape {tuple(y_pred.shape[:-1])} "
                         f"(or with a trailing 1) or one-hot of shape {tuple(y_pred.shape)}; "
                         f"received shape {tuple(y_true.shape)}.")
    if sparse:
        y_true = ops.one_hot(check_class_ids(ops.cast(y_true, "int32"), k, name), k,
                             dtype=y_pred.dtype)
    else:
        y_true = ops.cast(y_true, y_pred.dtype)
    return y_true, y_pred


def check_class_ids(ids, k: int, name: str = "y_true"):
    """Sparse class ids must lie in ``[0, k)``: checked eagerly (``ValueError``) and
    inside compiled functions (``tf.debugging`` asserts, ``InvalidArgumentError``), as
    Keras's own sparse cross-entropy does; ``one_hot`` would silently give a zero row."""
    import tensorflow as tf

    if tf.executing_eagerly():
        values = np.asarray(ids)
        bad = (values < 0) | (values >= k)
        if bad.any():
            raise ValueError(f"`{name}` holds class id {int(values[bad].ravel()[0])}, out of "
                             f"range for {k} classes (y_pred's last axis): ids must be in "
                             f"[0, {k - 1}].")
        return ids
    checks = [tf.debugging.assert_non_negative(ids, message=f"`{name}` holds a negative "
                                                            f"class id"),
              tf.debugging.assert_less(ids, tf.cast(k, ids.dtype),
                                       message=f"`{name}` holds a class id >= {k} (the number "
                                               f"of classes of y_pred)")]
    with tf.control_dependencies(checks):
        return tf.identity(ids)


def backend_is_floating(dtype) -> bool:
    return "float" in str(keras.backend.standardize_dtype(dtype))


def smooth_labels(y_true, label_smoothing: float, num_classes: int):
    if label_smoothing:
        return y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return y_true


def log_probs(y_pred, from_logits: bool):
    """Log-softmax of logits, or the log of (renormalised, clipped) probabilities."""
    if from_logits:
        return ops.log_softmax(y_pred, axis=-1)
    eps = keras.config.epsilon()
    p = y_pred / ops.sum(y_pred, axis=-1, keepdims=True)
    return ops.log(ops.clip(p, eps, 1.0 - eps))


def as_logits(y_pred, from_logits: bool):
    """Logits: ``y_pred`` itself, or ``log p`` (a logit up to a per-row constant)."""
    if from_logits:
        return y_pred
    eps = keras.config.epsilon()
    p = y_pred / ops.sum(y_pred, axis=-1, keepdims=True)
    return ops.log(ops.clip(p, eps, 1.0))


def sigmoid_logits(y_pred, from_logits: bool):
    """Per-label logits: ``y_pred`` itself, or ``log(p / (1 - p))`` of clipped sigmoid outputs."""
    if from_logits:
        return y_pred
    eps = keras.config.epsilon()
    p = ops.clip(y_pred, eps, 1.0 - eps)
    return ops.log(p) - ops.log1p(-p)


def binary_focal_factor(y_true, y_pred, gamma: float, from_logits: bool):
    """Per-entry modulating factor ``(1 - p_t) ** gamma`` of the binary focal loss.

    ``p_t = p`` where the target is 1 and ``1 - p`` where it is 0 (soft
    targets interpolate); ``1 - p`` is computed as ``sigmoid(-logit)`` for
    logits (exact for large ones) and floored at epsilon so that the power and
    its gradient stay finite.
    """
    if from_logits:
        p, q = ops.sigmoid(y_pred), ops.sigmoid(-y_pred)
    else:
        p, q = y_pred, 1.0 - y_pred
    one_minus_pt = ops.clip(y_true * q + (1.0 - y_true) * p, keras.config.epsilon(), 1.0)
    return ops.power(one_minus_pt, gamma)


def const(values, dtype):
    return ops.convert_to_tensor(np.asarray(values, dtype=np.float32), dtype=dtype)


def class_weight_tensor(weights, k, dtype, name: str = "class_weights"):
    """Validate array-like weights (or take a tensor / Variable as is) -> tensor of length K."""
    if weights is None:
        return None
    if isinstance(weights, keras.Variable) or ops.is_tensor(weights):
        check_length(weights.shape[0], k, name)
        return ops.cast(weights, dtype)
    w = check_class_vector(weights, name)
    check_length(len(w), k, name)
    return const(w, dtype)


class ClassWeightsMixin:
    """Holds per-class weights in a non-trainable ``keras.Variable``.

    The variable lets :class:`imbkeras.training.DeferredReweighting` change the
    weights of a compiled loss between epochs without recompiling (the train
    function reads the variable, it does not bake its value in).
    """

    def _init_class_weights(self, weights: np.ndarray) -> None:
        self._class_weights_var = keras.Variable(
            np.asarray(weights, dtype=np.float32), trainable=False, dtype="float32",
            name=f"{self.name}_class_weights")

    @property
    def class_weights(self) -> list:
        return [float(v) for v in ops.convert_to_numpy(self._class_weights_var)]

    def set_class_weights(self, weights) -> None:
        """Replace the per-class weights (same length, finite, >= 0)."""
        w = check_class_vector(weights, "weights")
        check_length(len(w), self._class_weights_var.shape[0], "weights",
                     what="the loss's class_weights")
        self._class_weights_var.assign(w.astype(np.float32))


class ImbLoss(keras.losses.Loss):
    """Base: ``call`` forwards to a public function with the config as keyword arguments.

    Subclasses name the attributes passed on (and serialized) in ``_fn_args``.
    """

    _fn = None
    _fn_args: tuple = ()

    def _fn_kwargs(self) -> dict:
        return {name: getattr(self, name) for name in self._fn_args}

    def call(self, y_true, y_pred):
        return type(self)._fn(y_true, y_pred, **self._fn_kwargs())

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(self._fn_kwargs())
        return config
