"""Multi-label report and the MLCM (Heydarian et al. 2022) against hand-worked examples."""

import numpy as np
import pytest
import sklearn.metrics as skm

from imbkeras.metrics import MULTILABEL_SCALAR_KEYS, mlcm, report_multilabel

# 3 labels; NTL = no true label (row 3), NPL = no predicted label (column 3)
#   sample  true set   predicted   case                          cells (+1 each)
#   1       {0}        {0}         single label, right           [0,0]
#   2       {0}        {}          nothing predicted             [0,NPL]
#   3       {}         {1}         no true label                 [NTL,1]
#   4       {}         {}          nothing true nor predicted    [NTL,NPL]
#   5       {0,1}      {0}         category 1 (missed 1)         [0,0] [1,NPL]
#   6       {1}        {1,2}       extra 2                       [1,1] [1,2]
#   7       {0,2}      {0,1,2}     category 2 (extra 1)          [0,0] [2,2] [0,1] [2,1]
#   8       {0,1}      {0,2}       category 3 (missed 1, extra 2)[0,0] [1,2]
#   9       {1,2}      {0}         category 3, nothing right     [1,0] [2,0]
#   10      {0,1,2}    {}          several true, none predicted  [0,NPL] [1,NPL] [2,NPL]
Y_TRUE = np.array([[1, 0, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0], [1, 1, 0], [0, 1, 0],
                   [1, 0, 1], [1, 1, 0], [0, 1, 1], [1, 1, 1]])
Y_PRED = np.array([[1, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 0], [1, 0, 0], [0, 1, 1],
                   [1, 1, 1], [1, 0, 1], [1, 0, 0], [0, 0, 0]])
MLCM = np.array([
    #  0  1  2  NPL
    [4, 1, 0, 2],   # true 0: s1, s5, s7, s8 on the diagonal; s7 extra 1; s2, s10 missed
    [1, 1, 2, 2],   # true 1: s9 -> 0; s6 right; s6 -> 2, s8 -> 2; s5, s10 missed
    [1, 1, 1, 1],   # true 2: s9 -> 0; s7 extra 1; s7 right; s10 missed
    [0, 1, 0, 1],   # NTL:    s3 -> 1; s4 nothing at all
])


def test_mlcm_hand_worked_with_ntl_and_npl():
    np.testing.assert_array_equal(mlcm(Y_TRUE, Y_PRED), MLCM)


def test_mlcm_category_3_pairs_every_missed_with_every_extra_label():
    # true {0, 1}, predicted {2, 3}: both missed labels pair with both extra labels
    cm = mlcm([[1, 1, 0, 0]], [[0, 0, 1, 1]])
    want = np.zeros((5, 5), int)
    want[np.ix_([0, 1], [2, 3])] = 1
    np.testing.assert_array_equal(cm, want)


def test_mlcm_of_multiclass_data_is_the_confusion_matrix():
    rng = np.random.default_rng(0)
    y, pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    cm = mlcm(np.eye(4, dtype=int)[y], np.eye(4, dtype=int)[pred])
    np.testing.assert_array_equal(cm[:4, :4], skm.confusion_matrix(y, pred, labels=range(4)))
    assert cm[4].sum() == 0 and cm[:, 4].sum() == 0


def test_report_multilabel_hand_worked_counts():
    p = np.where(Y_PRED == 1, 0.8, 0.2)
    r = report_multilabel(Y_TRUE, p)
    # label 0: true in 1,2,5,7,8,10; predicted in 1,5,7,8,9
    # label 1: true in 5,6,8,9,10;   predicted in 3,6,7
    # label 2: true in 7,9,10;        predicted in 6,7,8
    pl = r["per_label"]
    np.testing.assert_array_equal(pl["tp"], [4, 1, 1])
    np.testing.assert_array_equal(pl["fp"], [1, 2, 2])
    np.testing.assert_array_equal(pl["fn"], [2, 4, 2])
    np.testing.assert_array_equal(pl["tn"], [3, 3, 5])
    np.testing.assert_array_equal(pl["support"], [6, 5, 3])
    np.testing.assert_allclose(pl["f1"], [8 / 11, 2 / 8, 2 / 6])
    assert r["subset_accuracy"] == pytest.approx(2 / 10)          # exact: samples 1 and 4
    assert r["hamming_accuracy"] == pytest.approx(1 - 13 / 30)     # 13 = sum(fp + fn)
    np.testing.assert_array_equal(r["mlcm"], MLCM)
    np.testing.assert_allclose(r["mlcm_normalized"].sum(axis=1), 1.0)
    assert set(MULTILABEL_SCALAR_KEYS) <= set(r)


