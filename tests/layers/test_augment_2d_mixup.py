"""RandomGeometric2D, RandomRot90Flip (2D) and MixUp."""

import numpy as np
import pytest
import scipy.ndimage as ndi
import tensorflow as tf

from imbkeras.layers import MixUp, RandomGeometric2D, RandomRot90Flip, rot90_flip_ops

RNG = np.random.default_rng(0)
IMGS = RNG.random((6, 8, 8, 2)).astype(np.float32)


def test_flips_are_exact():
    out = RandomGeometric2D(horizontal_flip=True, seed=0)(IMGS).numpy()
    kinds = []
    for a, b in zip(IMGS, out):
        if np.array_equal(a, b):
            kinds.append("same")
        else:
            np.testing.assert_allclose(b, a[:, ::-1], atol=1e-6)
            kinds.append("flipped")
    assert set(kinds) == {"same", "flipped"}
    out = RandomGeometric2D(vertical_flip=True, seed=1)(IMGS).numpy()
    for a, b in zip(IMGS, out):
        assert np.allclose(b, a, atol=1e-6) or np.allclose(b, a[::-1], atol=1e-6)


def test_rotation_matches_scipy_and_90_degrees_matches_rot90():
    img = ndi.gaussian_filter(RNG.random((16, 16)), 1.5).astype(np.float32)
    out = RandomGeometric2D(rotation_range=(30, 30), fill_mode="constant", seed=0)(
        img[None, ..., None]).numpy()[0, ..., 0]
    ref = ndi.rotate(img, 30, reshape=False, order=1, mode="grid-constant")
    np.testing.assert_allclose(out, ref, atol=1e-5)
    for interpolation in ("nearest", "bilinear", "bicubic"):
        out = RandomGeometric2D(rotation_range=(90, 90), interpolation=interpolation)(
            IMGS).numpy()
        np.testing.assert_allclose(out, np.rot90(IMGS, 1, axes=(1, 2)), atol=1e-4)


def test_shift_moves_content_by_the_fraction():
    img = np.zeros((1, 10, 10, 1), np.float32)
    img[0, 4, 4, 0] = 1
    out = RandomGeometric2D(width_shift_range=(0.2, 0.2), height_shift_range=(-0.1, -0.1),
                            fill_mode="constant", interpolation="nearest")(img).numpy()
    # the sampling grid moves by (+2 cols, -1 row): content moves the other way
    assert np.argwhere(out[0, ..., 0] > 0.5).tolist() == [[5, 2]]


def test_zoom_below_one_magnifies_content():
    img = np.zeros((1, 9, 9, 1), np.float32)
    img[0, 4, 6, 0] = 1  # two pixels right of the centre
    out = RandomGeometric2D(zoom_range=(0.5, 0.5), fill_mode="constant",
                            interpolation="nearest")(img).numpy()[0, ..., 0]
    assert out[4, 8] == 1 and out[4, 6] == 0


def test_full_gryshkevych_set_is_seeded_and_in_range():
    layer = RandomGeometric2D(rotation_range=180, shear_range=11.5, width_shift_range=0.1,
                              height_shift_range=0.1, zoom_range=(0.8, 1.0),
                              horizontal_flip=True, vertical_flip=True, seed=0)
    a = layer.augment(IMGS, tf.constant([3, 4])).numpy()
    b = layer.augment(IMGS, tf.constant([3, 4])).numpy()
    c = layer.augment(IMGS, tf.constant([3, 5])).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert a.min() >= IMGS.min() - 1e-6 and a.max() <= IMGS.max() + 1e-6
    # calls advance the seed generator: two calls differ, same seed same sequence
    l1 = RandomGeometric2D(rotation_range=45, seed=7)
    l2 = RandomGeometric2D(rotation_range=45, seed=7)
    x1, x2 = l1(IMGS).numpy(), l1(IMGS).numpy()
    assert not np.allclose(x1, x2)
    np.testing.assert_array_equal(l2(IMGS).numpy(), x1)
    single = layer(IMGS[0]).numpy()
    assert single.shape == IMGS[0].shape
    np.testing.assert_array_equal(layer(IMGS, training=False).numpy(), IMGS)


def test_works_inside_tf_data_map_and_on_uint8():
    layer = RandomGeometric2D(rotation_range=20, seed=0)
    ds = tf.data.Dataset.from_tensor_slices((IMGS * 255).astype(np.uint8)).batch(3)
    ds = ds.map(lambda b: layer(b), num_parallel_calls=2)
    out = [b.numpy() for b in ds]
    assert [o.shape for o in out] == [(3, 8, 8, 2)] * 2 and out[0].dtype == np.float32


