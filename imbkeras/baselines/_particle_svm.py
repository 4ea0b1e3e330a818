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
N_RADIAL_BINS = 8


def particle_features(x) -> np.ndarray:
    """Hand-crafted features of particles given as ``(n, h, w, 2)`` (image, mask).

    Per particle: area (mask pixels as a fraction of the image), circularity
    ``4 pi A / P^2``, the normalised central moments mu20, mu02, mu30, mu03 of
    the mask, a 32-bin histogram of the intensities inside the mask, and a
    radial edge-density profile (mean Sobel magnitude in 8 rings from the
    centroid to the particle's boundary).

    Returns:
        float64 ``(n, 6 + 32 + 8)``.

    Example:
        >>> x = np.zeros((1, 16, 16, 2)); x[0, 4:12, 4:12] = 1
        >>> particle_features(x).shape
        (1, 46)
    """
    import skimage.filters
    import skimage.measure

    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4 or x.shape[-1] != 2:
        raise ValueError(f"`x` must be particles of shape (n, h, w, 2) (image, mask); received "
                         f"shape {x.shape}.")
    feats = np.zeros((len(x), 6 + N_HIST_BINS + N_RADIAL_BINS))
    for i, sample in enumerate(x):
        img, mask = sample[..., 0], sample[..., 1] > 0.5
        if not mask.any():
            continue
        props = skimage.measure.regionprops(mask.astype(np.uint8))[0]
        area = props.area
        circ = 4 * np.pi * area / max(props.perimeter, 1.0) ** 2
        nu = skimage.measure.moments_normalized(skimage.measure.moments_central(mask * 1.0), 3)
        hist, _ = np.histogram(img[mask], bins=N_HIST_BINS, range=(0.0, 1.0), density=True)
        edges = skimage.filters.sobel(img)
        cy, cx = props.centroid
        yy, xx = np.indices(img.shape)
        r = np.hypot(yy - cy, xx - cx)
        rmax = max(r[mask].max(), 1e-6)
        ring = np.minimum((r / rmax * N_RADIAL_BINS).astype(int), N_RADIAL_BINS)
        radial = np.array([edges[mask & (ring == k)].mean() if (mask & (ring == k)).any()
                           else 0.0 for k in range(N_RADIAL_BINS)])
        feats[i] = np.concatenate([[area / mask.size, circ, nu[2, 0], nu[0, 2], nu[3, 0],
                                    nu[0, 3]], hist / N_HIST_BINS, radial])
    return feats


class ParticleFeatureSVM(ClassifierMixin, BaseEstimator):
    """Hand-crafted particle features -> standardisation -> ``SVC(class_weight="balanced")``.

    ``fit`` / ``predict`` take particles ``(n, h, w, 2)`` (image and mask,
    e.g. :func:`imbkeras.datasets.particle_inputs`), whose features are
    computed with :func:`particle_features`, or a 2-D matrix of features
    already computed (used as it is). The SVM is trained one-vs-one, as in the thesis
    (libsvm; ``decision_function`` is aggregated one-vs-rest).

    Args:
        C, kernel, gamma: of ``sklearn.svm.SVC``.
        class_weight: ``"balanced"`` (default) weighs classes by inverse frequency.
        probability: fit Platt scaling so that ``predict_proba`` is available.
        random_state: seed of the SVC's probability calibration.

    Example:
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
