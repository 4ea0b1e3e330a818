"""A Keras layer that applies prior correction / logit adjustment inside the model."""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
from keras import ops

from imbkeras._validation import check_label_rates, check_priors
from imbkeras.losses._common import sigmoid_logits


@keras.saving.register_keras_serializable(package="imbkeras")
class PriorCorrection(keras.layers.Layer):
    """Divide class probabilities by ``prior ** tau`` and renormalise (threshold moving).

    Computes ``softmax(z - tau * log(prior))`` with ``z`` the logits, or
    ``z = log p`` for probabilities; with probabilities and ``tau = 1`` this is
    ``p / prior`` renormalised, i.e. :func:`imbkeras.thresholding.prior_correction`.
    Append it to a trained model so that the saved model predicts corrected
    probabilities; it has no weights and does not change training of the layers
    before it.

    Multi-label (``multi_label=True``, per-label sigmoid outputs): each label
    is its own binary problem, ``sigmoid(z_c - tau * log(pi_c / (1 - pi_c)))``
    with ``pi_c`` the label's positive rate (``priors``), so a 0.5 threshold
    on the output is a threshold ``pi_c`` on the input for ``tau = 1``.

    Args:
        priors: length-K training class priors (> 0), e.g. from
            :func:`imbkeras.thresholding.class_priors`.
        tau: adjustment strength >= 0 (0 leaves the input's softmax unchanged).
        from_logits: the input holds logits rather than probabilities.
        multi_label: per-label sigmoid outputs; ``priors`` are the labels'
            positive rates, in ``(0, 1)``.
        **kwargs: ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Returns (when called):
        Corrected probabilities of the input's shape ``(..., K)``.

    Raises:
        ValueError: for non-positive priors, ``tau < 0``, or an input whose last
            axis is not K.

    Examples:
        >>> import numpy as np
        >>> layer = PriorCorrection([0.8, 0.2])
        >>> np.asarray(layer(np.array([[0.6, 0.4]], "float32"))).astype(float).round(3).tolist()
        [[0.273, 0.727]]
        >>> labels = PriorCorrection([0.1, 0.5], multi_label=True)  # rare label: 0.2 -> 0.692
        >>> np.asarray(labels(np.array([[0.2, 0.2]], "float32"))).astype(float).round(3).tolist()
        [[0.692, 0.2]]

    Reference:
        Buda, Maki, Mazurowski (2018), section 2.2.3; Menon et al. (2021), eq. (9).
    """

    def __init__(self, priors: Sequence[float], tau: float = 1.0, from_logits: bool = False,
                 multi_label: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.multi_label = bool(multi_label)
        self.priors = [float(v) for v in (check_label_rates(priors) if self.multi_label
                                          else check_priors(priors))]
        if isinstance(tau, bool) or not isinstance(tau, (int, float, np.floating, np.integer)) \
                or not np.isfinite(tau) or tau < 0:
            raise ValueError(f"`tau` must be a finite number >= 0; received {tau!r}.")
        self.tau = float(tau)
        self.from_logits = bool(from_logits)
        pr = np.asarray(self.priors)
        odds = pr / (1 - pr) if self.multi_label else pr
        self._shift = (-self.tau * np.log(odds)).astype("float32")

    def build(self, input_shape):
        if input_shape[-1] is not None and input_shape[-1] != len(self.priors):
            raise ValueError(f"`priors` has {len(self.priors)} entries but the input to "
                             f"{self.name!r} has {input_shape[-1]} classes (shape "
                             f"{tuple(input_shape)}).")
        self.built = True

    def call(self, inputs):
        x = ops.convert_to_tensor(inputs)
        if self.multi_label:
            z = sigmoid_logits(x, self.from_logits)
            return ops.sigmoid(z + ops.convert_to_tensor(self._shift, dtype=x.dtype))
        if self.from_logits:
            z = x
        else:
            tiny = 1e-30 if keras.backend.standardize_dtype(x.dtype) != "float16" else 1e-7
            z = ops.log(ops.maximum(x, tiny))
        shift = ops.convert_to_tensor(self._shift, dtype=x.dtype)
        return ops.softmax(z + shift, axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"priors": self.priors, "tau": self.tau, "from_logits": self.from_logits,
                       "multi_label": self.multi_label})
        return config
