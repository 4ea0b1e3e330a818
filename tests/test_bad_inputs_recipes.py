"""Bad inputs to the recipes, ensembles, baselines, samplers and streaming metrics.

Each case calls one entry point with one wrong input and asserts the exception
type and that the message names the argument (or the value), in the style of
``tests/test_bad_inputs.py``. Below the catalogue: the behaviours the checks
protect (arguments never replaced by a default, an ensemble's seed fixing
the samplers it wraps, samplers that never drop a class or turn booleans True,
``set_params`` after a draw, streaming metrics asserting their input range
inside a compiled ``fit``).
"""

import functools

import keras
import numpy as np
import pytest
import tensorflow as tf

import imbkeras as ik

S = ik.sampling
M = ik.metrics
T = ik.training
E = ik.ensemble
B = ik.baselines

Y = np.array([0, 1, 2, 0, 1, 2])
Y2 = np.array([0] * 10 + [1] * 3)
X16 = np.zeros((6, 16, 16, 1), "float32")
P = np.full((3, 3), 1 / 3, "float32")


@functools.lru_cache(maxsize=None)
def _lenet():
    model = ik.models.lenet5((16, 16, 1), 3)
    model.compile("sgd", "sparse_categorical_crossentropy")
    return model


@functools.lru_cache(maxsize=None)
def _multipath():
    return ik.models.multipath2d((16, 16, 1), 3, num_paths=3, pooling="global_avg")


def _tiny(input_shape, num_classes):
    inp = keras.Input(input_shape)
    out = keras.layers.Dense(num_classes, activation="softmax")(keras.layers.Flatten()(inp))
    model = keras.Model(inp, out)
    model.compile(keras.optimizers.Adam(0.05), "sparse_categorical_crossentropy")
    return model


def _uncompiled(input_shape, num_classes):
    inp = keras.Input(input_shape)
    return keras.Model(inp, keras.layers.Dense(num_classes)(keras.layers.Flatten()(inp)))


def _ragged():
    return [np.zeros((4, 4, 1)), np.zeros((3, 4, 1))] * 3


def _fsr_without_data():
    cb = T.FeatureSpaceResampling(epochs=1)  # as from_config builds it: no data
    _lenet().fit(X16, Y, epochs=1, verbose=0, callbacks=[cb])


def _graph_update(metric, y_true, y_pred):
    @tf.function
    def step(a, b):
        metric.update_state(a, b)
        return metric.result()

    return step(tf.constant(y_true), tf.constant(y_pred))


def _strategy_returning(value):
    return S.RandomOverSampler(sampling_strategy=lambda y: value).resample_indices(Y2)


