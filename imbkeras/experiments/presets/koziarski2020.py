"""Koziarski 2020: two-stage resampling (images, then learned features) on Kather CRC tiles.

Every method trains a backbone once per stage-1 sampler and (scenario, IR,
fold): ``baseline`` and ``IS-<sampler>`` evaluate the network as trained;
``FS-<sampler>`` and ``TS-<image sampler>+<feature sampler>`` fine-tune the
head on the backbone's features resampled by the stage-2 sampler
(:func:`imbkeras.training.feature_space_fine_tune`), restoring the head
between them, so one training serves every stage-2 variant.

Image-space (IS) resampling is done once per training, as in the paper (the
vectorised training images go through the sampler's ``fit_resample`` and are
reshaped back): IS-RUS trains on one undersampled subset throughout. The
per-epoch redraw of imbkeras' pipelines is an option with its own method names
(``IS-RUS/epoch``...). ``FS-none`` is our control: the same head fine-tuning
as FS, on features that are not resampled, which separates the effect of
resampling from that of the extra epochs.

Reference:
    Koziarski (2020), Two-stage resampling for convolutional neural network
    training in the imbalanced colorectal cancer image classification, IJCNN.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import scipy.stats

from imbkeras import datasets, models, sampling
from imbkeras.experiments._analysis import average_ranks, block_scores, rank_table
from imbkeras.experiments._config import Experiment
from imbkeras.experiments._context import TrainOutput
from imbkeras.experiments._findings import (Finding, Measurement, NotMeasured, PaperTable,
                                            method_means, paired_effect, select)
from imbkeras.experiments._registry import (DataBundle, register_dataset, register_preset,
                                            register_report, register_trainer)

TRAINER = "koziarski2020.two_stage"
SCENARIOS = ["single_majority", "single_minority", "half_minority", "linear_ratio"]
KATHER_ENV = "IMBKERAS_KATHER_DIR"
KATHER_CLASSES = ("01_TUMOR", "02_STROMA", "03_COMPLEX", "04_LYMPHO", "05_DEBRIS",
                  "06_MUCOSA", "07_ADIPOSE", "08_EMPTY")
SAMPLERS = ("rus", "ros", "smote")  # the order of the paper's tables
NAMES = {"ros": "ROS", "rus": "RUS", "smote": "SMOTE"}
#: The trainer's feature-space outputs and the sampler spec each fine-tunes on
#: (``fs_none``: the features as they are, our control).
FEATURE_SAMPLERS = {"fs_none": "none", **{f"fs_{s}": s for s in SAMPLERS}}

# The paper's recipe (section IV): MobileNet 150x150, FC 1024, RMSprop 1e-4, 20 epochs,
# batch 32, SMOTE k = 5, the same settings for the feature-space fine-tuning.
PARAMS = {"backbone": "mobilenet_classifier", "backbone_kwargs": {"head_units": 1024},
          "weights": "imagenet", "epochs": 20, "batch_size": 32, "learning_rate": 1e-4,
          "stage2_epochs": 20, "stage2_batch_size": 32, "stage2_learning_rate": 1e-4,
          "smote_k": 5}


def _sampler(spec, seed: int, k: int):
    """The sampler of the spec ``spec`` seeded for the run (``None`` for ``"none"``).

    A SMOTE spec without ``k_neighbors`` takes the preset's ``smote_k``.
    """
    name, args = sampling.sampler_spec(spec)
    extra = {"k_neighbors": k} if name == "smote" and "k_neighbors" not in args else {}
    return sampling.reseeded(sampling.create_sampler(spec, **extra), seed)


# The paper's methods (Table II): IS and FS with each sampler, TS SMOTE+RUS and SMOTE+SMOTE.
PAPER_TS = (("smote", "rus"), ("smote", "smote"))
# The other two-stage pairs: an extension beyond the paper.
EXTENSION_TS = tuple((a, b) for a in SAMPLERS for b in SAMPLERS if (a, b) not in PAPER_TS)


def _methods(ts_pairs=PAPER_TS, fs_control: bool = True, per_epoch=()) -> dict:
    for name in [n for pair in ts_pairs for n in pair] + list(per_epoch):
        if name not in SAMPLERS:
            raise ValueError(f"a two-stage pair or per-epoch method names unknown sampler "
                             f"{name!r}; known: {list(SAMPLERS)}.")
    methods = {"baseline": {"trainer": TRAINER, "params": {"stage1": "none"}}}
    for s in SAMPLERS:
        methods[f"IS-{NAMES[s]}"] = {"trainer": TRAINER, "params": {"stage1": s}}
    for s in per_epoch:
        methods[f"IS-{NAMES[s]}/epoch"] = {"trainer": TRAINER,
                                           "params": {"stage1": s, "is_resampling": "epoch"}}
    for s in SAMPLERS:
        methods[f"FS-{NAMES[s]}"] = {"trainer": TRAINER, "params": {"stage1": "none"},
                                     "output": f"fs_{s}"}
    if fs_control:
        methods["FS-none"] = {"trainer": TRAINER, "params": {"stage1": "none"},
                              "output": "fs_none"}
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


def _weights_setting(weights):
    """``"imagenet"``, ``None`` (random initialisation) or an existing weights file path."""
    if weights is None or (isinstance(weights, str) and weights.lower() in ("none", "random")):
        return None
    if weights == "imagenet":
        return "imagenet"
    if isinstance(weights, (str, os.PathLike)) and os.path.isfile(weights):
        return str(weights)
    raise ValueError(f"`params.weights` must be 'imagenet', 'none' or the path of an existing "
                     f"weights file; received {weights!r}.")


def _backbone(ctx, backbone: str, backbone_kwargs, weights):
    kwargs = dict(backbone_kwargs or {})
    weights = _weights_setting(weights)
    if backbone == "mobilenet_classifier" and weights is not None:
        # No silent fallback: an ImageNet backbone is the paper's experiment,
        # random initialisation another one (asked for with params.weights=none).
        return models.mobilenet_classifier(ctx.x_train.shape[1:], ctx.num_classes,
                                           weights=weights, **kwargs), str(weights)
    return models.create_model(backbone, input_shape=ctx.x_train.shape[1:],
                               num_classes=ctx.num_classes, **kwargs), "random"


def preflight(exp) -> None:
    """Refuse, before any run, a MobileNet run whose ImageNet weights are not on this machine."""
    p = exp.params
    backbones = {exp.methods[m].params.get("backbone", p.get("backbone")) for m in exp.methods}
    if "mobilenet_classifier" not in backbones:
        return
    weights = _weights_setting(p.get("weights"))
    if weights != "imagenet":
        return
    side = int(exp.dataset_params.get("image_size", 150))
    alpha = float(dict(p.get("backbone_kwargs") or {}).get("alpha", 1.0))
    path = models.mobilenet_weights_path(alpha, side)
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"`params.weights`='imagenet' (the paper's setting) needs the MobileNet ImageNet "
            f"weights {path!r}, which this machine does not have. Either fetch them while "
            f"online with `python data_scripts/download_kather.py --mobilenet-weights`, or run "
            f"from random initialisation, another experiment than the paper's, by saying so: "
            f"--set params.weights=none (recorded in every result row as initialisation).")


def _image_space(ctx, sampler, mode: str):
    """The stage-1 training set: resampled once (the paper) or per epoch (``mode='epoch'``)."""
    if sampler is None or mode == "epoch":
        return ctx.x_train, ctx.y_train, sampler
    x_res, y_res = sampler.fit_resample(ctx.x_train, ctx.y_train)
    return np.asarray(x_res, dtype=ctx.x_train.dtype), np.asarray(y_res), None


def _stage2_sampler(spec, seed: int, k: int):
    """The feature-space sampler of the spec ``spec`` (``"none"``: features as they are)."""
    from imblearn import FunctionSampler

    sampler = _sampler(spec, seed, k)
    return FunctionSampler() if sampler is None else sampler  # imbalanced-learn's identity


@register_trainer(TRAINER)
def two_stage(ctx, *, stage1: sampling.SingleLabelSamplerSpec = "none",
              is_resampling: str = "once", backbone: str = "mobilenet_classifier",
              backbone_kwargs: dict | None = None, weights: str | None = None,
              epochs: int = 20, batch_size: int = 32, learning_rate: float = 1e-4,
              stage2_epochs: int = 20, stage2_batch_size: int = 32,
              stage2_learning_rate: float = 1e-4, smote_k: int = 5,
              feature_samplers: dict[str, sampling.SingleLabelSamplerSpec] | None = None):
    """Stage 1 with the sampler ``stage1``, then each wanted feature-space (FS) output.

    Args:
        ctx: the run's :class:`~imbkeras.experiments.RunContext`.
        stage1: the image-space sampler spec (``"none"``, ``"ros"``, ``"rus"``,
            ``"smote"``, ``{"name": "smote", "k_neighbors": 3}``...).
        is_resampling: ``"once"`` (the paper: one resampled image set per
            training) or ``"epoch"`` (a new draw every epoch).
        backbone, backbone_kwargs, weights: the network (``weights``:
            ``"imagenet"`` (the paper's profile), a weights file, or
            ``None`` / ``"none"``: random initialisation; MobileNet only).
        epochs, batch_size, learning_rate: stage 1 (RMSprop).
        stage2_epochs, stage2_batch_size, stage2_learning_rate: each feature-space
            fine-tuning of the head.
        smote_k: ``k_neighbors`` of a SMOTE spec that does not give one.
        feature_samplers: ``{output name: sampler spec}`` of the FS outputs
            (default :data:`FEATURE_SAMPLERS`: ``fs_none``, ``fs_rus``,
            ``fs_ros``, ``fs_smote``).
    """
    import keras

    from imbkeras import training

    keras.utils.set_random_seed(ctx.seed)
    if is_resampling not in ("once", "epoch"):
        raise ValueError(f"`params.is_resampling` must be 'once' or 'epoch'; received "
                         f"{is_resampling!r}.")
    stage2 = FEATURE_SAMPLERS if feature_samplers is None else feature_samplers
    unknown = sorted(o for o in ctx.wanted if o != "default" and o not in stage2)
    if unknown:
        raise ValueError(f"outputs {unknown} are not feature-space outputs of "
                         f"`params.feature_samplers`; known: {sorted(stage2)}.")
    sampler = _sampler(stage1, ctx.seed, smote_k)
    x1, y1, per_epoch = _image_space(ctx, sampler, is_resampling)
    with ctx.scope():
        model, init = _backbone(ctx, backbone, backbone_kwargs, weights)
        model.compile(keras.optimizers.RMSprop(learning_rate),
                      "sparse_categorical_crossentropy")
    training.two_stage_fit(model, x1, y1, per_epoch, None,
                           epochs=epochs, batch_size=ctx.global_batch_size(batch_size),
                           seed=ctx.seed, verbose=ctx.verbose, callbacks=ctx.callbacks())
    outputs = {"default": model.predict(ctx.x_test, batch_size=256, verbose=0)}
    wanted = sorted(o for o in ctx.wanted if o != "default")
    if wanted:
        # Features of the original (not resampled) training images, as in the paper.
        extractor, head = models.split_head(model)
        features = training.extract_features(extractor, ctx.x_train)
        test_features = training.extract_features(extractor, ctx.x_test)
        saved = head.get_weights()
        for out in wanted:
            head.set_weights(saved)
            training.feature_space_fine_tune(
                model, None, ctx.y_train, _stage2_sampler(stage2[out], ctx.seed, smote_k),
                features=features, optimizer=keras.optimizers.RMSprop(stage2_learning_rate),
                loss="sparse_categorical_crossentropy", epochs=stage2_epochs,
                batch_size=stage2_batch_size, seed=ctx.seed, verbose=0)
            outputs[out] = head.predict(test_features, batch_size=256, verbose=0)
        head.set_weights(saved)
    return TrainOutput(outputs, info={"initialisation": init, "n_stage1": int(len(y1))})


# Table II is over the partitionings with IR 2, 5 and 10 (4 scenarios x 3 IR x folds).
TABLE2_RATIOS = (2, 5, 10)
PARTITION = ["dataset", "kind", "ratio", "fold", "seed"]
TABLE2_METRICS = ["avacc", "cba", "mavg"]


def _table2_rows(df):
    ratio = pd.to_numeric(df["ratio"], errors="coerce")
    part = df[ratio.isin(TABLE2_RATIOS) & (df["kind"] != "none")]
    if part.empty:
        raise NotMeasured("no partitioning with IR 2, 5 or 10")
    return part


def table2(df) -> pd.DataFrame:
    """Table II: mean score and average rank (1 = best) over the partitionings, per metric."""
    part = _table2_rows(df)
    cols = {}
    for metric in TABLE2_METRICS:
        ranks = average_ranks(part, metric, blocks=PARTITION)
        cols[(metric, "mean")] = part.groupby("method", sort=False)[metric].mean()
        cols[(metric, "rank")] = ranks
    out = pd.DataFrame(cols)
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    return out.loc[[m for m in dict.fromkeys(part["method"]) if m in out.index]]


@register_report("koziarski2020.table2")
def table2_report(df, store) -> dict:
    """Table II (mean and rank per partitioning), Table I (IS methods) and ranks per scenario."""
    out = {}
    try:
        out["table2_mean_and_rank"] = table2(df).round(4)
        part = _table2_rows(df)
        out["table2_ranks_per_scenario"] = rank_table(part, TABLE2_METRICS,
                                                      blocks=PARTITION, by="kind").round(2)
        out["table2_ranks_overall"] = rank_table(part, TABLE2_METRICS,
                                                 blocks=PARTITION).round(2)
    except (NotMeasured, ValueError):
        pass
    is_methods = [m for m in ("baseline", "IS-RUS", "IS-ROS", "IS-SMOTE") if m in set(df.method)]
    if is_methods:
        out["table1_image_space"] = _table1_ours(df).round(4)
    return out


REPORT = {"metrics": ["avacc", "cba", "mavg"],
          "plots": [{"type": "metric_vs_ratio", "metric": m, "panels": ["kind"]}
                    for m in TABLE2_METRICS],
          "hooks": ["koziarski2020.table2"]}


def _params(**changes) -> dict:
    return {**PARAMS, **changes}


def paper() -> Experiment:
    """Kather 150x150x3, MobileNet with ImageNet weights, 10-fold CV, IR 1-10, the paper's methods.

    The other two-stage pairs run as an extension block (``TS-ROS+RUS``...).
    Refuses to start without the ImageNet weights unless ``params.weights=none``
    is given (another experiment than the paper's).
    """
    return Experiment(name="Koziarski 2020 (paper: Kather CRC, MobileNet)", datasets=["kather"],
                      cv={"kind": "stratified_kfold", "folds": 10, "seed": 0},
                      scenarios=[{"kind": SCENARIOS, "ratio": [2, 5, 10]}, {"kind": "none"}],
                      methods=_methods(PAPER_TS + EXTENSION_TS), seeds=[0],
                      params=_params(), report=REPORT, verbose=2)


def _digits(name, folds, epochs, stage2_epochs, ratios=(2, 5, 10), smote_k=5, balanced=True):
    scenarios = [{"kind": SCENARIOS, "ratio": list(ratios)}]
    if balanced:
        scenarios.append({"kind": "none"})
    return Experiment(
        name=name, datasets=["digits"], dataset_params={"size": 16, "channels": 3},
        cv={"kind": "stratified_kfold", "folds": folds, "seed": 0},
        scenarios=scenarios, methods=_methods(), seeds=[0],
        params=_params(backbone="lenet5", backbone_kwargs={}, weights=None, epochs=epochs,
                       learning_rate=1e-3, stage2_epochs=stage2_epochs,
                       stage2_learning_rate=1e-3, smote_k=smote_k),
        report=REPORT, verbose=0)


def cpu() -> Experiment:
    """The reproduction on 2 CPU cores: digits as the stand-in for Kather, every finding measured.

    The bundled digits at 16x16x3 (Kather's tiles and MobileNet need a GPU),
    LeNet-5 backbone, the paper's four scenarios at IR 2, 5, 10 and the
    balanced set, 5-fold CV (the paper: 10), 10 epochs per stage (the paper:
    20), the paper's nine methods plus the FS-none control, SMOTE k = 5.
    """
    return _digits("Koziarski 2020, CPU reproduction (digits, LeNet-5)", folds=5, epochs=10,
                   stage2_epochs=10)


def quick() -> Experiment:
    """Digits at 16x16x3, LeNet-5 backbone, 3-fold CV, IR 2 and 10, four scenarios; claims nothing."""
    return _digits("Koziarski 2020, quick profile (digits, LeNet-5)", folds=3, epochs=3,
                   stage2_epochs=10, ratios=(2, 10), smote_k=3, balanced=False)


def smoke() -> Experiment:
    """Seconds: one scenario, one fold, one epoch."""
    exp = quick().replace(name="Koziarski 2020, smoke", folds=[0],
                          scenarios=[{"kind": "linear_ratio", "ratio": [5]},
                                     {"kind": "single_minority", "ratio": [5]}])
    exp.methods = {k: v for k, v in exp.methods.items()
                   if k in ("baseline", "IS-SMOTE", "FS-RUS", "FS-none", "TS-SMOTE+RUS")}
    exp.params.update(epochs=1, stage2_epochs=1)
    return exp


# -- the paper's tables and findings -------------------------------------------
_SCEN = {"linear": "linear_ratio", "single majority": "single_majority",
         "single minority": "single_minority", "half minority": "half_minority"}
_T1 = """linear 2 0.9167 0.9114 0.9186 0.9238 0.8811 0.8737 0.8875 0.8940 0.9100 0.9058 0.9136 0.9198
linear 5 0.9133 0.8832 0.9215 0.9219 0.8832 0.8202 0.8882 0.8903 0.9083 0.8756 0.9154 0.9162
linear 10 0.8874 0.8603 0.8860 0.8979 0.8456 0.7769 0.8577 0.8655 0.8676 0.8511 0.8635 0.8841
single_majority 2 0.8976 0.9071 0.9131 0.9167 0.8576 0.8731 0.8795 0.8851 0.8915 0.9018 0.9090 0.9111
single_majority 5 0.8633 0.8727 0.8781 0.8899 0.8093 0.8040 0.8253 0.8429 0.8519 0.8645 0.8643 0.8792
single_majority 10 0.8267 0.8333 0.8467 0.8476 0.7765 0.7323 0.7985 0.7842 0.7907 0.7412 0.7589 0.8168
single_minority 2 0.9381 0.9159 0.9383 0.9327 0.9185 0.8818 0.9165 0.9076 0.9355 0.9117 0.9357 0.9280
single_minority 5 0.9202 0.8793 0.9183 0.9159 0.8910 0.8244 0.8949 0.8848 0.9104 0.8707 0.9041 0.9047
single_minority 10 0.9179 0.8573 0.8985 0.9057 0.8912 0.7684 0.8784 0.8803 0.9068 0.8468 0.7963 0.8047
half_minority 2 0.9226 0.9101 0.9246 0.9254 0.8963 0.8630 0.8966 0.8925 0.9193 0.9057 0.9211 0.9216
half_minority 5 0.8993 0.8867 0.8776 0.9044 0.8670 0.8110 0.8467 0.8703 0.8884 0.8798 0.8608 0.8979
half_minority 10 0.8395 0.8534 0.8724 0.8540 0.7984 0.6752 0.8405 0.8165 0.8089 0.8387 0.8440 0.8261"""
T1_METHODS = ("baseline", "IS-RUS", "IS-ROS", "IS-SMOTE")


def _paper_table1() -> pd.DataFrame:
    rows = {}
    for line in _T1.splitlines():
        scen, ir, *vals = line.split()
        scen = "linear_ratio" if scen == "linear" else scen
        for k, metric in enumerate(TABLE2_METRICS):
            rows[(scen, int(ir), metric)] = [float(v) for v in vals[4 * k:4 * k + 4]]
    index = pd.MultiIndex.from_tuples(rows, names=["scenario", "IR", "metric"])
    return pd.DataFrame(list(rows.values()), index=index, columns=list(T1_METHODS))


def _table1_ours(df) -> pd.DataFrame:
    sub = select(df, None, method=list(T1_METHODS))
    sub = sub[pd.to_numeric(sub["ratio"], errors="coerce").isin(TABLE2_RATIOS)]
    if sub.empty:
        raise NotMeasured("no IS run at IR 2, 5 or 10")
    long = sub.melt(id_vars=["kind", "ratio", "method"], value_vars=TABLE2_METRICS,
                    var_name="metric")
    long["IR"] = pd.to_numeric(long["ratio"]).astype(int)
    out = long.pivot_table(index=["kind", "IR", "metric"], columns="method", values="value",
                           aggfunc="mean")
    out.index = out.index.set_names(["scenario", "IR", "metric"])
    return out.reindex(columns=[m for m in T1_METHODS if m in out.columns])


TABLE2 = pd.DataFrame(
    [[0.8952, 6.14, 0.8596, 6.31, 0.8824, 6.14], [0.8809, 7.42, 0.8087, 8.26, 0.8661, 7.06],
     [0.8995, 5.74, 0.8675, 5.87, 0.8739, 5.82], [0.9030, 5.30, 0.8678, 5.75, 0.8842, 5.45],
     [0.9122, 4.17, 0.8849, 4.12, 0.9030, 4.24], [0.9101, 4.27, 0.8868, 3.77, 0.8997, 4.30],
     [0.9111, 4.15, 0.8880, 3.77, 0.8940, 4.17], [0.9105, 4.10, 0.8882, 3.60, 0.8875, 4.08],
     [0.9152, 3.70, 0.8898, 3.55, 0.9050, 3.73]],
    index=pd.Index(["baseline", "IS-RUS", "IS-ROS", "IS-SMOTE", "FS-RUS", "FS-ROS", "FS-SMOTE",
                    "TS-SMOTE+SMOTE", "TS-SMOTE+RUS"], name="method"),
    columns=pd.MultiIndex.from_product([TABLE2_METRICS, ["mean", "rank"]]))


def _table2_ours(df) -> pd.DataFrame:
    return _flat(table2(df))


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out.columns = [f"{m} {k}" for m, k in out.columns]
    return out


PAPER_TABLES = {
    "Table I": PaperTable(_paper_table1(), "image-space resampling per scenario, IR and metric "
                                           "(Kather CRC, MobileNet; ours: the reproduction's "
                                           "data and backbone)", _table1_ours),
    "Table II": PaperTable(_flat(TABLE2), "mean score and average rank over the partitionings "
                                          "(scenario x IR 2/5/10 x fold)", _table2_ours),
}


def _is_oversampling_best(df, scenarios, sign=1) -> Measurement:
    wide = method_means(df, "avacc", ["baseline", "IS-ROS", "IS-SMOTE"], kind=scenarios,
                        ratio=list(TABLE2_RATIOS))
    best = wide[["IS-ROS", "IS-SMOTE"]].max(axis=1)
    eff = sign * (best - wide["baseline"])
    return Measurement(eff.to_numpy(), f"best of IS-ROS/IS-SMOTE {best.mean():.4f} vs baseline "
                                       f"{wide['baseline'].mean():.4f} (AvAcc)")


def _rus_never_best(df) -> Measurement:
    wide = method_means(df, "avacc", list(T1_METHODS), ratio=list(TABLE2_RATIOS))
    others = wide[["baseline", "IS-ROS", "IS-SMOTE"]].max(axis=1)
    wins = int((wide["IS-RUS"] > others).sum())
    return Measurement((others - wide["IS-RUS"]).to_numpy(),
                       f"IS-RUS best in {wins} of {len(wide)} partitionings (AvAcc)")


def _ts_best_rank(df) -> Measurement:
    part = _table2_rows(df)
    methods = [m for m in TABLE2.index if m in set(part["method"])]
    if "TS-SMOTE+RUS" not in methods or len(methods) < 2:
        raise NotMeasured("TS-SMOTE+RUS and at least one other method of Table II are needed")
    part = part[part["method"].isin(methods)]
    effects, texts = [], []
    for metric in TABLE2_METRICS:
        scores = block_scores(part, metric, PARTITION)
        ranks = pd.DataFrame(np.apply_along_axis(scipy.stats.rankdata, 1, -scores.values),
                             index=scores.index, columns=scores.columns)
        mean = ranks.mean()
        rival = mean.drop("TS-SMOTE+RUS").idxmin()
        effects.append((ranks[rival] - ranks["TS-SMOTE+RUS"]).to_numpy())
        texts.append(f"{metric}: TS-SMOTE+RUS {mean['TS-SMOTE+RUS']:.2f} vs best other "
                     f"{rival} {mean[rival]:.2f}")
    return Measurement(np.concatenate(effects), "average ranks " + "; ".join(texts))


def _fs_beats_is(df) -> Measurement:
    effects, texts = [], []
    for s in ("RUS", "ROS", "SMOTE"):
        m = paired_effect(df, "avacc", f"FS-{s}", f"IS-{s}", ratio=list(TABLE2_RATIOS))
        effects.append(np.asarray(m.effects))
        texts.append(f"FS-{s} - IS-{s} {np.mean(m.effects):+.4f}")
    return Measurement(np.concatenate(effects), "AvAcc " + ", ".join(texts))


def _imbalance_hurts(df) -> Measurement:
    base = select(df, "avacc", method="baseline")
    balanced = base[base["kind"] == "none"].groupby(["dataset", "fold", "seed"])["avacc"].mean()
    if balanced.empty:
        raise NotMeasured("the balanced set (scenario 'none') was not run")
    hi = base[pd.to_numeric(base["ratio"], errors="coerce") == 10]
    if hi.empty:
        raise NotMeasured("no baseline run at IR 10")
    drops = hi.join(balanced.rename("balanced"), on=["dataset", "fold", "seed"])
    eff = drops["balanced"] - drops["avacc"]
    return Measurement(eff.to_numpy(), f"baseline AvAcc balanced {balanced.mean():.4f} vs IR 10 "
                                       f"{hi['avacc'].mean():.4f} (mean of the 4 scenarios)")


SMALL = ("digits at 16x16 with LeNet-5 stand in for Kather's 150x150 tiles with MobileNet: "
         "a far easier problem, where IS differences of a few thousandths are within the "
         "variation between folds")

FINDINGS = [
    Finding("kozi.F6.imbalance-hurts",
            "Higher levels of imbalance were highly detrimental to the classification "
            "performance with respect to the dedicated metrics (AvAcc, CBA, MAvG).",
            "Fig. 6 (no resampling, IR 1 -> 10)", _imbalance_hurts, source="Fig. 6"),
    Finding("kozi.T1.rus-never-best",
            "Using RUS (in image space) in no case led to the best results.",
            "Table I: IS-RUS best in 0 of 36 cells", _rus_never_best, source="Table I",
            caveat=SMALL),
    Finding("kozi.T1.rus-below-baseline",
            "In the majority of the cases training on the undersampled data led to a worse "
            "performance than the baseline.",
            "Table I; Table II AvAcc 0.8809 (IS-RUS) vs 0.8952 (baseline)",
            lambda df: paired_effect(df, "avacc", "baseline", "IS-RUS",
                                     ratio=list(TABLE2_RATIOS)),
            source="Tables I-II", caveat=SMALL),
    Finding("kozi.T1.oversampling-helps",
            "Using ROS or SMOTE (in image space) led to an improved performance in the "
            "majority of imbalance scenarios (all but single minority).",
            "Table I: single majority IR 10 AvAcc 0.8267 -> 0.8476 (SMOTE)",
            lambda df: _is_oversampling_best(df, ["linear_ratio", "single_majority",
                                                  "half_minority"]),
            source="Table I", caveat=SMALL),
    Finding("kozi.T1.single-minority",
            "In the single minority scenario neither oversampling strategy led to a "
            "performance better than the baseline.",
            "Table I: single minority IR 10 AvAcc 0.9179 (baseline) vs 0.8985 / 0.9057",
            lambda df: _is_oversampling_best(df, ["single_minority"], sign=-1),
            kind="not_less", source="Table I", caveat=SMALL),
    Finding("kozi.T2.fs-beats-is",
            "Resampling in the high-level feature space (FS) leads to better results than "
            "resampling directly in the image space (IS), especially for undersampling.",
            "Table II AvAcc: FS-RUS 0.9122 vs IS-RUS 0.8809; FS-ROS 0.9101 vs 0.8995; "
            "FS-SMOTE 0.9111 vs 0.9030", _fs_beats_is, source="Table II"),
    Finding("kozi.T2.ts-best",
            "Two-stage resampling (SMOTE in image space, then RUS on features) achieved the "
            "best performance with respect to all metrics, in average ranks.",
            "Table II ranks: TS-SMOTE+RUS 3.70 / 3.55 / 3.73 (AvAcc / CBA / MAvG); next best "
            "TS-SMOTE+SMOTE 4.10 / 3.60 / 4.08", _ts_best_rank, source="Table II"),
    Finding("kozi.T2.ts-rus-beats-ts-smote",
            "TS SMOTE+RUS outperformed the variant which used SMOTE in both stages.",
            "Table II AvAcc 0.9152 vs 0.9105, MAvG 0.9050 vs 0.8875",
            lambda df: paired_effect(df, "avacc", "TS-SMOTE+RUS", "TS-SMOTE+SMOTE",
                                     ratio=list(TABLE2_RATIOS)),
            source="Table II", caveat=SMALL),
]

register_preset("koziarski2020", {"smoke": smoke, "quick": quick, "cpu": cpu, "paper": paper},
                description=__doc__.splitlines()[0], findings=FINDINGS,
                paper_tables=PAPER_TABLES, preflight=preflight)
