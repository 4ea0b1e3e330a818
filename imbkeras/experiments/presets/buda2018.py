"""Buda et al. 2018: class imbalance in CNNs, step / linear imbalance, sampling, thresholding.

One *scenario* is an imbalanced training set (kind, ratio rho, mu). For every
scenario and seed, LeNet-5 is trained once per sampling method (none, ROS,
RUS) for the same number of SGD iterations; thresholding reuses the trained
model's outputs divided by the training priors (the engine shares one
training between a method and its thresholded variant). Two-phase training
(``ROS-2ph``, ``RUS-2ph``) continues the ROS / RUS model: only its FC head is
fine-tuned on the original imbalanced set, with the same schedule and
iterations and the base learning rate x 0.1.

Reference:
    Buda, Maki, Mazurowski (2018), A systematic study of the class imbalance
    problem in convolutional neural networks, Neural Networks 106.
"""

from __future__ import annotations

import keras

from imbkeras import models, pipeline, sampling, training
from imbkeras.experiments._config import Experiment
from imbkeras.experiments._registry import register_preset, register_trainer

PAPER_RATIOS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000]
PAPER_MUS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
TRAINER = "buda2018.lenet_sgd"

# The paper's MNIST recipe (section 3.3): LeNet-5, SGD momentum 0.9, lr 0.01 with
# Caffe's inv decay (gamma 1e-4, power 0.75), batch 64, weight decay 5e-4.
PARAMS = {"iterations": 10000, "batch_size": 64, "learning_rate": 0.01, "lr_gamma": 1e-4,
          "lr_power": 0.75, "momentum": 0.9, "weight_decay": 5e-4, "log_every": 100}

METHODS = {
    "baseline": {"trainer": TRAINER, "params": {"sampler": "none"}},
    "ROS": {"trainer": TRAINER, "params": {"sampler": "ros"}},
    "RUS": {"trainer": TRAINER, "params": {"sampler": "rus"}},
    "ROS-2ph": {"trainer": TRAINER, "params": {"sampler": "ros"}, "output": "two_phase"},
    "RUS-2ph": {"trainer": TRAINER, "params": {"sampler": "rus"}, "output": "two_phase"},
    "thresholding": {"trainer": TRAINER, "params": {"sampler": "none"},
                     "post": "prior_correction"},
    "ROS+thr": {"trainer": TRAINER, "params": {"sampler": "ros"}, "post": "prior_correction"},
    "RUS+thr": {"trainer": TRAINER, "params": {"sampler": "rus"}, "post": "prior_correction"},
}
QUICK_METHODS = ("baseline", "ROS", "RUS", "thresholding", "ROS+thr")

REPORT = {
    "metrics": ["auc_ovr", "accuracy"],
    "plots": [{"type": "metric_vs_ratio", "metric": "auc_ovr", "panels": ["kind", "mu"]}],
}


def _steps_per_chunk(iterations: int, log_every: int) -> int:
    """Largest divisor of ``iterations`` not above ``log_every`` (Keras logs per chunk)."""
    for d in range(min(log_every, iterations), 0, -1):
        if iterations % d == 0:
            return d
    return 1


def _optimizer(p: dict, lr_factor: float = 1.0):
    schedule = training.InverseDecay(p["learning_rate"] * lr_factor, p["lr_gamma"],
                                     p["lr_power"])
    return keras.optimizers.SGD(schedule, momentum=p["momentum"])


