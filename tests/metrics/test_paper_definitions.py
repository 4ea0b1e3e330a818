"""The metric definitions inferred from Al-joudi & Arif (2023), checked on the paper's numbers.

Their Table 2 gives, per fold and activation, AUC, "accuracy", F1, recall and
precision. Every F1 lies a little *below* 2PR/(P+R) of the same row's P and R
(0.003 to 0.006): what averaging per-batch F1 over evaluation batches gives
(the harmonic mean is concave), with their validation batches of 16.
"""

import keras
import numpy as np
import pytest
import sklearn.metrics

from imbkeras.metrics import (batch_averaged_scores, categorical_accuracy,
                              f1_from_precision_recall, report_multilabel)
from imbkeras.synthetic import draw_labels

# Table 2, folds 1-5: (precision, recall, F1)
PRELU = [(0.659, 0.476, 0.549), (0.641, 0.496, 0.556), (0.641, 0.464, 0.534),
         (0.632, 0.479, 0.541), (0.636, 0.454, 0.526)]
SELU = [(0.723, 0.412, 0.519), (0.705, 0.359, 0.470), (0.698, 0.374, 0.483),
        (0.686, 0.391, 0.494), (0.714, 0.388, 0.498)]
#: stated tolerance: the paper's F1 is at most this far below 2PR/(P+R) of its P and R
TOLERANCE = 0.0065


@pytest.mark.parametrize("row", PRELU + SELU)
def test_paper_f1_is_the_harmonic_mean_of_its_precision_and_recall_within_tolerance(row):
    p, r, f1 = row
    gap = f1_from_precision_recall(p, r) - f1
    assert 0 <= gap <= TOLERANCE  # never above (Jensen), at most 0.0065 below


def test_paper_f1_is_not_the_macro_mean_of_its_per_class_f1():
    # Table 3 (PReLU, per class): the mean of its F1 column is 0.47, the reported F1 0.541
    per_class_f1 = [.38, .644, .316, .414, .594, .13, .416, .338, .6, .798, .812, .447, .463,
                    .485, .76, .803, .25, .504, .18, .11, .554, .35, .358, .451, .588, .304,
                    .404, .75]
    assert abs(np.mean(per_class_f1) - 0.541) > 0.06
    means = np.mean(PRELU, axis=0)
    assert abs(f1_from_precision_recall(means[0], means[1]) - 0.541) < 0.005


def test_batch_averaging_gives_the_papers_gap_at_batch_16():
    """Predictions with the paper's precision / recall and HPA's label density: the mean F1
    of batches of 16 falls below 2PR/(P+R) of the mean P and R by a few thousandths."""
    rng = np.random.default_rng(0)
    y = draw_labels(4000, rng)
    hit = (y == 1) & (rng.random(y.shape) < 0.47)
    false = (y == 0) & (rng.random(y.shape) < 0.47 * 1.63 / 26.4 * (1 / 0.64 - 1))
    prob = np.where(hit | false, 0.9, 0.1)
    s = batch_averaged_scores(y, prob, batch_size=16)
    assert abs(s["precision"] - 0.64) < 0.03 and abs(s["recall"] - 0.47) < 0.03
    gap = f1_from_precision_recall(s["precision"], s["recall"]) - s["f1"]
    assert 0.002 < gap < 0.012
    whole = batch_averaged_scores(y, prob, batch_size=len(y))  # one batch: no gap
    assert abs(f1_from_precision_recall(whole["precision"], whole["recall"]) - whole["f1"]) < 1e-6


def test_batch_scores_match_sklearn_micro_scores_per_batch():
    rng = np.random.default_rng(1)
    y = (rng.random((37, 5)) < 0.3).astype(int)
    prob = rng.random((37, 5))
    s = batch_averaged_scores(y, prob, batch_size=8, threshold=0.5)
    pred = (prob >= 0.5).astype(int)
    ref = [sklearn.metrics.precision_recall_fscore_support(
        y[i:i + 8], pred[i:i + 8], average="micro", zero_division=0)[:3] for i in range(0, 37, 8)]
    np.testing.assert_allclose([s["precision"], s["recall"], s["f1"]], np.mean(ref, axis=0),
                               atol=1e-5)


def test_categorical_accuracy_is_what_keras_reports_as_accuracy_for_multi_hot_outputs():
    rng = np.random.default_rng(2)
    x = rng.random((24, 3)).astype("float32")
    y = (rng.random((24, 6)) < 0.4).astype("float32")
    y[y.sum(1) == 0, 0] = 1
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(6, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    keras_acc = model.evaluate(x, y, batch_size=24, verbose=0, return_dict=True)
    acc = [v for k, v in keras_acc.items() if "acc" in k][0]
    ours = categorical_accuracy(y, model.predict(x, verbose=0))
    assert ours == pytest.approx(acc, abs=1e-6)
    assert ours != pytest.approx(report_multilabel(y, model.predict(x, verbose=0))
                                 ["hamming_accuracy"], abs=1e-3)


def test_report_carries_the_inferred_definitions_and_samples_jaccard():
    y = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 0]])
    prob = np.array([[.9, .2, .1], [.3, .8, .6], [.55, .6, .2]])
    r = report_multilabel(y, prob, batch_size=2)
    pred = (prob >= 0.5).astype(int)
    assert r["samples_jaccard"] == pytest.approx(
        sklearn.metrics.jaccard_score(y, pred, average="samples"))
    assert r["categorical_accuracy"] == pytest.approx(2 / 3)
    assert r["batch_f1"] == pytest.approx(batch_averaged_scores(y, prob, 2)["f1"])


def test_thresholds_of_the_wrong_length_name_the_expected_length():
    y = np.eye(4, dtype=int)
    with pytest.raises(ValueError, match=r"threshold.*one value per label \(4\).*\(3,\)"):
        report_multilabel(y, np.full((4, 4), 0.5), threshold=[0.5, 0.5, 0.5])


@pytest.mark.parametrize("p, r", [(1.2, 0.5), (0.5, float("nan")), ([0.5, 0.4], [0.3])])
def test_f1_from_precision_recall_rejects_bad_values(p, r):
    with pytest.raises(ValueError, match="precision|recall"):
        f1_from_precision_recall(p, r)
