"""Ensembles of Keras models for imbalanced data: bagging and SAMME boosting.

Both are scikit-learn estimators (``get_params`` / ``set_params``, ``clone``,
``score``, ``classes_``, any hashable labels): ``__init__`` only stores its
arguments, which are checked when ``fit`` uses them.
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from imbkeras import pipeline, sampling
from imbkeras._validation import (_short, check_callable, check_callbacks, check_positive_int,
                                  check_resampler, check_seed, check_verbose)


class _Ensemble(ClassifierMixin, BaseEstimator):
    """Shared parts: argument checks, member predictions, saving (one .keras per member)."""

    kind = ""

    def _check_params(self):
        check_callable(self.build_fn, "build_fn", "callable (input_shape, num_classes) -> "
                                                  "compiled keras.Model")
        for name in ("n_estimators", "epochs", "batch_size"):
            check_positive_int(getattr(self, name), name)
        check_seed(self.seed)
        check_verbose(self.verbose)
        check_resampler(self.sampler, "sampler")

    def _check(self, x, y):
        """Check the parameters and the data; encode the labels as ``0 .. K-1``."""
        self._check_params()
        # scikit-learn's own checks: numbers (any rank), finite, not sparse, y given,
        # a column vector y flattened with a warning; sets n_features_in_
        x, y = validate_data(self, x, y, allow_nd=True, dtype=None, y_numeric=False)
        x = np.asarray(x) if np.issubdtype(x.dtype, np.floating) else x.astype(np.float32)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(f"`y` holds only one class ({encoder.classes_[0]!r}); "
                             f"{type(self).__name__} needs samples of at least 2 classes.")
        self.classes_ = encoder.classes_
        self.n_classes_ = len(self.classes_)
        self.input_shape_ = tuple(x.shape[1:])
        return x, encoder.transform(y).astype(np.int64)

    def _member(self, m):
        keras.utils.set_random_seed(int(np.random.SeedSequence(
            [self.seed if self.seed is not None else np.random.SeedSequence().entropy, m]
        ).generate_state(1)[0]))
        model = self.build_fn(self.input_shape_, self.n_classes_)
        if not isinstance(model, keras.Model) or getattr(model, "optimizer", None) is None:
            raise TypeError(f"`build_fn` must return a compiled keras.Model; it returned "
                            f"{_short(model)}"
                            f"{' (not compiled)' if isinstance(model, keras.Model) else ''}.")
        return model

    def _check_fitted(self):
        check_is_fitted(self, "members_", msg=f"this {type(self).__name__} is not fitted; call "
                                              f"fit first.")

    def _check_x(self, x):
        self._check_fitted()
        x = validate_data(self, x, reset=False, allow_nd=True, dtype=None)
        x = np.asarray(x) if np.issubdtype(x.dtype, np.floating) else x.astype(np.float32)
        if tuple(x.shape[1:]) != tuple(self.input_shape_):
            raise ValueError(f"`x` has samples of shape {tuple(x.shape[1:])}; the ensemble was "
                             f"fitted on samples of shape {tuple(self.input_shape_)}.")
        return x

    def _votes(self, model, x):
        prob = np.asarray(model.predict(x, batch_size=256, verbose=0))
        if self.voting == "hard":
            return np.eye(self.n_classes_)[prob.argmax(1)]
        return prob

    def predict_proba(self, x) -> np.ndarray:
        """Weighted mean of the members' probabilities (soft) or votes (hard).

        Raises:
            ValueError: before :meth:`fit`, or for samples of another shape
                than the training samples.
        """
        x = self._check_x(x)
        total = sum(w * self._votes(m, x) for m, w in zip(self.members_, self.weights_))
        total = total / np.sum(self.weights_)
        return total / total.sum(1, keepdims=True)

    def predict(self, x) -> np.ndarray:
        """The class (one of ``classes_``) of highest :meth:`predict_proba`."""
        best = self.predict_proba(x).argmax(1)
        return self.classes_[best]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.non_deterministic = self.seed is None
        return tags

    def save(self, directory) -> Path:
        """``member_<i>.keras`` per member and ``manifest.json`` (weights, settings).

        Raises:
            ValueError: before :meth:`fit` (there is nothing to save).
        """
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for i, m in enumerate(self.members_):
            m.save(directory / f"member_{i}.keras")
        (directory / "manifest.json").write_text(json.dumps({
            "kind": self.kind, "n_members": len(self.members_),
            "weights": [float(w) for w in self.weights_], "voting": self.voting,
            "classes": self.classes_.tolist(), "input_shape": list(self.input_shape_),
            "seed": self.seed}, indent=2))
        return directory

    @classmethod
    def load(cls, directory, custom_objects=None):
        """Rebuild a fitted ensemble from :meth:`save`'s directory (for prediction)."""
        directory = Path(directory)
        if not (directory / "manifest.json").is_file():
            raise FileNotFoundError(f"`directory`={str(directory)!r} holds no saved ensemble "
                                    f"(no manifest.json; see save()).")
        manifest = json.loads((directory / "manifest.json").read_text())
        if manifest["kind"] != cls.kind:
            raise ValueError(f"{str(directory)!r} holds a {manifest['kind']} ensemble, not "
                             f"{cls.kind}.")
        obj = cls(None, len(manifest["weights"]), seed=manifest["seed"])
        obj.members_ = [keras.saving.load_model(directory / f"member_{i}.keras",
                                                custom_objects=custom_objects)
                        for i in range(manifest["n_members"])]
        obj.weights_ = manifest["weights"]
        obj.voting = manifest["voting"]
        obj.classes_ = np.asarray(manifest["classes"])
        obj.n_classes_ = len(obj.classes_)
        obj.input_shape_ = tuple(manifest["input_shape"])
        obj.n_features_in_ = int(obj.input_shape_[0])
        return obj


