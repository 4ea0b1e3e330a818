"""ParticleFeatureSVM: scikit-learn's estimator checks, and the simulated particles."""

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from imbkeras.baselines import ParticleFeatureSVM, particle_features
from imbkeras.baselines._particle_svm import FEATURE_NAMES
from imbkeras.datasets import particle_inputs
from imbkeras.synthetic import liposomes


# scikit-learn's own SVC(probability=True) fails the read-only variant of this check:
# libsvm's predict_proba needs writable buffers, and the check unpickles the fitted model
# into a read-only memmap. (The check's plain variant passes: XPASS.)
EXPECTED = {"check_estimators_pickle": "libsvm predict_proba needs writable buffers "
                                       "(sklearn's SVC fails it too)"}


@parametrize_with_checks([ParticleFeatureSVM(random_state=0)],
                         expected_failed_checks=lambda est: EXPECTED)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def test_separates_simulated_liposomes_above_chance_but_not_perfectly():
    # Balanced shares, so every class has enough samples to measure.
    s = liposomes(360, class_proportions=(1 / 3, 1 / 3, 1 / 3), seed=1)
    x = particle_inputs(s.images, s.masks, "surrounding", 28)
    tr, te = np.arange(240), np.arange(240, 360)
    clf = ParticleFeatureSVM(random_state=0).fit(x[tr], s.y[tr])
    score = balanced_accuracy_score(s.y[te], clf.predict(x[te]))
    assert 0.5 < score < 0.99, score
    assert clf.predict_proba(x[te]).shape == (120, 3)
    assert particle_features(x[:3]).shape == (3, len(FEATURE_NAMES)) == (3, 49)


def test_features_follow_the_thesis_list():
    # A disc of intensity 0.2 with a dark membrane ring at its edge, on a 0.6 background.
    yy, xx = np.indices((40, 40))
    r = np.hypot(yy - 19.5, xx - 19.5)
    img = np.where(r < 12, 0.2, 0.6)
    img[(r > 10.5) & (r < 12)] = 0.0
    mask = r < 12
    f = dict(zip(FEATURE_NAMES, particle_features(np.stack([img, mask], -1)[None])[0]))
    assert f["area"] == pytest.approx(mask.mean())
    assert 0.85 < f["circularity"] <= 1.2 and abs(f["mu30"]) < 1e-6 and abs(f["mu03"]) < 1e-6
    assert f["mu20"] == pytest.approx(f["mu02"])
    inside = img[mask]
    assert f["segmentation_variance"] == pytest.approx(inside.var())
    # The edge density profile: the interior, then the dark membrane, then the background.
    profile = [f[f"edge_profile_{i}"] for i in range(10)]
    assert profile[0] == pytest.approx(0.2) and profile[7] < 0.1
    assert profile[9] == pytest.approx(0.6)
    hist = [f[f"hist_{i}"] for i in range(32)]
    assert sum(hist) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"\(n, h, w, 2\).*received shape \(40, 40\)"):
        particle_features(img)


def test_predict_is_the_class_weighted_vote_not_the_platt_argmax():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(320, int), np.ones(60, int), np.full(20, 2)]
    x = np.array([[0.0, 0.0], [1.2, 0.0], [0.0, 1.2]])[y] + rng.normal(0, 0.9, (400, 2))
    clf = ParticleFeatureSVM(random_state=0).fit(x, y)
    votes = clf.predict(x)
    # LIBSVM's decision: one-against-one votes of the class-weighted SVC.
    np.testing.assert_array_equal(votes, clf.pipeline_[-1].predict(clf.pipeline_[0].transform(x)))
    assert (votes != clf.predict_proba(x).argmax(1)).any()
    # The weighting makes the votes find more of the rarest class than Platt's argmax does.
    assert (votes[y == 2] == 2).mean() > (clf.predict_proba(x).argmax(1)[y == 2] == 2).mean()
