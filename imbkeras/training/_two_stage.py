"""Two-stage resampling: resample images (stage 1), then learned features (stage 2).

Koziarski (2020) resamples at two levels: IS trains the network on images
drawn by a stage-1 sampler (afresh every epoch, through
:func:`imbkeras.pipeline.make_dataset`); FS trains on the data as they are,
extracts the features of the trained backbone once, resamples that feature
matrix with a stage-2 sampler and fine-tunes only the classifier head on it;
TS is IS followed by FS with another sampler. Because features are 2-D, any
imbalanced-learn sampler (SMOTE variants, ADASYN, NearMiss, Tomek links,
ENN, SMOTEENN, ...) can serve as the stage-2 sampler of a deep model.
"""

from __future__ import annotations

import os
import tempfile

import keras
import numpy as np

from imbkeras import pipeline, sampling
from imbkeras._validation import (_short, check_callbacks, check_labels, check_optional_int,
                                  check_positive_int, check_resampler, check_same_length,
                                  check_samples, check_seed, check_verbose)
from imbkeras.models import split_head

#: Feature matrices above this size are cached in a memory-mapped file.
MEMMAP_THRESHOLD_BYTES = 1 << 30


def _check_inputs(model, x, name="x"):
    expected = tuple(model.input_shape[1:])
    got = tuple(x.shape[1:])
    if len(got) != len(expected) or any(e is not None and e != g
                                        for e, g in zip(expected, got)):
        raise ValueError(f"`{name}` has samples of shape {got}; model {model.name!r} expects "
                         f"inputs of shape {expected}.")