RECIPES = [
    ("two_stage stage2_epochs 0", lambda: T.two_stage_fit(
        _lenet(), X16, Y, None, S.RandomOverSampler(), stage2_epochs=0), ValueError,
     "stage2_epochs"),
    ("two_stage stage2_batch_size 0", lambda: T.two_stage_fit(
        _lenet(), X16, Y, None, S.RandomOverSampler(), stage2_batch_size=0), ValueError,
     "stage2_batch_size"),
    ("two_stage stage2_epochs float", lambda: T.two_stage_fit(
        _lenet(), X16, Y, None, S.RandomOverSampler(), stage2_epochs=1.5), TypeError,
     "stage2_epochs"),
    ("two_stage epochs string", lambda: T.two_stage_fit(_lenet(), X16, Y, epochs="2"),
     TypeError, "epochs"),
    ("two_stage seed negative", lambda: T.two_stage_fit(_lenet(), X16, Y, seed=-1), TypeError,
     "seed"),
    ("two_stage stage1 junk", lambda: T.two_stage_fit(_lenet(), X16, Y, "ros"), TypeError,
     "stage1_sampler"),
    ("two_stage verbose", lambda: T.two_stage_fit(_lenet(), X16, Y, verbose="loud"),
     ValueError, "verbose"),
    ("two_stage y (n, 1)", lambda: T.two_stage_fit(_lenet(), X16, Y[:, None]), ValueError,
     r"`y` must be a 1-D"),
    ("two_stage ragged x", lambda: T.two_stage_fit(_lenet(), _ragged(), Y), ValueError,
     "`x` must be a rectangular"),
    ("two_stage callbacks not a list", lambda: T.two_stage_fit(
        _lenet(), X16, Y, callbacks=keras.callbacks.History()), TypeError, "callbacks"),
    ("FeatureSpaceResampling sampler None", lambda: T.FeatureSpaceResampling(X16, Y, None),
     ValueError, "`sampler`"),
    ("FeatureSpaceResampling sampler junk", lambda: T.FeatureSpaceResampling(X16, Y, "smote"),
     TypeError, "`sampler`"),
    ("FeatureSpaceResampling lengths", lambda: T.FeatureSpaceResampling(
        X16, Y[:4], S.RandomOverSampler()), ValueError, "len"),
    ("FeatureSpaceResampling no data at train begin", _fsr_without_data, ValueError, "`x`"),
    ("feature_space_fine_tune epochs 0", lambda: T.feature_space_fine_tune(
        _lenet(), X16, Y, S.RandomOverSampler(), epochs=0), ValueError, "epochs"),
    ("feature_space_fine_tune sampler None", lambda: T.feature_space_fine_tune(
        _lenet(), X16, Y, None), ValueError, "`sampler`"),
    ("fit_multipath class missing", lambda: T.fit_multipath(
        _multipath(), X16, np.array([0, 1, 0, 1, 0, 1])), ValueError, r"no sample of class"),
    ("fit_multipath optimizer instance", lambda: T.fit_multipath(
        _multipath(), X16, Y, optimizer=keras.optimizers.Adam()), TypeError, "optimizer"),
    ("fit_multipath batch_size 0", lambda: T.fit_multipath(_multipath(), X16, Y, batch_size=0),
     ValueError, "batch_size"),
    ("fit_multipath mixup_alpha 0", lambda: T.fit_multipath(_multipath(), X16, Y,
                                                            mixup_alpha=0), ValueError,
     "mixup_alpha"),
    ("fit_multipath eval_data not a pair", lambda: T.fit_multipath(
        _multipath(), X16, Y, eval_data=X16), ValueError, "eval_data"),
    ("fit_resampled patience string", lambda: T.fit_resampled(
        _lenet(), X16, Y, patience="2", validation_data=(X16, Y)), TypeError, "patience"),
    ("fit_resampled validation_data not a pair", lambda: T.fit_resampled(
        _lenet(), X16, Y, validation_data=X16), ValueError, "validation_data"),
    ("fit_resampled model None", lambda: T.fit_resampled(None, X16, Y), TypeError, "model"),
    ("fine_tune_head epochs 0", lambda: T.fine_tune_head(
        _lenet(), X16, optimizer="sgd", loss="sparse_categorical_crossentropy", epochs=0),
     ValueError, "epochs"),
    ("InverseDecay gamma inf", lambda: T.InverseDecay(0.01, gamma=np.inf), ValueError, "gamma"),
    ("InverseDecay lr string", lambda: T.InverseDecay("0.01"), TypeError,
     "initial_learning_rate"),
    ("DeferredReweighting verbose -1", lambda: T.DeferredReweighting([5, 3], 1, verbose=-1),
     ValueError, "verbose"),
]

ENSEMBLES = [
    ("bagging seed -1", lambda: E.BaggingClassifier(_tiny, 2, seed=-1).fit(X16, Y),
     TypeError, "seed"),
    ("bagging seed 1.5", lambda: E.BaggingClassifier(_tiny, 2, seed=1.5).fit(X16, Y),
     TypeError, "seed"),
    ("boosting seed string", lambda: E.BoostingClassifier(_tiny, 2, seed="0").fit(X16, Y),
     TypeError,
     "seed"),
    ("bagging sampler junk", lambda: E.BaggingClassifier(_tiny, 2, sampler="smote").fit(X16, Y),
     TypeError,
     "sampler"),
    ("boosting sampler junk", lambda: E.BoostingClassifier(_tiny, 2, sampler=3).fit(X16, Y),
     TypeError,
     "sampler"),
    ("bagging verbose 3", lambda: E.BaggingClassifier(_tiny, 2, verbose=3).fit(X16, Y), ValueError,
     "verbose"),
    ("bagging epochs 0", lambda: E.BaggingClassifier(_tiny, 2, epochs=0).fit(X16, Y),
     ValueError, "epochs"),
    ("boosting batch_size float", lambda: E.BoostingClassifier(_tiny, 2, batch_size=2.0).fit(X16, Y),
     TypeError, "batch_size"),
    ("bagging save before fit", lambda: E.BaggingClassifier(_tiny, 2).save("/tmp/never"),
     ValueError, "not fitted"),
    ("boosting predict before fit", lambda: E.BoostingClassifier(_tiny, 2).predict(X16),
     ValueError, "not fitted"),
    ("bagging fit ragged x", lambda: E.BaggingClassifier(_tiny, 1).fit(_ragged(), Y),
     ValueError, "inhomogeneous"),
    ("bagging fit y (n, 2)", lambda: E.BaggingClassifier(_tiny, 1).fit(X16, np.c_[Y, Y]),
     ValueError, r"y"),
    ("boosting fit lengths", lambda: E.BoostingClassifier(_tiny, 1).fit(X16, Y[:4]),
     ValueError, "inconsistent numbers of samples"),
    ("bagging load missing", lambda: E.BaggingClassifier.load("/nonexistent/ensemble"),
     FileNotFoundError, "manifest"),
    ("boosting build_fn uncompiled", lambda: E.BoostingClassifier(_uncompiled, 1).fit(X16, Y),
     TypeError, "build_fn"),
    ("GSVMRU n_granules float", lambda: B.GSVMRU(n_granules=1.5).fit(np.eye(6), Y), TypeError,
     "n_granules"),
    ("GSVMRU C negative", lambda: B.GSVMRU(C=-1).fit(np.eye(6), Y), ValueError, "`C`"),
    ("GPClassifier generations 0", lambda: B.GPClassifier(generations=0).fit(np.eye(6), Y),
     ValueError, "generations"),
    ("GPClassifier random_state -1", lambda: B.GPClassifier(random_state=-1).fit(np.eye(6), Y),
     TypeError, "random_state"),
    ("GPClassifier parsimony nan", lambda: B.GPClassifier(
        parsimony_coefficient=np.nan).fit(np.eye(6), Y), ValueError, "parsimony_coefficient"),
]