class BaggingClassifier(_Ensemble):
    """Bootstrap bags of a Keras model, each optionally resampled, soft or hard vote.

    Each member is built by ``build_fn(input_shape, num_classes)`` (a compiled
    model), trained on a bootstrap sample of the training set; with a
    ``sampler`` (e.g. ``sampling.SMOTE`` or ``RandomUnderSampler``) the bag is
    resampled afresh every epoch through :func:`imbkeras.pipeline.make_dataset`.

    Args:
        build_fn: ``(input_shape, num_classes) -> compiled keras.Model``.
        n_estimators: number of members, >= 1.
        sampler: applied to every bag (its seed is derived per member from
            ``seed``, replacing the sampler's own).
        voting: ``"soft"`` (mean probabilities) or ``"hard"`` (vote fractions).
        epochs, batch_size: of every member.
        seed: a non-negative int or ``None``; fixes the bags, the samplers'
            draws and the members' initialisation.
        verbose: Keras verbosity.

    Raises (in ``fit``, as scikit-learn estimators check their parameters):
        ValueError: for ``n_estimators`` / ``epochs`` / ``batch_size`` < 1, an
            unknown ``voting`` or ``verbose``.
        TypeError: for a ``build_fn`` that is not callable, a ``sampler``
            without ``fit_resample`` or a ``seed`` that is not a
            non-negative int or ``None``.

    Examples:
        >>> import keras, numpy as np
        >>> from sklearn.base import clone
        >>> def build(shape, k):
        ...     m = keras.Sequential([keras.Input(shape), keras.layers.Dense(k, "softmax")])
        ...     m.compile("adam", "sparse_categorical_crossentropy")
        ...     return m
        >>> bag = BaggingClassifier(build, 2, epochs=1)
        >>> clone(bag).set_params(n_estimators=3).get_params()["n_estimators"]
        3
        >>> x = np.r_[np.zeros((6, 2)), np.ones((4, 2))].astype("float32")
        >>> bag.fit(x, ["a"] * 6 + ["b"] * 4).classes_.tolist()
        ['a', 'b']

    Reference:
        Breiman (1996), Bagging predictors; Luo et al. (2019) (bagging and
        SMOTE + bagging baselines).
    """

    kind = "bagging"

    def __init__(self, build_fn, n_estimators: int = 5, *, sampler=None, voting: str = "soft",
                 epochs: int = 5, batch_size: int = 32, seed: int | None = 0, verbose: int = 0):
        self.build_fn = build_fn
        self.n_estimators = n_estimators
        self.sampler = sampler
        self.voting = voting
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed
        self.verbose = verbose

    def _check_params(self):
        super()._check_params()
        if self.voting not in ("soft", "hard"):
            raise ValueError(f"`voting` must be 'soft' or 'hard'; received {self.voting!r}.")

    def fit(self, x, y, *, callbacks=None):
        """Train the members on bootstrap bags of ``(x, y)``.

        Args:
            x, y: training samples and labels.
            callbacks: Keras callbacks given to every member's ``fit`` (a
                fit parameter, not a hyper-parameter: ``clone`` leaves it out).

        Raises:
            ValueError: for bad labels, ragged or empty ``x``, or ``x`` and
                ``y`` of different lengths.
        """
        x, y = self._check(x, y)
        callbacks = check_callbacks(callbacks)
        rng = np.random.default_rng(self.seed)
        self.members_, self.weights_ = [], []
        for m in range(self.n_estimators):
            boot = np.sort(rng.integers(0, len(y), len(y)))
            sampler = sampling.reseeded(self.sampler, int(rng.integers(2**31)))
            model = self._member(m)
            ds = pipeline.make_dataset(x[boot], y[boot], self.batch_size, sampler=sampler,
                                       seed=int(rng.integers(2**31)))
            model.fit(ds, epochs=self.epochs, verbose=self.verbose, shuffle=False,
                      callbacks=callbacks)
            self.members_.append(model)
            self.weights_.append(1.0)
        return self


