"""GSVM-RU and the GP classifier: scikit-learn's estimator checks; they handle imbalance."""

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from imbkeras.baselines import GPClassifier, GSVMRU


@parametrize_with_checks([GSVMRU(), GPClassifier(population_size=150, generations=5,
                                                 random_state=0)])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _task(seed=0):
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(150, int), np.ones(20, int), np.full(10, 2)]
    x = rng.normal(0, 1, (len(y), 4)) + np.array([0, 2.0, 3.5])[y][:, None]
    return x, y


@pytest.mark.parametrize("clf", [GSVMRU(), GPClassifier(population_size=100, generations=5,
                                                        random_state=0)],
                         ids=["GSVM-RU", "GP"])
def test_minority_classes_are_found(clf):
    x, y = _task()
    xt, yt = _task(1)
    clf.fit(x, y)
    assert balanced_accuracy_score(yt, clf.predict(xt)) > 0.6
    p = clf.predict_proba(xt)
    np.testing.assert_allclose(p.sum(1), 1, rtol=1e-6)


def test_gsvm_ru_undersamples_the_majority_and_checks_arguments():
    x, y = _task()
    clf = GSVMRU(n_granules=2).fit(x, y)
    assert clf.n_negatives_[0] < 30 + 150  # negatives of class 0's problem were undersampled
    with pytest.raises(ValueError, match="n_granules"):
        GSVMRU(n_granules=0).fit(x, y)
