"""tf.data pipelines that resample afresh every epoch without copying the data.

The index stream is drawn in NumPy (sampler -> shuffle -> batches of indices);
each batch is gathered from the *original* arrays (``x[idx]``, so NumPy
memory maps work too, or from files through a loader) inside ``tf.data``,
then augmented and mixed on the whole batch. Nothing but the current
batches is ever materialised, whatever the oversampling factor.

Stages: ``sampler -> batches of indices -> gather -> augment -> mixup ->
prefetch``, with parallel maps. Every batch carries a counter; the random
layers of :mod:`imbkeras.layers` are called with the stateless seed
``(stage seed, batch counter)``, so a pipeline is deterministic for its
``seed`` whatever the parallelism.

Samplers follow one declared protocol, :class:`imbkeras.sampling.BaseSampler`:
every epoch asks ``resample(x, y, rng) -> (indices, x_new, y_new)``;
synthetic rows (``indices >= len(x)``) are appended, and the indices are
shuffled unless the sampler ``keeps_order`` (class-aware sampling).
imbalanced-learn samplers are wrapped in
:class:`imbkeras.sampling.ImblearnSampler`.
"""

from __future__ import annotations

import atexit
import math
import os
import sys
import threading
import weakref
from typing import NamedTuple

import numpy as np
import tensorflow as tf

from imbkeras._validation import (check_labels, check_multihot, check_positive_int,
                                  check_same_length, child_seed, epoch_rng, resolve_seed)
from imbkeras.sampling import as_sampler, list_samplers

LABEL_MODES = ("sparse", "categorical", "multi_hot")
_KEEP_POOLS = 4  # synthetic pools kept alive while their batches may still be gathered

# Batches are gathered into aligned NumPy buffers that TensorFlow adopts without
# a copy, so a tensor still buffered in a live iterator holds a Python object.
# Freed during interpreter shutdown, it would wait for the GIL forever: a
# process holding an iterator of one of our datasets (an endless stream, say)
# would never exit. At exit the index streams therefore end and the iterators
# of our datasets release their resources while Python is still alive.
_EXITING = threading.Event()
_DATASETS = weakref.WeakSet()


def _release_at_exit():
    _EXITING.set()
    if not len(_DATASETS):  # none of our datasets is alive: nothing to release
        return
    import gc

    for obj in gc.get_objects():
        if type(obj).__name__ == "OwnedIterator" and hasattr(obj, "_iterator_resource"):
            try:
                ours = getattr(obj, "_dataset", None) in _DATASETS
            except TypeError:
                ours = False
            if ours:
                obj._iterator_resource = None


atexit.register(_release_at_exit)


