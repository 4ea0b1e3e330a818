"""make_dataset: new samplers, synthetic samples, files, label modes, augment, mixup, model.fit."""

import os
from pathlib import Path

import keras
import numpy as np
import pytest
from imblearn.over_sampling import SMOTE as ImbSMOTE
from imblearn.under_sampling import NearMiss

from imbkeras.layers import RandomGeometric2D, RandomGeometric3D, RandomRot90Flip
from imbkeras.pipeline import FileSource, make_dataset
from imbkeras.sampling import as_sampler
from imbkeras.sampling import (SMOTE, ClassAwareSampler, EpochUndersampler, HybridSampler,
                               MultilabelHybridSampler, RandomOverSampler)

Y = np.repeat([0, 1, 2], [24, 8, 6])
# every sample carries its own index (in all pixels), so batches reveal what was gathered
X = np.arange(len(Y), dtype=np.float32)[:, None, None, None] * np.ones((1, 8, 8, 1), np.float32)


def epoch(ds):
    xs, ys = zip(*[(a.numpy(), b.numpy()) for a, b in ds])
    return np.concatenate(xs), np.concatenate(ys)


def multilabel(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, 4)) < [0.7, 0.3, 0.1, 0.05]).astype(np.uint8)
    y[y.sum(1) == 0, 0] = 1
    return y


def test_epoch_undersampler_streams_fresh_epochs_keeping_minority():
    ds = make_dataset(X, Y, 8, sampler=EpochUndersampler(0.25, seed=0), seed=1)
    assert int(ds.cardinality()) == 4  # 18 + 8 + 6 = 32 samples
    seen = []
    for _ in range(3):
        xb, yb = epoch(ds)
        ids = xb[:, 0, 0, 0].astype(int)
        assert np.bincount(yb).tolist() == [18, 8, 6]
        assert set(np.flatnonzero(Y > 0)) <= set(ids.tolist())
        seen.append(frozenset(ids.tolist()))
    assert len(set(seen)) == 3


def test_class_aware_order_is_kept_so_batches_are_uniform():
    ds = make_dataset(X, Y, 6, sampler=ClassAwareSampler(num_samples=36, seed=0), seed=0)
    assert int(ds.cardinality()) == 6
    for _, yb in ds:
        assert np.bincount(yb.numpy(), minlength=3).tolist() == [2, 2, 2]


def test_hybrid_sampler_in_pipeline():
    _, yb = epoch(make_dataset(X, Y, 5, sampler=HybridSampler("median", seed=0)))
    assert np.bincount(yb).tolist() == [8, 8, 8]


def test_smote_samples_are_appended_fresh_each_epoch():
    ds = make_dataset(X, Y, 10, sampler=SMOTE(k_neighbors=3, seed=0), seed=0)
    assert int(ds.cardinality()) == 8  # 72 samples
    (x1, y1), (x2, y2) = epoch(ds), epoch(ds)
    assert np.bincount(y1).tolist() == np.bincount(y2).tolist() == [24, 24, 24]
    ids1 = x1[:, 0, 0, 0]
    real = np.isin(ids1, np.arange(len(Y)))
    assert real.sum() >= len(Y) and set(ids1[real].astype(int)) == set(range(len(Y)))
    syn1, syn2 = np.sort(ids1[~real]), np.sort(x2[:, 0, 0, 0][~np.isin(x2[:, 0, 0, 0],
                                                                        np.arange(len(Y)))])
    assert len(syn1) and not np.allclose(syn1, syn2)
    # synthetic minority samples interpolate between their class's samples (ids 24..31 / 32..37)
    assert np.all((x1[y1 == 1, 0, 0, 0] >= 24) & (x1[y1 == 1, 0, 0, 0] <= 31))


def test_imblearn_smote_and_steps_per_epoch_mode_span_epochs():
    ds = make_dataset(X, Y, 16, sampler=ImbSMOTE(k_neighbors=3), steps_per_epoch=3, seed=0)
    batches = [b for _, b in ds.repeat().take(12)]  # 192 samples: more than two epochs of 72
    assert all(len(b) == 16 for b in batches)
    counts = np.bincount(np.concatenate([b.numpy() for b in batches]), minlength=3)
    assert counts.min() > 50


