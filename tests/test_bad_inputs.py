"""Bad inputs across the public API: a clear error naming the argument, never silent output.

Each case calls one entry point with one wrong input and asserts the exception
type and that the message names the argument (or the value). The families are
the ones a new user hits: labels out of range, probabilities that are not
probabilities, empty epochs, labels that do not fit the pipeline, wrong
configurations of the experiment engine, simulators and loaders.
"""

import numpy as np
import pytest

import imbkeras as ik

P = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]], "float32")
X = np.zeros((6, 4, 4, 1), "float32")
Y = np.array([0, 1, 2, 0, 1, 2])

CASES = [
    # losses: sparse labels outside [0, K)
    ("FocalLoss label 5", lambda: ik.losses.FocalLoss()(np.array([0, 5]), P), ValueError, "y_true"),
    ("FocalLoss label -1", lambda: ik.losses.FocalLoss()(np.array([0, -1]), P), ValueError,
     "y_true"),
    ("WeightedCE label 3", lambda: ik.losses.WeightedCrossEntropy([1, 1, 1])(np.array([3, 0]), P),
     ValueError, "y_true"),
    ("LDAM label 9", lambda: ik.losses.LDAMLoss([5, 3, 1])(np.array([9, 0]), P), ValueError,
     "y_true"),
    ("LogitAdjusted label -2", lambda: ik.losses.LogitAdjustedLoss([.5, .3, .2])(
        np.array([-2, 0]), P), ValueError, "y_true"),
    ("BalancedSoftmax label 3", lambda: ik.losses.BalancedSoftmaxLoss([5, 3, 1])(
        np.array([0, 3]), P), ValueError, "y_true"),
    ("ClassBalanced label 4", lambda: ik.losses.ClassBalancedLoss([5, 3, 1])(
        np.array([4, 1]), P), ValueError, "y_true"),
    # probabilities that are not probabilities
    ("report NaN", lambda: ik.metrics.report([0, 1], [[np.nan, 1, 0], [0, 1, 0]]), ValueError,
     "y_prob"),
    ("report logits", lambda: ik.metrics.report([0, 1], [[2., -1, 0], [0, 1, 3]]), ValueError,
     "y_prob"),
    ("report rows not summing to 1", lambda: ik.metrics.report([0, 1], [[.5, .4, 0], [0, 1, 0]]),
     ValueError, "sum to 1"),
    ("prior_correction logits", lambda: ik.thresholding.prior_correction([[2., -1, 0]],
                                                                         [.3, .3, .4]),
     ValueError, "probs"),
    ("prior_correction NaN", lambda: ik.thresholding.prior_correction([[np.nan, .5, .5]],
                                                                      [.3, .3, .4]),
     ValueError, "probs"),
    ("prior_correction inf", lambda: ik.thresholding.prior_correction([[np.inf, 0, 0]],
                                                                      [.3, .3, .4]),
     ValueError, "probs"),
    ("prior_correction bad priors", lambda: ik.thresholding.prior_correction(P, [0, .5, .5]),
     ValueError, "priors"),
    ("report_multilabel outside [0,1]", lambda: ik.metrics.report_multilabel(
        [[1, 0]], [[1.5, 0.2]]), ValueError, "y_prob"),
    # pipelines
    ("empty epoch", lambda: ik.pipeline.make_dataset(X[:5], Y[:5], 8, drop_remainder=True),
     ValueError, "empty"),
    ("labels beyond int32", lambda: ik.pipeline.make_dataset(X[:2], np.array([0, 2**40]), 2),
     ValueError, "int32"),
    ("negative label", lambda: ik.pipeline.make_dataset(X, Y - 1, 2), ValueError, "y"),
    ("batch_size 0", lambda: ik.pipeline.make_dataset(X, Y, 0), ValueError, "batch_size"),
    ("mixup with sparse", lambda: ik.pipeline.make_dataset(X, Y, 2, mixup_alpha=.2,
                                                           label_mode="sparse"),
     ValueError, "mixup_alpha"),
    # protocols
    ("ratio below 1", lambda: ik.protocols.imbalance_indices(Y, "linear", 0.5), ValueError,
     "ratio"),
    ("unknown kind", lambda: ik.protocols.imbalance_indices(Y, "zigzag", 2), ValueError, "kind"),
    ("folds below 2", lambda: ik.protocols.stratified_folds(Y, 1), ValueError, "n_splits"),
    # recipes
    ("two_stage uncompiled", lambda: ik.training.two_stage_fit(ik.models.lenet5((16, 16, 1), 3),
                                                               np.zeros((6, 16, 16, 1)), Y),
     ValueError, "compiled"),
    ("fit_resampled patience", lambda: ik.training.fit_resampled(None, X, Y, patience=-1,
                                                                 validation_data=(X, Y)),
     ValueError, "patience"),
    ("bagging n_estimators", lambda: ik.ensemble.BaggingClassifier(lambda s, k: None, 0),
     ValueError, "n_estimators"),
    ("fit_multipath paths != classes", lambda: ik.training.fit_multipath(
        ik.models.multipath2d((16, 16, 1), 3, num_paths=2, pooling="global_avg"),
        np.zeros((6, 16, 16, 1)), Y), ValueError, "one path per class"),
    # simulators and loaders
    ("subtomograms snr", lambda: ik.synthetic.subtomograms(2, size=16, snr=0), ValueError,
     "snr"),
    ("subtomograms proportions", lambda: ik.synthetic.subtomograms(
        2, size=16, class_proportions=(.5, .6)), ValueError, "class_proportions"),
    ("subtomograms tilt", lambda: ik.synthetic.subtomograms(2, size=16, tilt_range=(70, -50)),
     ValueError, "tilt_range"),
    ("liposomes problem", lambda: ik.synthetic.liposomes(2, "size"), ValueError, "problem"),
    ("protein_cells size", lambda: ik.synthetic.protein_cells(2, 8), ValueError, "size"),
    ("particle mode", lambda: ik.datasets.particle_inputs([np.ones((4, 4))], [np.ones((4, 4))],
                                                          "zoom"), ValueError, "mode"),
    ("image folder missing", lambda: ik.datasets.load_image_folder("/nonexistent/folder"),
     FileNotFoundError, "path"),
    ("hpa missing csv", lambda: ik.datasets.load_hpa("/nonexistent/hpa"), FileNotFoundError,
     "train.csv"),
    # the experiment engine
    ("unknown config key", lambda: ik.experiments.Experiment.from_dict({"sedes": [1]}),
     ValueError, "seeds"),
    ("unknown dataset", lambda: ik.experiments.Experiment(
        datasets=["nope"], methods={"m": {"trainer": "buda2018.lenet_sgd"}}).validate(),
     ValueError, "Known"),
    ("unknown paper", lambda: ik.experiments.get_preset("nopaper"), ValueError, "buda2018"),
    ("unknown executor", lambda: ik.experiments.run_experiment(
        ik.experiments.get_preset("buda2018").profile("smoke"), "/tmp/x", executor="slurm"),
     ValueError, "executor"),
]