SAMPLERS = [
    ("ROS float count", lambda: S.RandomOverSampler({1: 2.7}).target_counts(Y2),
     TypeError, "sampling_strategy"),
    ("RUS float count", lambda: S.RandomUnderSampler({0: 2.7}).target_counts(Y2), TypeError, "2.7"),
    ("RUS float class id", lambda: S.RandomUnderSampler({1.7: 2}).target_counts(Y2),
     ValueError, "1.7"),
    ("ROS negative count", lambda: S.RandomOverSampler({0: -1}).target_counts(Y2), ValueError,
     "sampling_strategy"),
    ("ROS strategy bool", lambda: S.RandomOverSampler(True).target_counts(Y2),
     TypeError, "sampling_strategy"),
    ("ROS callable float counts", lambda: _strategy_returning({1: 4.5}), TypeError,
     "sampling_strategy"),
    ("ROS callable not a dict", lambda: _strategy_returning([10, 10]), TypeError,
     "sampling_strategy"),
    ("SMOTE float count", lambda: S.SMOTE({1: 2.5}).target_counts(Y2),
     TypeError, "sampling_strategy"),
    ("EpochUnder class id 1.7", lambda: S.EpochUndersampler(classes=[1.7]).target_counts(Y2),
     ValueError,
     "classes"),
    ("EpochUnder repeated class", lambda: S.EpochUndersampler(classes=[0, 0]).target_counts(Y2),
     ValueError,
     "classes"),
    ("EpochUnder drop string", lambda: S.EpochUndersampler("0.2").target_counts(Y2), ValueError,
     "drop_fraction"),
    ("EpochUnder drop nan", lambda: S.EpochUndersampler(float("nan")).target_counts(Y2), ValueError,
     "drop_fraction"),
    ("EpochUnder set_params drop 1", lambda: S.EpochUndersampler().set_params(
        drop_fraction=1.0).resample_indices(Y2), ValueError, "drop_fraction"),
    ("ROS set_params max_ratio 0.5", lambda: S.RandomOverSampler().set_params(
        max_ratio=0.5).resample_indices(Y2), ValueError, "max_ratio"),
    ("RUS set_params max_ratio with strategy", lambda: S.RandomUnderSampler(
        "majority").set_params(max_ratio=2).resample_indices(Y2), ValueError, "max_ratio"),
    ("ROS set_params seed float", lambda: S.RandomOverSampler().set_params(
        seed=1.5).resample_indices(Y2), TypeError, "seed"),
    ("SMOTE set_params k 0", lambda: S.SMOTE().set_params(k_neighbors=0).fit_resample(
        np.eye(13), Y2), ValueError, "k_neighbors"),
    ("epoch_indices epoch -1", lambda: S.RandomOverSampler(seed=0).epoch_indices(Y2, -1),
     ValueError, "epoch"),
    ("Hybrid target 2.5", lambda: S.HybridSampler(2.5).target_counts(Y2), ValueError, "target"),
]

