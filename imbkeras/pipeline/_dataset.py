"""tf.data pipelines that resample afresh every epoch without copying the data.

The index stream is drawn in NumPy (sampler -> shuffle -> batches of indices);
each batch is gathered from the *original* arrays (``x[idx]``, so NumPy
memory maps work too) inside ``tf.data``. Nothing but the current batches is
ever materialised, whatever the oversampling factor.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from imbkeras._validation import check_labels, check_positive_int, check_same_length

LABEL_MODES = ("sparse", "categorical")


class _IndexStream:
    """Generator factory: each call starts the next epoch(s) of index batches.

    Epoch ``e`` is drawn with ``numpy.random.SeedSequence([seed, e])``, so the
    sequence of epochs is fixed by ``seed`` while every epoch is a new draw.
    """

    def __init__(self, y, sampler, batch_size, shuffle, seed, continuous, drop_remainder):
        self.y = y
        self.sampler = sampler
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.continuous = continuous
        self.drop_remainder = drop_remainder
        self.epoch = 0

    def draw(self, epoch: int) -> np.ndarray:
        """Indices of epoch ``epoch`` (resampled and, if asked, shuffled)."""
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, epoch]))
        if self.sampler is None:
            idx = np.arange(len(self.y), dtype=np.int64)
        else:
            idx = resample_indices(self.sampler, self.y, rng)
        if self.shuffle:
            idx = idx[rng.permutation(len(idx))]
        return idx

    def __call__(self):
        bs = self.batch_size
        if not self.continuous:
            idx = self.draw(self.epoch)
            self.epoch += 1
            stop = len(idx) - len(idx) % bs if self.drop_remainder else len(idx)
            for start in range(0, stop, bs):
                yield idx[start:start + bs]
            return
        carry = np.empty(0, dtype=np.int64)
        while True:  # endless stream of epochs; batches may span epoch boundaries
            carry = np.concatenate([carry, self.draw(self.epoch)])
            self.epoch += 1
            full = len(carry) // bs * bs
            for start in range(0, full, bs):
                yield carry[start:start + bs]
            carry = carry[full:]


def resample_indices(sampler, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw of ``sampler``'s indices for labels ``y``.

    imbkeras samplers expose ``resample_indices(y, rng=...)``. Any other object
    with ``fit_resample`` (an imbalanced-learn sampler) is called on an index
    column ``X = arange(n)[:, None]`` with a fresh ``random_state`` and must
    expose ``sample_indices_``.
    """
    if hasattr(sampler, "resample_indices"):
        return np.asarray(sampler.resample_indices(y, rng=rng), dtype=np.int64)
    if hasattr(sampler, "fit_resample"):
        if hasattr(sampler, "set_params") and "random_state" in sampler.get_params():
            sampler.set_params(random_state=int(rng.integers(2**31 - 1)))
        sampler.fit_resample(np.arange(len(y))[:, None], y)
        if not hasattr(sampler, "sample_indices_"):
            raise TypeError(f"`sampler`={sampler!r} does not expose `sample_indices_`; "
                            "only index-selecting samplers can be streamed.")
        return np.asarray(sampler.sample_indices_, dtype=np.int64)
    raise TypeError(f"`sampler` must have `resample_indices` or `fit_resample`; "
                    f"received {sampler!r}.")


def _expected_batches(sampler, y, batch_size, drop_remainder):
    if sampler is None:
        n = len(y)
    elif hasattr(sampler, "target_counts"):
        n = sum(sampler.target_counts(y).values())
    else:
        return None
    return n // batch_size if drop_remainder else math.ceil(n / batch_size)


