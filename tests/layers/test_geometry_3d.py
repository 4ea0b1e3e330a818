"""affine_transform against scipy.ndimage; RandomGeometric3D and RandomRot90Flip in 3D."""

import numpy as np
import pytest
import scipy.ndimage as ndi

from imbkeras.layers import (RandomGeometric3D, RandomRot90Flip, affine_transform,
                             cube_rotations, rot90_flip_ops, rotation_matrix)

RNG = np.random.default_rng(0)
SMOOTH = ndi.gaussian_filter(RNG.random((8, 8, 8)), 1.2).astype(np.float32)


def _random_map(ndim):
    a = np.eye(ndim) + RNG.uniform(-0.2, 0.2, (ndim, ndim))
    t = RNG.uniform(-1.3, 1.3, ndim)
    return a.astype(np.float32), t.astype(np.float32)


@pytest.mark.parametrize("ndim", [2, 3])
@pytest.mark.parametrize("mode,scipy_mode", [("constant", "grid-constant"), ("nearest", "nearest"),
                                             ("reflect", "reflect"), ("wrap", "grid-wrap")])
def test_affine_transform_linear_matches_scipy(ndim, mode, scipy_mode):
    img = RNG.random((7,) * ndim).astype(np.float32)
    a, t = _random_map(ndim)
    ref = ndi.affine_transform(img, a, offset=t, order=1, mode=scipy_mode, cval=0.25)
    m = np.concatenate([a, t[:, None]], axis=1)
    out = affine_transform(img[None, ..., None], m, "linear", mode, 0.25).numpy()[0, ..., 0]
    np.testing.assert_allclose(out, ref, atol=1e-5)


def test_affine_transform_cubic_close_to_scipy_spline_and_exact_on_ramps():
    img = ndi.gaussian_filter(RNG.random((16, 16)), 2).astype(np.float32)
    r = rotation_matrix((1, 0, 0), 20)[1:, 1:]
    t = 7.5 - r @ np.array([7.5, 7.5])
    m = np.concatenate([r, t[:, None]], 1)
    ref = ndi.affine_transform(img, r, offset=t, order=3, mode="nearest")
    out = affine_transform(img[None, ..., None], m, "bicubic", "nearest").numpy()[0, ..., 0]
    np.testing.assert_allclose(out[3:-3, 3:-3], ref[3:-3, 3:-3], atol=3e-3)
    ramp = np.add.outer(np.arange(10.0), 2 * np.arange(10.0)).astype(np.float32)
    shift = np.array([[1, 0, 0.3], [0, 1, -0.6]], np.float32)
    out = affine_transform(ramp[None, ..., None], shift, "cubic").numpy()[0, 2:-2, 2:-2, 0]
    np.testing.assert_allclose(out, ramp[2:-2, 2:-2] + 0.3 - 1.2, atol=1e-4)


def test_affine_transform_bad_input():
    with pytest.raises(ValueError, match="matrices"):
        affine_transform(np.zeros((1, 4, 4, 4, 1)), np.eye(2, 3))
    with pytest.raises(ValueError, match="images"):
        affine_transform(np.zeros((4, 4)), np.eye(2, 3))
    with pytest.raises(ValueError, match="fill_mode"):
        affine_transform(np.zeros((1, 4, 4, 1)), np.eye(2, 3), fill_mode="mirror")


@pytest.mark.parametrize("axis", ["d", "h", "w"])
def test_rot90_four_times_is_identity(axis):
    layer = RandomGeometric3D(rotation_range=(90, 90), rotation_axis=axis, seed=0)
    vol = RNG.random((2, 8, 8, 8, 1)).astype(np.float32)
    out = vol
    for k in range(4):
        out = layer(out).numpy()
        if k < 3:
            assert not np.allclose(out, vol, atol=1e-3)
    np.testing.assert_allclose(out, vol, atol=1e-5)


@pytest.mark.parametrize("axis,angle", [("d", 90), ("h", 90), ("w", -90), ("d", 180),
                                        ((1, 1, 1), 120)])
def test_rotated_one_hot_voxel_lands_where_expected(axis, angle):
    vol = np.zeros((1, 8, 8, 8, 1), np.float32)
    q = np.array([1, 2, 6])
    vol[0, q[0], q[1], q[2], 0] = 1
    layer = RandomGeometric3D(rotation_range=(angle, angle), rotation_axis=axis,
                              interpolation="nearest", seed=0)
    out = layer(vol).numpy()[0, ..., 0]
    vec = {"d": (1, 0, 0), "h": (0, 1, 0), "w": (0, 0, 1)}.get(axis, axis)
    expected = np.rint(rotation_matrix(vec, angle) @ (q - 3.5) + 3.5).astype(int)
    assert np.argwhere(out > 0.5).tolist() == [expected.tolist()]
    assert out.sum() == 1.0


