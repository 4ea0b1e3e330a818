"""What a trainer receives (:class:`RunContext`) and returns (:class:`TrainOutput`)."""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

# The stored name of the decisions of output ``o`` beside the outputs (``outputs.npz``).
DECISION_PREFIX = "__decisions__."


@dataclasses.dataclass
class TrainOutput:
    """A trainer's result.

    Attributes:
        outputs: named test-set scores, ``(n_test, K)`` (``"default"``
            required; e.g. ``"two_phase"``), plus any extra arrays a
            post-processor needs (e.g. ``"val_prob"``, ``"val_true"``).
        tables: per-run ``pandas.DataFrame`` tables (saved as CSV, concatenated
            across runs by the report).
        info: JSON-able extra results (added to ``result.json``; scalar values
            also become columns of ``results.csv``).
        decisions: the classifier's own decisions (1-D integer labels, one per
            test sample), keyed like ``outputs``, for a classifier whose
            decision is not the argmax of its scores (an SVM's one-against-one
            votes, a tuned rule). A method evaluating an output with decisions
            is scored by them (accuracy, F1, G-mean, ..., the confusion matrix
            and the recorded ``y_pred``), its AUCs by the scores; a method with a
            post-processor is scored by the argmax of the processed scores.

    Examples:
        >>> out = TrainOutput.coerce(TrainOutput(
        ...     {"default": np.array([[.6, .4], [.7, .3]])},
        ...     decisions={"default": np.array([0, 1])}), "toy")
        >>> sorted(TrainOutput.split_stored(out.stored_arrays())[1]["default"].tolist())
        [0, 1]
    """

    outputs: dict
    tables: dict = dataclasses.field(default_factory=dict)
    info: dict = dataclasses.field(default_factory=dict)
    decisions: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def coerce(cls, value, trainer: str) -> "TrainOutput":
        if isinstance(value, TrainOutput):
            out = value
        elif isinstance(value, np.ndarray):
            out = cls({"default": value})
        elif isinstance(value, dict):
            out = cls(value)
        else:
            raise TypeError(f"trainer {trainer!r} must return a TrainOutput, a dict of arrays "
                            f"or an array of test scores; returned {type(value).__name__}.")
        if "default" not in out.outputs:
            raise ValueError(f"trainer {trainer!r} returned outputs {list(out.outputs)}; a "
                             f"'default' output (test-set scores) is required.")
        out.outputs = {k: np.asarray(v) for k, v in out.outputs.items()}
        if not isinstance(out.decisions, dict):
            raise TypeError(f"trainer {trainer!r}: `decisions` must be a dict keyed like "
                            f"`outputs`; received {type(out.decisions).__name__}.")
        decisions = {}
        for k, v in out.decisions.items():
            if k not in out.outputs:
                raise ValueError(f"trainer {trainer!r} returned decisions for {k!r}, which is "
                                 f"not one of its outputs {sorted(out.outputs)}.")
            d = np.asarray(v)
            n = len(out.outputs[k])
            if d.ndim != 1 or len(d) != n or d.dtype.kind not in "iu":
                raise ValueError(f"trainer {trainer!r}: decisions[{k!r}] must be 1-D integer "
                                 f"labels, one per test sample ({n}); received shape "
                                 f"{d.shape}, dtype {d.dtype}.")
            decisions[k] = d.astype(np.int64)
        out.decisions = decisions
        return out

    def stored_arrays(self) -> dict:
        """``outputs`` and ``decisions`` in one flat dict (decisions under ``DECISION_PREFIX``)."""
        return {**self.outputs, **{DECISION_PREFIX + k: v for k, v in self.decisions.items()}}

    @staticmethod
    def split_stored(arrays: dict) -> tuple[dict, dict]:
        """``(outputs, decisions)`` of a dict written by :meth:`stored_arrays`."""
        outputs = {k: v for k, v in arrays.items() if not k.startswith(DECISION_PREFIX)}
        decisions = {k[len(DECISION_PREFIX):]: v for k, v in arrays.items()
                     if k.startswith(DECISION_PREFIX)}
        return outputs, decisions


