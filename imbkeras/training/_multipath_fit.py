"""Luo's multi-path training: each path one-vs-rest on the imbalanced data, then the head."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from imbkeras import pipeline
from imbkeras._validation import (_short, check_callable, check_labels, check_pair,
                                  check_positive_int, check_real, check_resampler,
                                  check_same_length, check_samples, check_seed, check_verbose)
from imbkeras.models import build_path_classifier, multipath_path_model


def _paths(model):
    return [layer for layer in model.layers
            if isinstance(layer, keras.Model) and layer.name.startswith("path_")]


def _ovr_metrics(y_true_bin, score):
    pred = score >= 0.5
    tp = float(np.sum(pred & y_true_bin))
    fp = float(np.sum(pred & ~y_true_bin))
    fn = float(np.sum(~pred & y_true_bin))
    tn = float(np.sum(~pred & ~y_true_bin))
    tpr = tp / (tp + fn) if tp + fn else 0.0
    tnr = tn / (tn + fp) if tn + fp else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f1, float(np.sqrt(tpr * tnr)), tpr, tnr


def fit_multipath(model: keras.Model, x, y, *, path_epochs: int = 5, epochs: int = 5,
                  fine_tune_epochs: int = 0, batch_size: int = 32, optimizer=None,
                  loss=None, path_loss=None, mixup_alpha: float | None = None, sampler=None,
                  eval_data=None, seed: int | None = 0, verbose: int = 0) -> dict:
    """Train a multi-path model as Luo et al. do: paths one-vs-rest, then the head.

    1. Each path ``path_i`` is trained alone as a one-vs-rest binary classifier
       of class ``i`` (:func:`imbkeras.models.build_path_classifier` on the
       path; sigmoid output) on the original, imbalanced ``(x, y)`` -- the
       paper uses no resampling for the paths.
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
        path_epochs, epochs, fine_tune_epochs: epochs of the three steps.
        batch_size: of every step.
        optimizer: a callable returning a fresh optimizer (default
            ``lambda: keras.optimizers.Adam(1e-3)``).
        loss: of the head (default: sparse categorical cross-entropy;
            categorical with MixUp).
        path_loss: of the paths (default binary cross-entropy).
        mixup_alpha: MixUp for steps 2-3.
        sampler: sampler of steps 2-3.
        eval_data: ``(x, y)`` on which the per-path table is computed
            (default the training data).
        seed: seeds the pipelines.
        verbose: Keras verbosity.

    Returns:
        ``{"paths": DataFrame, "path_classifiers": [...], "history": History,
        "fine_tune_history": History or None}``; the table has one row per
        path: ``path``, ``class``, ``f1``, ``gmean``, ``tpr``, ``tnr`` of its
        one-vs-rest decision (the paper's Table III).

    Raises:
        ValueError: when the number of paths differs from the number of
            classes, when a class has no sample in ``y`` (its path would be
            trained on negatives only), for bad labels / epochs / batch size /
            ``mixup_alpha`` or an ``eval_data`` that is not an ``(x, y)`` pair.
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
    seed = check_seed(seed)
    verbose = check_verbose(verbose)
    if optimizer is not None and isinstance(optimizer, keras.optimizers.Optimizer):
        raise TypeError(f"`optimizer` must be a callable returning a fresh optimizer (each "
                        f"path and the head get their own), e.g. lambda: "
                        f"keras.optimizers.Adam(1e-3); received the optimizer instance "
                        f"{_short(optimizer)}.")
    optimizer = check_callable(optimizer or (lambda: keras.optimizers.Adam(1e-3)), "optimizer",
                               "a callable returning a fresh optimizer")
    if eval_data is None:
        xe, ye = x, y
    else:
        xe, ye = check_pair(eval_data, "eval_data")
        xe, ye = check_samples(xe, "eval_data[0]"), check_labels(ye, "eval_data[1]", k)
        check_same_length(xe, ye, "eval_data[0]", "eval_data[1]")
    rows, classifiers = [], []
    for i in range(k):
        clf = build_path_classifier(path_model=multipath_path_model(model, i), index=i)
        clf.compile(optimizer(), path_loss or "binary_crossentropy")
        clf.fit(x, (y == i).astype("float32"), epochs=path_epochs, batch_size=batch_size,
                verbose=verbose, shuffle=True)
        score = clf.predict(xe, batch_size=256, verbose=0).reshape(-1)
        f1, gm, tpr, tnr = _ovr_metrics(ye == i, score)
        rows.append({"path": i, "class": i, "f1": f1, "gmean": gm, "tpr": tpr, "tnr": tnr})
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