def extract_features(extractor: keras.Model, x, batch_size: int = 256,
                     memmap_threshold: int = MEMMAP_THRESHOLD_BYTES, cache_dir=None) -> np.ndarray:
    """The features of every sample of ``x``, computed once in batches.

    Args:
        extractor: the feature extractor (first part of :func:`split_head`).
        x: samples (array, memory map or :class:`imbkeras.pipeline.FileSource`).
        batch_size: samples per forward pass.
        memmap_threshold: above this many bytes the features go to a
            memory-mapped file instead of memory.
        cache_dir: directory of that file (default: a new temporary directory).

    Returns:
        ``(n, d)`` float32 features (an ``np.memmap`` above the threshold).

    Examples:
        >>> from imbkeras.models import lenet5
        >>> fe, _ = split_head(lenet5((16, 16, 1), 3))
        >>> extract_features(fe, np.zeros((5, 16, 16, 1), "float32")).shape
        (5, 50)
    """
    if not isinstance(extractor, keras.Model):
        raise TypeError(f"`extractor` must be a keras.Model (the first part of split_head); "
                        f"received {_short(extractor)}.")
    batch_size = check_positive_int(batch_size, "batch_size")
    memmap_threshold = check_positive_int(memmap_threshold, "memmap_threshold", minimum=0)
    x = check_samples(x, "x")
    n = len(x)
    dim = int(np.prod(extractor.output_shape[1:]))
    nbytes = n * dim * 4
    if nbytes > memmap_threshold:
        directory = cache_dir or tempfile.mkdtemp(prefix="imbkeras_features_")
        path = os.path.join(directory, f"features_{n}x{dim}.f32")
        out = np.memmap(path, dtype="float32", mode="w+", shape=(n, dim))
    else:
        out = np.empty((n, dim), dtype="float32")
    # Chunks of whole batches through ``predict`` (one compiled function) bound the memory
    # of what is loaded at once (a FileSource is read chunk by chunk).
    sample_bytes = int(np.prod(x.shape[1:])) * 4
    chunk = batch_size * max(1, (256 * 2**20) // max(1, batch_size * sample_bytes))
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        part = np.asarray(x[start:stop] if not isinstance(x, pipeline.FileSource)
                          else x[np.arange(start, stop)], dtype="float32")
        out[start:stop] = extractor.predict(part, batch_size=batch_size,
                                            verbose=0).reshape(stop - start, dim)
    return out


def _compiled_metrics(model):
    """Fresh copies of the metrics ``model`` was compiled with (``None`` if none)."""
    try:
        metrics = (model.get_compile_config() or {}).get("metrics")
    except (AttributeError, ValueError):
        return None
    return keras.saving.deserialize_keras_object(metrics) if metrics else None


def _check_validation_data(validation_data, name="validation_data"):
    """``None`` or ``(x_val, y_val)`` checked (y 1-D labels of the same length)."""
    if validation_data is None:
        return None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise TypeError(f"`{name}` must be a tuple (x_val, y_val) or None; received "
                        f"{_short(validation_data)}.")
    xv = check_samples(validation_data[0], f"{name}[0]")
    yv = check_labels(validation_data[1], f"{name}[1]")
    check_same_length(xv, yv)
    return xv, yv


def _resample(sampler, features, y, name="stage2_sampler"):
    try:
        xr, yr = sampler.fit_resample(features, y)
    except ValueError as err:
        counts = dict(zip(*np.unique(y, return_counts=True)))
        raise ValueError(
            f"`{name}`={sampler!r} failed on the {features.shape} feature matrix with "
            f"class counts {({int(k): int(v) for k, v in counts.items()})}: {err}. A sampler "
            f"that interpolates between neighbours (SMOTE) needs k_neighbors < the smallest "
            f"class count; lower k_neighbors or use random oversampling.") from err
    return np.asarray(xr, dtype="float32"), np.asarray(yr)


def feature_space_fine_tune(model: keras.Model, x, y, sampler, *, optimizer=None, loss=None,
                            epochs: int = 20, batch_size: int = 32,
                            feature_layer: str | None = None, features=None, seed: int | None = 0,
                            verbose: int = 0, feature_batch_size: int = 256,
                            memmap_threshold: int = MEMMAP_THRESHOLD_BYTES,
                            cache_dir=None, validation_data=None,
                            callbacks=None) -> keras.callbacks.History:
    """Stage 2 (FS): resample the backbone's features, fine-tune only the head.

    The features of ``x`` are computed once with the backbone (or taken from
    ``features``), resampled with ``sampler`` (``fit_resample`` on the 2-D
    feature matrix: any imbkeras or imbalanced-learn sampler), and the head
    of :func:`imbkeras.models.split_head` is trained on them for ``epochs``
    with the metrics ``model`` was compiled with. The head shares its layers
    with ``model``, so the fine-tuned weights are the model's; the backbone
    is not touched (bit-identical).

    Args:
        model: a functional model that ``split_head`` can split.
        x: training samples (images or volumes), or ``None`` with ``features``.
        y: 1-D integer labels.
        sampler: the stage-2 sampler.
        optimizer: of the fine-tuning (default ``RMSprop(1e-4)``, the paper's).
        loss: default: the model's compiled loss, else sparse categorical
            cross-entropy.
        epochs, batch_size: of the fine-tuning (paper: 20, 32).
        feature_layer: split point (see ``split_head``).
        features: precomputed ``(n, d)`` features of ``x`` (checked against the
            backbone's output size).
        seed: seeds the sampler (when it takes a ``seed`` / ``random_state``)
            and the shuffling of the fine-tuning.
        verbose: Keras verbosity.
        feature_batch_size, memmap_threshold, cache_dir: see
            :func:`extract_features`.
        validation_data: ``(x_val, y_val)`` samples (their features are
            extracted with the backbone) or ``None``; gives the history its
            ``val_`` curves.
        callbacks: Keras callbacks of the head's ``fit``.

    Returns:
        The ``History`` of the head's ``fit`` (loss and every compiled metric,
        train and validation).

    Raises:
        ValueError: for a model without a separable head, inputs that do not
            match the model, features of the wrong shape, bad ``epochs`` /
            ``batch_size``, or a sampler that cannot resample the features
            (e.g. SMOTE with more neighbours than a class has samples).
        TypeError: for a ``sampler`` without ``fit_resample`` or arguments of
            the wrong type.

    Reference:
        Koziarski (2020), section III (feature-space resampling).
    """
    return _fine_tune(model, x, y, sampler, "sampler", optimizer=optimizer, loss=loss,
                      epochs=epochs, batch_size=batch_size, feature_layer=feature_layer,
                      features=features, seed=seed, verbose=verbose,
                      feature_batch_size=feature_batch_size,
                      memmap_threshold=memmap_threshold, cache_dir=cache_dir,
                      validation_data=validation_data, callbacks=callbacks)


def _fine_tune(model, x, y, sampler, sampler_name, *, optimizer, loss, epochs, batch_size,
               feature_layer, features, seed, verbose, feature_batch_size=256,
               memmap_threshold=MEMMAP_THRESHOLD_BYTES, cache_dir=None, validation_data=None,
               callbacks=None):
    y = check_labels(y)
    validation_data = _check_validation_data(validation_data)
    callbacks = check_callbacks(callbacks)
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    verbose = check_verbose(verbose)
    sampler = _seeded(sampler, seed, sampler_name)
    extractor, head = split_head(model, feature_layer)
    dim = int(np.prod(extractor.output_shape[1:]))
    if features is None:
        if x is None:
            raise ValueError("pass `x` (samples) or `features`; received neither.")
        x = check_samples(x, "x")
        _check_inputs(model, x)
        check_same_length(x, y)
        features = extract_features(extractor, x, feature_batch_size, memmap_threshold,
                                    cache_dir)
    else:
        features = np.asarray(features)
        if features.ndim != 2 or features.shape[1] != dim or len(features) != len(y):
            raise ValueError(f"`features` must have shape ({len(y)}, {dim}) (samples x the "
                             f"backbone's output size); received {features.shape}.")
    xr, yr = _resample(sampler, features, y, sampler_name)
    loss = loss if loss is not None else (getattr(model, "loss", None)
                                          or "sparse_categorical_crossentropy")
    head.compile(optimizer=optimizer or keras.optimizers.RMSprop(1e-4), loss=loss,
                 metrics=_compiled_metrics(model))
    if seed is not None:
        order = np.random.default_rng(seed).permutation(len(yr))
        xr, yr = xr[order], yr[order]
    val = None
    if validation_data is not None:
        _check_inputs(model, validation_data[0], "validation_data[0]")
        val = (extract_features(extractor, validation_data[0], feature_batch_size),
               validation_data[1])
    return head.fit(xr, yr, epochs=epochs, batch_size=batch_size, shuffle=seed is None,
                    verbose=verbose, validation_data=val, callbacks=callbacks)


def _seeded(sampler, seed, name="stage2_sampler"):
    """A copy of ``sampler`` with its seed set (imbkeras ``seed``, imblearn ``random_state``)."""
    if sampler is None:
        raise ValueError(f"`{name}` must be a sampler with `fit_resample`; received None.")
    check_resampler(sampler, name, allow_none=False)
    if seed is None:
        return sampler
    return sampling.reseeded(sampler, seed, keep_set=True)


@keras.saving.register_keras_serializable(package="imbkeras")
class FeatureSpaceResampling(keras.callbacks.Callback):
    """Callback that runs stage 2 (FS) when ``fit`` ends.

    Add it to ``model.fit(..., callbacks=[FeatureSpaceResampling(x, y, sampler)])``:
    after the last epoch the backbone's features of ``(x, y)`` are extracted
    once, resampled with ``sampler``, and the head is fine-tuned on them (see
    :func:`feature_space_fine_tune`, whose arguments it takes).

    The training data and sampler are held by reference, so the callback is
    not meant to be saved with a model (``get_config`` records only the
    fine-tuning settings). ``validation_data`` and ``callbacks`` serve the
    head's ``fit`` (its history then has ``val_`` curves of every compiled
    metric).

    Raises:
        ValueError: for a missing ``sampler`` (when ``x`` / ``y`` are given),
            bad labels, ``x`` and ``y`` of different lengths or bad
            ``epochs`` / ``batch_size``; when training begins, for missing
            data or a model without a separable head (before stage 1 trains).
        TypeError: for a ``sampler`` without ``fit_resample``.

    Examples:
        >>> import numpy as np
        >>> from imbkeras.models import lenet5
        >>> from imbkeras.sampling import RandomOverSampler
        >>> x = np.random.default_rng(0).random((24, 16, 16, 1), dtype="float32")
        >>> y = np.array([0] * 20 + [1] * 4)
        >>> m = lenet5((16, 16, 1), 2)
        >>> m.compile("sgd", "sparse_categorical_crossentropy")
        >>> cb = FeatureSpaceResampling(x, y, RandomOverSampler(seed=0), epochs=1)
        >>> _ = m.fit(x, y, epochs=1, verbose=0, callbacks=[cb])
        >>> len(cb.history.history["loss"])
        1

    Reference:
        Koziarski (2020).
    """

    def __init__(self, x=None, y=None, sampler=None, *, optimizer=None, loss=None,
                 epochs: int = 20, batch_size: int = 32, feature_layer: str | None = None,
                 seed: int | None = 0, verbose: int = 0, validation_data=None, callbacks=None):
        super().__init__()
        # x, y and sampler may all be None only for deserialisation (from_config); they
        # are then required when training begins.
        if (x is not None or y is not None) and sampler is None:
            raise ValueError("`sampler` must be a sampler with `fit_resample` (the stage-2 "
                             "sampler of the features); received None.")
        check_resampler(sampler, "sampler")
        if y is not None:
            y = check_labels(y)
        if x is not None:
            x = check_samples(x, "x")
            if y is not None:
                check_same_length(x, y)
        self.x, self.y, self.sampler = x, y, sampler
        self.optimizer, self.loss = optimizer, loss
        self.epochs = check_positive_int(epochs, "epochs")
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.feature_layer = feature_layer
        self.seed = check_seed(seed)
        self.verbose = check_verbose(verbose)
        self.validation_data = _check_validation_data(validation_data)
        self.callbacks = check_callbacks(callbacks)
        self.history = None
        self._sampler_name = "sampler"

    def on_train_begin(self, logs=None):
        # Fail before stage 1 trains, not after it.
        for name in ("x", "y", "sampler"):
            if getattr(self, name) is None:
                raise ValueError(f"FeatureSpaceResampling needs `{name}` (the training data "
                                 f"and the stage-2 sampler); received {name}=None.")
        split_head(self.model, self.feature_layer)
        _check_inputs(self.model, self.x)

    def on_train_end(self, logs=None):
        self.history = _fine_tune(
            self.model, self.x, self.y, self.sampler, self._sampler_name,
            optimizer=self.optimizer, loss=self.loss, epochs=self.epochs,
            batch_size=self.batch_size, feature_layer=self.feature_layer, features=None,
            seed=self.seed, verbose=self.verbose, validation_data=self.validation_data,
            callbacks=self.callbacks)

    def get_config(self):
        return {"epochs": self.epochs, "batch_size": self.batch_size,
                "feature_layer": self.feature_layer, "seed": self.seed, "verbose": self.verbose}


def two_stage_fit(model: keras.Model, x, y, stage1_sampler=None, stage2_sampler=None, *,
                  epochs: int = 20, batch_size: int = 32, seed: int | None = 0, augment=None,
                  stage2_epochs: int | None = None, stage2_batch_size: int | None = None,
                  stage2_optimizer=None, feature_layer: str | None = None, verbose: int = 0,
                  callbacks=None, validation_data=None, stage2_callbacks=None) -> dict:
    """Train with two-stage resampling: IS, FS or TS (Koziarski 2020).

    - ``stage1_sampler`` only (IS): train on images resampled afresh every
      epoch (:func:`imbkeras.pipeline.make_dataset`).
    - ``stage2_sampler`` only (FS): train on the data as they are, then
      resample the learned features and fine-tune the head
      (:class:`FeatureSpaceResampling`).
    - both (TS): IS, then FS with the second sampler.

    Stage 2 fine-tunes on the *original* training set's features (resampled
    by ``stage2_sampler``), as in the paper.

    Args:
        model: a compiled functional model that ``split_head`` can split
            (stage 1 uses its optimizer and loss).
        x, y: training samples and 1-D integer labels.
        stage1_sampler, stage2_sampler: imbkeras or imbalanced-learn samplers
            (either may be ``None``).
        epochs, batch_size: of stage 1 (paper: 20, 32).
        seed: seeds stage 1's draws and augmentation and stage 2's sampler
            and shuffling.
        augment: augmentation of stage 1 (see ``make_dataset``).
        stage2_epochs, stage2_batch_size: ``None`` for ``epochs``,
            ``batch_size``; else an int >= 1.
        stage2_optimizer: default ``RMSprop(1e-4)``.
        feature_layer: split point of the head.
        verbose: Keras verbosity.
        callbacks: more callbacks of stage 1.
        validation_data: ``(x_val, y_val)`` or ``None``: validated after
            every epoch of both stages (stage 2 on its features).
        stage2_callbacks: callbacks of stage 2's ``fit``.

    Returns:
        ``{"stage1": History, "stage2": History or None}``; both hold the
        loss and every metric the model was compiled with (and their
        ``val_`` curves with ``validation_data``).

    Raises:
        ValueError: for an uncompiled model, inputs that do not match it, bad
            epochs / batch sizes, or the errors of
            :func:`feature_space_fine_tune`.
        TypeError: for samplers without ``fit_resample``, a ``seed`` that is
            not a non-negative int, or arguments of the wrong type.

    Examples:
        >>> import numpy as np, keras
        >>> from imbkeras.models import lenet5
        >>> from imbkeras.sampling import RandomOverSampler, RandomUnderSampler
        >>> x = np.random.default_rng(0).random((30, 16, 16, 1), dtype="float32")
        >>> y = np.array([0] * 24 + [1] * 6)
        >>> m = lenet5((16, 16, 1), 2)
        >>> m.compile(keras.optimizers.RMSprop(1e-3), "sparse_categorical_crossentropy")
        >>> h = two_stage_fit(m, x, y, RandomOverSampler(seed=0), RandomUnderSampler(),
        ...                   epochs=1, batch_size=8)
        >>> sorted(h)
        ['stage1', 'stage2']

    Reference:
        Koziarski (2020), "Two-stage resampling for convolutional neural
        network training in the imbalanced colorectal cancer image
        classification", IJCNN.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"`model` must be a compiled keras.Model; received {_short(model)}.")
    if getattr(model, "optimizer", None) is None or not getattr(model, "compiled", True):
        raise ValueError(f"`model` {model.name!r} must be compiled (its optimizer and loss "
                         f"train stage 1).")
    x = check_samples(x, "x")
    y = check_labels(y)
    check_same_length(x, y)
    _check_inputs(model, x)
    split_head(model, feature_layer)  # fail before training if there is no head
    epochs = check_positive_int(epochs, "epochs")
    batch_size = check_positive_int(batch_size, "batch_size")
    stage2_epochs = check_optional_int(stage2_epochs, "stage2_epochs")
    stage2_batch_size = check_optional_int(stage2_batch_size, "stage2_batch_size")
    seed = check_seed(seed)
    verbose = check_verbose(verbose)
    check_resampler(stage1_sampler, "stage1_sampler")
    check_resampler(stage2_sampler, "stage2_sampler")
    cbs = check_callbacks(callbacks)
    stage2_callbacks = check_callbacks(stage2_callbacks, "stage2_callbacks")
    validation_data = _check_validation_data(validation_data)
    if validation_data is not None:
        _check_inputs(model, validation_data[0], "validation_data[0]")
    fs = None
    if stage2_sampler is not None:
        fs = FeatureSpaceResampling(
            x, y, stage2_sampler, optimizer=stage2_optimizer,
            epochs=epochs if stage2_epochs is None else stage2_epochs,
            batch_size=batch_size if stage2_batch_size is None else stage2_batch_size,
            feature_layer=feature_layer, seed=seed, verbose=verbose,
            validation_data=validation_data, callbacks=stage2_callbacks)
        fs._sampler_name = "stage2_sampler"
        cbs.append(fs)
    ds = pipeline.make_dataset(x, y, batch_size, sampler=stage1_sampler, seed=seed,
                               augment=augment)
    h1 = model.fit(ds, epochs=epochs, verbose=verbose, callbacks=cbs, shuffle=False,
                   validation_data=validation_data)
    return {"stage1": h1, "stage2": fs.history if fs is not None else None}