@pytest.mark.parametrize("kwargs,match", [
    ({"rotation_range": -10}, "rotation_range"),
    ({"rotation_range": (30, 10)}, "rotation_range"),
    ({"rotation_range": "180"}, "rotation_range"),
    ({"rotation_range": (0, 90, 180)}, "rotation_range"),
    ({"rotation_range": float("inf")}, "rotation_range"),
    ({"shear_range": (None, 1)}, "shear_range"),
    ({"zoom_range": 1.2}, "zoom_range"),
    ({"zoom_range": (-0.5, 1.0)}, "zoom_range"),
    ({"zoom_range": (1.2, 0.8)}, "zoom_range"),
    ({"zoom_range": [0.8]}, "zoom_range"),
    ({"width_shift_range": 1.0}, "width_shift_range"),
    ({"height_shift_range": (-1.5, 0.2)}, "height_shift_range"),
    ({"fill_mode": "mirror"}, "fill_mode"),
    ({"fill_value": "black"}, "fill_value"),
    ({"interpolation": "spline5"}, "interpolation"),
    ({"interpolation": "trilinear"}, "interpolation"),
])
def test_bad_ranges_and_modes_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RandomGeometric2D(**kwargs)


@pytest.mark.parametrize("layer", [RandomGeometric2D(rotation_range=10),
                                   RandomRot90Flip(ndim=2)])
def test_2d_layers_reject_volumes(layer):
    with pytest.raises(ValueError, match=r"2D images.*received shape \(2, 8, 8, 8, 1\)"):
        layer(np.zeros((2, 8, 8, 8, 1), np.float32))


def test_rot90_flip_2d_one_of_six_and_all_appear():
    names, perms = rot90_flip_ops((8, 8))
    assert len(perms) == 6
    x = RNG.random((64, 8, 8, 1)).astype(np.float32)
    out = RandomRot90Flip(seed=0)(x).numpy()
    used = set()
    for a, b in zip(x, out):
        hits = [k for k, p in enumerate(perms) if np.array_equal(a.ravel()[p], b.ravel())]
        assert len(hits) == 1
        used.add(hits[0])
    assert used == set(range(6))
    np.testing.assert_array_equal(perms[names.index("rot90(k=1, axes=(0, 1))")],
                                  np.rot90(np.arange(64).reshape(8, 8)).ravel())
    rect = RandomRot90Flip(include_identity=False, seed=0)(np.ones((3, 4, 6, 1))).shape
    assert rect == (3, 4, 6, 1)


@pytest.mark.parametrize("shape", [(8, 6, 6, 1), (8, 4, 4, 4, 1)])
def test_mixup_mixes_labels_with_the_same_lambda(shape):
    # sample i is the constant i and its one-hot label is e_i: after mixing,
    # x' = lam x_i + (1 - lam) x_j must equal sum_k k y'_k
    n = shape[0]
    x = np.arange(n, dtype=np.float32).reshape((n,) + (1,) * (len(shape) - 1)) * np.ones(shape)
    y = np.eye(n, dtype=np.float32)
    xm, ym = MixUp(alpha=0.4, seed=0)((x, y))
    xm, ym = xm.numpy(), ym.numpy()
    np.testing.assert_allclose(xm.reshape(n, -1).mean(1), ym @ np.arange(n), atol=1e-5)
    np.testing.assert_allclose(ym.sum(1), 1, atol=1e-6)
    assert not np.allclose(ym, y)  # something was mixed
    assert (np.count_nonzero(ym > 1e-6, axis=1) <= 2).all()


def test_mixup_multi_hot_and_lambda_distribution():
    y = (RNG.random((256, 5)) < 0.4).astype(np.float32)
    x = y.copy()  # inputs equal to labels: the same lambda keeps them equal
    xm, ym = MixUp(alpha=0.2, seed=1).augment((x, y), tf.constant([0, 1]))
    np.testing.assert_allclose(xm.numpy(), ym.numpy(), atol=1e-6)
    lam = MixUp(alpha=0.2)
    from imbkeras.layers._mixup import sample_beta
    draws = sample_beta(tf.constant([1, 2]), [4000], 0.2).numpy()
    assert abs(draws.mean() - 0.5) < 0.03 and ((draws < 0.1) | (draws > 0.9)).mean() > 0.5
    assert lam.alpha == 0.2


def test_mixup_bad_input():
    x = np.zeros((4, 3, 3, 1), np.float32)
    with pytest.raises(ValueError, match="one-hot or multi-hot"):
        MixUp()((x, np.array([0, 1, 2, 1])))
    with pytest.raises(ValueError, match="pair"):
        MixUp()(x)
    with pytest.raises(ValueError, match="same batch size"):
        MixUp()((x, np.eye(3, dtype=np.float32)))
    for bad in (0, -1, float("nan"), "0.2"):
        with pytest.raises(ValueError, match="alpha"):
            MixUp(alpha=bad)
    xm, ym = MixUp()((x, np.eye(4, dtype=np.float32)), training=False)
    np.testing.assert_array_equal(ym, np.eye(4))
