"""Luo's multi-path training: paths pretrained one-vs-rest, one design per class, then the head.

A one-vs-rest path sees its class at 1:20 or rarer (the ribosome is 80 of
1,634 volumes). Trained with plain cross-entropy for a few epochs it learns
the prior and answers "rest" for everything. :func:`pretrain_path` therefore
trains each path on balanced one-vs-rest batches (or with class weights),
for up to ``max_epochs`` with early stopping on a validation split (the
best epoch's weights are kept) and the learning rate halved when the
class-balanced validation loss stalls. :func:`path_grid` pretrains every
path design on every class (the paper's Table III, path x class),
:func:`select_paths` picks for each class the design that recognises it best
on the validation split, and :func:`fit_multipath` trains a multi-path
model's paths and then its head.
"""

from __future__ import annotations

import time

import keras
import numpy as np
import pandas as pd

from imbkeras import pipeline, sampling
from imbkeras._validation import (_short, check_callable, check_callbacks, check_choice,
                                  check_labels, check_pair, check_positive_int, check_real,
                                  check_resampler, check_same_length, check_samples, check_seed,
                                  check_verbose)
from imbkeras.models import build_path_classifier, multipath_path_model

BALANCES = ("batches", "weights", "none")
#: Columns of the one-vs-rest tables (:func:`path_grid`, :func:`fit_multipath`).
OVR_COLUMNS = ["design", "class", "split", "auc", "f1", "gmean", "tpr", "tnr"]


def _paths(model):
    return [layer for layer in model.layers
            if isinstance(layer, keras.Model) and layer.name.startswith("path_")]


def ovr_scores(y_true_bin, score, threshold: float = 0.5) -> dict:
    """One-vs-rest scores of a binary decision ``score >= threshold``.

    Args:
        y_true_bin: booleans, ``True`` for the class.
        score: the path's probability of the class.
        threshold: decision threshold.

    Returns:
        ``{"auc", "f1", "gmean", "tpr", "tnr"}``: ROC AUC of ``score`` (NaN
        when one side is empty), F1 of the class, sqrt(TPR x TNR).

    Examples:
        >>> s = ovr_scores(np.array([1, 1, 0, 0, 0], bool), np.array([.9, .4, .6, .1, .2]))
        >>> round(s["auc"], 3), s["f1"], round(s["gmean"], 3)
        (0.833, 0.5, 0.577)
    """
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y_true_bin, dtype=bool)
    score = np.asarray(score, dtype=np.float64).reshape(-1)
    pred = score >= threshold
    tp = float(np.sum(pred & y))
    fp = float(np.sum(pred & ~y))
    fn = float(np.sum(~pred & y))
    tn = float(np.sum(~pred & ~y))
    tpr = tp / (tp + fn) if tp + fn else 0.0
    tnr = tn / (tn + fp) if tn + fp else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    auc = float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else float("nan")
    return {"auc": auc, "f1": f1, "gmean": float(np.sqrt(tpr * tnr)), "tpr": tpr, "tnr": tnr}


def _ovr_metrics(y_true_bin, score):
    s = ovr_scores(y_true_bin, score)
    return s["f1"], s["gmean"], s["tpr"], s["tnr"]


def split_validation(y, fraction: float = 0.15, seed: int | None = 0):
    """Stratified ``(train_idx, val_idx)`` of labels ``y`` (every class in both when it can).

    Raises:
        ValueError: for a ``fraction`` outside (0, 0.5].
    """
    from sklearn.model_selection import train_test_split

    fraction = check_real(fraction, "validation_fraction")
    if not 0 < fraction <= 0.5:
        raise ValueError(f"`validation_fraction` must be in (0, 0.5]; received {fraction!r}.")
    y = check_labels(y)
    idx = np.arange(len(y))
    stratify = y if np.bincount(y).min() >= 2 else None
    tr, va = train_test_split(idx, test_size=fraction, random_state=seed, stratify=stratify)
    return np.sort(tr), np.sort(va)