def make_dataset(x, y, batch_size: int, sampler=None, shuffle: bool = True, seed: int = 0,
                 *, num_classes: int | None = None, label_mode: str = "sparse",
                 steps_per_epoch: int | None = None, drop_remainder: bool = False,
                 prefetch: bool = True) -> tf.data.Dataset:
    """A ``tf.data.Dataset`` of ``(x_batch, y_batch)`` resampled afresh each epoch.

    Each time the dataset is iterated (``model.fit`` does so once per epoch)
    the sampler draws new indices: an undersampler keeps different majority
    samples every epoch, an oversampler duplicates different minority samples.
    Batches are gathered from ``x`` and ``y`` as they are; the resampled set is
    never built in memory.

    Args:
        x: array of samples, any rank (``(n, h, w, c)``, ``(n, d, h, w, c)``);
            a ``numpy.memmap`` is read lazily.
        y: 1-D integer labels.
        batch_size: samples per batch, >= 1.
        sampler: ``None`` (every sample once per epoch), an imbkeras sampler,
            or an imbalanced-learn sampler exposing ``sample_indices_``.
        shuffle: shuffle the indices of every epoch.
        seed: fixes the sequence of epochs (same seed, same batches).
        num_classes: K; needed for ``label_mode="categorical"`` (default
            ``max(y) + 1``).
        label_mode: ``"sparse"`` (int32 labels) or ``"categorical"`` (one-hot
            float32).
        steps_per_epoch: ``None`` for one pass over the resampled set per
            iteration; an int for an endless stream of full batches (use with
            ``model.fit(..., steps_per_epoch=...)`` for an equal number of
            iterations per method; resampling still happens at every pass).
        drop_remainder: drop the last partial batch of each epoch.
        prefetch: add ``prefetch(AUTOTUNE)``.

    Returns:
        A ``tf.data.Dataset`` usable directly in ``model.fit``.

    Raises:
        ValueError: if ``len(x) != len(y)``, labels are invalid,
            ``batch_size < 1`` or ``label_mode`` is unknown.

    Example:
        >>> import numpy as np
        >>> from imbkeras.sampling import RandomOverSampler
        >>> x = np.zeros((10, 4, 4, 1), "float32"); y = np.array([0] * 8 + [1] * 2)
        >>> ds = make_dataset(x, y, batch_size=4, sampler=RandomOverSampler(seed=0))
        >>> sorted(np.concatenate([b.numpy() for _, b in ds]).tolist()).count(1)
        8
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    check_same_length(x, y)
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    y = check_labels(y, num_classes=num_classes)
    if label_mode not in LABEL_MODES:
        raise ValueError(f"`label_mode` must be one of {LABEL_MODES}; received {label_mode!r}.")
    if steps_per_epoch is not None:
        check_positive_int(steps_per_epoch, "steps_per_epoch")
    k = int(num_classes) if num_classes is not None else int(y.max()) + 1
    if label_mode == "categorical":
        y_out = np.eye(k, dtype=np.float32)[y]
    else:
        y_out = y.astype(np.int32)

    if sampler is not None and not (hasattr(sampler, "resample_indices")
                                    or hasattr(sampler, "fit_resample")):
        raise TypeError(f"`sampler` must have `resample_indices` or `fit_resample`; "
                        f"received {sampler!r}.")
    continuous = steps_per_epoch is not None
    stream = _IndexStream(y, sampler, batch_size, shuffle, seed, continuous,
                          drop_remainder or continuous)
    ds = tf.data.Dataset.from_generator(
        stream, output_signature=tf.TensorSpec(shape=(None,), dtype=tf.int64))
    if continuous:
        ds = ds.apply(tf.data.experimental.assert_cardinality(tf.data.INFINITE_CARDINALITY))
    else:
        n_batches = _expected_batches(sampler, y, batch_size, drop_remainder)
        if n_batches is not None:
            ds = ds.apply(tf.data.experimental.assert_cardinality(n_batches))

    x_dtype = tf.as_dtype(x.dtype)
    y_dtype = tf.as_dtype(y_out.dtype)
    fixed = batch_size if (drop_remainder or continuous) else None

    def gather(idx):
        xb, yb = tf.numpy_function(lambda i: (x[i], y_out[i]), [idx], [x_dtype, y_dtype],
                                   stateful=False)
        xb.set_shape((fixed,) + x.shape[1:])
        yb.set_shape((fixed,) + y_out.shape[1:])
        return xb, yb

    ds = ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if prefetch:
        ds = ds.prefetch(tf.data.AUTOTUNE)
    return ds
