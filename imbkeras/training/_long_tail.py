"""Modern long-tail recipes on one Keras model under one budget of optimisation steps.

Each recipe is the same model trained for ``epochs * steps_per_epoch`` steps on
the same (imbalanced) training set; only what the recipe changes differs:

=================== ==========================================================
``ce``              cross-entropy (the baseline)
``ros``             cross-entropy on random oversampling, a fresh draw per pass
``cb_focal``        class-balanced focal loss (Cui et al. 2019, beta, gamma)
``la_loss``         logit-adjusted loss (Menon et al. 2021, tau)
``posthoc_la``      cross-entropy, then post-hoc logit adjustment
                    (``PriorCorrection(priors, tau)`` appended to the model)
``balanced_softmax`` balanced softmax (Ren et al. 2020)
``ldam_drw``        LDAM loss, class-balanced re-weighting from
                    step ``drw_start * budget`` on (Cao et al. 2019)
``crt``             cross-entropy, then classifier re-training (Kang et al.
                    2020): the head re-initialised and re-trained on
                    class-balanced batches for ``crt_share`` of the steps,
                    the extractor frozen
``mixup_drw``       mixup (Beta(alpha, alpha)) with weighted cross-entropy,
                    class-balanced weights from step ``drw_start * budget`` on
=================== ==========================================================

A pass is ``steps_per_epoch`` batches (default: one pass over the original
training set), whatever the recipe's sampler draws, so every recipe takes the
same number of steps; ``crt`` shares them between its two stages.

Multi-label data (2-D multi-hot ``y``, a sigmoid per label) get each recipe's
multi-label form, every label its own binary problem with its count ``n_c``
(positive samples) and positive rate ``pi_c``: binary cross-entropy for
``ce``; oversampling toward the most frequent label's count
(:class:`~imbkeras.sampling.MultilabelHybridSampler`) for ``ros``; per-label
class-balanced focal weights; the binary logit adjustment
``tau * log(pi_c / (1 - pi_c))`` in the loss (``la_loss``) or after training
(``posthoc_la``); label-aware balanced batches for ``crt``'s second stage
(:class:`~imbkeras.sampling.ClassAwareSampler`); mixup of multi-hot targets
with per-label deferred weights. ``balanced_softmax`` and ``ldam_drw`` are
single-label only (:data:`SINGLE_LABEL_ONLY` says why). A label without
positives in the training set counts as one sample, and the rates are
``(n_c + 0.5) / (n + 1)``, so that weights and log-odds stay finite.
"""

from __future__ import annotations

import dataclasses
import math

import keras
import numpy as np

from imbkeras import losses, pipeline, sampling
from imbkeras._validation import (_short, check_bool, check_callbacks, check_choice,
                                  check_labels, check_multihot, check_positive_int, check_real,
                                  check_same_length,
                                  check_samples, check_seed, check_verbose, child_seed)
from imbkeras.layers import PriorCorrection
from imbkeras.models import split_head
from imbkeras.training._drw import DeferredReweighting
from imbkeras.training._multipath_fit import _optimizer_factory
from imbkeras.training._two_phase import fine_tune_head

#: The recipes of :func:`long_tail_fit`, in the order of the module's table.
LONG_TAIL_RECIPES = ("ce", "ros", "cb_focal", "la_loss", "posthoc_la", "balanced_softmax",
                     "ldam_drw", "crt", "mixup_drw")
#: Recipes without a multi-label form, and why.
SINGLE_LABEL_ONLY = {
    "balanced_softmax": "it shifts one softmax over mutually exclusive classes; multi-label "
                        "outputs are one sigmoid per label",
    "ldam_drw": "its margin separates the true class from the other classes of one softmax; "
                "multi-label outputs are one sigmoid per label",
}
#: The recipes of :func:`long_tail_fit` for multi-label (multi-hot) data.
MULTI_LABEL_RECIPES = tuple(r for r in LONG_TAIL_RECIPES if r not in SINGLE_LABEL_ONLY)