def _optimizer_factory(optimizer, learning_rate: float = 1e-3):
    """A callable returning a fresh optimizer: ``optimizer`` itself, a Keras optimizer name
    (``"adam"``), or Adam(``learning_rate``) for ``None``; an instance is refused (a
    recipe that compiles more than once, e.g. each path and the head, needs a new one)."""
    if isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(f"`optimizer` must be an optimizer name or a callable returning a "
                        f"fresh optimizer (each compile gets its own), e.g. lambda: "
                        f"keras.optimizers.Adam(1e-3); received the optimizer instance "
                        f"{_short(optimizer)}.")
    if isinstance(optimizer, str):
        return lambda: keras.optimizers.get(optimizer)
    return check_callable(optimizer or (lambda: keras.optimizers.Adam(learning_rate)),
                          "optimizer", "a callable returning a fresh optimizer")


def pretrain_path(classifier: keras.Model, x, y_bin, *, validation_data=None,
                  balance: str = "batches", max_epochs: int = 30, patience: int = 5,
                  batch_size: int = 32, learning_rate: float = 1e-3, optimizer=None,
                  seed: int | None = 0, verbose: int = 0, callbacks=None) -> dict:
    """Train one path classifier one-vs-rest so that it learns its (rare) class.

    The class is ``y_bin == 1``. With ``balance="batches"`` every batch is
    half class, half rest (:class:`imbkeras.sampling.ClassAwareSampler`, a
    fresh draw of ``len(y_bin)`` samples per epoch); with ``"weights"`` each
    side of the loss weighs as much as the other (class weights
    ``n / (2 n_side)``); ``"none"`` is plain cross-entropy (collapses to
    "rest" at 1:20). On ``validation_data`` the class-balanced loss (each
    side weighing half) is watched: the learning rate is halved after
    ``max(1, patience // 2)`` epochs without improvement, training stops
    after ``patience``, and the best epoch's weights are restored.

    Args:
        classifier: a path classifier (:func:`imbkeras.models.build_path_classifier`,
            one sigmoid unit); compiled here.
        x: training samples.
        y_bin: 0/1 labels (1: the path's class).
        validation_data: ``(x_val, y_val_bin)``; without it the epochs run to
            ``max_epochs`` with no early stopping.
        balance: ``"batches"``, ``"weights"`` or ``"none"``.
        max_epochs: largest number of epochs.
        patience: epochs without a lower balanced validation loss before stopping.
        batch_size: samples per batch.
        learning_rate: of the default optimizer (Adam).
        optimizer: a callable returning a fresh optimizer (overrides
            ``learning_rate``).
        seed: seeds the batches.
        verbose: Keras verbosity.
        callbacks: more Keras callbacks for the ``fit`` (e.g. a history recorder).

    Returns:
        ``{"epochs": epochs run, "best_epoch": the kept epoch (1-based),
        "val_auc": its validation AUC (NaN without validation data or when
        the split lacks a side),
        "seconds": training time, "history": History}``.

    Raises:
        ValueError: for labels that are not 0/1 or lack one side, a bad
            ``balance``, epochs, patience or batch size.
        TypeError: for a classifier that is not a Keras model or an
            optimizer instance instead of a factory.

    Examples:
        >>> from imbkeras.models import build_path_classifier
        >>> rng = np.random.default_rng(0)
        >>> y = (np.arange(84) < 4).astype(int)                  # 1:20
        >>> x = rng.normal(0, .3, (84, 8, 8, 1)).astype("float32")
        >>> x[y == 1, 2:6, 2:6] += 1.5
        >>> clf = build_path_classifier((8, 8, 1), path="inception2d_k3", pooling="global_avg",
        ...                             dropout=0.0)
        >>> out = pretrain_path(clf, x, y, max_epochs=3, seed=0)
        >>> out["epochs"], clf.predict(x, verbose=0).shape
        (3, (84, 1))

    Reference:
        Luo et al. (2019), section IV.C (each path trained as a binary
        classifier of its class); Shen et al. (2016) (class-aware batches).
    """
    if not isinstance(classifier, keras.Model):
        raise TypeError(f"`classifier` must be a path classifier (keras.Model); received "
                        f"{_short(classifier)}.")
    x = check_samples(x, "x")
    y_bin = check_labels(y_bin, "y_bin", 2)
    check_same_length(x, y_bin, "x", "y_bin")
    if np.unique(y_bin).size != 2:
        raise ValueError(f"`y_bin` must hold both 0 (rest) and 1 (the path's class); received "
                         f"counts {np.bincount(y_bin, minlength=2).tolist()}.")
    balance = check_choice(balance, "balance", BALANCES)
    max_epochs = check_positive_int(max_epochs, "max_epochs")
    patience = check_positive_int(patience, "patience")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    verbose = check_verbose(verbose)
    make_optimizer = _optimizer_factory(optimizer, check_real(learning_rate, "learning_rate"))
    extra_callbacks = callbacks
    classifier.compile(make_optimizer(), "binary_crossentropy",
                       metrics=[keras.metrics.AUC(name="auc")])
    sampler = sampling.ClassAwareSampler(seed=seed) if balance == "batches" else None
    ds = pipeline.make_dataset(x, y_bin, batch_size, sampler=sampler, seed=seed)
    class_weight = None
    if balance == "weights":
        counts = np.bincount(y_bin, minlength=2)
        class_weight = {c: len(y_bin) / (2.0 * counts[c]) for c in (0, 1)}
    callbacks, val = [], None
    if validation_data is not None:
        xv, yv = check_pair(validation_data, "validation_data")
        xv = check_samples(xv, "validation_data[0]")
        yv = check_labels(yv, "validation_data[1]", 2)
        check_same_length(xv, yv, "validation_data[0]", "validation_data[1]")
        if 0 < yv.sum() < len(yv):
            # Each side weighs half of the validation loss: the loss the balanced training
            # minimises, so the kept epoch ranks the class first and places it above 0.5.
            counts = np.bincount(yv, minlength=2)
            val = (np.asarray(xv), yv.astype("float32"), len(yv) / (2.0 * counts[yv]))
            callbacks = [keras.callbacks.EarlyStopping("val_loss", patience=patience,
                                                       restore_best_weights=True),
                         keras.callbacks.ReduceLROnPlateau("val_loss", factor=0.5,
                                                           patience=max(1, patience // 2))]
        else:
            val = (np.asarray(xv), yv.astype("float32"))
    t0 = time.time()
    history = classifier.fit(ds, epochs=max_epochs, validation_data=val, verbose=verbose,
                             shuffle=False, class_weight=class_weight,
                             callbacks=callbacks + check_callbacks(extra_callbacks))
    seconds = time.time() - t0
    aucs = history.history.get("val_auc")
    epochs = len(history.history["loss"])
    best = int(np.argmin(history.history["val_loss"])) + 1 if callbacks else epochs
    return {"epochs": epochs, "best_epoch": best,
            "val_auc": float(aucs[best - 1]) if aucs else float("nan"),
            "seconds": seconds, "history": history}


def path_grid(x, y, designs, *, eval_data=None, validation_fraction: float = 0.15,
              classes=None, width: float = 1.0, pooling: str = "global_avg",
              dropout: float = 0.5, balance: str = "batches", max_epochs: int = 30,
              patience: int = 5, batch_size: int = 32, learning_rate: float = 1e-3,
              seed: int | None = 0, verbose: int = 0, callbacks=None) -> dict:
    """Every path design pretrained one-vs-rest on every class: Luo's Table III grid.

    The training data are split once (stratified, ``validation_fraction``);
    each ``(design, class)`` path is trained by :func:`pretrain_path` on the
    rest and early-stopped on the split. Its one-vs-rest AUC, F1 and G-mean
    are measured on the split (``split="val"``, what :func:`select_paths`
    chooses on) and on ``eval_data`` (``split="test"``).

    Args:
        x, y: training samples and integer labels.
        designs: path design names (:func:`imbkeras.models.path_variants`).
        eval_data: ``(x_test, y_test)`` for the ``"test"`` rows (optional).
        validation_fraction: share of the training data held out, in (0, 0.5].
        classes: the classes to train paths for (default every class of ``y``).
        width, pooling, dropout: of each path classifier
            (:func:`imbkeras.models.build_path_classifier`).
        balance, max_epochs, patience, batch_size, learning_rate: of
            :func:`pretrain_path`.
        seed: seeds the split, the initialisations and the batches.
        verbose: Keras verbosity.
        callbacks: more Keras callbacks, given to every path's ``fit``.

    Returns:
        ``{"table": DataFrame, "classifiers": {(design, class): model},
        "val_index": indices of the validation split}``; the table has the
        columns ``design, class, split, auc, f1, gmean, tpr, tnr, epochs,
        best_epoch, seconds``.

    Raises:
        ValueError: for an unknown design (the known ones are listed), a
            class without samples, or the errors of :func:`pretrain_path`.

    Reference:
        Luo et al. (2019), section IV.C and Table III.
    """
    from imbkeras.models import path_variants

    x = check_samples(x, "x")
    y = check_labels(y)
    check_same_length(x, y)
    if isinstance(designs, str) or not designs:
        raise ValueError(f"`designs` must be a non-empty list of path designs; received "
                         f"{_short(designs)}.")
    rank = x.ndim - 2
    known = path_variants(rank)
    bad = [d for d in designs if d not in known]
    if bad:
        raise ValueError(f"`designs` names unknown path design(s) {bad} for {rank}D inputs; "
                         f"known: {known}.")
    counts = np.bincount(y)
    classes = [int(c) for c in (np.flatnonzero(counts) if classes is None else classes)]
    missing = [c for c in classes if c >= len(counts) or counts[c] == 0]
    if missing:
        raise ValueError(f"`classes` {missing} have no sample in `y` (class counts "
                         f"{counts.tolist()}); a path needs its class to learn it.")
    seed = check_seed(seed)
    tr, va = split_validation(y, validation_fraction, seed)
    xt, yt, xv, yv = x[tr], y[tr], x[va], y[va]
    if eval_data is not None:
        xe, ye = check_pair(eval_data, "eval_data")
        xe, ye = check_samples(xe, "eval_data[0]"), check_labels(ye, "eval_data[1]")
        check_same_length(xe, ye, "eval_data[0]", "eval_data[1]")
    rows, classifiers = [], {}
    for d_i, design in enumerate(designs):
        for c in classes:
            keras.utils.set_random_seed(int(np.random.SeedSequence(
                [0 if seed is None else seed, d_i, c]).generate_state(1)[0] & 0x7FFFFFFF))
            clf = build_path_classifier(x.shape[1:], c, path=design, pooling=pooling,
                                        dropout=dropout, width=width)
            fit = pretrain_path(clf, xt, (yt == c).astype(int), validation_data=(
                xv, (yv == c).astype(int)), balance=balance, max_epochs=max_epochs,
                patience=patience, batch_size=batch_size, learning_rate=learning_rate,
                seed=seed, verbose=verbose, callbacks=callbacks)
            extra = {"epochs": fit["epochs"], "best_epoch": fit["best_epoch"],
                     "seconds": round(fit["seconds"], 2)}
            splits = [("val", xv, yv)] + ([("test", xe, ye)] if eval_data is not None else [])
            for split, xs, ys in splits:
                score = clf.predict(xs, batch_size=256, verbose=0).reshape(-1)
                rows.append({"design": design, "class": c, "split": split,
                             **ovr_scores(ys == c, score), **extra})
            classifiers[(design, c)] = clf
    table = pd.DataFrame(rows, columns=OVR_COLUMNS + ["epochs", "best_epoch", "seconds"])
    return {"table": table, "classifiers": classifiers, "val_index": va}


def select_paths(table: pd.DataFrame, metrics=("f1", "gmean"), split: str = "val") -> dict:
    """For each class, the design whose one-vs-rest scores on ``split`` are best.

    The score of a ``(design, class)`` cell is the mean of ``metrics``; ties
    go to the design listed first. Choosing on the training data's
    validation split (never on the test set) is the paper's "best structure
    to recognize a single type".

    Args:
        table: :func:`path_grid`'s table.
        metrics: columns averaged into the score.
        split: the rows to choose on.

    Returns:
        ``{class: design}``.

    Raises:
        ValueError: for a table without those columns or rows.

    Examples:
        >>> t = pd.DataFrame({"design": ["a", "b", "a", "b"], "class": [0, 0, 1, 1],
        ...                   "split": "val", "f1": [.5, .7, .6, .2], "gmean": [.6, .7, .6, .3]})
        >>> select_paths(t)
        {0: 'b', 1: 'a'}
    """
    need = {"design", "class", "split", *metrics}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise ValueError(f"`table` must be path_grid's table with columns {sorted(need)}; "
                         f"received {_short(getattr(table, 'columns', table))}.")
    rows = table[table["split"] == split]
    if rows.empty:
        raise ValueError(f"`table` has no row with split={split!r}; its splits are "
                         f"{sorted(set(table['split']))}.")
    order = list(dict.fromkeys(rows["design"]))
    score = rows.assign(score=rows[list(metrics)].mean(axis=1))
    out = {}
    for c, part in score.groupby("class", sort=True):
        part = part.assign(rank=part["design"].map(order.index))
        best = part.sort_values(["score", "rank"], ascending=[False, True]).iloc[0]
        out[int(c)] = str(best["design"])
    return out


def fit_multipath(model: keras.Model, x, y, *, path_epochs: int = 30, epochs: int = 5,
                  fine_tune_epochs: int = 0, batch_size: int = 32, optimizer=None,
                  loss=None, mixup_alpha: float | None = None, sampler=None,
                  eval_data=None, balance: str = "batches", patience: int = 5,
                  validation_fraction: float = 0.15, seed: int | None = 0,
                  verbose: int = 0) -> dict:
    """Train a multi-path model as Luo et al. do: paths one-vs-rest, then the head.

    1. Each path ``path_i`` is trained alone as a one-vs-rest binary classifier
       of class ``i`` (:func:`imbkeras.models.build_path_classifier` on the
       path) by :func:`pretrain_path`: balanced one-vs-rest batches (or class
       weights), at most ``path_epochs`` epochs, early stopping and learning
       rate halving on a stratified validation split of ``(x, y)``. The
       paper resamples nothing here; balancing the batches is what keeps a
       1:20 path from answering "rest" for everything.
    2. The paths are frozen and the concatenation head of ``model`` is trained
       on ``(x, y)`` (optionally with ``sampler`` and MixUp with
       ``lambda ~ Beta(mixup_alpha, mixup_alpha)`` through
       :func:`imbkeras.pipeline.make_dataset`), with ``loss`` (e.g. the
       alpha-balanced :class:`imbkeras.losses.FocalLoss`).
    3. Optionally everything is fine-tuned for ``fine_tune_epochs``.

    Args:
        model: a multi-path model (``models.multipath3d`` / ``multipath2d`` /
            ``assemble_multipath``) with one path per class.
        x, y: training samples and 1-D labels in ``[0, num_paths)``.
        path_epochs: the most epochs of each path's pretraining.
        epochs, fine_tune_epochs: epochs of steps 2 and 3.
        batch_size: of every step.
        optimizer: a callable returning a fresh optimizer (default
            ``lambda: keras.optimizers.Adam(1e-3)``).
        loss: of the head (default: sparse categorical cross-entropy;
            categorical with MixUp).
        mixup_alpha: MixUp for steps 2-3.
        sampler: sampler of steps 2-3.
        eval_data: ``(x, y)`` on which the per-path table is computed
            (default the training data).
        balance: of the path pretraining (``"batches"``, ``"weights"``, ``"none"``).
        patience: early-stopping patience of the path pretraining.
        validation_fraction: share of ``(x, y)`` the paths are early-stopped on.
        seed: seeds the split and the pipelines.
        verbose: Keras verbosity.

    Returns:
        ``{"paths": DataFrame, "path_classifiers": [...], "history": History,
        "fine_tune_history": History or None}``; the table has one row per
        path: ``path``, ``class``, ``auc``, ``f1``, ``gmean``, ``tpr``, ``tnr``
        of its one-vs-rest decision (the diagonal of the paper's Table III)
        and the pretraining's ``epochs``.

    Raises:
        ValueError: when the number of paths differs from the number of
            classes, when a class has no sample in ``y`` (its path would be
            trained on negatives only), for bad labels / epochs / batch size /
            ``mixup_alpha`` / ``balance`` or an ``eval_data`` that is not an
            ``(x, y)`` pair.
        TypeError: for an ``optimizer`` that is not a callable returning an
            optimizer, a ``sampler`` without ``fit_resample``, or a bad
            ``seed``.

    Reference:
        Luo et al. (2019), sections III.C-D and Table III.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a multi-path keras.Model; received {_short(model)}.")
    x = check_samples(x, "x")
    y = check_labels(y)
    check_same_length(x, y)
    paths = _paths(model)
    k = int(model.output_shape[-1])
    if len(paths) != k:
        raise ValueError(f"model {model.name!r} has {len(paths)} paths and {k} classes; the "
                         f"multi-path recipe needs one path per class.")
    if y.max() >= k:
        raise ValueError(f"`y` holds label {int(y.max())}, but the model has {k} classes "
                         f"(one per path).")
    missing = sorted(set(range(k)) - set(np.unique(y).tolist()))
    if missing:
        raise ValueError(f"`y` has no sample of class(es) {missing}; each of the {k} paths is "
                         f"trained one-vs-rest on its class, so every class in [0, {k - 1}] "
                         f"needs samples (class counts: {np.bincount(y, minlength=k).tolist()}).")
    for name, value in (("path_epochs", path_epochs), ("epochs", epochs),
                        ("batch_size", batch_size)):
        check_positive_int(value, name)
    check_positive_int(fine_tune_epochs, "fine_tune_epochs", minimum=0)
    if mixup_alpha is not None:
        check_real(mixup_alpha, "mixup_alpha")
        if not mixup_alpha > 0:
            raise ValueError(f"`mixup_alpha` must be > 0 or None (no MixUp); received "
                             f"{mixup_alpha!r}.")
    check_resampler(sampler, "sampler")
    check_choice(balance, "balance", BALANCES)
    seed = check_seed(seed)
    verbose = check_verbose(verbose)
    optimizer = _optimizer_factory(optimizer, 1e-3)
    if eval_data is None:
        xe, ye = x, y
    else:
        xe, ye = check_pair(eval_data, "eval_data")
        xe, ye = check_samples(xe, "eval_data[0]"), check_labels(ye, "eval_data[1]", k)
        check_same_length(xe, ye, "eval_data[0]", "eval_data[1]")
    tr, va = split_validation(y, validation_fraction, seed)
    rows, classifiers = [], []
    for i in range(k):
        clf = build_path_classifier(path_model=multipath_path_model(model, i), index=i)
        fit = pretrain_path(clf, x[tr], (y[tr] == i).astype(int),
                            validation_data=(x[va], (y[va] == i).astype(int)), balance=balance,
                            max_epochs=path_epochs, patience=patience, batch_size=batch_size,
                            optimizer=optimizer, seed=seed, verbose=verbose)
        score = clf.predict(xe, batch_size=256, verbose=0).reshape(-1)
        rows.append({"path": i, "class": i, **ovr_scores(ye == i, score),
                     "epochs": fit["epochs"]})
        classifiers.append(clf)
    label_mode = "categorical" if mixup_alpha else "sparse"
    loss = loss or ("categorical_crossentropy" if mixup_alpha else
                    "sparse_categorical_crossentropy")
    ds = pipeline.make_dataset(x, y, batch_size, sampler=sampler, mixup_alpha=mixup_alpha,
                               seed=seed, label_mode=label_mode,
                               num_classes=k)
    flags = [(p, p.trainable) for p in paths]
    for p in paths:
        p.trainable = False
    try:
        model.compile(optimizer(), loss)
        history = model.fit(ds, epochs=epochs, verbose=verbose, shuffle=False)
    finally:
        for p, flag in flags:
            p.trainable = flag
    fine = None
    if fine_tune_epochs:
        model.compile(optimizer(), loss)
        fine = model.fit(ds, epochs=fine_tune_epochs, verbose=verbose, shuffle=False)
    return {"paths": pd.DataFrame(rows), "path_classifiers": classifiers, "history": history,
            "fine_tune_history": fine}