def test_data_dependent_imblearn_sampler_sees_the_data():
    x = np.random.default_rng(0).random((len(Y), 4, 4, 1)).astype(np.float32)
    _, yb = epoch(make_dataset(x, Y, 6, sampler=NearMiss()))
    assert np.bincount(yb).tolist() == [6, 6, 6]
    rng = np.random.default_rng(0)
    idx, x_new, _ = as_sampler(NearMiss()).resample(x, Y, rng)
    assert len(idx) == 18 and not len(x_new)
    with pytest.raises(TypeError, match="needs the data"):
        as_sampler(NearMiss()).resample_indices(Y, rng)
    idx, x_new, y_new = as_sampler(ImbSMOTE(k_neighbors=3)).resample(x, Y, rng)
    assert len(idx) == len(Y) + len(y_new) and len(x_new) == len(y_new) > 0


def test_multi_hot_labels_with_multilabel_samplers():
    y = multilabel()
    x = np.random.default_rng(0).random((len(y), 8, 8, 1)).astype(np.float32)
    ds = make_dataset(x, y, 8, sampler=MultilabelHybridSampler(seed=0), seed=0)
    _, yb = epoch(ds)
    assert yb.dtype == np.float32 and yb.shape[1] == 4
    before = y.sum(0)
    after = yb.sum(0)
    assert after.max() / after.min() < before.max() / before.min()
    ds = make_dataset(x, y, 8, sampler=ClassAwareSampler(seed=0))
    assert int(ds.cardinality()) == 5
    with pytest.raises(ValueError, match="1-D"):
        make_dataset(x, y, 8, sampler=RandomOverSampler())
    with pytest.raises(ValueError, match="multi_hot"):
        make_dataset(x, y, 8, label_mode="sparse")
    with pytest.raises(ValueError, match="multi_hot"):
        make_dataset(X, Y, 8, label_mode="multi_hot")
    bad = y.copy()
    bad[3] = 0
    with pytest.raises(ValueError, match="row 3"):
        make_dataset(x, bad, 8)


def test_augment_and_mixup_are_deterministic_for_a_seed_and_vary_across_epochs():
    kw = dict(batch_size=8, sampler=RandomOverSampler(seed=0),
              augment=[RandomGeometric2D(rotation_range=90, width_shift_range=0.2),
                       RandomRot90Flip(), keras.layers.Rescaling(2.0)],
              mixup_alpha=0.4, seed=3, num_parallel_calls=4)
    a, b = make_dataset(X, Y, **kw), make_dataset(X, Y, **kw)
    (xa1, ya1), (xa2, _) = epoch(a), epoch(a)
    (xb1, yb1), _ = epoch(b), epoch(b)
    np.testing.assert_array_equal(xa1, xb1)
    np.testing.assert_array_equal(ya1, yb1)
    assert xa1.shape != xa2.shape or not np.allclose(xa1, xa2)
    assert ya1.shape == (72, 3) and np.allclose(ya1.sum(1), 1, atol=1e-5)
    assert not np.allclose(ya1, np.round(ya1))  # labels were mixed


def test_mixup_needs_dense_labels_and_augment_must_be_callable():
    with pytest.raises(ValueError, match="mixup_alpha"):
        make_dataset(X, Y, 4, mixup_alpha=0.2, label_mode="sparse")
    _, yb = next(iter(make_dataset(X, Y, 4, mixup_alpha=0.2)))
    assert yb.shape == (4, 3)  # categorical inferred
    with pytest.raises(TypeError, match="augment"):
        make_dataset(X, Y, 4, augment="flip")


def _write_files(tmp_path, n=12, bad=None):
    paths = []
    for i in range(n):
        p = os.path.join(tmp_path, f"s{i:02d}.npy")
        if i == bad:
            with open(p, "wb") as f:
                f.write(b"not an npy file")
        else:
            np.save(p, np.full((8, 8, 1), i, np.float32))
        paths.append(p)
    return paths


def test_file_backed_source_streams_with_sampler(tmp_path):
    paths = _write_files(str(tmp_path))
    y = np.array([0] * 9 + [1] * 3)
    ds = make_dataset(paths, y, 4, sampler=RandomOverSampler(seed=0), loader=np.load, seed=0)
    xb, yb = epoch(ds)
    assert np.bincount(yb).tolist() == [9, 9]
    np.testing.assert_array_equal(y[xb[:, 0, 0, 0].astype(int)], yb)
    src = FileSource(paths, np.load)
    assert src.shape == (12, 8, 8, 1) and src.dtype == np.float32
    xb, _ = epoch(make_dataset(src, y, 5, shuffle=False))
    np.testing.assert_array_equal(xb[:, 0, 0, 0], np.arange(12))