@dataclasses.dataclass
class RunContext:
    """Everything a trainer needs for one training (one group of runs).

    Attributes:
        x_train, y_train: the training fold after the imbalance protocol.
        x_test, y_test: the test fold (left as it is).
        num_classes: K (classes, or labels when ``multilabel``).
        class_names: names of the classes / labels.
        multilabel: ``y`` is multi-hot.
        seed: the run's seed.
        params: the trainer parameters (experiment ``params`` + method ``params``).
        dataset, scenario, fold: where the run stands in the grid.
        run_dir: a directory for artifacts of this training.
        verbose: Keras ``fit`` verbosity.
        wanted: the output names some method of this training evaluates
            (compute optional outputs only when wanted).
        strategy: a ``tf.distribute.Strategy`` or ``None``.
        tensorboard: write TensorBoard logs (see :meth:`callbacks`).
        run_ids: the runs this training serves (its methods' run ids).
        log_root: the store's root (TensorBoard logs go to
            ``log_root / "tensorboard" / <first run id>``).
        save_models: keep the model of every ``fit`` that got :meth:`callbacks`
            (``model.keras`` in ``run_dir``; ``model_fit<i>.keras`` when the
            training fitted several models).
    """

    x_train: Any
    y_train: np.ndarray
    x_test: Any
    y_test: np.ndarray
    num_classes: int
    class_names: list | None
    multilabel: bool
    seed: int
    params: dict
    dataset: str
    scenario: dict
    fold: int
    run_dir: Path
    verbose: int = 0
    wanted: frozenset = frozenset({"default"})
    strategy: Any = None
    tensorboard: bool = False
    run_ids: tuple = ()
    log_root: Any = None
    save_models: bool = False
    _recorder: Any = dataclasses.field(default=None, init=False, repr=False)

    def wants(self, output: str) -> bool:
        """Whether a method of this training evaluates ``output``."""
        return output in self.wanted

    def scope(self):
        """Build and compile models inside this (the distribution strategy's scope)."""
        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()

    @property
    def num_replicas(self) -> int:
        return int(self.strategy.num_replicas_in_sync) if self.strategy is not None else 1

    def global_batch_size(self, batch_size: int) -> int:
        """``batch_size`` per replica times the number of replicas."""
        return int(batch_size) * self.num_replicas

    def callbacks(self) -> list:
        """Engine callbacks to pass to every ``fit`` of a trainer.

        Always a recorder of the training's history: ``history.csv`` in
        ``run_dir``, one row per epoch of every ``fit`` given these callbacks
        (columns ``fit``, ``epoch`` and every logged metric, train and
        ``val_``), and with ``save_models`` the fitted models. TensorBoard when
        asked: logs of a training go to ``tensorboard/<run id>`` of the store,
        named by the first run it serves; a training shared by several methods'
        runs is logged once, and its ``runs.txt`` lists their run ids.
        """
        if self._recorder is None:
            self._recorder = _history_recorder(Path(self.run_dir), self.save_models)
        callbacks = [self._recorder]
        if not self.tensorboard:
            return callbacks
        import keras

        root = Path(self.log_root if self.log_root is not None else self.run_dir)
        log_dir = root / "tensorboard" / (self.run_ids[0] if self.run_ids else "training")
        log_dir.mkdir(parents=True, exist_ok=True)
        (log_dir / "runs.txt").write_text("".join(f"{r}\n" for r in self.run_ids))
        return callbacks + [keras.callbacks.TensorBoard(log_dir=str(log_dir))]

    def finish(self) -> list[str]:
        """After the trainer: name a single saved model ``model.keras``; return notes.

        The note says when ``save_models`` was asked for and the trainer fitted
        no model through :meth:`callbacks` (e.g. an SVM, a post-processor).
        """
        fits = 0 if self._recorder is None else self._recorder.fits
        if not self.save_models:
            return []
        if fits == 0:
            return ["fitted no Keras model through RunContext.callbacks(); nothing saved"]
        if fits == 1:
            Path(self.run_dir, "model_fit0.keras").replace(Path(self.run_dir, "model.keras"))
        return []

    def validation_split(self, fraction: float = 0.1, seed: int | None = None):
        """A stratified (multi-label aware) split of the training fold.

        Args:
            fraction: share of the training fold held out, in (0, 1).
            seed: default: the run's seed.

        Returns:
            ``((x_train, y_train), (x_val, y_val))``.
        """
        from imbkeras.experiments._grid import _take, split_indices

        seed = self.seed if seed is None else seed
        tr, va = split_indices(self.y_train, fraction, seed)
        x, y = self.x_train, np.asarray(self.y_train)
        return (_take(x, tr), y[tr]), (_take(x, va), y[va])

    def log(self, message: str):
        """Print a progress line of this run (shown with ``verbose``)."""
        if self.verbose:
            from tqdm.auto import tqdm

            tqdm.write(f"    {message}")


def _history_recorder(run_dir: Path, save_models: bool):
    """A Keras callback writing ``history.csv`` (and with ``save_models`` each fitted model)."""
    import keras
    import pandas as pd

    class HistoryRecorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.fits, self.rows = 0, []

        def on_train_begin(self, logs=None):
            self.fit_index = self.fits
            self.fits += 1

        def on_epoch_end(self, epoch, logs=None):
            row = {"fit": self.fit_index, "epoch": int(epoch)}
            row.update({k: float(np.asarray(v)) for k, v in (logs or {}).items()
                        if np.size(v) == 1})
            self.rows.append(row)

        def on_train_end(self, logs=None):
            # Once per fit (not per epoch): the whole history so far, columns as they come.
            pd.DataFrame(self.rows).to_csv(run_dir / "history.csv", index=False)
            if save_models:
                self.model.save(run_dir / f"model_fit{self.fit_index}.keras")

    return HistoryRecorder()
