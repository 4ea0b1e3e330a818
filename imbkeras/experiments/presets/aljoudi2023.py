"""Al-joudi & Arif 2023: GapNet-PL with SELU vs PReLU on 4-channel multi-label protein
images, hybrid resampling toward a target count per label, thresholds 0.5 vs tuned.

Each training resamples the training fold afresh every epoch with
``sampling.MultilabelHybridSampler`` (labels below the target are
oversampled, samples whose labels are all above it undersampled, label-set
aware), augments each image with one random rot90 / flip, and trains
GapNet-PL with binary cross-entropy and SGD (lr halved on plateau). The
``tuned`` methods use per-label thresholds tuned on a validation split of the
training fold (``thresholding.tune_thresholds``) instead of 0.5.

Reference:
    Al-joudi & Arif (2023), Multi-label classification of protein localisation
    with GapNet-PL (HPA); Rumetshofer et al. (2019), GapNet-PL.
"""

from __future__ import annotations

import os

import keras
import numpy as np
import pandas as pd

from imbkeras import datasets, layers, models, pipeline, sampling, synthetic, training
from imbkeras.experiments._config import Experiment
from imbkeras.experiments._context import TrainOutput
from imbkeras.experiments._registry import (DataBundle, register_dataset, register_preset,
                                            register_report, register_trainer)

TRAINER = "aljoudi2023.gapnet"
HPA_ENV = "IMBKERAS_HPA_DIR"
# Section 4: batch 80, SGD lr 0.1 momentum 0.9, 80 epochs, lr halved on plateau, target 500.
PARAMS = {"epochs": 80, "batch_size": 80, "optimizer": "sgd", "learning_rate": 0.1,
          "momentum": 0.9, "target": 500, "val_fraction": 0.1, "lr_patience": 3}
SCALARS = ["macro_auc", "subset_accuracy", "hamming_accuracy", "macro_f1", "macro_precision",
           "macro_recall"]


@register_dataset("aljoudi2023.cells")
def cells(n: int = 1200, size: int = 64, seed: int = 0) -> DataBundle:
    """Simulated RGBY cells (:func:`imbkeras.synthetic.protein_cells`)."""
    x, y, names = synthetic.protein_cells(n, size, seed=seed)
    return DataBundle(x, y, class_names=names)


@register_dataset("hpa")
def hpa(size: int = 299) -> DataBundle:
    """The HPA Kaggle training set from ``$IMBKERAS_HPA_DIR``, read per batch from disk."""
    root = os.environ.get(HPA_ENV)
    if not root:
        raise FileNotFoundError(f"dataset 'hpa' reads ${HPA_ENV}, which is unset; prepare the "
                                f"data with data_scripts/download_hpa.py and export {HPA_ENV}.")
    x, y, names = datasets.load_hpa(root, size=size, as_source=True)
    return DataBundle(x, y, class_names=names)


def _predict(model, x, batch_size=128):
    if isinstance(x, pipeline.FileSource):
        ds = pipeline.make_dataset(x, np.zeros((len(x), model.output_shape[-1]), np.float32),
                                   batch_size, shuffle=False, label_mode="multi_hot")
        return model.predict(ds.map(lambda xb, yb: xb), verbose=0)
    return model.predict(x, batch_size=batch_size, verbose=0)


