"""Koziarski 2020: two-stage resampling (images, then learned features) on Kather CRC tiles.

Every method trains a backbone once per stage-1 sampler and (scenario, IR,
fold): ``baseline`` and ``IS-<sampler>`` evaluate the network as trained;
``FS-<sampler>`` and ``TS-<image sampler>+<feature sampler>`` fine-tune the
head on the backbone's features resampled by the stage-2 sampler
(:func:`imbkeras.training.feature_space_fine_tune`), restoring the head
between them, so one training serves every stage-2 variant.

Reference:
    Koziarski (2020), Two-stage resampling for convolutional neural network
    training in the imbalanced colorectal cancer image classification, IJCNN.
"""

from __future__ import annotations

import os
import warnings

import keras

from imbkeras import datasets, models, sampling, training
from imbkeras.experiments._analysis import rank_table
from imbkeras.experiments._config import Experiment
from imbkeras.experiments._context import TrainOutput
from imbkeras.experiments._registry import (DataBundle, register_dataset, register_preset,
                                            register_report, register_trainer)

TRAINER = "koziarski2020.two_stage"
SCENARIOS = ["single_majority", "single_minority", "half_minority", "linear_ratio"]
METRICS = ["avacc", "cba", "mavg", "macro_f1"]
KATHER_ENV = "IMBKERAS_KATHER_DIR"
KATHER_CLASSES = ("01_TUMOR", "02_STROMA", "03_COMPLEX", "04_LYMPHO", "05_DEBRIS",
                  "06_MUCOSA", "07_ADIPOSE", "08_EMPTY")
SAMPLERS = ("ros", "rus", "smote")
NAMES = {"ros": "ROS", "rus": "RUS", "smote": "SMOTE"}

# The paper's recipe (section IV): MobileNet 150x150, FC 1024, RMSprop 1e-4, 20 epochs,
# batch 32, SMOTE k = 5, the same settings for the feature-space fine-tuning.
PARAMS = {"backbone": "mobilenet_classifier", "backbone_kwargs": {"head_units": 1024},
          "weights": "imagenet", "epochs": 20, "batch_size": 32, "learning_rate": 1e-4,
          "stage2_epochs": 20, "stage2_batch_size": 32, "stage2_learning_rate": 1e-4,
          "smote_k": 5}


def _sampler(name: str, seed: int, k: int):
    """A registered sampler seeded for the run (SMOTE with the preset's ``k``)."""
    kwargs = {"k_neighbors": k} if name == "smote" else {}
    return sampling.reseeded(sampling.create_sampler(name, **kwargs), seed)


def _methods(ts_pairs) -> dict:
    methods = {"baseline": {"trainer": TRAINER, "params": {"stage1": "none"}}}
    for s in SAMPLERS:
        methods[f"IS-{NAMES[s]}"] = {"trainer": TRAINER, "params": {"stage1": s}}
    for s in SAMPLERS:
        methods[f"FS-{NAMES[s]}"] = {"trainer": TRAINER, "params": {"stage1": "none"},
                                     "output": f"fs_{s}"}
    for s1, s2 in ts_pairs:
        methods[f"TS-{NAMES[s1]}+{NAMES[s2]}"] = {"trainer": TRAINER, "params": {"stage1": s1},
                                                  "output": f"fs_{s2}"}
    return methods


@register_dataset("kather")
def kather(image_size: int = 150) -> DataBundle:
    """The Kather 2016 CRC tiles from ``$IMBKERAS_KATHER_DIR`` (see data_scripts/download_kather.py)."""
    root = os.environ.get(KATHER_ENV)
    if not root:
        raise FileNotFoundError(
            f"dataset 'kather' reads the tiles from ${KATHER_ENV}, which is unset; run "
            f"`python data_scripts/download_kather.py DIR` and export {KATHER_ENV}.")
    x, y, names = datasets.load_image_folder(root, image_size=(image_size, image_size),
                                             channels=3, class_names=KATHER_CLASSES)
    return DataBundle(x, y, class_names=names)


def _backbone(ctx):
    p = ctx.params
    kwargs = dict(p.get("backbone_kwargs") or {})
    weights = p.get("weights")
    if p["backbone"] == "mobilenet_classifier" and weights:
        try:
            return models.mobilenet_classifier(ctx.x_train.shape[1:], ctx.num_classes,
                                               weights=weights, **kwargs), str(weights)
        except (RuntimeError, ValueError) as err:
            msg = (f"MobileNet weights={weights!r} unavailable ({err}); falling back to "
                   f"RANDOM initialisation, unlike the paper.")
            warnings.warn(msg, UserWarning, stacklevel=2)
            ctx.log(msg)
    return models.create_model(p["backbone"], input_shape=ctx.x_train.shape[1:],
                               num_classes=ctx.num_classes, **kwargs), "random"


