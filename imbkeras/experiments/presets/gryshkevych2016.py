"""Gryshkevych 2016: LipNet on TEM liposomes, oversampling with augmentation, per-epoch
undersampling, the SVM baseline on hand-crafted features, input modes, augmentation ablation.

The data are simulated (:func:`imbkeras.synthetic.liposomes`; the thesis'
data are proprietary). Inputs carry two channels, image and mask
(:func:`imbkeras.datasets.particle_inputs`): the CNNs see the image, the SVM
computes its features from both. Training folds are balanced every epoch by
``sampling.HybridSampler`` toward 80 % of the majority count (the majority
loses a different 20 % each epoch, the minorities are oversampled with
augmentation); test folds stay imbalanced.

Reference:
    Gryshkevych (2016), Deep learning for classification of liposomes in TEM
    images (MSc thesis, Uppsala University).
"""

from __future__ import annotations

import functools

import keras
import numpy as np
import pandas as pd

from imbkeras import baselines, datasets, layers, models, sampling, synthetic, training
from imbkeras.experiments._config import Experiment
from imbkeras.experiments._context import TrainOutput
from imbkeras.experiments._registry import (DataBundle, register_dataset, register_preset,
                                            register_report, register_trainer)

CNN = "gryshkevych2016.lipnet"
SVM = "gryshkevych2016.svm"
# The ablation of the thesis' Figure 17: augmentations added one at a time.
AUGMENTATIONS = ("rotation", "shift", "flip", "shear", "zoom")
AUG_ARGS = {"rotation": {"rotation_range": 180.0},
            "shift": {"width_shift_range": 0.1, "height_shift_range": 0.1},
            "flip": {"horizontal_flip": True, "vertical_flip": True},
            "shear": {"shear_range": float(np.degrees(0.2))},
            "zoom": {"zoom_range": (0.8, 1.0)}}
# Section 4.8: SGD lr 0.01, momentum 0.9, Nesterov; label smoothing 0.1; early stopping.
PARAMS = {"model": "lipnet4", "epochs": 40, "batch_size": 32, "learning_rate": 0.01,
          "momentum": 0.9, "label_smoothing": 0.1, "patience": 5, "val_fraction": 0.1,
          "resample": True, "drop_majority": 0.2, "augment": list(AUGMENTATIONS)}


@functools.lru_cache(maxsize=4)
def _simulate(n, problem, seed):
    return synthetic.liposomes(n, problem, seed=seed)


def _register(mode):
    @register_dataset(f"gryshkevych2016.liposomes.{mode}")
    def _data(n: int = 2000, problem: str = "lamellarity", size: int = 28, seed: int = 0):
        s = _simulate(n, problem, seed)
        return DataBundle(datasets.particle_inputs(s.images, s.masks, mode, size), s.y,
                          class_names=s.class_names)
    _data.__doc__ = f"Simulated liposomes, input mode {mode!r}, (n, size, size, 2)."


for _mode in datasets.MODES:
    _register(_mode)


def _augment(names, seed):
    args = {}
    for name in names:
        if name not in AUG_ARGS:
            raise ValueError(f"`params.augment` names unknown {name!r}; known: "
                             f"{list(AUG_ARGS)}.")
        args.update(AUG_ARGS[name])
    return layers.RandomGeometric2D(**args, fill_mode="reflect", seed=seed) if args else None


@register_trainer(CNN)
def lipnet(ctx):
    """LipNet trained with per-epoch hybrid resampling, augmentation, label smoothing, early stop."""
    p = ctx.params
    keras.utils.set_random_seed(ctx.seed)
    (x, y), (xv, yv) = ctx.validation_split(p["val_fraction"])
    x, xv, xt = x[..., :1], xv[..., :1], ctx.x_test[..., :1]
    shape = models.get_builder(p["model"]).defaults.get("input_shape")
    if shape is not None and tuple(shape[:2]) != x.shape[1:3]:
        resize = keras.layers.Resizing(*shape[:2])
        x, xv, xt = (np.asarray(resize(a)) for a in (x, xv, xt))
    sampler = None
    if p["resample"]:
        target = int(round((1 - p["drop_majority"]) * np.bincount(y).max()))
        sampler = sampling.HybridSampler(target=target, seed=ctx.seed)
    with ctx.scope():
        model = models.create_model(p["model"], input_shape=x.shape[1:],
                                    num_classes=ctx.num_classes)
        model.compile(keras.optimizers.SGD(p["learning_rate"], momentum=p["momentum"],
                                           nesterov=True),
                      keras.losses.CategoricalCrossentropy(label_smoothing=p["label_smoothing"]))
    h = training.fit_resampled(model, x, y, sampler=sampler,
                               augment=_augment(p["augment"], ctx.seed), epochs=p["epochs"],
                               batch_size=p["batch_size"], validation_data=(xv, yv),
                               patience=p["patience"], label_mode="categorical",
                               num_classes=ctx.num_classes, seed=ctx.seed, verbose=ctx.verbose,
                               callbacks=ctx.callbacks())
    return TrainOutput({"default": model.predict(xt, batch_size=256, verbose=0)},
                       info={"epochs_run": len(h.history["loss"])})