def test_file_backed_loader_failure_names_the_file(tmp_path):
    paths = _write_files(str(tmp_path), bad=7)
    y = np.array([0] * 9 + [1] * 3)
    ds = make_dataset(paths, y, 4, loader=np.load, shuffle=False)
    with pytest.raises(Exception, match=r"loader.*failed on file .*s07\.npy"):
        epoch(ds)
    with pytest.raises(ValueError, match=r"s07\.npy"):
        FileSource(paths, np.load)[np.array([7])]
    np.save(paths[7], np.zeros((4, 4, 1), np.float32))
    with pytest.raises(ValueError, match=r"shape \(4, 4, 1\) for file .*s07\.npy"):
        FileSource(paths, np.load)[np.array([7])]


def test_file_backed_bad_arguments(tmp_path):
    paths = _write_files(str(tmp_path), n=6)
    y = np.array([0, 0, 0, 0, 1, 1])
    with pytest.raises(ValueError, match="needs the data in memory"):
        make_dataset(paths, y, 2, sampler=SMOTE(k_neighbors=1), loader=np.load)
    with pytest.raises(TypeError, match="loader"):
        FileSource(paths, "np.load")
    with pytest.raises(ValueError, match="empty"):
        FileSource([], np.load)
    with pytest.raises(TypeError, match="paths"):
        FileSource(paths[0], np.load)


def test_feeds_model_fit_2d_with_augmentation_and_mixup():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3),
                              keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy")
    ds = make_dataset(X / 40.0, Y, 16, sampler=RandomOverSampler(seed=0),
                      augment=RandomGeometric2D(rotation_range=180, horizontal_flip=True),
                      mixup_alpha=0.2)
    hist = model.fit(ds, epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()


def test_feeds_model_fit_3d():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((12, 8, 8, 8, 1)).astype(np.float32)
    y = np.array([0] * 9 + [1] * 3)
    model = keras.Sequential([keras.Input((8, 8, 8, 1)), keras.layers.Conv3D(2, 3),
                              keras.layers.GlobalAveragePooling3D(),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    ds = make_dataset(x, y, 6, sampler=RandomOverSampler(seed=0),
                      augment=RandomGeometric3D(rot90=True, rotation_range=15, seed=0))
    hist = model.fit(ds, epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()


def test_feeds_model_fit_multilabel():
    keras.utils.set_random_seed(0)
    y = multilabel(24)
    x = np.random.default_rng(1).random((24, 8, 8, 4)).astype(np.float32)
    model = keras.Sequential([keras.Input((8, 8, 4)), keras.layers.Flatten(),
                              keras.layers.Dense(4, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy")
    ds = make_dataset(x, y, 8, sampler=MultilabelHybridSampler(seed=0),
                      augment=RandomRot90Flip(ndim=2), mixup_alpha=0.2)
    hist = model.fit(ds, epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()


def test_recycled_gather_buffers_never_overwrite_live_batches():
    # 16 KiB samples take the row-copy path; buffers are recycled once released
    n = 300
    y = np.repeat([0, 1, 2], [200, 70, 30])
    x = np.arange(n, dtype=np.float32)[:, None, None, None] * np.ones((1, 8, 8, 64), np.float32)
    ds = make_dataset(x, y, 16, sampler=RandomOverSampler(seed=0), seed=0, num_parallel_calls=4)
    kept = []
    for e in range(3):
        for k, (xb, yb) in enumerate(ds):
            ids = xb.numpy()[:, 0, 0, 0].astype(int)
            np.testing.assert_array_equal(y[ids], yb.numpy())
            assert (xb.numpy() == ids[:, None, None, None]).all()
            if k % 3 == 0:
                kept.append((ids, xb))
    for ids, xb in kept:  # batches held by the caller are untouched
        assert (xb.numpy() == ids[:, None, None, None]).all()


def test_paths_without_loader_are_rejected():
    with pytest.raises(TypeError, match="loader"):
        make_dataset(["a.npy", "b.npy"], [0, 1], 2)


def test_a_process_holding_an_endless_stream_exits_promptly(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "endless.py"
    script.write_text(
        "import numpy as np\n"
        "from imbkeras.pipeline import make_dataset\n"
        "from imbkeras.sampling import RandomOverSampler\n"
        "x = np.random.rand(300, 28, 28, 1).astype('float32')\n"
        "y = np.repeat(np.arange(3), [240, 40, 20])\n"
        "ds = make_dataset(x, y, 32, sampler=RandomOverSampler(seed=0), steps_per_epoch=5).repeat()\n"
        "it = iter(ds); next(it)\n"  # a live iterator whose prefetch buffer is full
        "finite = iter(make_dataset(x, y, 32)); next(finite)\n"
        "print('ok', flush=True)\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, env=env)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]
