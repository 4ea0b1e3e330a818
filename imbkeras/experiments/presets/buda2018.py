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

import numpy as np
import pandas as pd

from imbkeras import datasets, models, sampling
from imbkeras._validation import child_seed
from imbkeras.experiments._config import Experiment
from imbkeras.experiments._findings import (Finding, Measurement, NotMeasured, PaperTable,
                                            contrast_effect, paired_effect, select)
from imbkeras.experiments._registry import register_preset, register_trainer

PAPER_RATIOS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000]
PAPER_MUS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
TRAINER = "buda2018.lenet_sgd"

# The paper's MNIST recipe (section 3.3): LeNet-5, SGD momentum 0.9, lr 0.01 with
# Caffe's inv decay (gamma 1e-4, power 0.75), batch 64, weight decay 5e-4.
PARAMS = {"iterations": 10000, "batch_size": 64, "learning_rate": 0.01, "lr_gamma": 1e-4,
          "lr_power": 0.75, "momentum": 0.9, "weight_decay": 5e-4, "log_every": 100}

# The paper's CIFAR-10 recipe (section 3.3.2): All-CNN-C, SGD momentum 0.9, batch 256,
# weight decay 0.001, 70k iterations, lr x 0.1 after 40k, 50k and 60k iterations. The paper
# picks the base lr per case from {0.05, 0.005, 0.0005, 0.00005} by the test score; we use
# one fixed base lr (``--set params.cifar_learning_rate=...`` to change it).
CIFAR_PARAMS = {"cifar_iterations": 70000, "cifar_batch_size": 256,
                "cifar_learning_rate": 0.05, "cifar_weight_decay": 1e-3,
                "cifar_lr_steps": [40000, 50000, 60000]}
CIFAR_RATIOS = [2, 10, 20, 50]
CIFAR_MUS = [0.2, 0.5, 0.8]

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


def _recipe(p: dict, dataset: str) -> dict:
    """The paper's recipe for ``dataset``: LeNet-5 (MNIST, digits) or All-CNN-C (CIFAR-10).

    ``p`` holds the trainer's parameters (see :func:`lenet_sgd`).
    """
    if dataset == "cifar10":
        return {"model": "all_cnn_c", "iterations": int(p["cifar_iterations"]),
                "batch_size": int(p["cifar_batch_size"]),
                "learning_rate": float(p["cifar_learning_rate"]),
                "weight_decay": float(p["cifar_weight_decay"]),
                "lr_steps": list(p["cifar_lr_steps"]), "momentum": p["momentum"],
                "log_every": p["log_every"]}
    return {"model": "lenet5", "iterations": int(p["iterations"]),
            "batch_size": int(p["batch_size"]), "learning_rate": float(p["learning_rate"]),
            "weight_decay": float(p["weight_decay"]), "lr_gamma": p["lr_gamma"],
            "lr_power": p["lr_power"], "momentum": p["momentum"], "log_every": p["log_every"]}


def _optimizer(r: dict, lr_factor: float = 1.0):
    import keras

    from imbkeras import training

    lr = r["learning_rate"] * lr_factor
    if "lr_steps" in r:  # CIFAR-10: step decay x 0.1
        steps = [int(b) for b in r["lr_steps"] if int(b) < r["iterations"]]
        schedule = keras.optimizers.schedules.PiecewiseConstantDecay(
            steps, [lr * 0.1 ** i for i in range(len(steps) + 1)]) if steps else lr
    else:  # MNIST: Caffe's inv policy
        schedule = training.InverseDecay(lr, r["lr_gamma"], r["lr_power"])
    return keras.optimizers.SGD(schedule, momentum=r["momentum"])