class FileSource:
    """Samples stored one per file: paths and a loader function.

    For data that does not fit in memory: ``make_dataset`` loads only the
    files of the current batches, in parallel ``tf.data`` maps.

    Args:
        paths: sequence of file paths (str or ``os.PathLike``), one per sample.
        loader: ``loader(path) -> array`` of one sample (e.g. ``np.load``, an
            image reader, an MRC reader); every sample must have the same
            shape.
        sample_shape: shape of one sample; default: probed by loading the
            first file.
        dtype: dtype of the samples; default: that of the first file.

    Raises:
        TypeError: if ``loader`` is not callable or a path is not a string.
        ValueError: if ``paths`` is empty, or (when loading) the loader fails
            on a file or returns the wrong shape; the message names the file.

    Examples:
        >>> import numpy as np, os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> paths = [os.path.join(d, f"{i}.npy") for i in range(3)]
        >>> for i, p in enumerate(paths): np.save(p, np.full((4, 4, 1), i, "float32"))
        >>> src = FileSource(paths, np.load)
        >>> src.shape, src[np.array([2, 0])][:, 0, 0, 0].tolist()
        ((3, 4, 4, 1), [2.0, 0.0])
    """

    def __init__(self, paths, loader, sample_shape=None, dtype=None):
        if not callable(loader):
            raise TypeError(f"`loader` must be callable (path -> array); received {loader!r}.")
        if isinstance(paths, (str, bytes, os.PathLike)):
            raise TypeError(f"`paths` must be a sequence of file paths; received a single "
                            f"path {paths!r}.")
        paths = list(paths)
        if not paths:
            raise ValueError("`paths` must not be empty; received [].")
        for p in paths:
            if not isinstance(p, (str, os.PathLike)):
                raise TypeError(f"`paths` must hold str or os.PathLike; received {p!r}.")
        self.paths = [os.fspath(p) for p in paths]
        self.loader = loader
        if sample_shape is None or dtype is None:
            first = self._load(0, check=False)
            sample_shape = first.shape if sample_shape is None else sample_shape
            dtype = first.dtype if dtype is None else dtype
        self.sample_shape = tuple(int(s) for s in sample_shape)
        self.dtype = np.dtype(dtype)

    def __repr__(self):
        return (f"FileSource({len(self.paths)} files, loader={getattr(self.loader, '__name__', self.loader)}, "
                f"sample_shape={self.sample_shape}, dtype={self.dtype})")

    def __len__(self):
        return len(self.paths)

    @property
    def shape(self):
        return (len(self.paths),) + self.sample_shape

    @property
    def ndim(self):
        return len(self.shape)

    def _load(self, i: int, check: bool = True) -> np.ndarray:
        path = self.paths[int(i)]
        try:
            arr = np.asarray(self.loader(path))
        except Exception as err:
            raise ValueError(f"`loader` failed on file {path!r} (sample {int(i)}): "
                             f"{type(err).__name__}: {err}") from err
        if check and arr.shape != self.sample_shape:
            raise ValueError(f"`loader` returned shape {arr.shape} for file {path!r} (sample "
                             f"{int(i)}); expected {self.sample_shape} like the other samples.")
        return arr

    def __getitem__(self, idx):
        idx = np.asarray(idx)
        if idx.ndim == 0:
            return self._load(int(idx)).astype(self.dtype, copy=False)
        out = np.empty((len(idx),) + self.sample_shape, dtype=self.dtype)
        for k, i in enumerate(idx.tolist()):
            out[k] = self._load(i)
        return out


