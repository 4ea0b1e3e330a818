import keras
import numpy as np
import pytest
from imblearn.under_sampling import RandomUnderSampler as ImbRUS

from imbkeras.pipeline import make_dataset
from imbkeras.sampling import RandomOverSampler, RandomUnderSampler

Y = np.repeat([0, 1, 2], [40, 8, 4])
X = np.arange(len(Y), dtype=np.float32)[:, None, None, None] * np.ones((1, 6, 6, 1), np.float32)


def epoch(ds):
    xs, ys = zip(*[(a.numpy(), b.numpy()) for a, b in ds])
    return np.concatenate(xs), np.concatenate(ys)


def test_ros_epoch_is_balanced_and_gathered_from_original():
    ds = make_dataset(X, Y, batch_size=16, sampler=RandomOverSampler(seed=0), seed=0)
    xb, yb = epoch(ds)
    assert np.bincount(yb).tolist() == [40, 40, 40]
    ids = xb[:, 0, 0, 0].astype(int)  # each sample carries its own index
    np.testing.assert_array_equal(Y[ids], yb)
    assert set(ids) == set(range(len(Y)))


def test_rus_epochs_differ_and_stay_balanced():
    ds = make_dataset(X, Y, batch_size=5, sampler=RandomUnderSampler(seed=0), seed=0)
    (x1, y1), (x2, y2) = epoch(ds), epoch(ds)
    assert np.bincount(y1).tolist() == np.bincount(y2).tolist() == [4, 4, 4]
    maj1 = set(x1[y1 == 0, 0, 0, 0].tolist())
    maj2 = set(x2[y2 == 0, 0, 0, 0].tolist())
    assert maj1 != maj2


def test_same_seed_same_batches():
    a = make_dataset(X, Y, 8, sampler=RandomUnderSampler(), seed=5)
    b = make_dataset(X, Y, 8, sampler=RandomUnderSampler(), seed=5)
    for _ in range(2):
        np.testing.assert_array_equal(epoch(a)[0], epoch(b)[0])


def test_no_sampler_visits_every_sample_once():
    xb, yb = epoch(make_dataset(X, Y, 7, shuffle=False))
    np.testing.assert_array_equal(xb[:, 0, 0, 0], np.arange(len(Y)))
    np.testing.assert_array_equal(yb, Y)


def test_categorical_labels_and_cardinality():
    ds = make_dataset(X, Y, 10, label_mode="categorical", num_classes=4)
    assert int(ds.cardinality()) == 6
    _, yb = epoch(ds)
    assert yb.shape == (len(Y), 4) and np.all(yb.sum(axis=1) == 1)


def test_steps_per_epoch_stream_full_batches_and_fresh_draws():
    ds = make_dataset(X, Y, 6, sampler=RandomUnderSampler(), steps_per_epoch=2, seed=0)
    assert int(ds.cardinality()) == 2
    batches = [b.numpy() for b, _ in ds.repeat().take(8)]  # endless when asked by name
    assert all(len(b) == 6 for b in batches)
    flat = np.concatenate(batches)[:, 0, 0, 0]
    assert len(set(flat[:12].tolist()) ^ set(flat[12:24].tolist())) > 0


def test_steps_per_epoch_is_finite_and_passes_continue_the_stream():
    """Each pass gives exactly N batches; the passes together are the continuous stream."""
    kw = dict(batch_size=5, sampler=RandomOverSampler(seed=0), seed=3)
    ds = make_dataset(X, Y, steps_per_epoch=3, **kw)
    passes = [[b.numpy() for b, _ in ds] for _ in range(3)]
    assert [len(p) for p in passes] == [3, 3, 3]
    endless = make_dataset(X, Y, steps_per_epoch=9, **kw)
    assert np.array_equal(np.concatenate([np.concatenate(p) for p in passes]),
                          np.concatenate([b.numpy() for b, _ in endless]))


@pytest.mark.parametrize("fit_steps", [None, 5])
def test_fit_on_steps_per_epoch_returns_after_epochs_times_steps(fit_steps):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    steps = []
    count = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: steps.append(b))
    ds = make_dataset(X / 50.0, Y, 4, sampler=RandomOverSampler(seed=0), steps_per_epoch=5)
    hist = model.fit(ds, epochs=2, steps_per_epoch=fit_steps, verbose=0, callbacks=[count])
    assert len(steps) == 10 and len(hist.history["loss"]) == 2


def test_imblearn_sampler_by_duck_typing():
    ds = make_dataset(X, Y, 6, sampler=ImbRUS(random_state=0), seed=0)
    _, yb = epoch(ds)
    assert np.bincount(yb).tolist() == [4, 4, 4]


def test_feeds_model_fit_over_several_epochs():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    ds = make_dataset(X / 50.0, Y, 8, sampler=RandomOverSampler(seed=0))
    hist = model.fit(ds, epochs=3, verbose=0)
    assert len(hist.history["loss"]) == 3
    ds2 = make_dataset(X / 50.0, Y, 8, sampler=RandomOverSampler(seed=0), steps_per_epoch=4)
    hist = model.fit(ds2, epochs=2, steps_per_epoch=4, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()


@pytest.mark.parametrize("kwargs,match", [
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 4, "label_mode": "onehot"}, "label_mode"),
    ({"batch_size": 4, "steps_per_epoch": 0}, "steps_per_epoch"),
    ({"batch_size": 4, "num_classes": 2}, "num_classes=2"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_dataset(X, Y, **kwargs)


def test_steps_per_epoch_float_is_rejected():
    with pytest.raises((TypeError, ValueError), match="steps_per_epoch"):
        make_dataset(X, Y, 4, steps_per_epoch=2.5)


def test_length_mismatch():
    with pytest.raises(ValueError, match="same length"):
        make_dataset(X[:5], Y, 4)


def test_sampler_without_indices_rejected():
    with pytest.raises(TypeError, match="sampler"):
        make_dataset(X, Y, 4, sampler=object())
