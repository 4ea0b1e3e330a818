"""Deferred re-weighting (DRW) callback (Cao et al. 2019)."""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np

from imbkeras._validation import check_positive_int
from imbkeras.losses import class_balanced_weights
from imbkeras.losses._common import check_beta, check_samples_per_class


def _flatten_losses(loss) -> list:
    if loss is None:
        return []
    if isinstance(loss, dict):
        return [x for v in loss.values() for x in _flatten_losses(v)]
    if isinstance(loss, (list, tuple)):
        return [x for v in loss for x in _flatten_losses(v)]
    return [loss]


@keras.saving.register_keras_serializable(package="imbkeras")
class DeferredReweighting(keras.callbacks.Callback):
    """Switch a loss to class-balanced weights from a given epoch or step on (DRW).

    Before ``start_epoch`` the loss keeps the class weights it had when training
    began (ones for :class:`imbkeras.losses.LDAMLoss` by default, i.e. plain ERM);
    from ``start_epoch`` (0-based, counted as ``fit`` counts epochs, so
    ``initial_epoch`` is respected) it uses the effective-number weights
    ``(1 - beta) / (1 - beta ** n_c)`` normalised to sum to K. The weights are a
    variable of the loss, so the compiled train step picks them up without
    recompiling (TensorFlow and PyTorch backends; under JAX the value is traced
    as a constant).

    ``start_step`` defers by optimisation steps instead, for budgets of few
    epochs: with one epoch, ``start_epoch`` can only re-weight from the first
    step or never, while Cao et al. defer for 80 % of the training. Steps are
    counted as the optimizer counts its iterations, so a resumed ``fit``
    continues the count; the weights switch before the step ``start_step``.

    Every loss of the compiled model with a ``set_class_weights`` method is
    switched: :class:`imbkeras.losses.LDAMLoss` (LDAM-DRW) and
    :class:`imbkeras.losses.WeightedCrossEntropy` (CE-DRW).

    Args:
        samples_per_class: training count of each class (every class > 0).
        start_epoch: first epoch (0-based) trained with the class-balanced weights.
        beta: effective-number parameter in ``[0, 1)`` (0.9999 in the paper).
        verbose: 1 prints a line when the weights switch.
        start_step: first optimisation step (0-based) trained with the
            class-balanced weights; give it instead of ``start_epoch``.

    Raises:
        ValueError: for a class with 0 samples, ``beta`` outside ``[0, 1)``,
            neither or both of ``start_epoch`` and ``start_step``; at the start
            of training, when the model has no loss with ``set_class_weights``.

    Examples:
        >>> import imbkeras as ik
        >>> n = [500, 50, 5]
        >>> loss = ik.losses.LDAMLoss(n, scale=1.0, from_logits=True)
        >>> drw = DeferredReweighting(n, start_epoch=160)
        >>> drw.class_weights().round(3).tolist()
        [0.028, 0.271, 2.702]
        >>> DeferredReweighting(n, start_step=800).start_step   # one epoch of 1,000 steps
        800

    Reference:
        Cao, Wei, Gaidon, Arechiga, Ma (2019), Learning Imbalanced Datasets with
        Label-Distribution-Aware Margin Loss, NeurIPS, section 3.2 (Algorithm 1).
    """

    def __init__(self, samples_per_class: Sequence[float], start_epoch: int | None = None,
                 beta: float = 0.9999, verbose: int = 0, *, start_step: int | None = None):
        super().__init__()
        self.samples_per_class = [float(v) for v in check_samples_per_class(samples_per_class)]
        if (start_epoch is None) == (start_step is None):
            raise ValueError(f"DeferredReweighting needs one of `start_epoch` and `start_step`; "
                             f"received start_epoch={start_epoch!r}, start_step={start_step!r}.")
        self.start_epoch = (None if start_epoch is None
                            else check_positive_int(start_epoch, "start_epoch", minimum=0))
        self.start_step = (None if start_step is None
                           else check_positive_int(start_step, "start_step", minimum=0))
        self.beta = check_beta(beta)
        self.verbose = check_positive_int(verbose, "verbose", minimum=0)
        self._targets: list = []
        self._initial: list | None = None
        self._step = 0
        self._deferred: bool | None = None

    def class_weights(self) -> np.ndarray:
        """The class-balanced weights applied from ``start_epoch`` on."""
        return class_balanced_weights(self.samples_per_class, self.beta)

    def on_train_begin(self, logs=None):
        targets = [x for x in _flatten_losses(getattr(self.model, "loss", None))
                   if hasattr(x, "set_class_weights")]
        if not targets:
            raise ValueError("DeferredReweighting needs a compiled loss with per-class weights "
                             "(e.g. imbkeras.losses.LDAMLoss or WeightedCrossEntropy); received "
                             f"loss={getattr(self.model, 'loss', None)!r}.")
        k = len(self.samples_per_class)
        for t in targets:
            if len(t.class_weights) != k:
                raise ValueError(f"`samples_per_class` has {k} entries but the loss "
                                 f"{t.name!r} has {len(t.class_weights)} class weights.")
        if self._initial is None or [id(t) for t in targets] != [id(t) for t in self._targets]:
            self._initial = [list(t.class_weights) for t in targets]
        self._targets = targets
        optimizer = getattr(self.model, "optimizer", None)
        self._step = int(optimizer.iterations) if optimizer is not None else 0
        self._deferred = None

    def _switch(self, deferred: bool, where: str) -> None:
        if deferred == self._deferred:
            return
        for t, initial in zip(self._targets, self._initial):
            t.set_class_weights(self.class_weights() if deferred else initial)
        if deferred and self.verbose:
            print(f"DeferredReweighting: {where}: class-balanced weights "
                  f"{np.round(self.class_weights(), 4).tolist()}")
        self._deferred = deferred

    def on_epoch_begin(self, epoch, logs=None):
        if self.start_epoch is not None:
            self._switch(epoch >= self.start_epoch, f"epoch {epoch}")

    def on_train_batch_begin(self, batch, logs=None):
        if self.start_step is not None:
            self._switch(self._step >= self.start_step, f"step {self._step}")

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1

    def get_config(self) -> dict:
        return {"samples_per_class": self.samples_per_class, "start_epoch": self.start_epoch,
                "beta": self.beta, "verbose": self.verbose, "start_step": self.start_step}

    @classmethod
    def from_config(cls, config: dict) -> "DeferredReweighting":
        return cls(**config)
