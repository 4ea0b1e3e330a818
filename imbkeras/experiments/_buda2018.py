"""Buda et al. 2018: class imbalance in CNNs, step / linear imbalance, sampling, thresholding.

One *scenario* is an imbalanced training set (kind, ratio rho, mu). For every
scenario and seed, LeNet-5 is trained once per sampling method (none, ROS,
RUS) for the same number of iterations; thresholding reuses the trained
model's outputs divided by the training priors (estimated before sampling).
Two-phase training (``ROS-2ph``, ``RUS-2ph``) continues the ROS / RUS model:
only its FC head is fine-tuned on the original imbalanced set, with the same
schedule and iterations and the base learning rate x 0.1.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import keras
import pandas as pd

from imbkeras import metrics, models, pipeline, protocols, sampling, thresholding, training
from imbkeras.experiments import _results
from imbkeras.experiments._data import load_split
from imbkeras.training import InverseDecay

# method -> (sampler of phase one, thresholding, two-phase fine-tuning)
METHODS = {
    "baseline": (None, False, False),
    "ROS": ("ros", False, False),
    "RUS": ("rus", False, False),
    "ROS-2ph": ("ros", False, True),
    "RUS-2ph": ("rus", False, True),
    "thresholding": (None, True, False),
    "ROS+thr": ("ros", True, False),
    "RUS+thr": ("rus", True, False),
}
QUICK_METHODS = ("baseline", "ROS", "RUS", "thresholding", "ROS+thr")
PAPER_RATIOS = (10, 25, 50, 100, 250, 500, 1000, 2500, 5000)
PAPER_MUS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclasses.dataclass
class Buda2018Config:
    """Settings of a Buda 2018 reproduction (defaults: the paper's MNIST recipe).

    ``scenarios`` lists dicts with ``kind`` ("step" / "linear"), ``ratio`` and,
    for step imbalance, ``mu``.
    """

    dataset: str = "digits"
    scenarios: list = dataclasses.field(default_factory=list)
    methods: tuple = tuple(METHODS)
    seeds: tuple = (0, 1, 2, 3, 4)
    iterations: int = 10000
    batch_size: int = 64
    learning_rate: float = 0.01
    lr_gamma: float = 1e-4
    lr_power: float = 0.75
    momentum: float = 0.9
    weight_decay: float = 5e-4
    max_per_class: int | None = 5000
    test_size: float = 0.3
    split_seed: int = 0
    log_every: int = 100
    verbose: int = 2

    def validate(self):
        unknown = [m for m in self.methods if m not in METHODS]
        if unknown:
            raise ValueError(f"`methods` has unknown {unknown}; known: {list(METHODS)}.")
        for s in self.scenarios:
            if s.get("kind") not in ("step", "linear"):
                raise ValueError(f"scenario kind must be 'step' or 'linear'; received {s!r}.")
        if self.iterations < 1:
            raise ValueError(f"`iterations` must be >= 1; received {self.iterations!r}.")


def quick_config(**overrides) -> Buda2018Config:
    """The quick profile: digits; step (mu 0.5) at rho 1, 10, 50; linear at rho 10."""
    scen = [{"kind": "step", "ratio": r, "mu": 0.5} for r in (1, 10, 50)]
    scen.append({"kind": "linear", "ratio": 10, "mu": None})
    base = dict(scenarios=scen, methods=QUICK_METHODS, seeds=(0,), iterations=600,
                log_every=100)
    base.update(overrides)
    return Buda2018Config(**base)


def paper_config(**overrides) -> Buda2018Config:
    """The paper's MNIST grid: rho up to 5000, mu 0.1-0.9 (step), linear at every rho."""
    scen = [{"kind": "step", "ratio": r, "mu": m} for r in PAPER_RATIOS for m in PAPER_MUS]
    scen += [{"kind": "linear", "ratio": r, "mu": None} for r in PAPER_RATIOS]
    base = dict(scenarios=scen)
    base.update(overrides)
    return Buda2018Config(**base)


def _run_id(s: dict, method: str, seed: int) -> str:
    mu = "" if s.get("mu") is None else f"_mu{s['mu']:g}"
    return f"{s['kind']}_rho{s['ratio']:g}{mu}_{method.replace('+', '-')}_seed{seed}"


def _steps_per_chunk(iterations: int, log_every: int) -> int:
    """Largest divisor of ``iterations`` not above ``log_every`` (Keras logs per chunk)."""
    for d in range(min(log_every, iterations), 0, -1):
        if iterations % d == 0:
            return d
    return 1


def _feasible(y_train, s, cfg) -> str | None:
    try:
        protocols.imbalance_counts(y_train, s["kind"], s["ratio"], s.get("mu"),
                                   max_per_class=cfg.max_per_class)
    except ValueError as err:
        return str(err)
    return None


def _optimizer(cfg: Buda2018Config, lr_factor: float = 1.0):
    schedule = InverseDecay(cfg.learning_rate * lr_factor, cfg.lr_gamma, cfg.lr_power)
    return keras.optimizers.SGD(schedule, momentum=cfg.momentum)


def train_and_predict(x_tr, y_tr, x_te, sampler_name, num_classes, cfg: Buda2018Config,
                      seed: int, two_phase: bool = False):
    """Train LeNet-5 for ``cfg.iterations`` SGD steps and return test probabilities.

    Returns:
        ``(probs, probs_two_phase)``; the second is ``None`` unless
        ``two_phase``, in which case the head of the trained model is then
        fine-tuned on the unsampled ``(x_tr, y_tr)`` for ``cfg.iterations``
        more steps with the learning rate x 0.1.
    """
    keras.utils.set_random_seed(seed)
    sampler = {None: None,
               "ros": sampling.RandomOverSampler(seed=seed),
               "rus": sampling.RandomUnderSampler(seed=seed)}[sampler_name]
    chunk = _steps_per_chunk(cfg.iterations, cfg.log_every)
    ds = pipeline.make_dataset(x_tr, y_tr, cfg.batch_size, sampler=sampler, seed=seed,
                               num_classes=num_classes, steps_per_epoch=chunk)
    model = models.lenet5(x_tr.shape[1:], num_classes, weight_decay=cfg.weight_decay)
    model.compile(_optimizer(cfg), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(ds, epochs=cfg.iterations // chunk, steps_per_epoch=chunk, shuffle=False,
              verbose=cfg.verbose)
    probs = model.predict(x_te, batch_size=512, verbose=0)
    if not two_phase:
        return probs, None
    if cfg.verbose:
        print("    phase two: fine-tuning the head on the imbalanced set", flush=True)
    original = pipeline.make_dataset(x_tr, y_tr, cfg.batch_size, seed=seed + 1,
                                     num_classes=num_classes, steps_per_epoch=chunk)
    training.fine_tune_head(model, original, optimizer=_optimizer(cfg, 0.1),
                            loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                            epochs=cfg.iterations // chunk, steps_per_epoch=chunk,
                            shuffle=False, verbose=cfg.verbose)
    return probs, model.predict(x_te, batch_size=512, verbose=0)


def run(cfg: Buda2018Config, out) -> pd.DataFrame:
    """Run every scenario x seed x method; write results and return the table.

    Writes ``results.csv`` (one row per run, after every run), ``predictions/
    <run>.npz``, ``config.json`` and ``auc_vs_ratio.png`` under ``out``.
    """
    cfg.validate()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(dataclasses.asdict(cfg), indent=2))
    (x_tr_full, y_tr_full), (x_te, y_te) = load_split(cfg.dataset, cfg.split_seed, cfg.test_size)
    k = int(max(y_tr_full.max(), y_te.max())) + 1

    scenarios = []
    for s in cfg.scenarios:
        why = _feasible(y_tr_full, s, cfg)
        if why:
            print(f"skipping {s}: {why}", flush=True)
        else:
            scenarios.append(s)
    samplers = list(dict.fromkeys(METHODS[m][0] for m in cfg.methods))
    trainings = len(scenarios) * len(cfg.seeds) * len(samplers)
    rows, done, t_start = [], 0, time.time()
    for s in scenarios:
        for seed in cfg.seeds:
            idx = protocols.imbalance_indices(y_tr_full, s["kind"], s["ratio"], s.get("mu"),
                                              max_per_class=cfg.max_per_class, seed=seed)
            x_tr, y_tr = x_tr_full[idx], y_tr_full[idx]
            priors = thresholding.class_priors(y_tr, k)
            for sampler_name in samplers:
                done += 1
                elapsed = time.time() - t_start
                eta = "" if done == 1 else f", ETA {elapsed / (done - 1) * (trainings - done + 1):.0f}s"
                print(f"[{done}/{trainings}] {s['kind']} rho={s['ratio']:g}"
                      + ("" if s.get("mu") is None else f" mu={s['mu']:g}")
                      + f" seed={seed} sampler={sampler_name or 'none'} "
                      f"(n_train={len(y_tr)}, {cfg.iterations} iterations; "
                      f"elapsed {elapsed:.0f}s{eta})", flush=True)
                t0 = time.time()
                two_phase = any(METHODS[m][0] == sampler_name and METHODS[m][2]
                                for m in cfg.methods)
                prob, prob_2ph = train_and_predict(x_tr, y_tr, x_te, sampler_name, k, cfg,
                                                   seed, two_phase)
                train_s = time.time() - t0
                for method in cfg.methods:
                    sampler_of, thr, fine_tuned = METHODS[method]
                    if sampler_of != sampler_name:
                        continue
                    p = prob_2ph if fine_tuned else prob
                    if thr:
                        p = thresholding.prior_correction(p, priors)
                    rep = metrics.report(y_te, p)
                    run_id = _run_id(s, method, seed)
                    _results.save_predictions(out, run_id, y_te, p)
                    rows.append({"dataset": cfg.dataset, "kind": s["kind"],
                                 "ratio": s["ratio"], "mu": s.get("mu"), "method": method,
                                 "seed": seed, "n_train": len(y_tr),
                                 "iterations": cfg.iterations * (2 if fine_tuned else 1),
                                 "train_seconds": round(train_s, 2),
                                 **{key: rep[key] for key in metrics.SCALAR_KEYS},
                                 "run_id": run_id})
                    print(f"    {method:<13} auc_ovr={rep['auc_ovr']:.4f} "
                          f"accuracy={rep['accuracy']:.4f} macro_f1={rep['macro_f1']:.4f}",
                          flush=True)
                _results.write_results(rows, out)
    df = _results.write_results(rows, out)
    if len(df):
        _results.plot_auc_vs_ratio(df, out / "auc_vs_ratio.png")
    print(f"finished {trainings} trainings in {time.time() - t_start:.0f}s; results in {out}",
          flush=True)
    return df
