"""Luo et al. 2019: imbalanced cryo-ET subtomogram classification; a multi-path 3D CNN
(one path per class, each pretrained one-vs-rest) with focal loss and MixUp, against
resampling, bagging, boosting, GP and GSVM-RU baselines, for 2, 3 and 4 classes.

The data are simulated (:func:`imbkeras.synthetic.subtomograms`, the paper's
are not public): Luo's four classes in his shares; the 2- and 3-class sets
keep the first two or three classes. The non-deep baselines see the volumes
average-pooled to ``pool^3`` features.

Reference:
    Luo, Zeng, Xu et al. (2019), Deep learning based imbalanced data
    classification and its application in cryo-ET (multi-path CNN).
"""

from __future__ import annotations

import functools

import keras
import numpy as np

from imbkeras import baselines, ensemble, losses, models, pipeline, sampling, synthetic, training
from imbkeras.experiments._config import Experiment
from imbkeras.experiments._context import TrainOutput
from imbkeras.experiments._registry import (DataBundle, register_dataset, register_preset,
                                            register_report, register_trainer)

CNN, ENSEMBLE, MULTIPATH, SHALLOW = ("luo2019.cnn", "luo2019.ensemble", "luo2019.multipath",
                                     "luo2019.shallow")
PARAMS = {"model": "inception3d", "epochs": 20, "batch_size": 32, "learning_rate": 1e-3,
          "sampler": "none", "focal_gamma": 2.0, "mixup_alpha": 0.2, "n_estimators": 5,
          "path_epochs": 10, "pool": 6, "gp_population": 300, "gp_generations": 10}


@functools.lru_cache(maxsize=4)
def _simulate(n, size, snr, seed):
    return synthetic.subtomograms(n, size=size, snr=snr, seed=seed, n_jobs=None)


def _register(k):
    @register_dataset(f"luo2019.sim{k}")
    def _data(n: int = 1634, size: int = 40, snr: float = 0.5, seed: int = 0) -> DataBundle:
        x, y, names = _simulate(n, size, snr, seed)
        keep = y < k
        return DataBundle(x[keep], y[keep], class_names=names[:k])
    _data.__doc__ = f"Simulated subtomograms, the first {k} of Luo's four classes."


for _k in (2, 3, 4):
    _register(_k)


def _sampler(name, seed):
    return {"none": None, "smote": sampling.SMOTE(k_neighbors=3, seed=seed),
            "rus": sampling.RandomUnderSampler(seed=seed)}[name]


def _alpha(y, k):
    """Alpha-balanced focal weights: inverse class frequency, normalised to sum to 1."""
    counts = np.bincount(y, minlength=k).astype(float)
    w = 1.0 / np.maximum(counts, 1)
    return (w / w.sum()).tolist()


def _compiled(p, shape, k, loss="sparse_categorical_crossentropy"):
    model = models.create_model(p["model"], input_shape=shape, num_classes=k)
    model.compile(keras.optimizers.Adam(p["learning_rate"]), loss)
    return model


@register_trainer(CNN)
def cnn(ctx):
    """A single-path CNN (Inception3D), optionally SMOTE / RUS resampled per epoch."""
    p = ctx.params
    with ctx.scope():
        model = _compiled(p, ctx.x_train.shape[1:], ctx.num_classes)
    ds = pipeline.make_dataset(ctx.x_train, ctx.y_train, p["batch_size"],
                               sampler=_sampler(p["sampler"], ctx.seed), seed=ctx.seed)
    model.fit(ds, epochs=p["epochs"], verbose=ctx.verbose, shuffle=False,
              callbacks=ctx.callbacks())
    return model.predict(ctx.x_test, batch_size=128, verbose=0)


@register_trainer(ENSEMBLE)
def bag_or_boost(ctx):
    """Bagging or SAMME boosting of Inception3D members (``params.kind``), optional SMOTE."""
    p = ctx.params
    build = functools.partial(lambda shape, k, p=p: _compiled(p, shape, k))
    cls = {"bagging": ensemble.BaggingClassifier, "boosting": ensemble.BoostingClassifier}
    if p["kind"] not in cls:
        raise ValueError(f"`params.kind` must be 'bagging' or 'boosting'; received "
                         f"{p['kind']!r}.")
    clf = cls[p["kind"]](build, p["n_estimators"], sampler=_sampler(p["sampler"], ctx.seed),
                         epochs=p["epochs"], batch_size=p["batch_size"], seed=ctx.seed,
                         verbose=ctx.verbose)
    clf.fit(ctx.x_train, ctx.y_train)
    prob = np.zeros((len(ctx.x_test), ctx.num_classes))
    prob[:, : clf.n_classes_] = clf.predict_proba(ctx.x_test)
    return TrainOutput({"default": prob}, info={"members": len(clf.members_)})


@register_trainer(MULTIPATH)
def multipath(ctx):
    """Multi-path CNN: paths one-vs-rest, then the head (``loss``: ce / focal; MixUp)."""
    p = ctx.params
    k = ctx.num_classes
    loss = losses.FocalLoss(alpha=_alpha(ctx.y_train, k), gamma=p["focal_gamma"]) \
        if p.get("focal") else None
    mix = p["mixup_alpha"] if p.get("mixup") else None
    with ctx.scope():
        model = models.multipath3d(ctx.x_train.shape[1:], k, pooling="global_avg")
    out = training.fit_multipath(model, ctx.x_train, ctx.y_train, path_epochs=p["path_epochs"],
                                 epochs=p["epochs"], batch_size=p["batch_size"], loss=loss,
                                 mixup_alpha=mix, eval_data=(ctx.x_test, ctx.y_test),
                                 optimizer=lambda: keras.optimizers.Adam(p["learning_rate"]),
                                 seed=ctx.seed, verbose=ctx.verbose)
    return TrainOutput({"default": model.predict(ctx.x_test, batch_size=128, verbose=0)},
                       tables={"paths": out["paths"]})