@register_trainer(TRAINER)
def lenet_sgd(ctx):
    """Train LeNet-5 for ``iterations`` SGD steps on the (resampled) training set.

    Outputs ``default`` (test probabilities) and, when a method wants it,
    ``two_phase`` (after fine-tuning the head on the unsampled training set for
    ``iterations`` more steps at lr x 0.1).
    """
    p = ctx.params
    name = p.get("sampler", "none")
    if name != "none" and name not in sampling.list_samplers("single"):
        raise ValueError(f"`params.sampler` must be 'none' or one of "
                         f"{sampling.list_samplers('single')}; received {name!r}.")
    keras.utils.set_random_seed(ctx.seed)
    sampler = sampling.reseeded(sampling.create_sampler(name), ctx.seed)
    iterations = int(p["iterations"])
    chunk = _steps_per_chunk(iterations, int(p["log_every"]))
    batch = ctx.global_batch_size(p["batch_size"])
    ds = pipeline.make_dataset(ctx.x_train, ctx.y_train, batch, sampler=sampler, seed=ctx.seed,
                               num_classes=ctx.num_classes, steps_per_epoch=chunk)
    with ctx.scope():
        model = models.lenet5(ctx.x_train.shape[1:], ctx.num_classes,
                              weight_decay=p["weight_decay"])
        model.compile(_optimizer(p), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    model.fit(ds, epochs=iterations // chunk, steps_per_epoch=chunk, shuffle=False,
              verbose=ctx.verbose, callbacks=ctx.callbacks())
    outputs = {"default": model.predict(ctx.x_test, batch_size=512, verbose=0)}
    if ctx.wants("two_phase"):
        ctx.log("phase two: fine-tuning the head on the imbalanced set")
        original = pipeline.make_dataset(ctx.x_train, ctx.y_train, batch, seed=ctx.seed + 1,
                                         num_classes=ctx.num_classes, steps_per_epoch=chunk)
        with ctx.scope():
            training.fine_tune_head(model, original, optimizer=_optimizer(p, 0.1),
                                    loss="sparse_categorical_crossentropy",
                                    metrics=["accuracy"], epochs=iterations // chunk,
                                    steps_per_epoch=chunk, shuffle=False, verbose=ctx.verbose,
                                    callbacks=ctx.callbacks())
        outputs["two_phase"] = model.predict(ctx.x_test, batch_size=512, verbose=0)
    return outputs


def _experiment(name, scenarios, methods, seeds, **params) -> Experiment:
    return Experiment(
        name=name, datasets=["digits"], cv={"kind": "holdout", "test_size": 0.3, "seed": 0},
        scenarios=scenarios, protocol={"max_per_class": 5000},
        methods={m: METHODS[m] for m in methods}, seeds=list(seeds),
        params={**PARAMS, **params}, report=REPORT, verbose=2)


def quick() -> Experiment:
    """Digits; step imbalance (mu 0.5) at rho 1, 10, 50; linear at rho 10; 600 iterations."""
    return _experiment("Buda et al. 2018, quick profile (digits)",
                       [{"kind": "step", "ratio": [1, 10, 50], "mu": [0.5]},
                        {"kind": "linear", "ratio": [10]}],
                       QUICK_METHODS, [0], iterations=600)


def paper() -> Experiment:
    """The paper's MNIST grid: rho 10-5000, mu 0.1-0.9 (step), linear at every rho, 5 seeds.

    Uses the bundled digits by default; ``--dataset mnist`` reads the MNIST IDX
    files from ``$IMBKERAS_MNIST_DIR``.
    """
    return _experiment("Buda et al. 2018 (paper grid)",
                       [{"kind": "step", "ratio": PAPER_RATIOS, "mu": PAPER_MUS},
                        {"kind": "linear", "ratio": PAPER_RATIOS}],
                       list(METHODS), [0, 1, 2, 3, 4])


def smoke() -> Experiment:
    """Seconds: one step scenario, three iterations, baseline / ROS / thresholding."""
    exp = _experiment("Buda et al. 2018, smoke", [{"kind": "step", "ratio": [10], "mu": [0.5]}],
                      ("baseline", "ROS", "thresholding", "ROS+thr"), [0], iterations=3)
    exp.verbose = 0
    return exp


register_preset("buda2018", {"quick": quick, "paper": paper, "smoke": smoke},
                description=__doc__.splitlines()[0])