@register_trainer(TRAINER)
def lenet_sgd(ctx, *, sampler: sampling.SingleLabelSamplerSpec = "none", iterations: int = 10000,
              batch_size: int = 64, learning_rate: float = 0.01, lr_gamma: float = 1e-4,
              lr_power: float = 0.75, momentum: float = 0.9, weight_decay: float = 5e-4,
              log_every: int = 100, cifar_iterations: int = 70000, cifar_batch_size: int = 256,
              cifar_learning_rate: float = 0.05, cifar_weight_decay: float = 1e-3,
              cifar_lr_steps: list = (40000, 50000, 60000)):
    """Train the paper's network for ``iterations`` SGD steps on the (resampled) training set.

    LeNet-5 with the MNIST recipe, or All-CNN-C with the CIFAR-10 recipe when the
    dataset is ``cifar10``. Outputs ``default`` (test probabilities) and, when a
    method wants it, ``two_phase`` (after fine-tuning the head on the unsampled
    training set for ``iterations`` more steps at lr x 0.1).

    Args:
        ctx: the run's :class:`~imbkeras.experiments.RunContext`.
        sampler: a sampler spec of single-label targets (``"none"``, ``"ros"``,
            ``{"name": "rus"}``...), reseeded with the run's seed.
        iterations, batch_size, learning_rate, lr_gamma, lr_power, momentum,
            weight_decay: the MNIST recipe (SGD with Caffe's inv decay).
        log_every: Keras logs (and ends an "epoch") every this many steps at most.
        cifar_iterations, cifar_batch_size, cifar_learning_rate,
            cifar_weight_decay, cifar_lr_steps: the CIFAR-10 recipe (step decay).
    """
    import keras

    from imbkeras import pipeline, training

    r = _recipe({"iterations": iterations, "batch_size": batch_size,
                 "learning_rate": learning_rate, "lr_gamma": lr_gamma, "lr_power": lr_power,
                 "momentum": momentum, "weight_decay": weight_decay, "log_every": log_every,
                 "cifar_iterations": cifar_iterations, "cifar_batch_size": cifar_batch_size,
                 "cifar_learning_rate": cifar_learning_rate,
                 "cifar_weight_decay": cifar_weight_decay, "cifar_lr_steps": cifar_lr_steps},
                ctx.dataset)
    keras.utils.set_random_seed(ctx.seed)
    sampler = sampling.reseeded(sampling.create_sampler(sampler), ctx.seed)
    iterations = r["iterations"]
    chunk = _steps_per_chunk(iterations, int(r["log_every"]))
    batch = ctx.global_batch_size(r["batch_size"])
    ds = pipeline.make_dataset(ctx.x_train, ctx.y_train, batch, sampler=sampler, seed=ctx.seed,
                               num_classes=ctx.num_classes, steps_per_epoch=chunk)
    with ctx.scope():
        model = models.create_model(r["model"], input_shape=ctx.x_train.shape[1:],
                                    num_classes=ctx.num_classes,
                                    weight_decay=r["weight_decay"])
        model.compile(_optimizer(r), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    model.fit(ds, epochs=iterations // chunk, steps_per_epoch=chunk, shuffle=False,
              verbose=ctx.verbose, callbacks=ctx.callbacks())
    outputs = {"default": model.predict(ctx.x_test, batch_size=512, verbose=0)}
    if ctx.wants("two_phase"):
        ctx.log("phase two: fine-tuning the head on the imbalanced set")
        original = pipeline.make_dataset(ctx.x_train, ctx.y_train, batch,
                                         seed=child_seed(ctx.seed, "phase two"),
                                         num_classes=ctx.num_classes, steps_per_epoch=chunk)
        with ctx.scope():
            training.fine_tune_head(model, original, optimizer=_optimizer(r, 0.1),
                                    loss="sparse_categorical_crossentropy",
                                    metrics=["accuracy"], epochs=iterations // chunk,
                                    steps_per_epoch=chunk, shuffle=False, verbose=ctx.verbose,
                                    callbacks=ctx.callbacks())
        outputs["two_phase"] = model.predict(ctx.x_test, batch_size=512, verbose=0)
    return outputs


# The files whose presence the preflight checks, per dataset: (directory, files, script, env).
def _data_files(name: str):
    from imbkeras.experiments import _datasets

    if name == "mnist":
        return (_datasets.mnist_dir(), ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
                "download_mnist.py", _datasets.MNIST_DIR_ENV)
    return (_datasets.cifar10_dir(), ("data_batch_1", "test_batch"), "download_cifar10.py",
            _datasets.CIFAR10_DIR_ENV)


def preflight(exp) -> None:
    """Refuse, before any run, a profile whose MNIST / CIFAR-10 files are not on this machine."""
    from pathlib import Path

    for name in (n for n in exp.datasets if n in ("mnist", "cifar10")):
        directory, files, script, env = _data_files(name)
        base = Path(directory)
        if (base / "cifar-10-batches-py").is_dir():
            base = base / "cifar-10-batches-py"
        missing = [f for f in files if not ((base / f).is_file() or (base / f"{f}.gz").is_file())]
        if missing:
            raise FileNotFoundError(
                f"the {exp.profile or 'given'} profile trains on {name}, whose files "
                f"{missing} are not in {directory!r}: run `python data_scripts/{script} DIR` "
                f"and export {env}=DIR, or run on the bundled digits by saying so: "
                f"--dataset digits.")


def _experiment(name, scenarios, methods, seeds, **params) -> Experiment:
    return Experiment(
        name=name, datasets=["digits"], cv={"kind": "holdout", "test_size": 0.3, "seed": 0},
        scenarios=scenarios, protocol={"max_per_class": 5000},
        methods={m: METHODS[m] for m in methods}, seeds=list(seeds),
        params={**PARAMS, **CIFAR_PARAMS, **params}, report=REPORT, verbose=2)


def quick() -> Experiment:
    """Digits; step imbalance (mu 0.5) at rho 1, 10, 50; linear at rho 10; 600 iterations."""
    return _experiment("Buda et al. 2018, quick profile (digits)",
                       [{"kind": "step", "ratio": [1, 10, 50], "mu": [0.5]},
                        {"kind": "linear", "ratio": [10]}],
                       QUICK_METHODS, [0], iterations=600)


def paper() -> Experiment:
    """The paper's MNIST grid: rho 10-5000, mu 0.1-0.9 (step), linear at every rho, 5 seeds.

    MNIST's official split from ``$IMBKERAS_MNIST_DIR`` (refused before any run
    when the files are absent; ``--dataset digits`` runs the grid on the bundled
    digits, where rho >= 500 is infeasible).
    """
    exp = _experiment("Buda et al. 2018 (paper grid, MNIST)",
                      [{"kind": "step", "ratio": PAPER_RATIOS, "mu": PAPER_MUS},
                       {"kind": "linear", "ratio": PAPER_RATIOS}],
                      list(METHODS), [0, 1, 2, 3, 4])
    return exp.replace(datasets=["mnist"], cv={"kind": "holdout", "test_size": 0.3, "seed": 0})


def paper_cifar10() -> Experiment:
    """The paper's CIFAR-10 grid: rho 2-50, mu 0.2 / 0.5 / 0.8 (step) and linear, All-CNN-C.

    CIFAR-10's official split (GCN + ZCA) from ``$IMBKERAS_CIFAR10_DIR``;
    70k iterations of the paper's recipe per training.
    """
    exp = _experiment("Buda et al. 2018 (paper grid, CIFAR-10)",
                      [{"kind": "step", "ratio": CIFAR_RATIOS, "mu": CIFAR_MUS},
                       {"kind": "linear", "ratio": CIFAR_RATIOS}],
                      list(METHODS), [0, 1, 2])
    return exp.replace(datasets=["cifar10"])


def cpu() -> Experiment:
    """The reproduction on 2 CPU cores (about 40 minutes): every finding measured.

    Step imbalance with half the classes minority (mu 0.5) at rho 1, 10, 50,
    with most classes minority (mu 0.8) at rho 50, and linear imbalance at rho
    10 and 50 (the digits' ~125 training images per class leave 2 per minority
    class at rho 50); seven methods, 600 iterations, three seeds. ``--dataset
    mnist`` reads MNIST from ``$IMBKERAS_MNIST_DIR`` (the paper's data; slower).
    """
    return _experiment("Buda et al. 2018, CPU reproduction",
                       [{"kind": "step", "ratio": [1, 10, 50], "mu": [0.5]},
                        {"kind": "step", "ratio": [50], "mu": [0.8]},
                        {"kind": "linear", "ratio": [10, 50]}],
                       ("baseline", "ROS", "RUS", "ROS-2ph", "thresholding", "ROS+thr",
                        "RUS+thr"), [0, 1, 2], iterations=600)


def smoke() -> Experiment:
    """Seconds: one step scenario, three iterations, baseline / ROS / thresholding."""
    exp = _experiment("Buda et al. 2018, smoke", [{"kind": "step", "ratio": [10], "mu": [0.5]}],
                      ("baseline", "ROS", "thresholding", "ROS+thr"), [0], iterations=3)
    exp.verbose = 0
    return exp


# -- the paper's findings ------------------------------------------------------
def _imbalanced(df) -> list:
    """The imbalance ratios above 1 in the results."""
    ratios = sorted({float(r) for r in pd.to_numeric(df.get("ratio"), errors="coerce")
                     if np.isfinite(r) and r > 1}) if "ratio" in df else []
    if not ratios:
        raise NotMeasured("no imbalanced scenario (ratio > 1) was run")
    return ratios


def _highest(df) -> float:
    return _imbalanced(df)[-1]


def _auc_falls_with_rho(df) -> Measurement:
    sub = select(df, "auc_ovr", method="baseline", kind="step", mu=0.5)
    ratios = sorted(pd.to_numeric(sub["ratio"]).unique())
    if len(ratios) < 2:
        raise NotMeasured("needs the baseline at two or more ratios (step, mu 0.5)")
    steps = [contrast_effect(df, "auc_ovr", "ratio", lo, hi, method="baseline", kind="step",
                             mu=0.5) for lo, hi in zip(ratios, ratios[1:])]
    means = sub.groupby(pd.to_numeric(sub["ratio"]))["auc_ovr"].mean()
    ours = "baseline AUC " + ", ".join(f"{v:.4f} (rho {r:g})" for r, v in means.items())
    return Measurement(np.concatenate([m.effects for m in steps]), ours)


def _more_minority_classes_hurt(df) -> Measurement:
    rho = _highest(df)
    m = contrast_effect(df, "auc_ovr", "mu", 0.5, 0.8, method="baseline", kind="step",
                        ratio=rho)
    return Measurement(m.effects, f"rho {rho:g}: {m.ours}")


def _ros_at_least_baseline(df) -> Measurement:
    return paired_effect(df, "auc_ovr", "ROS", "baseline", ratio=_imbalanced(df))


def _ros_beats_rus_high_rho(df) -> Measurement:
    rho = _highest(df)
    m = paired_effect(df, "auc_ovr", "ROS", "RUS", ratio=rho)
    return Measurement(m.effects, f"rho {rho:g}: {m.ours}")


def _rus_gap_shrinks_with_mu(df) -> Measurement:
    rho = _highest(df)
    gaps = {}
    for mu in (0.5, 0.8):
        m = paired_effect(df, "auc_ovr", "ROS", "RUS", by=("dataset", "fold", "seed"),
                          kind="step", ratio=rho, mu=mu)
        gaps[mu] = np.asarray(m.effects)
    if len(gaps[0.5]) != len(gaps[0.8]):
        raise NotMeasured("mu 0.5 and mu 0.8 were not run with the same seeds and folds")
    return Measurement(gaps[0.5] - gaps[0.8],
                       f"rho {rho:g}: ROS - RUS AUC {gaps[0.5].mean():+.4f} (mu 0.5) vs "
                       f"{gaps[0.8].mean():+.4f} (mu 0.8)")


def _thresholding_lifts_accuracy(df) -> Measurement:
    return paired_effect(df, "accuracy", "thresholding", "baseline", ratio=_imbalanced(df))


def _thresholded_best_accuracy(df) -> Measurement:
    sub = select(df, "accuracy", ratio=_imbalanced(df))
    thr = [m for m in ("thresholding", "ROS+thr", "RUS+thr") if m in set(sub["method"])]
    plain = [m for m in ("baseline", "ROS", "RUS") if m in set(sub["method"])]
    if not thr or not plain:
        raise NotMeasured("needs thresholded and plain methods")
    keys = [c for c in ("dataset", "kind", "ratio", "mu", "fold", "seed") if c in sub]
    wide = sub.groupby(keys + ["method"], dropna=False)["accuracy"].mean().unstack("method")
    best_thr, best_plain = wide[thr].max(axis=1), wide[plain].max(axis=1)
    winners = wide[thr + plain].idxmax(axis=1).value_counts()
    return Measurement((best_thr - best_plain).to_numpy(),
                       f"best thresholded {best_thr.mean():.3f} vs best plain "
                       f"{best_plain.mean():.3f}; most accurate: "
                       + ", ".join(f"{m} {n}x" for m, n in winners.items()))


def _two_phase_not_better(df) -> Measurement:
    return paired_effect(df, "auc_ovr", "ROS", "ROS-2ph", ratio=_imbalanced(df))


def _step_worse_than_linear(df) -> Measurement:
    step = select(df, "auc_ovr", method="baseline", kind="step", mu=0.5)
    linear = select(df, "auc_ovr", method="baseline", kind="linear")
    key = ["dataset", "ratio", "fold", "seed"]
    a = linear.groupby(key)["auc_ovr"].mean()
    b = step[pd.to_numeric(step["ratio"]) > 1].groupby(key)["auc_ovr"].mean()
    both = pd.concat([a.rename("linear"), b.rename("step")], axis=1).dropna()
    if both.empty:
        raise NotMeasured("no ratio run with both linear and step (mu 0.5) imbalance")
    return Measurement((both["linear"] - both["step"]).to_numpy(),
                       f"baseline AUC linear {both['linear'].mean():.4f} vs step "
                       f"{both['step'].mean():.4f} at rho "
                       + ", ".join(f"{r:g}" for r in sorted(set(both.index.get_level_values(
                           "ratio").astype(float)))))


def _ros_helps_linear(df) -> Measurement:
    return paired_effect(df, "auc_ovr", "ROS", "baseline", kind="linear",
                         ratio=_imbalanced(df))


SMALL_DATA = ("the bundled digits leave about 125 training images per class, 2 per "
              "minority class at rho 50; differences of 0.001-0.01 AUC are within the "
              "variation between seeds")

FINDINGS = [
    Finding("buda.F3.imbalance-hurts",
            "The increasing ratio of examples between majority and minority classes had a "
            "negative effect on performance (multi-class ROC AUC).",
            "Fig. 3 (MNIST, CIFAR-10); Table 4 (ImageNet): baseline 99.41 at mu 0.1, rho 10 "
            "-> 90.05 at mu 0.9, rho 100",
            _auc_falls_with_rho, source="Fig. 3, Table 4"),
    Finding("buda.F3.minority-count",
            "The number of minority classes had a negative effect on performance.",
            "Fig. 4: at fixed rho the baseline's AUC falls as mu grows",
            _more_minority_classes_hurt, source="Fig. 4"),
    Finding("buda.F3.ros-vs-baseline",
            "Oversampling showed notable improvement over the baseline in the majority of "
            "situations and never a considerable decrease.",
            "Figs. 3-5 (MNIST, CIFAR-10)",
            _ros_at_least_baseline, kind="not_less", source="Figs. 3-5", caveat=SMALL_DATA),
    Finding("buda.F3.ros-vs-rus",
            "Undersampling showed a generally poor performance; never a notable advantage "
            "over oversampling (at the highest imbalance tested).",
            "Fig. 3; Table 4 (ImageNet, mu 0.9, rho 100): ROS 88.17 vs RUS 83.74",
            _ros_beats_rus_high_rho, source="Fig. 3, Table 4", caveat=SMALL_DATA),
    Finding("buda.F4.rus-gap-mu",
            "The gap between undersampling and oversampling is the biggest for a smaller "
            "number of minority classes and decreases with the number of minority classes.",
            "Fig. 4 (MNIST, CIFAR-10)",
            _rus_gap_shrinks_with_mu, source="Fig. 4", caveat=SMALL_DATA),
    Finding("buda.F6.thr-accuracy",
            "Thresholding by the class priors provided an improvement in overall accuracy.",
            "Fig. 6 (MNIST, CIFAR-10; accuracy)",
            _thresholding_lifts_accuracy, source="Fig. 6"),
    Finding("buda.F6.thr-best-accuracy",
            "Thresholding (in general best jointly with oversampling) gives the most accurate "
            "classifier.",
            "Fig. 6: ROS + thresholding is on top for accuracy",
            _thresholded_best_accuracy, source="Fig. 6"),
    Finding("buda.S4.1.two-phase",
            "As oversampling is almost always better than the baseline, fine-tuning on the "
            "original data (two-phase training) always gives a lower score than oversampling.",
            "Figs. 3-4: ROS-2ph between the baseline and ROS",
            _two_phase_not_better, kind="not_less", source="Sec. 4.1, Figs. 3-4",
            caveat=SMALL_DATA),
    Finding("buda.F5.step-vs-linear",
            "For the same rho (same number of examples), the drop in performance is much "
            "higher for step imbalance (mu 0.5) than for linear imbalance.",
            "Sec. 4.3, Figs. 3 and 5",
            _step_worse_than_linear, source="Sec. 4.3, Fig. 5"),
    Finding("buda.F5.linear-ros",
            "Under linear imbalance oversampling improves the score for all tested rho.",
            "Fig. 5 (MNIST, CIFAR-10)",
            _ros_helps_linear, source="Fig. 5", caveat=SMALL_DATA),
]

def _cifar(check):
    """The same check on the CIFAR-10 rows only (not measured without them)."""
    def run(df):
        if "dataset" not in df or not (df["dataset"] == "cifar10").any():
            raise NotMeasured("no CIFAR-10 run (profile paper_cifar10, needs the CIFAR-10 files)")
        return check(df[df["dataset"] == "cifar10"])
    return run


FINDINGS += [
    Finding("buda.F3c.imbalance-hurts-cifar10",
            "On CIFAR-10 the deterioration of performance due to class imbalance is substantial, "
            "and stronger than on MNIST.",
            "Fig. 3d-f (CIFAR-10): a similar drop needs ~100x less imbalance than on MNIST",
            _cifar(_auc_falls_with_rho), source="Fig. 3"),
    Finding("buda.F3c.ros-vs-rus-cifar10",
            "On CIFAR-10 oversampling is better than undersampling at the highest imbalance.",
            "Figs. 3-4 (CIFAR-10)", _cifar(_ros_beats_rus_high_rho), source="Figs. 3-4"),
    Finding("buda.F3c.ros-vs-baseline-cifar10",
            "On CIFAR-10 oversampling improves on the baseline and never decreases it "
            "considerably.",
            "Figs. 3-5 (CIFAR-10)", _cifar(_ros_at_least_baseline), kind="not_less",
            source="Figs. 3-5"),
]

# Table 4 as printed (ImageNet, multi-class ROC AUC in %). The source text
# loses part of the header; the mu 0.9 columns read as rho 10, 50, 100.
TABLE4 = pd.DataFrame(
    {"mu 0.1, rho 10": [99.41, 99.35, 96.85], "mu 0.8, rho 50": [96.31, 95.06, 94.98],
     "mu 0.9, rho 10": [90.74, 88.38, 88.35], "mu 0.9, rho 50": [90.46, 88.39, 84.08],
     "mu 0.9, rho 100": [90.05, 88.17, 83.74]},
    index=pd.Index(["Baseline", "Oversampling", "Undersampling"], name="method"))

PAPER_TABLES = {
    "Table 4": PaperTable(TABLE4, "ImageNet, multi-class ROC AUC (%); ResNet-10 on ImageNet "
                                  "is not run on a CPU, so ours stays blank"),
}

register_preset("buda2018", {"smoke": smoke, "quick": quick, "cpu": cpu, "paper": paper,
                             "paper_cifar10": paper_cifar10},
                description=__doc__.splitlines()[0], findings=FINDINGS,
                paper_tables=PAPER_TABLES, preflight=preflight)
