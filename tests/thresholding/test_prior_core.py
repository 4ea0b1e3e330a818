import numpy as np
import pytest
import sklearn.metrics as skm

from imbkeras.metrics import report
from imbkeras.thresholding import class_priors, prior_correction


def imbalanced_case(seed=0, k=4, n=400):
    rng = np.random.default_rng(seed)
    priors = np.array([0.55, 0.3, 0.1, 0.05])
    y = rng.choice(k, size=n, p=[0.25] * 4)  # balanced test set
    logits = rng.normal(size=(n, k)) + np.eye(k)[y] + np.log(priors)  # biased to majority
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, p, priors


def test_class_priors():
    np.testing.assert_allclose(class_priors([0, 0, 1, 2], 3), [0.5, 0.25, 0.25])
    with pytest.raises(ValueError, match=r"class\(es\) \[2\] have 0 samples"):
        class_priors([0, 1, 1], 3)
    with pytest.raises(ValueError, match="out of range"):
        class_priors([0, 3], 3)


def test_without_renormalisation_every_ovr_auc_is_unchanged():
    y, p, priors = imbalanced_case()
    q = prior_correction(p, priors, normalize=False)
    for c in range(4):
        assert skm.roc_auc_score(y == c, q[:, c]) == pytest.approx(
            skm.roc_auc_score(y == c, p[:, c]))
    np.testing.assert_allclose(q * priors, p)


def test_renormalised_rows_sum_to_one_and_predictions_move_to_minority():
    y, p, priors = imbalanced_case()
    q = prior_correction(p, priors)
    np.testing.assert_allclose(q.sum(axis=1), 1.0)
    before = np.bincount(p.argmax(1), minlength=4)
    after = np.bincount(q.argmax(1), minlength=4)
    assert after[3] > before[3] and after[2] > before[2] and after[0] < before[0]
    assert report(y, q)["avacc"] > report(y, p)["avacc"]


@pytest.mark.parametrize("priors,match", [([0.5, 0.5], "one entry per class"),
                                          ([0.5, 0.0, 0.3, 0.2], "> 0"),
                                          ([0.5, np.nan, 0.3, 0.2], "finite")])
def test_bad_priors(priors, match):
    _, p, _ = imbalanced_case()
    with pytest.raises(ValueError, match=match):
        prior_correction(p, priors)