STREAMING = [
    ("MulticlassAUC logits eager", lambda: M.MulticlassAUC(3).update_state(
        [0, 1, 2], np.eye(3, dtype="float32") * 4 - 1), ValueError, r"\[0, 1\]"),
    ("MulticlassAUC logits in graph", lambda: _graph_update(
        M.MulticlassAUC(3), [0, 1, 2], np.eye(3, dtype="float32") * 4 - 1),
     tf.errors.InvalidArgumentError, r"`y_pred` of MulticlassAUC must hold probabilities"),
    ("MulticlassAUC NaN in graph", lambda: _graph_update(
        M.MulticlassAUC(3), [0, 1, 2], np.where(np.eye(3) > 0, np.nan, P).astype("float32")),
     tf.errors.InvalidArgumentError, "must be finite"),
    ("MacroF1 NaN in graph", lambda: _graph_update(
        M.MacroF1(3), [0, 1, 2], np.where(np.eye(3) > 0, np.nan, P).astype("float32")),
     tf.errors.InvalidArgumentError, r"`y_pred` of MacroF1 must be finite"),
    ("GMean inf in graph", lambda: _graph_update(
        M.GMean(3), [0, 1, 2], np.where(np.eye(3) > 0, np.inf, P).astype("float32")),
     tf.errors.InvalidArgumentError, "must be finite"),
    ("MulticlassAUC num_thresholds float", lambda: M.MulticlassAUC(3, num_thresholds=10.0),
     TypeError, "num_thresholds"),
]

FAMILIES = {"recipes": RECIPES, "ensembles/baselines": ENSEMBLES, "samplers": SAMPLERS,
            "streaming metrics": STREAMING}
CASES = RECIPES + ENSEMBLES + SAMPLERS + STREAMING


