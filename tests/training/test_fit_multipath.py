"""fit_multipath: paths one-vs-rest, kept after assembly; focal loss and mixup; bad input."""

import keras
import numpy as np
import pytest

from imbkeras.losses import FocalLoss
from imbkeras.models import multipath2d
from imbkeras.training import fit_multipath


def _data(seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([0] * 40 + [1] * 10 + [2] * 6)
    x = rng.normal(0, 0.3, (len(y), 16, 16, 1)).astype("float32")
    for c, (r, q) in enumerate([(2, 2), (8, 8), (2, 10)]):
        x[y == c, r:r + 5, q:q + 5] += 1.0
    return x, y


def test_paths_keep_their_one_vs_rest_metrics_after_assembly():
    x, y = _data()
    keras.utils.set_random_seed(0)
    model = multipath2d((16, 16, 1), 3, pooling="global_avg")
    out = fit_multipath(model, x, y, path_epochs=3, epochs=2, batch_size=8)
    table = out["paths"]
    assert list(table["path"]) == [0, 1, 2] and {"f1", "gmean"} <= set(table.columns)
    assert table["gmean"].between(0, 1).all()
    # The table was computed before the head was trained; the paths were frozen since, so
    # each path classifier (sharing the assembled model's path weights) scores the same.
    from imbkeras.training._multipath_fit import _ovr_metrics

    for i, clf in enumerate(out["path_classifiers"]):
        f1, gm, _, _ = _ovr_metrics(y == i, clf.predict(x, verbose=0).reshape(-1))
        assert (f1, gm) == pytest.approx((table["f1"][i], table["gmean"][i]))
    assert table["gmean"].max() > 0.5  # paths learn their class (the rarest may need more epochs)
    assert model.predict(x, verbose=0).shape == (56, 3)


def test_head_training_does_not_move_the_paths_with_focal_loss_and_mixup():
    x, y = _data()
    keras.utils.set_random_seed(0)
    model = multipath2d((16, 16, 1), 3, pooling="global_avg")
    out = fit_multipath(model, x, y, path_epochs=1, epochs=1, batch_size=8)
    path_weights = [w.copy() for c in out["path_classifiers"] for w in c.layers[1].get_weights()]
    scores = [c.predict(x, verbose=0) for c in out["path_classifiers"]]
    # train the head again with focal loss + mixup: paths frozen, so unchanged
    from imbkeras.models import multipath_path_model

    paths = [multipath_path_model(model, i) for i in range(3)]
    for p in paths:
        p.trainable = False
    model.compile("adam", FocalLoss(alpha=[0.2, 0.4, 0.4]))
    from imbkeras.pipeline import make_dataset

    model.fit(make_dataset(x, y, 8, mixup_alpha=0.2, num_classes=3, seed=0), epochs=1,
              verbose=0)
    now = [w for c in out["path_classifiers"] for w in c.layers[1].get_weights()]
    assert all(np.array_equal(a, b) for a, b in zip(path_weights, now))
    for s, c in zip(scores, out["path_classifiers"]):
        np.testing.assert_allclose(c.predict(x, verbose=0), s, rtol=1e-6)
    res = fit_multipath(model, x, y, path_epochs=1, epochs=1, batch_size=8, mixup_alpha=0.2,
                        loss=FocalLoss(alpha=[0.2, 0.4, 0.4]), fine_tune_epochs=1)
    assert res["fine_tune_history"] is not None


def test_paths_must_match_classes():
    x, y = _data()
    with pytest.raises(ValueError, match="one path per class"):
        fit_multipath(multipath2d((16, 16, 1), 3, num_paths=2, pooling="global_avg"), x, y)
    with pytest.raises(ValueError, match="label 3"):
        fit_multipath(multipath2d((16, 16, 1), 3, pooling="global_avg"), x, np.r_[y[:-1], 3])


def _one_in_twenty(seed=0, n=252):
    """A 1:20 one-vs-rest toy problem: a faint square marks the rare class."""
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 21 == 0).astype(int)
    x = rng.normal(0, 0.5, (n, 12, 12, 1)).astype("float32")
    x[y == 1, 3:9, 3:9] += 0.8
    return x, y


def test_pretraining_at_one_in_twenty_gives_a_path_that_is_not_constant():
    from imbkeras.models import build_path_classifier
    from imbkeras.training import ovr_scores, pretrain_path

    x, y = _one_in_twenty()
    xv, yv = _one_in_twenty(seed=1, n=126)
    keras.utils.set_random_seed(0)
    clf = build_path_classifier((12, 12, 1), path="inception2d_k3", pooling="global_avg",
                                width=0.25, dropout=0.2)
    out = pretrain_path(clf, x, y, validation_data=(xv, yv), max_epochs=8, patience=4,
                        learning_rate=3e-3, seed=0)
    score = clf.predict(xv, verbose=0).reshape(-1)
    pred = score >= 0.5
    assert 0 < pred.sum() < len(pred)  # neither "rest" nor "class" for everything
    s = ovr_scores(yv == 1, score)
    assert s["tpr"] > 0.5 and s["tnr"] > 0.5 and s["gmean"] > 0.6, s
    assert 1 <= out["best_epoch"] <= out["epochs"] <= 8 and out["val_auc"] > 0.8


def test_path_grid_scores_every_design_on_every_class_and_selects_per_class():
    from imbkeras.training import path_grid, select_paths

    class Count(keras.callbacks.Callback):
        fits = 0

        def on_train_begin(self, logs=None):
            Count.fits += 1

    x, y = _data()
    grid = path_grid(x, y, ["inception2d_k3", "inception2d"], eval_data=(x, y), width=0.25,
                     max_epochs=1, batch_size=8, validation_fraction=0.3, seed=0,
                     callbacks=[Count()])
    assert Count.fits == 2 * 3  # the callbacks reach every path's fit
    t = grid["table"]
    assert len(t) == 2 * 3 * 2 and set(t["split"]) == {"val", "test"}
    assert {"auc", "f1", "gmean"} <= set(t.columns)
    assert set(grid["classifiers"]) == {(d, c) for d in ("inception2d_k3", "inception2d")
                                        for c in range(3)}
    chosen = select_paths(t)
    assert set(chosen) == {0, 1, 2} and set(chosen.values()) <= {"inception2d_k3", "inception2d"}
    with pytest.raises(ValueError, match=r"unknown path design.*inception2d_deep"):
        path_grid(x, y, ["inception2d_k5"])
    with pytest.raises(ValueError, match="split='train'"):
        select_paths(t, split="train")


def test_pretraining_bad_input():
    from imbkeras.models import build_path_classifier
    from imbkeras.training import pretrain_path

    x, y = _one_in_twenty(n=42)
    clf = build_path_classifier((12, 12, 1), path="inception2d_k3", pooling="global_avg")
    with pytest.raises(ValueError, match="both 0"):
        pretrain_path(clf, x, np.zeros(42, int))
    with pytest.raises(ValueError, match="balance"):
        pretrain_path(clf, x, y, balance="smote")