@dataclasses.dataclass
class LongTailFit:
    """What :func:`long_tail_fit` returns.

    Attributes:
        recipe: the recipe's name.
        model: the model to predict with (for ``posthoc_la`` the trained model
            with a ``PriorCorrection`` layer appended; otherwise the model
            trained in place).
        steps: optimisation steps taken, counted batch by batch (both stages
            of ``crt``).
        histories: the ``History`` of every ``fit`` (two for ``crt``).
        samples_per_class: the training counts the recipe used.
    """

    recipe: str
    model: keras.Model
    steps: int
    histories: list
    samples_per_class: list

    def predict(self, x, batch_size: int = 256) -> np.ndarray:
        """Class probabilities of ``x`` (``(n, K)``)."""
        return np.asarray(self.model.predict(x, batch_size=batch_size, verbose=0))


class _StepCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1


def _reinitialise(head: keras.Model, seed) -> None:
    """Draw the head's kernels afresh from their initialisers, biases to zero (cRT)."""
    for i, layer in enumerate(head.layers):
        for attr in ("kernel", "bias"):
            var = getattr(layer, attr, None)
            init = getattr(layer, f"{attr}_initializer", None)
            if var is None or init is None:
                continue
            init = init.__class__.from_config({**init.get_config(),
                                               **({"seed": child_seed(seed, "crt", i)}
                                                  if "seed" in init.get_config() else {})})
            var.assign(init(var.shape, dtype=var.dtype))


