"""Index-level samplers following imbalanced-learn's contract.

A sampler decides *which indices* to draw; the data are never flattened or
copied until the caller gathers them. ``fit_resample(X, y)`` works on arrays
of any rank (images ``(n, h, w, c)``, volumes ``(n, d, h, w, c)``) and sets
``sample_indices_``; pipelines call :meth:`BaseSampler.resample_indices` with
a fresh random generator each epoch.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator

from imbkeras._validation import (_short, as_generator, as_sample_array, check_count_dict,
                                  check_labels, check_positive_int, check_same_length,
                                  check_seed, epoch_rng)


def _class_counts(y: np.ndarray) -> dict[int, int]:
    classes, counts = np.unique(y, return_counts=True)
    return dict(zip(classes.tolist(), counts.tolist()))


class BaseSampler(BaseEstimator):
    """The sampler protocol every imbkeras sampler implements.

    A scikit-learn estimator (``get_params`` / ``set_params``,
    ``sklearn.base.clone``, a readable repr) with imbalanced-learn's
    ``fit_resample`` and the per-epoch contract of
    :func:`imbkeras.pipeline.make_dataset`:

    * ``resample(x, y, rng) -> (indices, x_new, y_new)``: one epoch's draw.
      Indices below ``len(y)`` select original samples, ``len(y) + j``
      selects the synthetic sample ``x_new[j]`` (label ``y_new[j]``).
      Index-level samplers ignore ``x`` (it may be ``None``) and return no
      synthetic samples.
    * ``resample_indices(y, rng)``: the indices alone, for samplers whose
      choice ignores the data (``needs_data = False``); a ``TypeError``
      for the others.
    * ``epoch_size(y)``: samples per epoch (``None`` when it varies with
      the draw); ``target_counts(y)``: per-class counts after resampling.

    Capabilities are class attributes (never per instance, never in the
    registry): ``targets`` (the labels it takes: ``"single"`` 1-D class ids,
    ``"multi"`` 2-D multi-hot), ``needs_data`` (a draw looks at or creates
    samples: SMOTE, NearMiss, ...; such samplers cannot stream files) and
    ``keeps_order`` (the draw's order is part of the method, as in
    class-aware sampling; pipelines do not shuffle it).

    Parameters follow scikit-learn's contract: ``__init__`` only stores its
    arguments, and they are validated when used (every public method checks
    them first, as imbalanced-learn's parameter constraints do at
    ``fit_resample``), so ``set_params`` and ``sklearn.base.clone`` give the
    same sampler as the constructor. A bad parameter raises at use, naming
    the argument and the value.

    Randomness: a draw uses the generator it is given and nothing else.
    ``rng`` accepts ``None`` (the sampler's own ``seed``: for draws made
    alone, e.g. ``fit_resample``), an int, a sequence of ints or a
    ``numpy.random.Generator``. Epoch ``e`` of a seed is drawn with
    ``epoch_rng(seed, e)`` (:meth:`epoch_indices`); a pipeline draws its
    epochs the same way from *its* ``seed``, so one seed fixes a whole
    pipeline and the sampler's own ``seed`` is not read there. ``seed=None``
    draws from fresh entropy each time.

    Subclasses implement ``resample_indices`` (index-level samplers) or
    ``resample`` (data-aware ones), and extend ``_check_params``.
    """

    targets = ("single",)
    needs_data = False
    keeps_order = False

    def _check_params(self) -> None:
        """Validate the parameters (called by every public method before it uses them)."""
        check_seed(self.seed)

    def _generator(self, rng) -> np.random.Generator:
        """The generator of one draw: ``rng``, or the sampler's ``seed`` when ``rng`` is None."""
        return as_generator(self.seed if rng is None else rng)

    def resample_indices(self, y, rng=None) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def resample(self, x, y, rng=None):
        """One epoch's draw: ``(indices, x_new, y_new)`` (see the class docs)."""
        idx = np.asarray(self.resample_indices(y, rng=rng), dtype=np.int64)
        return idx, None, None

    def epoch_size(self, y) -> int | None:
        """Number of samples one resampled epoch holds (``None`` if it varies)."""
        return int(sum(self.target_counts(y).values()))

    def epoch_indices(self, y, epoch: int) -> np.ndarray:
        """Indices of epoch ``epoch``: a fresh, reproducible draw per epoch.

        Drawn with ``epoch_rng(seed, epoch)`` (``seed=None`` counts as 0),
        the generator a pipeline of the same ``seed`` uses for that epoch.
        """
        epoch = check_positive_int(epoch, "epoch", minimum=0)
        self._check_params()
        return self.resample_indices(y, rng=epoch_rng(self.seed or 0, epoch))

    def fit_resample(self, X, y):
        """Resample ``X`` (any rank) and ``y`` once (imbalanced-learn's contract).

        Sets ``sample_indices_`` when every returned sample is an original
        one (as imbalanced-learn's index-selecting samplers do).

        Returns:
            ``(X_resampled, y_resampled)``: originals gathered by the draw's
            indices, synthetic samples appended in their order.
        """
        X = as_sample_array(X, "X")
        check_same_length(X, y, "X", "y")
        idx, x_new, y_new = self.resample(X, y)
        X, y = np.asarray(X), np.asarray(y)
        n = len(y)
        if y_new is None or not len(y_new):
            self.sample_indices_ = idx
            return X[idx], y[idx]
        real = idx[idx < n]
        x_new, y_new = np.asarray(x_new), np.asarray(y_new)
        syn = idx[idx >= n] - n
        return (np.concatenate([X[real], x_new[syn]]),
                np.concatenate([y[real], y_new[syn].astype(y.dtype, copy=False)]))


