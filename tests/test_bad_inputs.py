"""Bad inputs across the public API: a clear error naming the argument, never silent output.

Each case calls one entry point with one wrong input and asserts the exception
type and that the message names the argument (or the value). The families are
the ones a new user hits: labels out of range, probabilities that are not
probabilities, empty epochs, labels that do not fit the pipeline, wrong
configurations of the experiment engine, simulators and loaders, and every
constructor argument of the samplers, losses, layers, models, recipes,
ensembles and baselines.
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
    ("bagging n_estimators", lambda: ik.ensemble.BaggingClassifier(
        lambda s, k: None, 0).fit(X, Y), ValueError, "n_estimators"),
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

S = ik.sampling
L = ik.layers
M = ik.metrics
MODELS = ik.models
Y1H = np.eye(3, dtype="float32")[[0, 1]]


def _compiled(model):
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model

NEW = [
    # samplers: every constructor argument (validated at use) and every draw
    ("ROS strategy unknown", lambda: S.RandomOverSampler("most").resample_indices(Y), ValueError,
     "sampling_strategy"),
    ("ROS max_ratio 0.5", lambda: S.RandomOverSampler(max_ratio=0.5).resample_indices(Y),
     ValueError, "max_ratio"),
    ("ROS max_ratio nan", lambda: S.RandomOverSampler(max_ratio=float("nan")).resample_indices(Y),
     ValueError,
     "max_ratio"),
    ("ROS max_ratio with strategy", lambda: S.RandomOverSampler(
        "minority", max_ratio=2).resample_indices(Y),
     ValueError, "max_ratio"),
    ("ROS seed float", lambda: S.RandomOverSampler(seed=1.5).resample_indices(Y),
     TypeError, "seed"),
    ("ROS seed negative", lambda: S.RandomOverSampler(seed=-3).resample_indices(Y),
     TypeError, "seed"),
    ("RUS strategy dict unknown class", lambda: S.RandomUnderSampler({7: 1}).resample_indices(Y),
     ValueError, "sampling_strategy"),
    ("RUS rng string", lambda: S.RandomUnderSampler().resample_indices(Y, rng="a"), TypeError,
     "rng"),
    ("ROS labels float", lambda: S.RandomOverSampler().resample_indices([0.5, 1.0]), ValueError,
     "y"),
    ("ROS labels 2-D", lambda: S.RandomOverSampler().resample_indices(np.zeros((3, 2))),
     ValueError, "y"),
    ("ROS X/y lengths", lambda: S.RandomOverSampler().fit_resample(X[:4], Y), ValueError, "len"),
    ("Hybrid target 0", lambda: S.HybridSampler(0).resample_indices(Y), ValueError, "target"),
    ("Hybrid target mean", lambda: S.HybridSampler("mean").resample_indices(Y),
     ValueError, "target"),
    ("Hybrid set_params target", lambda: S.HybridSampler().set_params(target="x").resample_indices(
        Y), ValueError, "target"),
    ("EpochUnder drop 1.0", lambda: S.EpochUndersampler(1.0).resample_indices(Y),
     ValueError, "drop_fraction"),
    ("EpochUnder drop -0.1", lambda: S.EpochUndersampler(-0.1).resample_indices(Y),
     ValueError, "drop_fraction"),
    ("EpochUnder classes unknown", lambda: S.EpochUndersampler(
        classes="biggest").resample_indices(Y),
     ValueError,
     "classes"),
    ("EpochUnder classes absent", lambda: S.EpochUndersampler(classes=[9]).resample_indices(Y),
     ValueError, "classes"),
    ("ClassAware num_samples 0", lambda: S.ClassAwareSampler(num_samples=0).resample_indices(Y),
     ValueError,
     "num_samples"),
    ("ClassAware num_samples float", lambda: S.ClassAwareSampler(
        num_samples=2.5).resample_indices(Y),
     TypeError,
     "num_samples"),
    ("MultilabelHybrid 1-D y", lambda: S.MultilabelHybridSampler().resample_indices(Y),
     ValueError, "y"),
    ("MultilabelHybrid values 2", lambda: S.MultilabelHybridSampler().resample_indices(
        [[2, 0], [0, 1]]), ValueError, "y"),
    ("SMOTE k 0", lambda: S.SMOTE(k_neighbors=0).fit_resample(X, Y), ValueError, "k_neighbors"),
    ("SMOTE small_classes", lambda: S.SMOTE(small_classes="skip").fit_resample(X, Y),
     ValueError, "small_classes"),
    ("SMOTE class too small", lambda: S.SMOTE(k_neighbors=5).fit_resample(
        X, np.array([0, 0, 0, 0, 1, 1])), ValueError, "k_neighbors"),
    ("SMOTE NaN", lambda: S.SMOTE(k_neighbors=1).fit_resample(
        np.where(np.arange(6)[:, None, None, None] == 1, np.nan, X), Y), ValueError, "x"),
    ("SMOTE resample_indices", lambda: S.SMOTE().resample_indices(Y), TypeError, "fit_resample"),
    ("as_sampler junk", lambda: S.as_sampler("ros"), TypeError, "sampler"),
    ("ImblearnSampler junk", lambda: S.ImblearnSampler(object()).fit_resample(X, Y),
     TypeError, "sampler"),
    ("ImblearnSampler of imbkeras", lambda: S.ImblearnSampler(
        S.RandomOverSampler()).fit_resample(X, Y),
     TypeError,
     "sampler"),
    ("create_sampler unknown", lambda: S.create_sampler("adasyn"), ValueError,
     "Unknown sampler 'adasyn'.*Known: "),
    ("create_sampler none with args", lambda: S.create_sampler("none", seed=0), ValueError,
     "none"),
    ("ratio_strategy kind", lambda: S.ratio_strategy(2, "both"), ValueError, "kind"),
    # pipelines
    ("make_dataset x strings", lambda: ik.pipeline.make_dataset(np.array(["a", "b"]), [0, 1], 1),
     TypeError, "x"),
    ("make_dataset lengths", lambda: ik.pipeline.make_dataset(X, Y[:3], 2), ValueError, "len"),
    ("make_dataset label_mode", lambda: ik.pipeline.make_dataset(X, Y, 2, label_mode="onehot"),
     ValueError, "label_mode"),
    ("make_dataset multi_hot for 1-D", lambda: ik.pipeline.make_dataset(X, Y, 2,
                                                                        label_mode="multi_hot"),
     ValueError, "label_mode"),
    ("make_dataset sparse for 2-D", lambda: ik.pipeline.make_dataset(
        X[:2], [[1, 0], [0, 1]], 2, label_mode="sparse"), ValueError, "label_mode"),
    ("make_dataset steps 0", lambda: ik.pipeline.make_dataset(X, Y, 2, steps_per_epoch=0),
     ValueError, "steps_per_epoch"),
    ("make_dataset augment junk", lambda: ik.pipeline.make_dataset(X, Y, 2, augment=[3]),
     TypeError, "augment"),
    ("make_dataset sampler junk", lambda: ik.pipeline.make_dataset(X, Y, 2, sampler="ros"),
     TypeError, "sampler"),
    ("make_dataset seed float", lambda: ik.pipeline.make_dataset(X, Y, 2, seed=0.5), TypeError,
     "seed"),
    ("make_dataset batch float", lambda: ik.pipeline.make_dataset(X, Y, 2.0), TypeError,
     "batch_size"),
    ("make_dataset num_classes too small", lambda: ik.pipeline.make_dataset(X, Y, 2,
                                                                            num_classes=2),
     ValueError, "num_classes"),
    ("make_dataset SMOTE on files", lambda: ik.pipeline.make_dataset(
        ik.pipeline.FileSource(["a.npy"] * 6, np.zeros, sample_shape=(2,), dtype="float32"), Y, 2,
        sampler=S.SMOTE()), ValueError, "sampler"),
    ("make_dataset imblearn on multi-hot", lambda: ik.pipeline.make_dataset(
        X[:2], [[1, 0], [0, 1]], 2, sampler=__import__("imblearn").under_sampling.NearMiss()),
     ValueError, "sampler"),
    ("FileSource loader junk", lambda: ik.pipeline.FileSource(["a"], "np.load"), TypeError,
     "loader"),
    ("FileSource empty", lambda: ik.pipeline.FileSource([], np.load), ValueError, "paths"),
    ("FileSource one string", lambda: ik.pipeline.FileSource("a.npy", np.load), TypeError,
     "paths"),
    ("FileSource missing file", lambda: ik.pipeline.FileSource(["/nonexistent.npy"], np.load),
     ValueError, "/nonexistent.npy"),
    # protocols
    ("imbalance mu 0", lambda: ik.protocols.imbalance_counts(Y, "step", 2, minority_fraction=0),
     ValueError,
     "mu"),
    ("imbalance mu 1.5", lambda: ik.protocols.imbalance_counts(Y, "step", 2, minority_fraction=1.5),
     ValueError,
     "mu"),
    ("imbalance ratio inf", lambda: ik.protocols.imbalance_counts(Y, "linear", np.inf),
     ValueError, "ratio"),
    ("imbalance ratio string", lambda: ik.protocols.imbalance_counts(Y, "linear", "10"),
     ValueError, "ratio"),
    ("imbalance seed string", lambda: ik.protocols.imbalance_indices(
        Y, "step", 2, minority_fraction=.5, seed="0"), TypeError, "seed"),
    ("imbalance seed negative", lambda: ik.protocols.imbalance_counts(
        Y, "linear", 2, seed=-1), TypeError, "seed"),
    ("imbalance max_per_class 0", lambda: ik.protocols.imbalance_counts(Y, "linear", 2,
                                                                        max_per_class=0),
     ValueError, "max_per_class"),
    ("imbalance infeasible", lambda: ik.protocols.imbalance_indices(Y, "step", 100, minority_fraction=.5),
     ValueError, "ratio"),
    ("make_imbalanced lengths", lambda: ik.protocols.make_imbalanced(X[:3], Y, "step", 2),
     ValueError, "len"),
    ("stratified_folds more than the smallest class", lambda: ik.protocols.stratified_folds(
        Y, 5), ValueError, "n_splits"),
    ("realised_ratio empty", lambda: ik.protocols.realised_ratio([]), ValueError, "counts"),
    # losses: hyper-parameters
    ("focal gamma -1", lambda: ik.losses.FocalLoss(gamma=-1), ValueError, "gamma"),
    ("focal gamma string", lambda: ik.losses.FocalLoss(gamma="2"), TypeError, "gamma"),
    ("focal alpha wrong length", lambda: ik.losses.FocalLoss(alpha=[.5, .5])(np.array([0, 1]), P),
     ValueError, "alpha"),
    ("focal label_smoothing 2", lambda: ik.losses.FocalLoss(label_smoothing=2), ValueError,
     "label_smoothing"),
    ("class_balanced beta 1", lambda: ik.losses.class_balanced_weights([5, 3], beta=1.0),
     ValueError, "beta"),
    ("class_balanced empty class", lambda: ik.losses.class_balanced_weights([5, 0]), ValueError,
     "samples_per_class"),
    ("ldam margins negative counts", lambda: ik.losses.ldam_margins([5, -1]), ValueError,
     "samples_per_class"),
    ("ldam max_margin 0", lambda: ik.losses.LDAMLoss([5, 3, 1], max_margin=0), ValueError,
     "max_margin"),
    ("logit adjusted priors zero", lambda: ik.losses.LogitAdjustedLoss([.5, .5, 0]), ValueError,
     "priors"),
    ("logit adjusted tau nan", lambda: ik.losses.LogitAdjustedLoss([.5, .3, .2], tau=np.nan),
     ValueError, "tau"),
    ("weighted CE weights negative", lambda: ik.losses.WeightedCrossEntropy([1, -1, 1]),
     ValueError, "class_weights"),
    ("weighted CE length", lambda: ik.losses.WeightedCrossEntropy([1, 1])(np.array([0, 1]), P),
     ValueError, "class_weights"),
    ("binary focal 3 classes", lambda: ik.losses.BinaryFocalLoss()(Y1H, P[:, :2] * 4),
     ValueError, "y_pred"),
    # metrics
    ("report y lengths", lambda: M.report([0, 1, 2], P / P.sum(1, keepdims=True)), ValueError,
     "len"),
    ("report label beyond columns", lambda: M.report([0, 5], P / P.sum(1, keepdims=True)),
     ValueError, "y_true"),
    ("report 1-D probabilities", lambda: M.report([0, 1], [0.2, 0.8]), ValueError, "y_prob"),
    ("check_probabilities negative", lambda: M.check_probabilities([[-.5, 1.5]]), ValueError,
     "y_prob"),
    ("MacroF1 num_classes 1", lambda: M.MacroF1(num_classes=1), ValueError, "num_classes"),
    ("GMean num_classes string", lambda: M.GMean(num_classes="3"), TypeError, "num_classes"),
    ("streaming label out of range", lambda: M.AverageAccuracy(num_classes=3).update_state(
        np.array([0, 4]), P), ValueError, "y_true"),
    ("class_balance_accuracy 1-D", lambda: M.class_balance_accuracy([1, 2, 3]), ValueError,
     "cm"),
    ("report_multilabel threshold 2", lambda: M.report_multilabel([[1, 0]], [[.5, .5]],
                                                                  threshold=2), ValueError,
     "threshold"),
    ("mlcm shapes", lambda: M.mlcm([[1, 0]], [[1, 0, 0]]), ValueError, "shape"),
    # thresholding
    ("class_priors missing class", lambda: ik.thresholding.class_priors([0, 0, 2], 3),
     ValueError, "0 samples"),
    ("logit_adjustment priors length", lambda: ik.thresholding.logit_adjustment(P, [.5, .5]),
     ValueError, "priors"),
    ("tune_thresholds shapes", lambda: ik.thresholding.tune_thresholds([[1, 0]], [[.5]]),
     ValueError, "y_prob"),
    ("PriorCorrection negative", lambda: L.PriorCorrection([.5, -.5]), ValueError, "priors"),
    # layers
    ("RandomGeometric2D rotation -1", lambda: L.RandomGeometric2D(rotation=-1), ValueError,
     "rotation"),
    ("RandomGeometric2D zoom 1.5", lambda: L.RandomGeometric2D(zoom=1.5), ValueError, "zoom"),
    ("RandomGeometric2D shift string", lambda: L.RandomGeometric2D(shift="a"), (TypeError,
                                                                               ValueError),
     "shift"),
    ("RandomGeometric3D on 2-D batch", lambda: L.RandomGeometric3D()(np.zeros((2, 4, 4, 1))),
     ValueError, "3D volumes"),
    ("RandomRot90Flip on 1-D", lambda: L.RandomRot90Flip()(np.zeros((2, 4))), ValueError,
     "shape"),
    ("MixUp alpha 0", lambda: L.MixUp(alpha=0), ValueError, "alpha"),
    ("MixUp alpha nan", lambda: L.MixUp(alpha=float("nan")), ValueError, "alpha"),
    # models
    ("create_model unknown", lambda: MODELS.create_model("lenet6", input_shape=(28, 28, 1),
                                                         num_classes=10), ValueError,
     "Unknown model 'lenet6'. Did you mean 'lenet5'"),
    ("lenet5 num_classes 1", lambda: MODELS.lenet5((28, 28, 1), 1), ValueError, "num_classes"),
    ("lenet5 input rank", lambda: MODELS.lenet5((28, 28), 10), ValueError, "input_shape"),
    ("multipath3d 2-D input", lambda: MODELS.multipath3d((16, 16, 1), 3), ValueError,
     "input_shape"),
    ("split_head not a model", lambda: MODELS.split_head("lenet"), TypeError, "model"),
    # training recipes
    ("fit_resampled epochs 0", lambda: ik.training.fit_resampled(
        MODELS.lenet5((16, 16, 1), 3), np.zeros((6, 16, 16, 1)), Y, epochs=0), ValueError,
     "epochs"),
    ("extract_features not a model", lambda: ik.training.extract_features(None, X), TypeError,
     "extractor"),
    ("two_stage stage2 junk", lambda: ik.training.two_stage_fit(
        _compiled(MODELS.lenet5((16, 16, 1), 3)), np.zeros((6, 16, 16, 1)), Y,
        stage2_sampler="rus"), TypeError, "stage2_sampler"),
    ("DeferredReweighting epoch negative", lambda: ik.training.DeferredReweighting(
        [5, 3, 1], start_epoch=-1), ValueError, "start_epoch"),
    # ensembles and baselines
    ("bagging voting", lambda: ik.ensemble.BaggingClassifier(lambda s, k: None, 2,
                                                             voting="max").fit(X, Y), ValueError,
     "voting"),
    ("bagging build_fn junk", lambda: ik.ensemble.BaggingClassifier("lenet5", 2).fit(X, Y),
     TypeError, "build_fn"),
    ("boosting n_estimators", lambda: ik.ensemble.BoostingClassifier(
        lambda s, k: None, 0).fit(X, Y), ValueError, "n_estimators"),
    ("GSVMRU fit one class", lambda: ik.baselines.GSVMRU().fit(np.zeros((6, 2)), np.zeros(6)),
     ValueError, "class"),
    ("GPClassifier fit lengths", lambda: ik.baselines.GPClassifier().fit(np.zeros((4, 2)), Y),
     ValueError, "inconsistent numbers of samples"),
    ("ParticleFeatureSVM fit 3-D", lambda: ik.baselines.ParticleFeatureSVM().fit(
        np.zeros((6, 8, 8)), Y), ValueError, "dim 3"),
    ("ParticleFeatureSVM fit NaN features", lambda: ik.baselines.ParticleFeatureSVM().fit(
        np.full((6, 4), np.nan), Y), ValueError, "NaN"),
    # simulators
    ("subtomograms n 0", lambda: ik.synthetic.subtomograms(0, size=16), ValueError, "n"),
    ("subtomograms seed float", lambda: ik.synthetic.subtomograms(2, size=16, seed=0.5),
     TypeError, "seed"),
    ("liposomes n -1", lambda: ik.synthetic.liposomes(-1), ValueError, "n"),
    ("liposomes seed string", lambda: ik.synthetic.liposomes(2, seed="a"), TypeError, "seed"),
    ("draw_labels frequencies", lambda: ik.synthetic.draw_labels(3, 0, [.5, 1.5]), ValueError,
     "frequencies"),
    ("draw_labels rng", lambda: ik.synthetic.draw_labels(3, "x"), TypeError, "rng"),
    ("protein_cells frequencies", lambda: ik.synthetic.protein_cells(2, 32,
                                                                     label_frequencies=[.5]),
     ValueError, "label_frequencies"),
    ("wedge_mask tilt", lambda: ik.synthetic.wedge_mask(16, (30, 20)), ValueError, "tilt_range"),
    # loaders
    ("read_image missing", lambda: ik.datasets.read_image("/nonexistent.png"),
     FileNotFoundError, "/nonexistent.png"),
    ("read_mrc missing", lambda: ik.datasets.read_mrc("/nonexistent.mrc"), FileNotFoundError,
     "/nonexistent.mrc"),
    ("load_subtomograms missing", lambda: ik.datasets.load_subtomograms("/nonexistent"),
     FileNotFoundError, "/nonexistent"),
    ("load_particles missing", lambda: ik.datasets.load_particles("/nonexistent"),
     FileNotFoundError, "/nonexistent"),
    ("load_image_folder image_size", lambda: ik.datasets.load_image_folder(
        "/nonexistent", image_size=(0, 4)), ValueError, "image_size"),
    ("load_image_folder channels", lambda: ik.datasets.load_image_folder(
        "/nonexistent", channels=2), ValueError, "channels"),
    ("stratified_split fraction", lambda: ik.datasets.stratified_split(X, Y, test_size=1.5),
     ValueError, "test_size"),
    # experiment engine
    ("from_yaml missing", lambda: ik.experiments.Experiment.from_yaml("/nonexistent.yaml"),
     FileNotFoundError, "/nonexistent.yaml"),
    ("unknown profile", lambda: ik.experiments.get_preset("buda2018").profile("huge"),
     ValueError, "smoke"),
    ("cv kind", lambda: ik.experiments.Experiment.from_dict(
        {"preset": "buda2018", "profile": "smoke", "cv": {"kind": "loo"}}).validate(),
     ValueError, "cv"),
    ("seeds negative", lambda: ik.experiments.Experiment.from_dict(
        {"preset": "buda2018", "profile": "smoke", "seeds": [-1]}).validate(), (ValueError,
                                                                               TypeError),
     "seeds"),
    ("summary_table metric", lambda: ik.experiments.summary_table(
        __import__("pandas").DataFrame({"method": ["a"], "auc": [1.0]}), "f1"), ValueError,
     "metric"),
    ("summary_table not a frame", lambda: ik.experiments.summary_table([1, 2]), TypeError, "df"),
    ("workers 0", lambda: ik.experiments.run_experiment(
        ik.experiments.get_preset("buda2018").profile("smoke"), "/tmp/x", executor="processes",
        workers=0), ValueError, "workers"),
]
CASES = CASES + NEW


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


def test_a_file_that_fails_to_load_mid_epoch_is_named(tmp_path):
    import tensorflow as tf

    paths = []
    for i in range(6):
        p = tmp_path / f"{i}.npy"
        np.save(p, np.full((4, 4, 1), i, "float32"))
        paths.append(str(p))
    (tmp_path / "4.npy").write_bytes(b"not an array")  # breaks after the probe of file 0
    ds = ik.pipeline.make_dataset(paths, Y, 2, loader=np.load, shuffle=False)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"ValueError: `loader` failed on "
                                                             r"file '.*4\.npy'"):
        list(ds)
    with pytest.raises(ValueError, match=r"4\.npy"):
        ik.pipeline.FileSource(paths, np.load)[np.array([4])]


def test_catalogue_is_large_enough():
    assert len(CASES) >= 120


def test_seed_none_means_fresh_entropy_wherever_a_seed_is_taken():
    y = np.repeat(np.arange(4), 50)
    draws = [ik.protocols.imbalance_indices(y, "step", 5, minority_fraction=.5, seed=None)
             for _ in range(4)]
    assert len({tuple(d) for d in draws}) > 1
    assert all(np.bincount(y[d], minlength=4).max() == 50 for d in draws)
    xs = [ik.synthetic.liposomes(3, seed=None).images[0] for _ in range(2)]
    assert not np.array_equal(xs[0], xs[1])
    x = np.arange(40, dtype="float32").reshape(40, 1)
    firsts = [next(iter(ik.pipeline.make_dataset(x, np.arange(40) % 2, 40, seed=None)))[0]
              for _ in range(3)]
    assert len({tuple(np.asarray(f).ravel()) for f in firsts}) > 1
