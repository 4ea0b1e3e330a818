"""Two-phase training: pretrain on resampled data, then fine-tune the head only."""

from __future__ import annotations

import keras

from imbkeras._validation import check_optional_int, check_positive_int, check_verbose
from imbkeras.models import split_head


def fine_tune_head(model: keras.Model, data, *, optimizer, loss, epochs: int = 1,
                   steps_per_epoch: int | None = None, feature_layer: str | None = None,
                   metrics=None, verbose: int = 0, **fit_kwargs) -> keras.callbacks.History:
    """Second phase of two-phase training: update only the classifier head.

    The split between feature extractor and head is
    :func:`imbkeras.models.split_head`'s (for LeNet-5: the two FC layers; for
    All-CNN-C: the two 1x1 convolutions). Every extractor layer is frozen, the
    model is recompiled with ``optimizer`` and ``loss`` and trained on
    ``data`` (the original, imbalanced set in Buda et al.'s protocol); the
    layers' ``trainable`` flags are restored afterwards.

    Args:
        model: a trained functional model (phase one: balanced data).
        data: anything ``model.fit`` accepts as ``x`` (e.g. a
            :func:`imbkeras.pipeline.make_dataset` dataset).
        optimizer, loss, metrics: for the fine-tuning ``compile``. Buda et al.
            keep phase one's schedule with the base learning rate x 0.1.
        epochs, steps_per_epoch, verbose, fit_kwargs: passed to ``fit``.
        feature_layer: split point, see :func:`imbkeras.models.split_head`.

    Returns:
        The ``History`` of the fine-tuning ``fit``.

    Raises:
        ValueError: for ``epochs`` / ``steps_per_epoch`` < 1, a bad ``verbose``,
            a missing ``optimizer`` / ``loss`` or a model without a separable head.
        TypeError: for non-integer ``epochs`` / ``steps_per_epoch`` or a
            ``model`` that is not a ``keras.Model``.

    Examples:
        >>> import numpy as np
        >>> from imbkeras.models import lenet5
        >>> m = lenet5((16, 16, 1), 3)
        >>> conv = m.get_layer("conv1").get_weights()[0].copy()
        >>> h = fine_tune_head(m, np.random.rand(8, 16, 16, 1), optimizer="sgd",
        ...                    loss="sparse_categorical_crossentropy",
        ...                    y=np.arange(8) % 3, batch_size=4)
        >>> bool((m.get_layer("conv1").get_weights()[0] == conv).all())
        True

    Reference:
        Buda, Maki, Mazurowski (2018), section 2.2.4; Havaei et al. (2017).
    """
    epochs = check_positive_int(epochs, "epochs")
    steps_per_epoch = check_optional_int(steps_per_epoch, "steps_per_epoch")
    verbose = check_verbose(verbose)
    for name, value in (("optimizer", optimizer), ("loss", loss)):
        if value is None:
            raise ValueError(f"`{name}` is required for the fine-tuning compile; received None.")
    extractor, head = split_head(model, feature_layer)
    head_ids = {id(layer) for layer in head.layers}
    frozen = [layer for layer in extractor.layers if id(layer) not in head_ids]
    saved = [(layer, layer.trainable) for layer in model.layers]
    try:
        for layer in frozen:
            layer.trainable = False
        model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
        return model.fit(data, epochs=epochs, steps_per_epoch=steps_per_epoch,
                         verbose=verbose, **fit_kwargs)
    finally:
        for layer, flag in saved:
            layer.trainable = flag
