"""``fit`` on data resampled afresh every epoch, with augmentation and early stopping."""

from __future__ import annotations

import keras
import numpy as np

from imbkeras import pipeline
from imbkeras._validation import (_short, check_callbacks, check_pair, check_positive_int,
                                  check_seed, check_verbose)


def fit_resampled(model: keras.Model, x, y, *, sampler=None, augment=None, epochs: int = 10,
                  batch_size: int = 32, validation_data=None, patience: int | None = None,
                  label_mode: str | None = None, num_classes: int | None = None,
                  seed: int | None = 0, verbose: int = 0, callbacks=None
                  ) -> keras.callbacks.History:
    """Train a compiled model on ``(x, y)`` resampled every epoch, with early stopping.

    Each epoch draws a new training set with ``sampler`` (e.g.
    ``sampling.HybridSampler(target=round(0.8 * n_majority))``: the majority
    loses a different 20 % every epoch while the minorities are oversampled to
    the same count, Gryshkevych's recipe), augments each batch (``augment``) and
    feeds ``model.fit``. With ``validation_data`` and ``patience``, training
    stops when the validation loss has not improved for ``patience`` epochs and
    the best weights are restored.

    Args:
        model: a compiled model.
        x, y: training samples and labels (1-D int or 2-D multi-hot).
        sampler: any sampler :func:`imbkeras.pipeline.make_dataset` accepts.
        augment: augmentation layer(s) applied per batch.
        epochs, batch_size: of the training.
        validation_data: ``(x_val, y_val)``, evaluated as they are.
        patience: early-stopping patience in epochs (>= 0); ``None`` for none.
        label_mode: ``"sparse"``, ``"categorical"`` (e.g. for label smoothing
            with ``CategoricalCrossentropy``) or ``"multi_hot"``.
        num_classes: K for categorical labels (default ``max(y) + 1``).
        seed: seeds the draws and the augmentation.
        verbose: Keras verbosity.
        callbacks: more Keras callbacks.

    Returns:
        The ``History``.

    Raises:
        ValueError: for ``patience < 0``, ``patience`` without
            ``validation_data``, a ``validation_data`` that is not an
            ``(x, y)`` pair, or bad ``epochs`` / ``batch_size``.
        TypeError: for a model that is not a ``keras.Model`` (``ValueError``
            when it is not compiled), a non-integer ``patience`` or a bad
            ``seed``.

    Examples:
        >>> import numpy as np
        >>> from imbkeras.models import lipnet
        >>> from imbkeras.sampling import HybridSampler
        >>> x = np.random.default_rng(0).random((30, 16, 16, 1), dtype="float32")
        >>> y = np.array([0] * 24 + [1] * 4 + [2] * 2)
        >>> m = lipnet((16, 16, 1), 3)
        >>> m.compile("sgd", "sparse_categorical_crossentropy")
        >>> h = fit_resampled(m, x, y, sampler=HybridSampler(target=19, seed=0), epochs=3,
        ...                   validation_data=(x, y), patience=1, batch_size=8)
        >>> 1 <= len(h.history["loss"]) <= 3
        True

    Reference:
        Gryshkevych (2016), sections 4.7-4.8 (oversampling with augmentation,
        per-epoch undersampling, early stopping).
    """
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    verbose = check_verbose(verbose)
    if validation_data is not None:
        validation_data = check_pair(validation_data, "validation_data")
    callbacks = check_callbacks(callbacks)
    if patience is not None:
        patience = check_positive_int(patience, "patience", minimum=0)
        if validation_data is None:
            raise ValueError("`patience` (early stopping) needs `validation_data`; received "
                             "validation_data=None.")
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a compiled keras.Model; received {_short(model)}.")
    if getattr(model, "optimizer", None) is None:
        raise ValueError(f"`model` {model.name!r} must be compiled (fit_resampled trains it "
                         f"with its optimizer and loss).")
    ds = pipeline.make_dataset(x, y, batch_size, sampler=sampler, augment=augment,
                               seed=seed, label_mode=label_mode,
                               num_classes=num_classes)
    val = None
    if validation_data is not None:
        xv, yv = validation_data
        k = num_classes or int(max(np.max(y), np.max(yv))) + 1
        val = pipeline.make_dataset(xv, yv, 256, shuffle=False, label_mode=label_mode,
                                    num_classes=k if label_mode == "categorical" else None)
    cbs = list(callbacks)
    if patience is not None:
        cbs.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                                 restore_best_weights=True))
    return model.fit(ds, validation_data=val, epochs=epochs, verbose=verbose, callbacks=cbs,
                     shuffle=False)