def _pooled(x, pool):
    n, d = len(x), x.shape[1]
    f = max(1, d // pool)
    v = x[..., 0][:, : f * pool, : f * pool, : f * pool]
    return v.reshape(n, pool, f, pool, f, pool, f).mean((2, 4, 6)).reshape(n, -1)


@register_trainer(SHALLOW)
def shallow(ctx):
    """GP or GSVM-RU (``params.kind``) on standardised average-pooled volumes."""
    from sklearn.preprocessing import StandardScaler

    p = ctx.params
    scaler = StandardScaler().fit(_pooled(ctx.x_train, p["pool"]))
    xtr = scaler.transform(_pooled(ctx.x_train, p["pool"]))
    xte = scaler.transform(_pooled(ctx.x_test, p["pool"]))
    if p["kind"] == "gp":
        clf = baselines.GPClassifier(p["gp_population"], p["gp_generations"],
                                     random_state=ctx.seed)
    elif p["kind"] == "gsvm_ru":
        clf = baselines.GSVMRU()
    else:
        raise ValueError(f"`params.kind` must be 'gp' or 'gsvm_ru'; received {p['kind']!r}.")
    clf.fit(xtr, ctx.y_train)
    prob = np.zeros((len(xte), ctx.num_classes))
    prob[:, clf.classes_] = clf.predict_proba(xte)
    return prob


def _methods():
    m = {"CNN": {"trainer": CNN},
         "SMOTE": {"trainer": CNN, "params": {"sampler": "smote"}},
         "RUS": {"trainer": CNN, "params": {"sampler": "rus"}}}
    for kind in ("bagging", "boosting"):
        m[kind.capitalize()] = {"trainer": ENSEMBLE, "params": {"kind": kind}}
        m[f"SMOTE+{kind.capitalize()}"] = {"trainer": ENSEMBLE,
                                           "params": {"kind": kind, "sampler": "smote"}}
    m["GP"] = {"trainer": SHALLOW, "params": {"kind": "gp"}}
    m["GSVM-RU"] = {"trainer": SHALLOW, "params": {"kind": "gsvm_ru"}}
    for name, extra in (("Multi-path", {}), ("Multi-path+focal", {"focal": True}),
                        ("Multi-path+mixup", {"mixup": True}),
                        ("Multi-path+focal+mixup", {"focal": True, "mixup": True})):
        m[name] = {"trainer": MULTIPATH, "params": extra}
    return m


@register_report("luo2019.table4")
def table4(df, store) -> dict:
    """Methods x (classes, macro F1 / macro G-mean), the layout of Table IV; per-path table."""
    data = df.assign(classes=df["dataset"].str.extract(r"sim(\d)$")[0].astype(int))
    t4 = data.pivot_table(index="method", columns="classes", values=["macro_f1", "gmean"],
                          aggfunc="mean", sort=False)
    t4 = t4.reorder_levels([1, 0], axis=1).sort_index(axis=1, level=0, sort_remaining=False)
    t4 = t4.loc[[m for m in dict.fromkeys(df["method"]) if m in t4.index]]
    out = {"table4": t4.round(3)}
    paths = store.tables("paths")
    if len(paths):
        paths["classes"] = paths["dataset"].str.extract(r"sim(\d)$")[0].astype(int)
        out["table3_paths"] = paths.groupby(["method", "classes", "path"], sort=False)[
            ["f1", "gmean"]].mean().round(3)
    return out


REPORT = {"metrics": ["macro_f1", "gmean"], "plots": [{"type": "per_class_recall"}],
          "hooks": ["luo2019.table4"]}


def _experiment(name, n, size, methods, classes=(2, 3, 4), **params):
    return Experiment(name=name, datasets=[f"luo2019.sim{k}" for k in classes],
                      dataset_params={"n": n, "size": size, "snr": 0.5, "seed": 0},
                      cv={"kind": "holdout", "test_size": 0.2, "seed": 0},
                      scenarios=[{"kind": "none"}], methods=methods, seeds=[0],
                      params={**PARAMS, **params}, report=REPORT, verbose=0)


def paper() -> Experiment:
    """1,634 volumes at 40^3 (1,307 / 327 split), every method, 2/3/4 classes (GPU)."""
    return _experiment("Luo et al. 2019 (simulated, paper scale)", 1634, 40, _methods())


def quick() -> Experiment:
    """400 volumes at 16^3, every method, 2/3/4 classes, short trainings (minutes on a CPU)."""
    return _experiment("Luo et al. 2019, quick profile (simulated 16^3)", 400, 16, _methods(),
                       epochs=4, path_epochs=3, n_estimators=3, gp_population=100,
                       gp_generations=5, pool=4)


def smoke() -> Experiment:
    """Seconds: 2 classes (2 paths), 80 volumes, one epoch, four methods."""
    m = _methods()
    keep = ("CNN", "Bagging", "GSVM-RU", "Multi-path+focal+mixup")
    return _experiment("Luo et al. 2019, smoke", 80, 16, {k: m[k] for k in keep}, classes=(2,),
                       epochs=1, path_epochs=1, n_estimators=2, pool=4)


register_preset("luo2019", {"quick": quick, "paper": paper, "smoke": smoke},
                description=__doc__.splitlines()[0])