def test_report_multilabel_equals_sklearn():
    rng = np.random.default_rng(1)
    y = (rng.random((60, 5)) < [0.5, 0.3, 0.2, 0.1, 0.4]).astype(int)
    y[0] = [1, 1, 1, 1, 1]
    y[1] = 0
    p = np.clip(0.35 * y + rng.random((60, 5)) * 0.65, 0, 1)
    thr = np.array([0.5, 0.4, 0.45, 0.3, 0.6])
    r = report_multilabel(y, p, threshold=thr)
    pred = (p >= thr).astype(int)
    for avg in ("macro", "micro", "samples"):
        assert r[f"{avg}_f1"] == pytest.approx(skm.f1_score(y, pred, average=avg,
                                                            zero_division=0))
        assert r[f"{avg}_precision"] == pytest.approx(
            skm.precision_score(y, pred, average=avg, zero_division=0))
        assert r[f"{avg}_recall"] == pytest.approx(skm.recall_score(y, pred, average=avg,
                                                                    zero_division=0))
    assert r["macro_auc"] == pytest.approx(skm.roc_auc_score(y, p, average="macro"))
    assert r["micro_auc"] == pytest.approx(skm.roc_auc_score(y, p, average="micro"))
    ok = (y.sum(1) > 0) & (y.sum(1) < 5)                     # samples with both classes
    assert r["samples_auc"] == pytest.approx(skm.roc_auc_score(y[ok], p[ok], average="samples"))
    assert r["subset_accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert r["hamming_accuracy"] == pytest.approx(1 - skm.hamming_loss(y, pred))
    mcm = skm.multilabel_confusion_matrix(y, pred)
    np.testing.assert_array_equal(r["per_label"]["tn"], mcm[:, 0, 0])
    np.testing.assert_array_equal(r["per_label"]["fp"], mcm[:, 0, 1])
    np.testing.assert_array_equal(r["per_label"]["fn"], mcm[:, 1, 0])
    np.testing.assert_array_equal(r["per_label"]["tp"], mcm[:, 1, 1])
    np.testing.assert_array_equal(r["threshold"], thr)


def test_label_without_positives_has_nan_auc():
    y = np.array([[1, 0], [0, 0], [1, 0]])
    r = report_multilabel(y, [[.9, .1], [.2, .3], [.6, .2]])
    assert np.isnan(r["per_label"]["auc"][1]) and r["macro_auc"] == 1.0


@pytest.mark.parametrize("threshold", [1.5, -0.1, [0.5, 1.2, 0.5], np.nan])
def test_thresholds_outside_unit_interval(threshold):
    with pytest.raises(ValueError, match=r"`threshold` must lie in \[0, 1\]"):
        report_multilabel(Y_TRUE, np.full(Y_TRUE.shape, 0.5), threshold=threshold)


def test_bad_multilabel_input():
    p = np.full(Y_TRUE.shape, 0.5)
    q = p.copy()
    q[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"`y_prob` must be finite; received nan at \[2, 1\]"):
        report_multilabel(Y_TRUE, q)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        report_multilabel(Y_TRUE, p * 3)
    with pytest.raises(ValueError, match="shape of `y_true`"):
        report_multilabel(Y_TRUE, p[:, :2])
    with pytest.raises(ValueError, match="0/1 multi-hot values; received 2"):
        report_multilabel(Y_TRUE * 2, p)
    with pytest.raises(ValueError, match="one value per label"):
        report_multilabel(Y_TRUE, p, threshold=[0.5, 0.5])
    with pytest.raises(ValueError, match="same shape"):
        mlcm(Y_TRUE, Y_PRED[:, :2])