@register_trainer(TRAINER)
def two_stage(ctx):
    """Stage 1 with ``params.stage1`` (none / ros / rus / smote), then each wanted FS output."""
    p = ctx.params
    keras.utils.set_random_seed(ctx.seed)
    s1 = p.get("stage1", "none")
    sampler = None if s1 == "none" else _sampler(s1, ctx.seed, p["smote_k"])
    with ctx.scope():
        model, init = _backbone(ctx)
        model.compile(keras.optimizers.RMSprop(p["learning_rate"]),
                      "sparse_categorical_crossentropy")
    training.two_stage_fit(model, ctx.x_train, ctx.y_train, sampler, None,
                           epochs=p["epochs"], batch_size=ctx.global_batch_size(p["batch_size"]),
                           seed=ctx.seed, verbose=ctx.verbose, callbacks=ctx.callbacks())
    outputs = {"default": model.predict(ctx.x_test, batch_size=256, verbose=0)}
    wanted = sorted(o for o in ctx.wanted if o.startswith("fs_"))
    if wanted:
        extractor, head = models.split_head(model)
        features = training.extract_features(extractor, ctx.x_train)
        test_features = training.extract_features(extractor, ctx.x_test)
        saved = head.get_weights()
        for out in wanted:
            head.set_weights(saved)
            training.feature_space_fine_tune(
                model, None, ctx.y_train, _sampler(out[3:], ctx.seed, p["smote_k"]),
                features=features, optimizer=keras.optimizers.RMSprop(p["stage2_learning_rate"]),
                loss="sparse_categorical_crossentropy", epochs=p["stage2_epochs"],
                batch_size=p["stage2_batch_size"], seed=ctx.seed, verbose=0)
            outputs[out] = head.predict(test_features, batch_size=256, verbose=0)
        head.set_weights(saved)
    return TrainOutput(outputs, info={"initialisation": init})


@register_report("koziarski2020.table2")
def table2(df, store) -> dict:
    """Average ranks per scenario and metric (rows: methods), the layout of Table II."""
    per = rank_table(df, METRICS, blocks=["dataset", "ratio"], by="kind")
    overall = rank_table(df, METRICS, blocks=["dataset", "kind", "ratio"])
    return {"table2_ranks_per_scenario": per.round(2), "table2_ranks_overall": overall.round(2)}


REPORT = {"metrics": ["avacc", "cba", "mavg"],
          "ranks": {"metrics": METRICS, "blocks": ["dataset", "kind", "ratio"]},
          "plots": [{"type": "metric_vs_ratio", "metric": m, "panels": ["kind"]}
                    for m in METRICS] + [{"type": "ranks"}],
          "hooks": ["koziarski2020.table2"]}


def paper() -> Experiment:
    """Kather 150x150x3, MobileNet (ImageNet weights when available), 10-fold CV, IR 1-10."""
    ts = [(a, b) for a in SAMPLERS for b in SAMPLERS]
    return Experiment(name="Koziarski 2020 (paper: Kather CRC, MobileNet)", datasets=["kather"],
                      cv={"kind": "stratified_kfold", "folds": 10, "seed": 0},
                      scenarios=[{"kind": SCENARIOS, "ratio": [1, 2, 5, 10]}],
                      methods=_methods(ts), seeds=[0], params=dict(PARAMS), report=REPORT,
                      verbose=2)


def quick() -> Experiment:
    """Bundled digits at 16x16x3, LeNet-5 backbone, 3-fold CV, IR 2 and 10, four scenarios."""
    return Experiment(
        name="Koziarski 2020, quick profile (digits, LeNet-5)",
        datasets=["digits"], dataset_params={"size": 16, "channels": 3},
        cv={"kind": "stratified_kfold", "folds": 3, "seed": 0},
        scenarios=[{"kind": SCENARIOS, "ratio": [2, 10]}],
        methods=_methods([("smote", "rus"), ("ros", "rus"), ("rus", "smote")]), seeds=[0],
        params={**PARAMS, "backbone": "lenet5", "backbone_kwargs": {}, "weights": None,
                "epochs": 3, "learning_rate": 1e-3, "stage2_epochs": 10,
                "stage2_learning_rate": 1e-3, "smote_k": 3},
        report=REPORT, verbose=0)


def smoke() -> Experiment:
    """Seconds: one scenario, one fold, one epoch."""
    exp = quick().replace(name="Koziarski 2020, smoke", folds=[0],
                          scenarios=[{"kind": "linear_ratio", "ratio": [5]},
                                     {"kind": "single_minority", "ratio": [5]}])
    exp.methods = {k: v for k, v in exp.methods.items()
                   if k in ("baseline", "IS-SMOTE", "FS-RUS", "TS-SMOTE+RUS")}
    exp.params.update(epochs=1, stage2_epochs=1)
    return exp


register_preset("koziarski2020", {"quick": quick, "paper": paper, "smoke": smoke},
                description=__doc__.splitlines()[0])
