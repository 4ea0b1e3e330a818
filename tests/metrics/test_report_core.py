"""`report` against scikit-learn / imbalanced-learn."""

import numpy as np
import pytest
import sklearn.metrics as skm
from imblearn.metrics import geometric_mean_score, sensitivity_specificity_support

from imbkeras.metrics import class_balance_accuracy, report


def random_case(seed, n=200, k=4, skew=True):
    rng = np.random.default_rng(seed)
    y = rng.choice(k, size=n, p=np.linspace(1, 3, k) / np.linspace(1, 3, k).sum()) if skew \
        else rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, p


@pytest.mark.parametrize("seed", range(5))
def test_report_equals_sklearn_and_imblearn(seed):
    y, p = random_case(seed)
    k = p.shape[1]
    labels = list(range(k))
    pred = p.argmax(1)
    r = report(y, p)
    assert r["auc_ovr"] == pytest.approx(skm.roc_auc_score(y, p, multi_class="ovr",
                                                           average="macro"))
    assert r["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert r["macro_f1"] == pytest.approx(skm.f1_score(y, pred, average="macro", labels=labels))
    assert r["avacc"] == pytest.approx(skm.balanced_accuracy_score(y, pred))
    # macro mean of the per-class G-means (imbalanced-learn's average="macro" is
    # sqrt(mean TPR * mean TNR) instead)
    assert r["gmean"] == pytest.approx(np.mean(geometric_mean_score(y, pred, average=None,
                                                                    labels=labels)))
    assert r["mavg"] == pytest.approx(geometric_mean_score(y, pred, average="multiclass"))
    sen, spe, _ = sensitivity_specificity_support(y, pred, labels=labels, average=None)
    np.testing.assert_allclose(r["per_class"]["tpr"], sen)
    np.testing.assert_allclose(r["per_class"]["tnr"], spe)
    np.testing.assert_allclose(r["per_class"]["ppv"], skm.precision_score(y, pred, average=None))
    np.testing.assert_allclose(r["per_class"]["f1"], skm.f1_score(y, pred, average=None))
    np.testing.assert_array_equal(r["confusion_matrix"], skm.confusion_matrix(y, pred))
    cm = r["confusion_matrix"]
    npv = [(cm.sum() - cm[c].sum() - cm[:, c].sum() + cm[c, c]) /
           (cm.sum() - cm[:, c].sum()) for c in range(k)]
    np.testing.assert_allclose(r["per_class"]["npv"], npv)


def test_class_never_predicted_does_not_crash():
    y = np.array([0, 0, 1, 1, 2, 2])
    p = np.array([[.9, .05, .05], [.8, .1, .1], [.2, .7, .1], [.3, .6, .1], [.6, .3, .1],
                  [.2, .5, .3]])
    r = report(y, p)
    pred = p.argmax(1)
    assert r["per_class"]["ppv"][2] == 0 and r["per_class"]["f1"][2] == 0
    assert r["macro_f1"] == pytest.approx(skm.f1_score(y, pred, average="macro",
                                                       zero_division=0))
    assert r["mavg"] == 0.0  # a recall of zero zeroes the geometric mean
    assert r["mavg"] == geometric_mean_score(y, pred, average="multiclass")
    assert np.isfinite(r["auc_ovr"])


def test_class_absent_from_y_true_is_left_out_of_auc():
    y = np.array([0, 0, 1, 1])
    p = np.array([[.7, .2, .1], [.6, .3, .1], [.2, .7, .1], [.1, .4, .5]])
    r = report(y, p)
    assert np.isnan(r["per_class"]["auc"][2])
    assert r["auc_ovr"] == pytest.approx(np.mean([skm.roc_auc_score(y == c, p[:, c])
                                                  for c in (0, 1)]))


def test_single_class_y_true_gives_nan_auc_with_warning():
    with pytest.warns(UserWarning, match="single class"):
        r = report([1, 1], [[0.2, 0.8], [0.6, 0.4]])
    assert np.isnan(r["auc_ovr"])
    assert r["accuracy"] == 0.5


def test_cba_hand_worked():
    # rows true, columns predicted
    cm = np.array([[5, 1, 0], [2, 3, 1], [0, 0, 4]])
    # class 0: 5 / max(6, 7); class 1: 3 / max(6, 4); class 2: 4 / max(4, 5)
    assert class_balance_accuracy(cm) == pytest.approx((5 / 7 + 3 / 6 + 4 / 5) / 3)


@pytest.mark.parametrize("y,p,match", [
    ([0, 1], [[0.5, 0.6], [0.2, 0.8]], "sum to 1"),
    ([0, 1], [[np.nan, 1.0], [0.2, 0.8]], "finite"),
    ([0, 2], [[0.5, 0.5], [0.2, 0.8]], "out of range"),
    ([0, -1], [[0.5, 0.5], [0.2, 0.8]], "non-negative"),
    ([0, 0.5], [[0.5, 0.5], [0.2, 0.8]], "non-integer"),
    ([0, 1, 1], [[0.5, 0.5], [0.2, 0.8]], "same length"),
    ([0, 1], [0.5, 0.5], "2-D"),
])
def test_bad_input(y, p, match):
    with pytest.raises(ValueError, match=match):
        report(y, p)