def test_continuous_rotation_matches_scipy_rotate():
    layer = RandomGeometric3D(rotation_range=(30, 30), rotation_axis="d", seed=0)
    out = layer(SMOOTH[None, ..., None]).numpy()[0, ..., 0]
    ref = ndi.rotate(SMOOTH, 30, axes=(1, 2), reshape=False, order=1, mode="grid-constant")
    np.testing.assert_allclose(out, ref, atol=1e-5)


def test_cube_group_and_rot90_flip_preserve_contents():
    mats = cube_rotations()
    assert mats.shape == (24, 3, 3)
    assert len({m.astype(int).tobytes() for m in mats}) == 24
    np.testing.assert_allclose(np.linalg.det(mats), 1)
    vol = RNG.random((6, 8, 8, 8, 1)).astype(np.float32)
    out = RandomGeometric3D(rot90=True, flip_axes=("d", "h", "w"), seed=3)(vol).numpy()
    for a, b in zip(vol, out):  # an exact permutation of voxels, one of the 48 symmetries
        np.testing.assert_array_equal(np.sort(a.ravel()), np.sort(b.ravel()))
    _, perms = rot90_flip_ops((8, 8, 8))
    out = RandomRot90Flip(ndim=3, seed=1)(vol).numpy()
    for a, b in zip(vol, out):
        assert any(np.array_equal(a.ravel()[p], b.ravel()) for p in perms)
    assert len(perms) == 13


def test_rot90_flip_3d_matches_numpy_and_skips_odd_turns_in_non_square_planes():
    names, perms = rot90_flip_ops((4, 6, 6))
    assert "rot90(k=1, axes=(0, 1))" not in names and "rot90(k=2, axes=(0, 1))" in names
    assert "rot90(k=1, axes=(1, 2))" in names
    grid = np.arange(4 * 36).reshape(4, 6, 6)
    i = names.index("rot90(k=3, axes=(1, 2))")
    np.testing.assert_array_equal(perms[i], np.rot90(grid, 3, axes=(1, 2)).ravel())


def test_random_geometric_3d_shift_zoom_flip_run_and_are_seeded():
    layer = RandomGeometric3D(rotation_range=180, shift_range=0.1, zoom_range=(0.9, 1.1),
                              flip_axes="dhw", fill_mode="reflect", seed=0)
    vol = SMOOTH[None, ..., None].repeat(3, 0)
    a = layer.augment(vol, np.array([1, 2])).numpy()
    b = layer.augment(vol, np.array([1, 2])).numpy()
    c = layer.augment(vol, np.array([1, 3])).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert a.shape == vol.shape and np.isfinite(a).all()
    np.testing.assert_array_equal(RandomGeometric3D()(vol).numpy(), vol)  # nothing on: identity
    np.testing.assert_array_equal(layer(vol, training=False).numpy(), vol)


@pytest.mark.parametrize("layer", [RandomGeometric3D(rot90=True), RandomRot90Flip(ndim=3)])
def test_3d_layers_reject_2d_images(layer):
    with pytest.raises(ValueError, match=r"3D volumes.*received shape \(2, 8, 8, 1\)"):
        layer(np.zeros((2, 8, 8, 1), np.float32))


@pytest.mark.parametrize("kwargs,match", [
    ({"rotation_axis": "x"}, "rotation_axis"),
    ({"rotation_axis": (0, 0, 0)}, "rotation_axis"),
    ({"flip_axes": ("d", "q")}, "flip_axes"),
    ({"flip_axes": 3}, "flip_axes"),
    ({"flip_axes": ("d", 0)}, "flip_axes"),
    ({"rotation_range": -5}, "rotation_range"),
    ({"rotation_range": (10, 5)}, "rotation_range"),
    ({"rotation_range": (1, 2, 3)}, "rotation_range"),
    ({"zoom_range": (0.0, 1.2)}, "zoom_range"),
    ({"zoom_range": 1.5}, "zoom_range"),
    ({"shift_range": "0.1"}, "shift_range"),
    ({"interpolation": "bilinear"}, "interpolation"),
    ({"fill_mode": "mirror"}, "fill_mode"),
    ({"seed": 1.5}, "seed"),
])
def test_3d_bad_arguments(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        RandomGeometric3D(**kwargs)


def test_3d_rot90_needs_cubic_volumes_and_ndim_checked():
    with pytest.raises(ValueError, match="cubic"):
        RandomGeometric3D(rot90=True)(np.zeros((1, 4, 6, 6, 1), np.float32))
    with pytest.raises(ValueError, match="ndim"):
        RandomRot90Flip(ndim=4)


def test_xla_compiled_path_matches_plain_ops():
    vol = RNG.random((2, 8, 8, 8, 1)).astype(np.float32)
    m = np.concatenate([rotation_matrix((1, 2, 3), 40), RNG.uniform(-1, 1, (3, 1))], 1)
    for interpolation, mode in [("linear", "constant"), ("nearest", "reflect")]:
        a = affine_transform(vol, m, interpolation, mode, 0.5, jit_compile=True).numpy()
        b = affine_transform(vol, m, interpolation, mode, 0.5, jit_compile=False).numpy()
        np.testing.assert_allclose(a, b, atol=1e-5)