@register_trainer(SVM)
def svm(ctx):
    """ParticleFeatureSVM on the image and mask channels."""
    clf = baselines.ParticleFeatureSVM(C=ctx.params.get("C", 1.0), random_state=ctx.seed)
    clf.fit(ctx.x_train, ctx.y_train)
    prob = np.zeros((len(ctx.x_test), ctx.num_classes))
    prob[:, clf.classes_] = clf.predict_proba(ctx.x_test)
    return prob


def _cnn(model="lipnet4", augment=AUGMENTATIONS, resample=True):
    return {"trainer": CNN, "params": {"model": model, "augment": list(augment),
                                       "resample": resample}}


def _ablation():
    return {f"aug{i} " + ("none" if i == 0 else "+" + AUGMENTATIONS[i - 1]):
            _cnn(augment=AUGMENTATIONS[:i]) for i in range(len(AUGMENTATIONS) + 1)}


@register_report("gryshkevych2016.tables")
def tables(df, store) -> dict:
    """Per-class TPR/TNR/PPV/NPV/F1 per method (thesis Tables 5-6) and the ablation figure."""
    results = [store.result(r) for r in store.run_ids()]
    rows = []
    for res in results:
        names = res.get("class_names") or []
        per = res["per_class"]
        for c, name in enumerate(names):
            rows.append({"dataset": res["row"]["dataset"].rsplit(".", 1)[-1],
                         "method": res["row"]["method"], "class": name,
                         **{k: per[k][c] for k in ("tpr", "tnr", "ppv", "npv", "f1")}})
    per_class = (pd.DataFrame(rows).groupby(["dataset", "method", "class"], sort=False)
                 .mean(numeric_only=True).round(3))
    out = {"per_class_metrics": per_class}
    abl = per_class.reset_index()
    abl = abl[abl["method"].str.startswith("aug")]
    if len(abl):
        from matplotlib.figure import Figure

        table = abl.pivot_table(index="method", columns="class", values="tpr", sort=False)
        out["ablation_tpr"] = table
        fig = Figure(figsize=(6.5, 3.8), layout="constrained")
        ax = fig.subplots()
        for name in table.columns:
            ax.plot(range(len(table)), table[name].values, marker="o", label=name)
        ax.set_xticks(range(len(table)), table.index, rotation=20, ha="right")
        ax.set_ylabel("TPR (recall), mean over folds")
        ax.set_ylim(0, 1.05)
        ax.set_title("augmentation added one at a time (thesis Fig. 17)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        out["ablation_tpr_plot"] = fig
    return out


REPORT = {"metrics": ["macro_f1", "gmean", "avacc"],
          "plots": [{"type": "confusion"}, {"type": "per_class_recall"}],
          "hooks": ["gryshkevych2016.tables"]}


def _experiment(name, datasets_, methods, n, folds=None, **params):
    return Experiment(name=name, datasets=datasets_,
                      dataset_params={"n": n, "problem": "lamellarity", "size": 28, "seed": 0},
                      cv={"kind": "stratified_kfold", "folds": 5, "seed": 0},
                      scenarios=[{"kind": "none"}], methods=methods, seeds=[0], folds=folds,
                      params={**PARAMS, **params}, report=REPORT, verbose=0)


def quick() -> Experiment:
    """1,500 simulated particles at 28x28, LipNet-4 (full recipe, plain, ablation) and the SVM.

    Two of the five folds (``--folds 0,1,2,3,4`` runs them all), four epochs.
    """
    methods = {"LipNet-4": _cnn(), "LipNet-4 plain": _cnn(augment=(), resample=False),
               "SVM": {"trainer": SVM}, **_ablation()}
    return _experiment("Gryshkevych 2016, quick profile (simulated lamellarity)",
                       ["gryshkevych2016.liposomes.surrounding"], methods, 1500, folds=[0, 1],
                       epochs=4, patience=2)


def paper() -> Experiment:
    """LipNet-1/2/4/4c/6, the ablation, the SVM, three input modes; 14,169 particles."""
    methods = {f"LipNet-{v}": _cnn(f"lipnet{v}") for v in ("1", "2", "4", "4c", "6")}
    methods.update({"LipNet-4 plain": _cnn(augment=(), resample=False), "SVM": {"trainer": SVM},
                    **_ablation()})
    return _experiment("Gryshkevych 2016 (lamellarity, thesis scale)",
                       [f"gryshkevych2016.liposomes.{m}" for m in datasets.MODES], methods,
                       14169)


def smoke() -> Experiment:
    """Seconds: 300 particles, one fold, one epoch."""
    methods = {"LipNet-4": _cnn(), "aug0 none": _cnn(augment=()), "SVM": {"trainer": SVM}}
    return _experiment("Gryshkevych 2016, smoke", ["gryshkevych2016.liposomes.masked"], methods,
                       300, folds=[0], epochs=1, patience=0)


register_preset("gryshkevych2016", {"quick": quick, "paper": paper, "smoke": smoke},
                description=__doc__.splitlines()[0])