@register_trainer(TRAINER)
def gapnet(ctx):
    """GapNet-PL (``params.activation``: selu / prelu) with hybrid resampling and rot90/flip."""
    p = ctx.params
    keras.utils.set_random_seed(ctx.seed)
    (x, y), (xv, yv) = ctx.validation_split(p["val_fraction"])
    sampler = sampling.MultilabelHybridSampler(target=p["target"], seed=ctx.seed)
    with ctx.scope():
        model = models.create_model("gapnet_pl", input_shape=tuple(x.shape[1:]),
                                    num_classes=ctx.num_classes, activation=p["activation"])
        if p["optimizer"] == "sgd":
            opt = keras.optimizers.SGD(p["learning_rate"], momentum=p["momentum"])
        elif p["optimizer"] == "adam":
            opt = keras.optimizers.Adam(p["learning_rate"])
        else:
            raise ValueError(f"`params.optimizer` must be 'sgd' or 'adam'; received "
                             f"{p['optimizer']!r}.")
        model.compile(opt, "binary_crossentropy")
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5,
                                                patience=p["lr_patience"])
    h = training.fit_resampled(model, x, y, sampler=sampler,
                               augment=layers.RandomRot90Flip(ndim=2, seed=ctx.seed),
                               epochs=p["epochs"], batch_size=ctx.global_batch_size(
                                   p["batch_size"]),
                               validation_data=(xv, yv), label_mode="multi_hot",
                               seed=ctx.seed, verbose=ctx.verbose,
                               callbacks=[plateau, *ctx.callbacks()])
    target = sampler.resolve_target(y)
    return TrainOutput({"default": _predict(model, ctx.x_test), "val_prob": _predict(model, xv),
                        "val_true": yv},
                       info={"target_count": int(target),
                             "final_loss": float(h.history["loss"][-1])})


def _methods():
    out = {}
    for act, name in (("selu", "SELU"), ("prelu", "PReLU")):
        spec = {"trainer": TRAINER, "params": {"activation": act}}
        out[name] = dict(spec)
        out[f"{name} tuned"] = {**spec, "post": "tune_thresholds"}
    return out


@register_report("aljoudi2023.tables")
def tables(df, store) -> dict:
    """Table 2 layout (activation x thresholds) and the per-class table."""
    t2 = df.groupby("method", sort=False)[SCALARS].mean().round(3)
    rows = []
    for rid in store.run_ids():
        res = store.result(rid)
        per = res["per_label"]
        for j, name in enumerate(res.get("class_names") or range(len(per["tp"]))):
            rows.append({"method": res["row"]["method"], "label": name,
                         **{k: per[k][j] for k in ("tp", "fp", "fn", "tn")},
                         **{k: per[k][j] for k in ("precision", "recall", "f1", "auc")}})
    frame = pd.DataFrame(rows)
    sums = frame.groupby(["method", "label"], sort=False)[["tp", "fp", "fn", "tn"]].sum()
    means = frame.groupby(["method", "label"], sort=False)[["precision", "recall", "f1",
                                                            "auc"]].mean()
    return {"table2": t2, "per_class": sums.join(means.round(3))}


REPORT = {"metrics": ["macro_auc", "macro_f1"], "plots": [{"type": "confusion"}],
          "hooks": ["aljoudi2023.tables"]}


def _experiment(name, dataset, dataset_params, folds=None, **params):
    return Experiment(name=name, datasets=[dataset], dataset_params=dataset_params,
                      cv={"kind": "stratified_kfold", "folds": 5, "seed": 0},
                      scenarios=[{"kind": "none"}], methods=_methods(), seeds=[0], folds=folds,
                      params={**PARAMS, **params}, report=REPORT, verbose=0)


def paper() -> Experiment:
    """HPA at 299x299x4, 5 folds, 80 epochs, target 500 per label (GPU)."""
    return _experiment("Al-joudi & Arif 2023 (HPA, GapNet-PL)", "hpa", {"size": 299})


def quick() -> Experiment:
    """1,200 simulated cells at 64x64x4, 5 folds, 20 epochs, target = the median label count.

    Adam (lr 1e-3) instead of the paper's SGD lr 0.1: on a 1,200-image set and
    20 epochs SGD at 0.1 or 0.05 learned nothing (macro AUC 0.50).
    """
    return _experiment("Al-joudi & Arif 2023, quick profile (simulated cells)",
                       "aljoudi2023.cells", {"n": 1200, "size": 64, "seed": 0}, epochs=20,
                       target="median", optimizer="adam", learning_rate=1e-3)


def smoke() -> Experiment:
    """Seconds: 160 cells at 32x32, one fold, one epoch."""
    return _experiment("Al-joudi & Arif 2023, smoke", "aljoudi2023.cells",
                       {"n": 160, "size": 32, "seed": 0}, folds=[0], epochs=1, target="median")


register_preset("aljoudi2023", {"quick": quick, "paper": paper, "smoke": smoke},
                description=__doc__.splitlines()[0])
