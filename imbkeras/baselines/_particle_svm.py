"""SVM on hand-crafted particle features (the thesis' non-deep baseline)."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

N_HIST_BINS = 32
N_PROFILE_INSIDE = 8  # edge density profile: rings from the centre to the membrane
N_PROFILE_OUTSIDE = 2  # and beyond it, out to a quarter of the radius
N_PROFILE_BINS = N_PROFILE_INSIDE + N_PROFILE_OUTSIDE
FEATURE_NAMES = (["area", "circularity", "mu20", "mu02", "mu30", "mu03"]
                 + [f"hist_{i}" for i in range(N_HIST_BINS)]
                 + [f"edge_profile_{i}" for i in range(N_PROFILE_BINS)]
                 + ["segmentation_variance"])


def particle_features(x) -> np.ndarray:
    """The thesis' hand-crafted features of particles given as ``(n, h, w, 2)`` (image, mask).

    Per particle, in the order of the thesis' section 8.4 (and
    :data:`FEATURE_NAMES`):

    - area: mask pixels as a fraction of the image;
    - circularity ``4 pi A / P^2`` (1 for a disc);
    - the normalised central moments mu20, mu02, mu30, mu03 of the mask;
    - a 32-bin histogram of the intensities inside the mask (densities on
      [0, 1], divided by 32);
    - the edge density profile (section 3): mean intensity in rings of equal
      distance to the membrane, the distance being 0 at the membrane (the
      mask's boundary) and scaled by the particle's equivalent radius
      ``sqrt(A / pi)``; 8 rings from the centre to the membrane, 2 beyond it
      (out to a quarter of the radius); an empty ring takes the mean
      intensity inside the mask;
    - the internal segmentation variance: the variance of the intensities
      inside the mask.

    A particle with an empty mask gets all-zero features.

    Args:
        x: ``(n, h, w, 2)`` particles: channel 0 the image (in [0, 1]),
            channel 1 the mask (> 0.5 is the particle).

    Returns:
        float64 ``(n, 49)``.

    Raises:
        ValueError: if ``x`` is not ``(n, h, w, 2)``.

    Examples:
        >>> x = np.zeros((1, 16, 16, 2)); x[0, 4:12, 4:12] = 1
        >>> f = particle_features(x)
        >>> f.shape, float(f[0, FEATURE_NAMES.index("segmentation_variance")])
        ((1, 49), 0.0)

    Reference:
        Gryshkevych (2016), sections 3 and 8.4.
    """
    import scipy.ndimage
    import skimage.measure

    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4 or x.shape[-1] != 2:
        raise ValueError(f"`x` must be particles of shape (n, h, w, 2) (image, mask); received "
                         f"shape {x.shape}.")
    feats = np.zeros((len(x), len(FEATURE_NAMES)))
    edges = np.r_[np.linspace(-1.0, 0.0, N_PROFILE_INSIDE + 1),
                  np.linspace(0.0, 0.25, N_PROFILE_OUTSIDE + 1)[1:]]
    for i, sample in enumerate(x):
        img, mask = sample[..., 0], sample[..., 1] > 0.5
        if not mask.any():
            continue
        props = skimage.measure.regionprops(mask.astype(np.uint8))[0]
        area = props.area
        circ = 4 * np.pi * area / max(props.perimeter, 1.0) ** 2
        nu = skimage.measure.moments_normalized(skimage.measure.moments_central(mask * 1.0), 3)
        inside = img[mask]
        hist, _ = np.histogram(inside, bins=N_HIST_BINS, range=(0.0, 1.0), density=True)
        # Signed distance to the membrane: negative inside, positive outside, 0 at the edge.
        dist = (scipy.ndimage.distance_transform_edt(~mask)
                - scipy.ndimage.distance_transform_edt(mask))
        dist /= max(np.sqrt(area / np.pi), 1.0)
        ring = np.digitize(dist, edges[1:-1])
        ring[(dist < edges[0]) | (dist > edges[-1])] = -1
        profile = np.array([img[ring == k].mean() if (ring == k).any() else inside.mean()
                            for k in range(N_PROFILE_BINS)])
        feats[i] = np.concatenate([[area / mask.size, circ, nu[2, 0], nu[0, 2], nu[3, 0],
                                    nu[0, 3]], hist / N_HIST_BINS, profile, [inside.var()]])
    return feats


class ParticleFeatureSVM(ClassifierMixin, BaseEstimator):
    """Hand-crafted particle features -> standardisation -> ``SVC(class_weight="balanced")``.

    ``fit`` / ``predict`` take particles ``(n, h, w, 2)`` (image and mask,
    e.g. :func:`imbkeras.datasets.particle_inputs`), whose features are
    computed with :func:`particle_features`, or a 2-D matrix of features
    already computed (used as it is). As in the thesis (LIBSVM), the SVM is
    trained one-against-one with class weights inverse to the class
    frequencies, and :meth:`predict` is LIBSVM's decision: the class with the
    most pairwise votes. ``predict_proba`` (Platt scaling fitted by an
    internal cross-validation) is a score for AUCs, not the decision: its
    argmax can differ from :meth:`predict`, and on imbalanced data it mostly
    undoes the class weighting (the minorities lose). Score the classifier by
    :meth:`predict` (a trainer returns it as its ``decisions``).
    ``decision_function`` is aggregated one-vs-rest.

    Args:
        C, kernel, gamma: of ``sklearn.svm.SVC``.
        class_weight: ``"balanced"`` (default) weighs classes by inverse frequency.
        probability: fit Platt scaling so that ``predict_proba`` is available.
        random_state: seed of the SVC's probability calibration.

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> X = np.r_[rng.normal(0, 1, (30, 4)), rng.normal(3, 1, (10, 4))]
        >>> y = np.r_[np.zeros(30, int), np.ones(10, int)]
        >>> ParticleFeatureSVM(random_state=0).fit(X, y).score(X, y) > 0.9
        True

    Reference:
        Gryshkevych (2016), section 4.6 (SVM on particle features).
    """

    def __init__(self, C: float = 1.0, kernel: str = "rbf", gamma="scale",
                 class_weight="balanced", probability: bool = True, random_state=None):
        self.C = C
        self.kernel = kernel
        self.gamma = gamma
        self.class_weight = class_weight
        self.probability = probability
        self.random_state = random_state

    def _features(self, X, reset: bool):
        if getattr(X, "ndim", 2) == 4:
            X = particle_features(X)
        return validate_data(self, X, reset=reset)

    def fit(self, X, y):
        if getattr(X, "ndim", 2) == 4:
            X = particle_features(X)
        X, y = validate_data(self, X, y, reset=True)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        self.pipeline_ = make_pipeline(StandardScaler(), SVC(
            C=self.C, kernel=self.kernel, gamma=self.gamma, class_weight=self.class_weight,
            probability=self.probability, random_state=self.random_state))
        self.pipeline_.fit(X, y)
        return self

    def predict(self, X):
        check_is_fitted(self)
        return self.pipeline_.predict(self._features(X, reset=False))

    def predict_proba(self, X):
        check_is_fitted(self)
        return self.pipeline_.predict_proba(self._features(X, reset=False))

    def decision_function(self, X):
        check_is_fitted(self)
        return self.pipeline_.decision_function(self._features(X, reset=False))