class _IndexStream:
    """Generator factory: each call starts the next epoch(s) of index batches.

    Epoch ``e`` is drawn with ``epoch_rng(seed, e)`` (the generator
    ``BaseSampler.epoch_indices`` uses too), so the sequence of epochs is
    fixed by ``seed`` while every epoch is a new draw.
    Yields ``(indices, batch_counter)`` chunks of up to ``chunk`` consecutive
    batches (one gather call per chunk amortises the Python/TF overhead; the
    pipeline splits them), ``batch_counter`` being the number of the chunk's
    first batch. Synthetic samples of data-aware
    samplers get ids ``>= len(y)`` that are unique across epochs; their
    arrays live in ``pools`` until a few epochs later.
    """

    def __init__(self, y, sampler, batch_size, shuffle, seed, steps, drop_remainder,
                 x=None, chunk: int = 1, pool_bytes: int = 64 * 2**20):
        self.chunk = chunk
        self.y = y
        self.sampler = sampler
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.steps = steps  # batches per pass of a continuous stream (None: one epoch)
        self.drop_remainder = drop_remainder
        self.x = x
        self.epoch = 0
        self.batch = 0
        self._ready = None  # (epoch, indices) drawn ahead
        self._carry = np.empty(0, dtype=np.int64)  # drawn, not yet served (continuous)
        self.pools = {}  # start id -> (x_new, y_new)
        self._next_id = len(y)
        self._lock = threading.Lock()
        self.buffers = _BufferPool(pool_bytes)

    def draw(self, epoch: int) -> np.ndarray:
        """Indices of epoch ``epoch`` (resampled and, if asked, shuffled)."""
        rng = epoch_rng(self.seed, epoch)
        s = self.sampler
        if s is None:
            idx = np.arange(len(self.y), dtype=np.int64)
        else:
            idx, x_new, y_new = s.resample(self.x, self.y, rng=rng)
            idx = np.asarray(idx, dtype=np.int64)
            n_new = 0 if y_new is None else len(y_new)
            if idx.ndim != 1 or (len(idx) and (idx.min() < 0
                                               or idx.max() >= len(self.y) + n_new)):
                raise ValueError(f"`sampler`={s!r} returned indices outside [0, "
                                 f"{len(self.y) + n_new}) for {len(self.y)} samples and "
                                 f"{n_new} synthetic ones.")
            if y_new is not None and len(y_new):
                idx = self._pool(idx, x_new, y_new)
            if s.keeps_order:
                return idx
        if self.shuffle:
            idx = idx[rng.permutation(len(idx))]
        return idx

    def _pool(self, idx, x_new, y_new):
        """Keep one draw's synthetic rows; their ids become unique across epochs."""
        n = len(self.y)
        with self._lock:
            start = self._next_id
            self._next_id += len(y_new)
            self.pools[start] = (np.asarray(x_new), np.asarray(y_new))
            for old in sorted(self.pools)[:-_KEEP_POOLS]:
                del self.pools[old]
        return np.where(idx >= n, idx - n + start, idx)

    def _chunks(self, idx):
        """Chunks of whole batches: 1 batch first (the first batch of an epoch comes
        fast), then twice as many each time up to ``chunk`` batches."""
        start, batches = 0, 1
        while start < len(idx):
            if _EXITING.is_set():
                return
            part = idx[start:start + self.batch_size * batches]
            yield part, np.int64(self.batch)
            self.batch += -(-len(part) // self.batch_size)
            start += len(part)
            batches = min(2 * batches, self.chunk)

    def __call__(self):
        bs = self.batch_size
        if self.steps is None:
            ready, self._ready = self._ready, None
            idx = ready[1] if ready is not None and ready[0] == self.epoch \
                else self.draw(self.epoch)
            self.epoch += 1
            stop = len(idx) - len(idx) % bs if self.drop_remainder else len(idx)
            yield from self._chunks(idx[:stop])
            if not _EXITING.is_set():  # draw the next epoch while this one is consumed
                self._ready = (self.epoch, self.draw(self.epoch))
            return
        # ``steps`` full batches per pass; batches may span the sampler's epochs, and the
        # next pass continues where this one stopped (the carry is kept between passes)
        need = self.steps * bs
        while need and not _EXITING.is_set():
            full = min(len(self._carry) // bs * bs, need)
            if not full:
                self._carry = np.concatenate([self._carry, self.draw(self.epoch)])
                self.epoch += 1
                continue
            part, self._carry = self._carry[:full], self._carry[full:]
            need -= full
            yield from self._chunks(part)

    def gather(self, x, labels, idx):
        """``(x[idx], labels[idx])`` with synthetic ids read from their pools."""
        n = len(self.y)
        synthetic = idx >= n
        xb = self.buffers.empty((len(idx),) + tuple(x.shape[1:]), x.dtype)
        if not synthetic.any():
            _take_rows(x, idx, xb)
            return xb, labels[idx]
        yb = np.empty((len(idx),) + labels.shape[1:], dtype=labels.dtype)
        real = ~synthetic
        if real.any():
            xb[real] = x[idx[real]] if not isinstance(x, np.ndarray) else np.take(x, idx[real], 0)
            yb[real] = labels[idx[real]]
        with self._lock:
            pools = sorted(self.pools.items())
        starts = np.array([p[0] for p in pools])
        where = np.flatnonzero(synthetic)
        owner = np.searchsorted(starts, idx[where], side="right") - 1
        for k in np.unique(owner):
            start, (xp, yp) = pools[k]
            sel = where[owner == k]
            xb[sel] = xp[idx[sel] - start]
            yb[sel] = yp[idx[sel] - start]
        return xb, yb


class _BufferPool:
    """64-byte aligned output buffers, recycled once TensorFlow has released them.

    TensorFlow adopts an aligned NumPy array returned by ``numpy_function``
    without copying it and drops its reference when the tensor dies; a buffer
    whose only references are the pool's is free again. Recycling avoids the
    page faults of fresh large allocations (twice as fast epochs of volumes
    when every buffer in flight is recycled). At most ``max_bytes`` are kept.
    """

    def __init__(self, max_bytes: int = 64 * 2**20, align: int = 64):
        self.max_bytes = max_bytes
        self.align = align
        self.buffers = []
        self.lock = threading.Lock()

    def empty(self, shape, dtype) -> np.ndarray:
        dtype = np.dtype(dtype)
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        raw = None
        with self.lock:
            for b in self.buffers:
                # references: the list, the loop variable, getrefcount's argument
                if len(b) == nbytes + self.align and sys.getrefcount(b) == 3:
                    raw = b
                    break
            if raw is None:
                raw = np.empty(nbytes + self.align, dtype=np.uint8)
                if sum(len(b) for b in self.buffers) + len(raw) <= self.max_bytes:
                    self.buffers.append(raw)
        offset = (-raw.ctypes.data) % self.align
        return raw[offset:offset + nbytes].view(dtype).reshape(shape)


def _take_rows(x, idx, out) -> None:
    """``out[:] = x[idx]`` without a temporary (row copies for large samples)."""
    if not isinstance(x, np.ndarray):  # FileSource, other array-likes
        out[...] = x[idx]
    elif x[:1].nbytes >= 16384:
        for k, i in enumerate(idx.tolist()):
            out[k] = x[i]
    else:
        # mode="clip": no bounds check (the stream checked every epoch's indices), and
        # with ``out`` the default mode="raise" buffers the whole copy (~3x slower)
        np.take(x, idx, axis=0, out=out, mode="clip")


def _pool_bytes(chunk_nbytes: int, data_nbytes: int) -> int:
    """Bytes of recycled gather buffers: 12 chunks (what a pipeline has in flight
    across an epoch boundary), at least 64 MiB, at most the data's own size."""
    return int(max(64 * 2**20, min(12 * chunk_nbytes, data_nbytes)))


def _chunk_batches(sample_nbytes: int, batch_size: int, files: bool) -> int:
    """Batches gathered per call: about 16 MiB per call, at most 64 batches."""
    if files:
        return 1  # one batch per call: files of a chunk would load serially
    return int(max(1, min(64, (16 * 2**20) // max(1, batch_size * sample_nbytes))))


def _epoch_size(sampler, y) -> int | None:
    """Samples per epoch (``None`` when it varies with the draw); validates ``y`` early."""
    return len(y) if sampler is None else sampler.epoch_size(y)


def _check_stages(augment):
    if augment is None:
        return []
    stages = list(augment) if isinstance(augment, (list, tuple)) else [augment]
    for s in stages:
        if not callable(s):
            raise TypeError(f"`augment` must be a callable (a Keras layer or a function of the "
                            f"batch) or a list of them; received {s!r}.")
    return stages


def _apply_stage(stage, x, seed):
    if getattr(stage, "stateless_augment", False):
        return stage.augment(x, seed)
    try:
        import keras

        if isinstance(stage, keras.layers.Layer):
            return stage(x, training=True)
    except ImportError:  # pragma: no cover
        pass
    return stage(x)


# -- make_dataset's stages ---------------------------------------------------

class _Inputs(NamedTuple):
    x: object          # ndarray, memmap or FileSource
    y: np.ndarray      # int64 labels or uint8 multi-hot
    files: bool
    multilabel: bool
    label_mode: str
    num_classes: int


def _resolve_inputs(x, y, loader, label_mode, num_classes, mixup_alpha) -> _Inputs:
    """Stage 1: check ``x`` and ``y`` and choose the label mode."""
    if loader is not None:
        if isinstance(x, FileSource):
            raise ValueError("`loader` is given twice: `x` is already a FileSource.")
        x = FileSource(x, loader)
    check_same_length(x, y)
    files = isinstance(x, FileSource)
    if not files and not isinstance(x, np.ndarray):
        x = np.asarray(x)
    if not files and x.dtype.kind not in "biuf":
        raise TypeError(f"`x` must be a numeric array (or file paths together with `loader`); "
                        f"received dtype {x.dtype} (first item {x.ravel()[:1].tolist()!r}).")
    y_arr = np.asarray(y)
    multilabel = y_arr.ndim == 2
    if label_mode is None:
        label_mode = "multi_hot" if multilabel else (
            "categorical" if mixup_alpha is not None else "sparse")
    if label_mode not in LABEL_MODES:
        raise ValueError(f"`label_mode` must be one of {LABEL_MODES}; received {label_mode!r}.")
    if multilabel:
        if label_mode != "multi_hot":
            raise ValueError(f"`label_mode`={label_mode!r} needs 1-D class labels; `y` has "
                             f"shape {y_arr.shape} (multi-hot: use label_mode='multi_hot').")
        y = check_multihot(y_arr)
        k = y.shape[1]
    else:
        if label_mode == "multi_hot":
            raise ValueError(f"`label_mode`='multi_hot' needs 2-D multi-hot `y`; received shape "
                             f"{y_arr.shape}.")
        y = check_labels(y_arr, num_classes=num_classes)
        if int(y.max()) > np.iinfo(np.int32).max:
            raise ValueError(f"`y` holds label {int(y.max())}, which does not fit the int32 "
                             f"labels of the pipeline; use class ids 0..K-1.")
        k = int(num_classes) if num_classes is not None else int(y.max()) + 1
    if mixup_alpha is not None and label_mode == "sparse":
        raise ValueError("`mixup_alpha` needs one-hot or multi-hot labels; received "
                         "label_mode='sparse' (use 'categorical').")
    return _Inputs(x, y, files, multilabel, label_mode, k)


def _resolve_sampler(sampler, inputs: _Inputs):
    """Stage 2: the sampler under the declared protocol, checked against the inputs."""
    sampler = as_sampler(sampler)
    if sampler is None:
        return None
    if inputs.files and sampler.needs_data:
        raise ValueError(f"`sampler`={sampler!r} needs the data in memory (it looks at or "
                         f"creates samples); it cannot stream a FileSource. Use an "
                         f"index-level sampler with files.")
    kind = "multi" if inputs.multilabel else "single"
    if kind not in sampler.targets:
        labels = {"single": "1-D class labels", "multi": "2-D multi-hot labels"}
        takes = " or ".join(labels[t] for t in sampler.targets)
        raise ValueError(f"`sampler`={sampler!r} takes {takes}; `y` holds {labels[kind]} "
                         f"(samplers for them: {', '.join(list_samplers(kind))}).")
    return sampler


def _index_batches(stream: _IndexStream) -> tf.data.Dataset:
    """Stage 3: the stream of ``(indices, batch_counter)`` chunks (a new generator per pass)."""
    return tf.data.Dataset.from_generator(
        stream, output_signature=(tf.TensorSpec(shape=(None,), dtype=tf.int64),
                                  tf.TensorSpec(shape=(), dtype=tf.int64)))


def _gather(ds, stream: _IndexStream, inputs: _Inputs, parallel,
            counters: bool) -> tf.data.Dataset:
    """Stage 4: gather each chunk from the original data; convert the labels.

    With ``counters`` every sample carries the number of its batch (the seed
    of that batch's augmentation).
    """
    x, label_mode, k = inputs.x, inputs.label_mode, inputs.num_classes
    y_src = inputs.y.astype(np.uint8) if inputs.multilabel else inputs.y.astype(np.int32)
    x_dtype = tf.as_dtype(x.dtype)
    sample_shape = tuple(x.shape[1:])

    def gather(idx, counter):
        xc, yc = tf.numpy_function(lambda i: stream.gather(x, y_src, i), [idx],
                                   [x_dtype, tf.as_dtype(y_src.dtype)], stateful=False)
        xc.set_shape((None,) + sample_shape)
        yc.set_shape((None,) + y_src.shape[1:])
        if label_mode == "categorical":
            yc = tf.one_hot(yc, k, dtype=tf.float32)
        elif label_mode == "multi_hot":
            yc = tf.cast(yc, tf.float32)
        if not counters:
            return xc, yc
        n = tf.shape(yc, out_type=tf.int64)[0]
        return xc, yc, counter + tf.range(n, dtype=tf.int64) // stream.batch_size

    return ds.map(gather, num_parallel_calls=parallel, deterministic=True)


def _split_batches(ds, batch_size: int, fixed: bool, counters: bool) -> tf.data.Dataset:
    """Stage 5: chunks of whole batches -> batches (``rebatch``, in C++).

    Chunks hold whole batches except the last one of an epoch, so rebatching
    never mixes two chunks into one batch. With ``counters`` each batch keeps
    the number carried by its first sample.
    """
    ds = ds.rebatch(batch_size, drop_remainder=fixed)
    if counters:
        ds = ds.map(lambda xb, yb, c: (xb, yb, c[0]))
    return ds


def _augment_and_mix(ds, stages, mixup_alpha, seed: int, parallel) -> tf.data.Dataset:
    """Stage 6: augmentation stages, then MixUp, with per-batch stateless seeds."""
    mixer = None
    if mixup_alpha is not None:
        from imbkeras.layers import MixUp  # the pipeline stage is the layer itself

        mixer = MixUp(alpha=mixup_alpha)
    aug_seeds = [child_seed(seed, "augment", i) for i in range(len(stages))]
    mix_seed = child_seed(seed, "mixup")

    def augment_and_mix(xb, yb, counter):
        for stage, s in zip(stages, aug_seeds):
            xb = _apply_stage(stage, xb, tf.stack([tf.constant(s, tf.int64), counter]))
        if mixer is not None:
            xb, yb = mixer.augment((xb, yb), tf.stack([tf.constant(mix_seed, tf.int64), counter]))
        return xb, yb

    return ds.map(augment_and_mix, num_parallel_calls=parallel, deterministic=True)


def _prefetch_batches(batch_nbytes: int) -> int:
    """Batches kept ready: about 32 MiB, 2 to 16 batches.

    A fixed buffer rather than ``AUTOTUNE``: an autotuned prefetch costs about
    30 ms at every iterator creation, i.e. at every epoch of ``model.fit``,
    which is most of an epoch of a small resampled set.
    """
    return int(max(2, min(16, (32 * 2**20) // max(1, batch_nbytes))))


def _finish(ds, n_batches: int | None, prefetch: int) -> tf.data.Dataset:
    """Stage 7: declare the cardinality and prefetch ``prefetch`` batches (0: none)."""
    if n_batches is not None:
        ds = ds.apply(tf.data.experimental.assert_cardinality(n_batches))
    ds = ds.prefetch(prefetch) if prefetch else ds
    _DATASETS.add(ds)
    return ds


def make_dataset(x, y, batch_size: int, sampler=None, shuffle: bool = True,
                 seed: int | None = 0,
                 *, num_classes: int | None = None, label_mode: str | None = None,
                 steps_per_epoch: int | None = None, drop_remainder: bool = False,
                 prefetch: bool = True, augment=None, mixup_alpha: float | None = None,
                 loader=None, num_parallel_calls: int | None = None) -> tf.data.Dataset:
    """A ``tf.data.Dataset`` of ``(x_batch, y_batch)`` resampled afresh each epoch.

    Each time the dataset is iterated (``model.fit`` does so once per epoch)
    the sampler draws new indices: an undersampler keeps different majority
    samples every epoch, an oversampler duplicates different minority samples,
    SMOTE creates new synthetic samples. Batches are gathered from ``x`` and
    ``y`` as they are (or loaded from files); the resampled set is never built
    in memory. Then each batch is augmented and mixed (MixUp).

    Args:
        x: array of samples, any rank (``(n, h, w, c)``, ``(n, d, h, w, c)``);
            a ``numpy.memmap`` is read lazily. Or a :class:`FileSource`, or a
            sequence of file paths together with ``loader``.
        y: 1-D integer labels, or 2-D multi-hot labels ``(n, n_labels)``.
        batch_size: samples per batch, >= 1.
        sampler: ``None`` (every sample once per epoch), an imbkeras sampler
            (:mod:`imbkeras.sampling`), or any imbalanced-learn sampler
            (index-selecting ones are gathered; synthetic samples, e.g.
            SMOTE's, are appended).
        shuffle: shuffle the indices of every epoch (samplers declaring
            ``keeps_order``, e.g. class-aware sampling, keep their order).
        seed: the one seed of the pipeline: it fixes every epoch's draw
            (epoch ``e`` uses ``epoch_rng(seed, e)``, the sampler's own
            ``seed`` is not read), the shuffles and the augmentations (named
            children of ``seed``); same seed, same batches. ``None`` draws
            fresh entropy (as NumPy and Keras do).
        num_classes: K; for ``label_mode="categorical"`` (default
            ``max(y) + 1``).
        label_mode: ``"sparse"`` (int32 labels), ``"categorical"`` (one-hot
            float32) or ``"multi_hot"`` (float32, 2-D ``y``). Default:
            ``"multi_hot"`` for 2-D ``y``, ``"categorical"`` with MixUp, else
            ``"sparse"``.
        steps_per_epoch: ``None`` for one pass over the resampled set per
            iteration; an int ``N`` for exactly ``N`` full batches per
            iteration, drawn from a continuous stream of resampled epochs
            (batches may span the sampler's epochs, and each iteration
            continues where the previous one stopped): an equal number of
            iterations per method whatever the sampler draws.
            ``model.fit(ds, epochs=E)`` then takes ``E * N`` steps, with or
            without ``fit``'s own ``steps_per_epoch=N``. For an endless
            stream ask for it by name: ``make_dataset(...).repeat()``.
        drop_remainder: drop the last partial batch of each epoch.
        prefetch: keep a few batches ready ahead of the consumer (about
            32 MiB, 2 to 16 batches).
        augment: a callable applied to each *batch* of inputs, or a list of
            them applied in order: imbkeras layers (``RandomGeometric2D``,
            ``RandomGeometric3D``, ``RandomRot90Flip``) get a per-batch seed;
            other Keras layers are called with ``training=True``.
        mixup_alpha: apply :class:`imbkeras.layers.MixUp` with this alpha
            after augmentation (needs one-hot or multi-hot labels).
        loader: ``loader(path) -> array``; makes ``x`` a sequence of file
            paths (a :class:`FileSource`).
        num_parallel_calls: parallelism of the maps (default AUTOTUNE).

    Returns:
        A ``tf.data.Dataset`` usable directly in ``model.fit``. Its
        cardinality is set when the epoch size is known.

    Raises:
        ValueError: if ``len(x) != len(y)``, labels are invalid (including
            multi-hot rows without a label), ``batch_size < 1``,
            ``label_mode`` is unknown or does not fit ``y``, MixUp is asked for
            sparse labels, or a data-aware sampler (SMOTE) is given files.
        TypeError: for a ``sampler`` that is no sampler, a non-callable
            ``augment`` or a bad ``seed``.

    A file of a :class:`FileSource` that fails to load is a ``ValueError``
    naming the file; raised while TensorFlow iterates the dataset (inside
    ``model.fit``), it reaches the caller as ``tf.errors.InvalidArgumentError``
    whose message holds that ``ValueError``.

    Examples:
        >>> import numpy as np
        >>> from imbkeras.sampling import RandomOverSampler
        >>> x = np.zeros((10, 4, 4, 1), "float32"); y = np.array([0] * 8 + [1] * 2)
        >>> ds = make_dataset(x, y, batch_size=4, sampler=RandomOverSampler(seed=0))
        >>> sorted(np.concatenate([b.numpy() for _, b in ds]).tolist()).count(1)
        8

    Reference:
        Gryshkevych (2016) (augmentation, per-epoch undersampling), Al-joudi
        et al. (2023) (hybrid sampling, rot90/flips), Luo et al. (2019)
        (mixup, 3D), Buda et al. (2018) (per-epoch ROS/RUS).
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    seed = resolve_seed(seed)
    if steps_per_epoch is not None:
        steps_per_epoch = check_positive_int(steps_per_epoch, "steps_per_epoch")
    inputs = _resolve_inputs(x, y, loader, label_mode, num_classes, mixup_alpha)
    stages = _check_stages(augment)
    sampler = _resolve_sampler(sampler, inputs)

    fixed = drop_remainder or steps_per_epoch is not None
    n = _epoch_size(sampler, inputs.y)
    n_batches = None if n is None else (n // batch_size if drop_remainder
                                        else math.ceil(n / batch_size))
    if steps_per_epoch is not None:
        n_batches = steps_per_epoch
    if n == 0 or n_batches == 0:
        raise ValueError(f"an epoch would be empty: {len(inputs.y)} samples"
                         + ("" if sampler is None else f" ({sampler!r} draws {n})")
                         + f" with batch_size={batch_size} and drop_remainder=True; lower "
                           f"batch_size or keep the partial batch.")
    x = inputs.x
    sample_shape = tuple(x.shape[1:])
    sample_nbytes = int(np.prod(sample_shape, dtype=np.int64)) * x.dtype.itemsize
    chunk = _chunk_batches(sample_nbytes, batch_size, inputs.files)
    stream = _IndexStream(inputs.y, sampler, batch_size, shuffle, seed, steps_per_epoch, fixed,
                          x=None if inputs.files else x, chunk=chunk,
                          pool_bytes=_pool_bytes(chunk * batch_size * sample_nbytes,
                                                 len(x) * sample_nbytes))
    parallel = tf.data.AUTOTUNE if num_parallel_calls is None else num_parallel_calls
    transform = bool(stages) or mixup_alpha is not None

    ds = _index_batches(stream)
    ds = _gather(ds, stream, inputs, parallel, counters=transform)
    ds = _split_batches(ds, batch_size, fixed, counters=transform)
    if transform:
        ds = _augment_and_mix(ds, stages, mixup_alpha, seed, parallel)
    batch_nbytes = batch_size * int(np.prod(sample_shape, dtype=np.int64)) * x.dtype.itemsize
    return _finish(ds, n_batches, _prefetch_batches(batch_nbytes) if prefetch else 0)