class BoostingClassifier(_Ensemble):
    """Multi-class AdaBoost (SAMME) of Keras models, with sample weights in ``fit``.

    Member ``m`` is trained with per-sample weights ``w`` (passed to
    ``model.fit(..., sample_weight=)``); its weighted error ``e`` gives the
    member weight ``alpha = log((1 - e) / e) + log(K - 1)`` and misclassified
    samples get their weight multiplied by ``exp(alpha)``. Prediction is the
    ``alpha``-weighted vote. A member no better than chance (``e >= 1 - 1/K``)
    stops the boosting. With a ``sampler``, the training set is resampled once
    (``fit_resample``) before boosting (e.g. SMOTE + boosting).

    Args:
        build_fn: ``(input_shape, num_classes) -> compiled keras.Model``.
        n_estimators: largest number of members, >= 1.
        sampler: resamples the training set once before boosting.
        epochs, batch_size: of every member.
        seed: a non-negative int or ``None``; fixes the members'
            initialisation and the sampler's draw (replacing the sampler's own
            seed; with ``None`` the sampler keeps its own).
        verbose: Keras verbosity.

    Raises (in ``fit``):
        ValueError: for ``n_estimators`` / ``epochs`` / ``batch_size`` < 1 or an
            unknown ``verbose``.
        TypeError: for a ``build_fn`` that is not callable, a ``sampler``
            without ``fit_resample`` or a ``seed`` that is not a
            non-negative int or ``None``.

    Reference:
        Zhu, Zou, Rosset, Hastie (2009), Multi-class AdaBoost; Luo et al. (2019).
    """

    kind = "boosting"

    def __init__(self, build_fn, n_estimators: int = 5, *, sampler=None, epochs: int = 5,
                 batch_size: int = 32, seed: int | None = 0, verbose: int = 0):
        self.build_fn = build_fn
        self.n_estimators = n_estimators
        self.sampler = sampler
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed
        self.verbose = verbose

    voting = "hard"  # the alpha-weighted vote of SAMME

    def fit(self, x, y, *, callbacks=None):
        """Resample once (with ``sampler``), then boost the members on ``(x, y)``.

        Args:
            x, y: training samples and labels.
            callbacks: Keras callbacks given to every member's ``fit`` (a
                fit parameter, not a hyper-parameter: ``clone`` leaves it out).

        Raises:
            ValueError: for bad labels, ragged or empty ``x``, or ``x`` and
                ``y`` of different lengths.
        """
        x, y = self._check(x, y)
        callbacks = check_callbacks(callbacks)
        if self.sampler is not None:
            sampler = sampling.as_sampler(self.sampler)
            if self.seed is not None:  # the ensemble's seed fixes the draw
                sampler = sampling.reseeded(sampler, int(np.random.SeedSequence(
                    [self.seed, 2**31]).generate_state(1)[0] & 0x7FFFFFFF))
            x, y = sampler.fit_resample(x, y)
            x, y = np.asarray(x), np.asarray(y)
        k = self.n_classes_
        w = np.full(len(y), 1.0 / len(y))
        self.members_, self.weights_, self.errors_ = [], [], []
        for m in range(self.n_estimators):
            model = self._member(m)
            model.fit(x, y, sample_weight=w * len(y), epochs=self.epochs,
                      batch_size=self.batch_size, verbose=self.verbose,
                      shuffle=True, callbacks=callbacks)
            wrong = np.asarray(model.predict(x, batch_size=256, verbose=0)).argmax(1) != y
            err = float(np.sum(w[wrong]) / np.sum(w))
            self.errors_.append(err)
            if err >= 1 - 1 / k:
                if not self.members_:  # keep one member rather than none
                    self.members_.append(model)
                    self.weights_.append(1.0)
                break
            err = max(err, 1e-10)
            alpha = np.log((1 - err) / err) + np.log(k - 1)
            self.members_.append(model)
            self.weights_.append(float(alpha))
            if err <= 1e-10:
                break
            w = w * np.exp(alpha * wrong)
            w = w / w.sum()
        return self