@pytest.mark.parametrize("call, exc, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_named(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_out_of_range_labels_fail_inside_a_compiled_fit():
    import keras
    import tensorflow as tf

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", ik.losses.FocalLoss())
    x = np.zeros((8, 4), "float32")
    model.fit(x, np.arange(8) % 3, epochs=1, verbose=0)  # in range: trains
    with pytest.raises(tf.errors.InvalidArgumentError, match="class id"):
        model.fit(x, np.full(8, 7), epochs=1, verbose=0)


def test_inputs_are_not_mutated():
    p = P.astype(np.float64).copy()
    p.setflags(write=False)
    y = np.array([0, 1])
    y.setflags(write=False)
    ik.metrics.report(y, p / p.sum(1, keepdims=True))
    ik.thresholding.prior_correction(p / p.sum(1, keepdims=True), np.array([.2, .3, .5]))
    x = X.copy()
    x.setflags(write=False)
    yy = Y.copy()
    yy.setflags(write=False)
    list(ik.pipeline.make_dataset(x, yy, 3, sampler=ik.sampling.RandomOverSampler(seed=0)))
    ik.protocols.stratified_folds(yy, 2)


def test_absent_classes_are_named_in_a_warning():
    with pytest.warns(UserWarning, match=r"classes \[2\] are absent"):
        r = ik.metrics.report([0, 1, 1], [[.8, .1, .1], [.2, .7, .1], [.1, .8, .1]])
    assert r["avacc"] == 1.0  # over the present classes


def test_realised_ratio_is_warned_when_rounding_moves_it():
    y = np.repeat(np.arange(4), 11)
    with pytest.warns(UserWarning, match="realised imbalance ratio is 5.5"):
        idx = ik.protocols.imbalance_indices(y, "step", 5, minority_fraction=0.5, seed=0)
    assert ik.protocols.realised_ratio(np.bincount(y[idx])) == 5.5  # 11 / round(2.2) = 11 / 2
    with pytest.raises(ValueError, match="counts"):
        ik.protocols.realised_ratio([0, 0])


def test_seed_none_means_fresh_entropy_and_bad_seeds_are_named():
    x = np.arange(40, dtype="float32").reshape(40, 1)
    y = np.arange(40) % 2

    def order(seed):
        return [b.numpy().ravel().tolist() for b, _ in ik.pipeline.make_dataset(x, y, 8, seed=seed)]

    assert order(3) == order(3)
    assert order(None) != order(None)
    with pytest.raises(TypeError, match="seed"):
        ik.pipeline.make_dataset(x, y, 8, seed="a")
    with pytest.raises(TypeError, match="seed"):
        ik.pipeline.make_dataset(x, y, 8, seed=-1)
