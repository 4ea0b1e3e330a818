"""Non-deep baselines of Luo et al. (2019): GSVM-RU and a genetic-programming classifier.

Both are scikit-learn classifiers on 2-D features (flattened or pooled
volumes), one-vs-rest for more than two classes; ``predict_proba`` turns the
per-class scores into probabilities (a logistic of the binary score, then
normalised across classes).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.svm import SVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from imbkeras._validation import check_positive_int, check_real, check_seed


class _OneVsRest(ClassifierMixin, BaseEstimator):
    """Shared one-vs-rest plumbing: subclasses implement ``_fit_binary`` / ``_score``."""

    def fit(self, X, y):
        X, y = validate_data(self, X, y, reset=True)
        check_classification_targets(y)
        self._encoder = LabelEncoder().fit(y)
        self.classes_ = self._encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(f"`y` must hold at least 2 classes to train a classifier; received "
                             f"one class ({self.classes_.tolist()}).")
        codes = self._encoder.transform(y)
        targets = [codes == 1] if len(self.classes_) == 2 else \
            [codes == k for k in range(len(self.classes_))]
        self.estimators_ = [self._fit_binary(X, t.astype(int), k) for k, t in enumerate(targets)]
        return self

    def decision_function(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        scores = np.column_stack([self._score(e, X) for e in self.estimators_])
        return scores[:, 0] if len(self.classes_) == 2 else scores

    def predict_proba(self, X):
        s = self.decision_function(X)
        if len(self.classes_) == 2:
            p = 1 / (1 + np.exp(-s))
            return np.column_stack([1 - p, p])
        p = 1 / (1 + np.exp(-s))
        return p / np.maximum(p.sum(1, keepdims=True), 1e-12)

    def predict(self, X):
        s = self.decision_function(X)
        idx = (s > 0).astype(int) if len(self.classes_) == 2 else s.argmax(1)
        return self.classes_[idx]


class GSVMRU(_OneVsRest):
    """Granular SVM with repetitive undersampling (Tang et al. 2009).

    For each one-vs-rest problem: train an SVM on all positives and the
    remaining negatives, take the negatives that are its support vectors as
    an information granule and remove them; repeat ``n_granules`` times (or
    until no negative is left). The final SVM is trained on the positives and
    the union of the negative granules (the "discard" aggregation): the
    majority class is undersampled to its informative samples.

    Args:
        C, kernel, gamma: of every ``sklearn.svm.SVC``.
        n_granules: rounds of granule extraction, >= 1.

    Raises:
        ValueError: at ``fit`` (scikit-learn's convention), for ``n_granules`` < 1
            or ``C`` <= 0, NaN or inf; ``kernel`` and ``gamma`` as ``SVC`` checks them.
        TypeError: at ``fit``, for a non-integer ``n_granules`` or a
            non-numeric ``C``.

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> X = np.r_[rng.normal(0, 1, (60, 2)), rng.normal(2.5, 1, (8, 2))]
        >>> y = np.r_[np.zeros(60, int), np.ones(8, int)]
        >>> clf = GSVMRU().fit(X, y)
        >>> clf.predict_proba(X).shape, int(clf.n_negatives_[0]) < 60
        ((68, 2), True)

    Reference:
        Tang, Zhang, Chawla, Krasser (2009), SVMs modeling for highly
        imbalanced classification, IEEE TSMC-B 39(1); Luo et al. (2019).
    """

    def __init__(self, C: float = 1.0, kernel: str = "rbf", gamma="scale", n_granules: int = 4):
        self.C = C
        self.kernel = kernel
        self.gamma = gamma
        self.n_granules = n_granules

    def _svc(self):
        return SVC(C=self.C, kernel=self.kernel, gamma=self.gamma)

    def fit(self, X, y):
        check_positive_int(self.n_granules, "n_granules")
        if check_real(self.C, "C") <= 0:
            raise ValueError(f"`C` must be > 0; received {self.C!r}.")
        self.n_negatives_ = []
        return super().fit(X, y)

    def _fit_binary(self, X, t, k):
        pos, neg = np.flatnonzero(t == 1), np.flatnonzero(t == 0)
        if len(pos) == 0 or len(neg) == 0:
            self.n_negatives_.append(len(neg))
            return ("constant", 1.0 if len(neg) == 0 else -1.0)
        remaining, granules = neg, []
        for _ in range(self.n_granules):
            if len(remaining) == 0:
                break
            idx = np.r_[pos, remaining]
            svm = self._svc().fit(X[idx], t[idx])
            sv = idx[svm.support_]
            granule = sv[t[sv] == 0]
            if len(granule) == 0:
                break
            granules.append(granule)
            remaining = np.setdiff1d(remaining, granule)
        kept = np.unique(np.concatenate(granules)) if granules else neg
        self.n_negatives_.append(len(kept))
        idx = np.r_[pos, kept]
        return ("svm", self._svc().fit(X[idx], t[idx]))

    @staticmethod
    def _score(est, X):
        kind, model = est
        return np.full(len(X), model) if kind == "constant" else model.decision_function(X)


def _gmean_fitness(y, y_pred, w):
    """G-mean of the thresholded program output (imbalance-aware; higher is better)."""
    pred = y_pred >= 0.5
    pos, neg = y == 1, y == 0
    tpr = np.sum(w[pos & pred]) / max(np.sum(w[pos]), 1e-12)
    tnr = np.sum(w[neg & ~pred]) / max(np.sum(w[neg]), 1e-12)
    return float(np.sqrt(tpr * tnr))


class GPClassifier(_OneVsRest):
    """Genetic-programming classifier with an imbalance-aware fitness (gplearn).

    One gplearn ``SymbolicClassifier`` per one-vs-rest problem, evolved to
    maximise the G-mean of its decisions (sqrt(TPR x TNR)) instead of the
    log-loss, so the minority class weighs as much as the majority.

    Args:
        population_size, generations, tournament_size, parsimony_coefficient:
            of ``gplearn.genetic.SymbolicClassifier``.
        random_state: seed (a non-negative int or ``None``).

    Raises:
        ValueError: at ``fit`` (scikit-learn's convention), for sizes < 1 or a
            negative, NaN or infinite ``parsimony_coefficient``.
        TypeError: at ``fit``, for non-integer sizes or ``random_state``.

    Reference:
        Bhowan, Johnston, Zhang (2012), Developing new fitness functions in
        genetic programming for classification with unbalanced data; Luo et
        al. (2019).
    """

    def __init__(self, population_size: int = 200, generations: int = 10,
                 tournament_size: int = 20, parsimony_coefficient: float = 0.001,
                 random_state=None):
        self.population_size = population_size
        self.generations = generations
        self.tournament_size = tournament_size
        self.parsimony_coefficient = parsimony_coefficient
        self.random_state = random_state

    def fit(self, X, y):
        for name in ("population_size", "generations", "tournament_size"):
            check_positive_int(getattr(self, name), name)
        check_real(self.parsimony_coefficient, "parsimony_coefficient", minimum=0.0)
        check_seed(self.random_state, "random_state")
        return super().fit(X, y)

    def _fit_binary(self, X, t, k):
        from gplearn.fitness import make_fitness
        from gplearn.genetic import SymbolicClassifier

        if t.min() == t.max():
            return ("constant", 1.0 if t[0] == 1 else -1.0)
        seed = None if self.random_state is None else \
            int(np.random.default_rng([int(self.random_state), k]).integers(2**31))
        clf = SymbolicClassifier(
            population_size=self.population_size, generations=self.generations,
            tournament_size=min(self.tournament_size, self.population_size),
            parsimony_coefficient=self.parsimony_coefficient,
            metric=make_fitness(function=_gmean_fitness, greater_is_better=True, wrap=False),
            random_state=seed, n_jobs=1)
        return ("gp", clf.fit(X, t))

    @staticmethod
    def _score(est, X):
        kind, model = est
        if kind == "constant":
            return np.full(len(X), model)
        p = np.clip(model.predict_proba(X)[:, 1], 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))