def long_tail_fit(model: keras.Model, x, y, recipe: str, *, epochs: int,
                  steps_per_epoch: int | None = None, batch_size: int = 32,
                  optimizer="adam", num_classes: int | None = None, augment=None,
                  tau: float = 1.0, beta: float = 0.9999, gamma: float = 2.0,
                  max_margin: float = 0.5, drw_start: float = 0.8,
                  crt_share: float = 0.1, mixup_alpha: float = 0.2,
                  multi_label: bool = False, seed: int | None = 0, callbacks=None,
                  verbose: int = 0) -> LongTailFit:
    """Train ``model`` on ``(x, y)`` with one long-tail ``recipe`` under a fixed step budget.

    The model must end in a softmax over ``K`` classes (every imbkeras
    builder's default), or in a sigmoid per label with ``multi_label=True``;
    the losses read its probabilities. It is compiled here (the recipe's
    loss) and trained in place.

    Args:
        model: an uncompiled or compiled functional model, softmax output
            (multi-label: sigmoid outputs).
        x, y: training samples and integer class labels (1-D), or multi-hot
            labels ``(n, K)`` with ``multi_label=True``.
        recipe: one of :data:`LONG_TAIL_RECIPES` (see the module's table;
            multi-label: one of :data:`MULTI_LABEL_RECIPES`).
        epochs: passes of ``steps_per_epoch`` batches; the budget is
            ``epochs * steps_per_epoch`` steps for every recipe.
        steps_per_epoch: batches per pass (default ``ceil(len(y) / batch_size)``).
        batch_size: samples per batch.
        optimizer: an optimizer name or a callable returning a fresh one
            (``crt`` compiles twice).
        num_classes: ``K`` (default ``max(y) + 1``).
        augment: augmentation layer(s) applied per batch
            (:func:`imbkeras.pipeline.make_dataset`).
        tau: logit adjustment strength of ``la_loss`` and ``posthoc_la``.
        beta, gamma: effective-number parameter (``cb_focal``, the DRW
            weights) and the focal exponent (``cb_focal``).
        max_margin: LDAM's largest margin.
        drw_start: the share of the budget's steps after which ``ldam_drw``
            and ``mixup_drw`` re-weight (Cao et al.: 160 of 200 epochs, 0.8);
            counted in steps, so a budget of one epoch defers too.
        crt_share: the share of the budget that ``crt``'s second stage takes
            (Kang et al.: about 10 of 100 epochs): both stages run ``epochs``
            epochs, the second ``max(1, round(crt_share * steps_per_epoch))``
            steps of each, the first the rest.
        mixup_alpha: mixup's Beta(alpha, alpha) of ``mixup_drw``.
        multi_label: ``y`` is multi-hot ``(n, K)`` and the model has one
            sigmoid per label: the recipes' multi-label forms (module
            docstring).
        seed: seeds the batches, the sampler, mixup and cRT's head; ``None``
            for unseeded.
        callbacks: more Keras callbacks for every ``fit``.
        verbose: Keras verbosity.

    Returns:
        A :class:`LongTailFit` (the model to predict with, the steps taken,
        the histories).

    Raises:
        ValueError: for an unknown recipe (the known ones are listed), a
            single-label recipe on multi-hot labels (naming why), labels that
            are neither 1-D class ids nor multi-hot, a class without samples
            (single-label), a model whose
            output is not ``(None, K)``, ``crt`` with ``steps_per_epoch < 2``
            or ``crt_share`` outside ``(0, 1)``, or bad numbers.
        TypeError: for a model that is not a ``keras.Model`` or an optimizer
            instance (it cannot serve two compiles).

    Examples:
        >>> import numpy as np
        >>> from imbkeras.models import lenet5
        >>> rng = np.random.default_rng(0)
        >>> y = np.repeat([0, 1, 2], [40, 8, 4])
        >>> x = rng.random((52, 16, 16, 1), dtype="float32")
        >>> fit = long_tail_fit(lenet5((16, 16, 1), 3), x, y, "crt", epochs=3, batch_size=16)
        >>> fit.steps, fit.predict(x[:2]).shape        # 3 x (3 + 1) steps: 3 passes of 4 batches
        (12, (2, 3))

    References:
        Cui et al. (2019), Class-balanced loss based on effective number of
        samples; Cao et al. (2019), LDAM-DRW; Kang et al. (2020), Decoupling
        representation and classifier; Ren et al. (2020), Balanced
        meta-softmax; Menon et al. (2021), Long-tail learning via logit
        adjustment; Zhang et al. (2018), mixup.
    """
    recipe = check_choice(recipe, "recipe", LONG_TAIL_RECIPES)
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a keras.Model; received {_short(model)}.")
    x = check_samples(x, "x")
    multi = check_bool(multi_label, "multi_label")
    if multi:
        if recipe in SINGLE_LABEL_ONLY:
            why = SINGLE_LABEL_ONLY[recipe]
            raise ValueError(f"`recipe`={recipe!r} has no multi-label form ({why}); for "
                             f"multi-hot `y` use one of {MULTI_LABEL_RECIPES}.")
        y = check_multihot(y, "y", require_label=False)
        k = y.shape[1]
        if num_classes is not None and int(num_classes) != k:
            raise ValueError(f"`num_classes`={num_classes!r} does not match the {k} labels of "
                             f"the multi-hot `y`.")
        counts = y.sum(axis=0).astype(np.int64)
        rates = (counts + 0.5) / (len(y) + 1.0)
    elif np.ndim(y) != 1:
        raise ValueError(f"`y` must be 1-D class labels (multi-hot labels need "
                         f"multi_label=True); received shape {np.shape(y)}.")
    else:
        y = check_labels(y, "y", num_classes)
        k = int(num_classes) if num_classes is not None else int(y.max()) + 1
        counts = np.bincount(y, minlength=k)
        if (counts == 0).any():
            raise ValueError(f"every class needs a training sample; class(es) "
                             f"{np.flatnonzero(counts == 0).tolist()} have none (counts "
                             f"{counts.tolist()}).")
        rates = counts / counts.sum()
    check_same_length(x, y)
    if tuple(model.output_shape[1:]) != (k,):
        raise ValueError(f"`model` must output (None, {k}) class probabilities; its output "
                         f"shape is {model.output_shape}.")
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    steps_per_epoch = (math.ceil(len(y) / batch_size) if steps_per_epoch is None
                       else check_positive_int(steps_per_epoch, "steps_per_epoch"))
    seed = check_seed(seed)
    verbose = check_verbose(verbose)
    make_optimizer = _optimizer_factory(optimizer)
    tau = check_real(tau, "tau", minimum=0.0)
    drw_start = check_real(drw_start, "drw_start", minimum=0.0, maximum=1.0)
    mixup_alpha = check_real(mixup_alpha, "mixup_alpha", minimum=0.0)
    n = np.maximum(counts, 1).astype(float).tolist()
    extra = check_callbacks(callbacks)
    counter = _StepCounter()
    cbs = [counter, *extra]

    sampler, label_mode, mix = None, "multi_hot" if multi else "sparse", None
    stage1, stage2 = steps_per_epoch, 0
    plain = keras.losses.BinaryCrossentropy if multi else keras.losses.SparseCategoricalCrossentropy
    if recipe == "ros":
        sampler = (sampling.MultilabelHybridSampler(target=int(counts.max()), seed=seed)
                   if multi else sampling.RandomOverSampler(seed=seed))
    if recipe == "cb_focal":
        loss = losses.ClassBalancedLoss(n, beta=beta, base="focal", gamma=gamma,
                                        multi_label=multi)
    elif recipe == "la_loss":
        loss = losses.LogitAdjustedLoss(rates.tolist(), tau=tau, multi_label=multi)
    elif recipe == "balanced_softmax":
        loss = losses.BalancedSoftmaxLoss(n)
    elif recipe == "ldam_drw":
        loss = losses.LDAMLoss(n, max_margin=max_margin, scale=1.0)
    elif recipe == "mixup_drw":
        loss = losses.WeightedCrossEntropy([1.0] * k, multi_label=multi)
        label_mode, mix = "multi_hot" if multi else "categorical", mixup_alpha
    else:  # ce, ros, posthoc_la, crt (its first stage)
        loss = plain()
    if recipe in ("ldam_drw", "mixup_drw"):
        cbs.append(DeferredReweighting(
            n, start_step=int(math.floor(drw_start * epochs * steps_per_epoch)), beta=beta))
    if recipe == "crt":
        crt_share = check_real(crt_share, "crt_share", minimum=0.0, maximum=1.0)
        if not 0 < crt_share < 1:
            raise ValueError(f"`crt_share` must be in (0, 1): cRT shares the budget between "
                             f"its stages; received {crt_share!r}.")
        if steps_per_epoch < 2:
            raise ValueError(f"cRT needs `steps_per_epoch` >= 2 (a step of each stage per "
                             f"epoch); received {steps_per_epoch}.")
        stage2 = min(steps_per_epoch - 1, max(1, round(crt_share * steps_per_epoch)))
        stage1 = steps_per_epoch - stage2

    model.compile(make_optimizer(), loss)
    ds = pipeline.make_dataset(x, y, batch_size, sampler=sampler, seed=seed,
                               label_mode=label_mode, num_classes=k,
                               steps_per_epoch=stage1, augment=augment,
                               mixup_alpha=mix)
    histories = [model.fit(ds, epochs=epochs, verbose=verbose, shuffle=False, callbacks=cbs)]
    if recipe == "crt":
        _, head = split_head(model)
        _reinitialise(head, seed)
        balanced = pipeline.make_dataset(
            x, y, batch_size, sampler=sampling.ClassAwareSampler(seed=child_seed(seed, "crt")),
            seed=child_seed(seed, "crt"), num_classes=k, steps_per_epoch=stage2,
            augment=augment, label_mode=label_mode)
        histories.append(fine_tune_head(model, balanced, optimizer=make_optimizer(),
                                        loss=plain(),
                                        epochs=epochs, verbose=verbose,
                                        shuffle=False, callbacks=[counter, *extra]))
    predictor = model
    if recipe == "posthoc_la":
        out = PriorCorrection(rates.tolist(), tau=tau, multi_label=multi,
                              name="logit_adjustment")(model.output)
        predictor = keras.Model(model.inputs, out, name=f"{model.name}_logit_adjusted")
    return LongTailFit(recipe, predictor, counter.steps, histories, n)