def _check_strategy_form(strategy) -> None:
    """Checks of ``sampling_strategy`` that need no labels (the rest is imbalanced-learn's)."""
    if isinstance(strategy, (bool, np.bool_)) or not (
            isinstance(strategy, (str, dict, numbers.Real)) or callable(strategy)):
        raise TypeError(f"`sampling_strategy` must be a string, a float, a dict {{class id: "
                        f"n_samples}} or a callable; received {_short(strategy)} of type "
                        f"{type(strategy).__name__}.")
    if isinstance(strategy, dict):
        check_count_dict(strategy, "sampling_strategy")


class _StrategySampler(BaseSampler):
    """Samplers driven by an imbalanced-learn ``sampling_strategy``.

    Subclasses set ``_sampling_type`` (``"over-sampling"`` or
    ``"under-sampling"``, as imbalanced-learn names them, or ``"hybrid"`` when
    ``_targets`` returns final counts) and implement ``_draw(y, targets, rng)``.

    Args:
        sampling_strategy: any form imbalanced-learn accepts: a string
            (``"auto"``, ``"minority"``, ``"not minority"``, ``"not majority"``,
            ``"all"``, ``"majority"``), a float (binary targets only), a dict
            ``{class: n_samples}`` or a callable ``y -> dict``. Validated at fit
            time against ``y``.
        seed: seed of the draw; the same seed gives the same indices.
            ``None`` draws from fresh entropy each time.
    """

    _sampling_type = "over-sampling"

    def __init__(self, sampling_strategy="auto", seed: int | None = None):
        self.sampling_strategy = sampling_strategy
        self.seed = seed

    def _check_params(self) -> None:
        super()._check_params()
        _check_strategy_form(self._strategy())

    def target_counts(self, y) -> dict[int, int]:
        """Per-class sample counts after resampling ``y``."""
        self._check_params()
        y = check_labels(y)
        out = _class_counts(y)
        for c, n in self._targets(y).items():
            out[c] = out[c] + n if self._sampling_type == "over-sampling" else n
        return out

    def resample_indices(self, y, rng=None) -> np.ndarray:
        """Draw the indices of one resampled set of ``y`` (no data touched).

        Args:
            y: 1-D integer labels.
            rng: ``None`` (use ``self.seed``), an int / sequence of ints, or a
                ``numpy.random.Generator``. Pipelines pass a new one per epoch.

        Returns:
            int64 indices into ``y``.
        """
        self._check_params()
        y = check_labels(y)
        targets = self._targets(y)
        return np.asarray(self._draw(y, targets, self._generator(rng)), dtype=np.int64)

    def fit_resample(self, X, y):
        """Resample ``X`` (any rank) and ``y``; sets ``sample_indices_`` and
        ``sampling_strategy_``.

        Returns:
            ``(X[idx], y[idx])`` with ``idx = self.sample_indices_`` (and
            the synthetic samples appended, for samplers that create them).
        """
        out = super().fit_resample(X, y)
        self.sampling_strategy_ = self._targets(check_labels(y))
        return out

    # -- internals ----------------------------------------------------------
    def _strategy(self):
        """The ``sampling_strategy`` handed to imbalanced-learn's validation."""
        return self.sampling_strategy

    def _targets(self, y: np.ndarray) -> dict[int, int]:
        from imblearn.utils import check_sampling_strategy  # imblearn loads all its samplers

        strategy = self._strategy()
        if callable(strategy):
            # a callable's answer must be a dict of integer counts, as a dict argument
            out = strategy(y)
            if not isinstance(out, dict):
                raise TypeError(f"`sampling_strategy`={self.sampling_strategy!r} must return a "
                                f"dict {{class id: n_samples}}; it returned {_short(out)}.")
            strategy = check_count_dict(out, "sampling_strategy")
        elif isinstance(strategy, dict):
            strategy = check_count_dict(strategy, "sampling_strategy")
        try:
            strategy = check_sampling_strategy(strategy, y, self._sampling_type)
        except ValueError as err:
            raise ValueError(
                f"`sampling_strategy`={self.sampling_strategy!r} is invalid for y with "
                f"class counts {_class_counts(y)}: {err}") from None
        return {int(c): int(n) for c, n in strategy.items()}

    def _draw(self, y, targets, rng):  # pragma: no cover - abstract
        raise NotImplementedError