def test_catalogue_is_large_and_names_are_unique():
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("call, exc, match", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_named(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# -- the behaviours the checks protect --------------------------------------------------
def _rings(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([0] * (n - n // 4) + [1] * (n // 4))
    x = (rng.normal(0, 1, (n, 2)) + 1.5 * y[:, None]).astype("float32")
    return x, y


@pytest.mark.parametrize("cls, sampler, members", [
    (E.BaggingClassifier, S.RandomOverSampler(), 1),
    (E.BoostingClassifier, S.SMOTE(k_neighbors=2), 2),
    (E.BoostingClassifier, S.ImblearnSampler(__import__("imblearn").over_sampling.SMOTE(
        k_neighbors=2)), 2),
], ids=["bagging+ROS", "boosting+SMOTE", "boosting+imblearn SMOTE"])
def test_an_ensemble_seed_fixes_the_unseeded_sampler_it_wraps(cls, sampler, members):
    # (boosting's hard votes need two members and a few steps to show a sampler's draw:
    # before the fix these three fits differed by up to 0.6 in probability)
    x, y = _rings()
    probs = [cls(_tiny, members, sampler=sampler, epochs=2, batch_size=8, seed=0).fit(x, y)
             .predict_proba(x) for _ in range(3)]
    np.testing.assert_allclose(probs[1], probs[0], atol=1e-6)
    np.testing.assert_allclose(probs[2], probs[0], atol=1e-6)
    assert sampler.seed is None  # the sampler passed in is not modified


def test_epoch_undersampler_never_drops_a_class():
    y = np.array([0] * 10 + [1] * 3 + [2])
    for frac in (0.96, 0.99, 0.5):
        s = S.EpochUndersampler(frac, classes="not minority", seed=0)
        counts = s.target_counts(y)
        assert min(counts.values()) >= 1, (frac, counts)
        for epoch in range(3):
            assert set(np.unique(y[s.epoch_indices(y, epoch)])) == {0, 1, 2}
    assert S.EpochUndersampler(0.96, classes=[2]).target_counts(y)[2] == 1
    assert S.EpochUndersampler(0.96).target_counts(y) == {0: 1, 1: 3, 2: 1}


def test_smote_on_boolean_features_keeps_what_the_parents_share():
    rng = np.random.default_rng(0)
    y = np.array([0] * 20 + [1] * 6)
    x = rng.random((26, 12)) < 0.5
    x[20:, :4] = True    # every minority sample: True here
    x[20:, 4:8] = False  # and False here
    xr, yr = S.SMOTE(k_neighbors=3, seed=0).fit_resample(x, y)
    new = xr[26:]
    assert xr.dtype == bool and len(new) == 14 and (yr[26:] == 1).all()
    assert new[:, :4].all() and not new[:, 4:8].any()
    assert not new.all()  # not every interpolation turned True
    # each synthetic value is one of its parents' values: a mixture of the minority rows
    assert 0 < new[:, 8:].mean() < 1


def test_set_params_after_a_draw_takes_effect():
    y = np.array([0] * 12 + [1] * 2)
    ros = S.RandomOverSampler(seed=0)
    assert np.bincount(ros.fit_resample(np.zeros((14, 1)), y)[1]).tolist() == [12, 12]
    ros.set_params(max_ratio=3)
    assert ros.target_counts(y) == {0: 12, 1: 4}
    assert np.bincount(ros.fit_resample(np.zeros((14, 1)), y)[1]).tolist() == [12, 4]
    ros.set_params(max_ratio=2)
    assert ros.target_counts(y) == {0: 12, 1: 6}
    ros.set_params(max_ratio=None, sampling_strategy={1: 8})
    assert ros.target_counts(y) == {0: 12, 1: 8}
    rus = S.RandomUnderSampler(max_ratio=2, seed=0)
    rus.resample_indices(y)
    rus.set_params(max_ratio=4)
    assert len(rus.resample_indices(y)) == 8 + 2
    epoch = S.EpochUndersampler(0.2, seed=0)
    epoch.resample_indices(y)
    epoch.set_params(drop_fraction=0.5)
    assert epoch.target_counts(y) == {0: 6, 1: 2}
    smote = S.SMOTE(k_neighbors=1, seed=0)
    smote.fit_resample(np.arange(14.0)[:, None], y)
    smote.set_params(sampling_strategy={1: 5})
    assert smote.fit_resample(np.arange(14.0)[:, None], y)[0].shape == (17, 1)


def test_two_stage_fit_uses_the_stage2_arguments_it_is_given():
    x = np.random.default_rng(0).random((12, 16, 16, 1), dtype="float32")
    y = np.array([0] * 9 + [1] * 3)
    model = ik.models.lenet5((16, 16, 1), 2)
    model.compile("sgd", "sparse_categorical_crossentropy")
    h = T.two_stage_fit(model, x, y, None, S.RandomOverSampler(), epochs=2, batch_size=12,
                        stage2_epochs=1)
    assert len(h["stage1"].history["loss"]) == 2 and len(h["stage2"].history["loss"]) == 1
    h = T.two_stage_fit(model, x, y, None, S.RandomOverSampler(), epochs=1, batch_size=12)
    assert len(h["stage2"].history["loss"]) == 1  # None: stage 1's


def test_feature_space_callback_without_sampler_fails_before_stage_one():
    model = ik.models.lenet5((16, 16, 1), 3)
    model.compile("sgd", "sparse_categorical_crossentropy")
    before = [w.copy() for w in model.get_weights()]
    cb = T.FeatureSpaceResampling(epochs=1)
    with pytest.raises(ValueError, match="`x`"):
        model.fit(X16, Y, epochs=1, verbose=0, callbacks=[cb])
    assert all((a == b).all() for a, b in zip(before, model.get_weights()))


def _linear(k=3):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(k)])
    return model


def test_compiled_fit_with_logits_into_multiclass_auc_raises():
    x = np.random.default_rng(0).normal(0, 3, (8, 4)).astype("float32")
    y = np.arange(8) % 3
    model = _linear()
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[M.MulticlassAUC(3)], jit_compile=False)
    with pytest.raises(tf.errors.InvalidArgumentError, match="MulticlassAUC must hold "
                                                             "probabilities"):
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    # the same model behind a softmax trains and reports a number
    probs = keras.Sequential([model, keras.layers.Softmax()])
    probs.compile("sgd", "sparse_categorical_crossentropy", metrics=[M.MulticlassAUC(3)],
                  jit_compile=False)
    h = probs.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert 0.0 <= h.history["auc_ovr"][0] <= 1.0


def test_compiled_fit_with_nan_scores_into_macro_f1_raises():
    x = np.ones((8, 4), "float32")
    x[3, 1] = np.nan
    model = _linear()
    model.compile("sgd", "mse", metrics=[M.MacroF1(3)], jit_compile=False)
    with pytest.raises(tf.errors.InvalidArgumentError, match="MacroF1 must be finite"):
        model.fit(x, np.eye(3)[np.arange(8) % 3], epochs=1, batch_size=8, verbose=0)


def test_where_no_assertion_runs_invalid_scores_make_the_result_nan():
    """XLA drops tf.debugging assertions: a compiled (jit) step reports NaN, never a number."""
    x = np.random.default_rng(0).normal(0, 3, (8, 4)).astype("float32")
    y = np.arange(8) % 3
    x_nan = x.copy()
    x_nan[2, 1] = np.nan
    for metric, inputs in ((M.MulticlassAUC(3), x), (M.MacroF1(3), x_nan)):
        model = _linear()
        model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=[metric], jit_compile=True)
        h = model.fit(inputs, y, epochs=1, batch_size=8, verbose=0)
        assert np.isnan(h.history[metric.name][0]), (metric.name, h.history)
