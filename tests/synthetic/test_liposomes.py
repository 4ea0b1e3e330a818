"""Simulated liposomes: deterministic, class shares, masks; the loader's input modes."""

import numpy as np
import pytest

from imbkeras.datasets import load_particles, particle_inputs
from imbkeras.synthetic import liposomes, save_particles, select_input_mode, stack_input_modes


def test_deterministic_per_seed_with_the_thesis_shares():
    a, b, c = liposomes(200, seed=3), liposomes(200, seed=3), liposomes(200, seed=4)
    assert np.array_equal(a.y, b.y) and all(np.array_equal(u, v) for u, v in
                                            zip(a.images, b.images))
    assert not all(np.array_equal(u, v) for u, v in zip(a.images, c.images))
    assert np.bincount(a.y).tolist() == [175, 24, 1]  # 87.3 / 12.1 / 0.6 %
    enc = liposomes(300, "encapsulation", seed=0)
    assert enc.class_names == ["full", "uncertain", "empty"]
    assert np.bincount(enc.y).tolist() == [292, 6, 2]
    sizes = [int(m.any(1).sum()) for m in a.masks]  # particle diameters
    assert min(sizes) < 60 < max(sizes)  # varied sizes
    for im, m in zip(a.images, a.masks):
        assert im.shape == m.shape and 0 <= im.min() and im.max() <= 1 and m.any()


@pytest.mark.parametrize("kwargs, match", [
    ({"problem": "shape"}, "problem"),
    ({"class_proportions": (0.5, 0.5, 0.5)}, "class_proportions"),
    ({"class_proportions": (1.0, -0.5, 0.5)}, "class_proportions"),
    ({"noise": -1}, "noise"),
    ({"diameter": (0, 0.1)}, "diameter"),
    ({"n": 0}, "n"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        liposomes(**{"n": 5, **kwargs})


def test_input_modes_and_the_folder_round_trip(tmp_path):
    s = liposomes(12, class_proportions=(0.5, 0.25, 0.25), seed=0)
    sur = particle_inputs(s.images, s.masks, "surrounding", 28)
    crop = particle_inputs(s.images, s.masks, "cropped", 28)
    masked = particle_inputs(s.images, s.masks, "masked", 28)
    assert sur.shape == crop.shape == masked.shape == (12, 28, 28, 2)
    # cropped: the particle fills the frame; with surrounding it does not
    assert crop[..., 1].mean() > sur[..., 1].mean() + 0.1
    # masked: exactly zero outside the mask, the cropped image inside it
    assert np.all(masked[..., 0][masked[..., 1] == 0] == 0)
    inside = masked[..., 1] == 1
    np.testing.assert_allclose(masked[..., 0][inside], crop[..., 0][inside])
    root = save_particles(s, tmp_path / "p")
    x, y, names = load_particles(root, "masked", 28, class_names=s.class_names)
    assert names == s.class_names and sorted(y.tolist()) == sorted(s.y.tolist())
    np.testing.assert_allclose(np.sort(x[..., 1].sum((1, 2))), np.sort(masked[..., 1].sum((1, 2))))
    with pytest.raises(ValueError, match="mode"):
        load_particles(root, "zoomed")
    bad = root / "uncertain"
    next(bad.glob("*_mask.png")).unlink()
    with pytest.raises(FileNotFoundError, match="no mask"):
        load_particles(root)
    with pytest.raises(ValueError, match="must match their images"):
        particle_inputs([np.zeros((5, 5))], [np.ones((4, 5))])
    (root / "empty_class").mkdir()
    with pytest.raises(ValueError, match="no particle image"):
        load_particles(root, class_names=["empty_class"])


def test_classes_differ_as_the_thesis_describes():
    # Lamellarity: the number of lamellae; encapsulation: the density of the content.
    lam = liposomes(60, class_proportions=(0.5, 0.5, 0.0), noise=0.0, seed=2)
    crop = particle_inputs(lam.images, lam.masks, "masked", 48)

    def dark_rings(img):
        # dark membrane lines crossed along the horizontal diameter
        row = img[24, 4:-4]
        low = row < row.mean() - 0.8 * row.std()
        return int(np.sum(low[1:] & ~low[:-1]))

    rings = np.array([dark_rings(x[..., 0]) for x in crop])
    assert rings[lam.y == 1].mean() > rings[lam.y == 0].mean() + 1
    enc = liposomes(60, "encapsulation", class_proportions=(0.5, 0.0, 0.5), noise=0.0, seed=2)
    inner = []
    for img, mask in zip(enc.images, enc.masks):
        yy, xx = np.indices(img.shape)
        c = (np.array(img.shape) - 1) / 2
        core = np.hypot(yy - c[0], xx - c[1]) < 0.4 * np.sqrt(mask.sum() / np.pi)
        inner.append(img[core].mean() - img[~mask].mean())  # content vs background
    inner = np.array(inner)
    assert inner[enc.y == 0].max() < inner[enc.y == 2].min()  # full is denser (darker)


def test_the_three_input_modes_come_from_one_simulated_set():
    s = liposomes(8, class_proportions=(0.5, 0.25, 0.25), seed=5)
    assert all(img.shape[0] >= 100 for img in s.images)  # 50 px of surrounding per side
    x = stack_input_modes(s, 20)
    assert x.shape == (8, 20, 20, 4)
    for mode in ("surrounding", "cropped", "masked"):
        np.testing.assert_allclose(select_input_mode(x, mode),
                                   particle_inputs(s.images, s.masks, mode, 20), atol=1e-6)
    with pytest.raises(ValueError, match=r"`mode` must be one of \['surrounding', 'cropped', "
                                         r"'masked'\]; received 'zoomed'"):
        select_input_mode(x, "zoomed")
    with pytest.raises(ValueError, match=r"\(n, h, w, 4\)"):
        select_input_mode(x[..., :2], "masked")


def test_bad_particles_are_named():
    with pytest.raises(ValueError, match=r"'lamellarity', 'encapsulation'.*'lamelarity'"):
        liposomes(5, "lamelarity")
    s = liposomes(3, class_proportions=(0.0, 1.0, 0.0), seed=0)
    s.masks[1] = s.masks[1][:-1]
    with pytest.raises(ValueError, match=r"particle 1 \(class 'multilamellar'\): its mask has "
                                         r"shape"):
        stack_input_modes(s, 16)
    small = liposomes(3, class_proportions=(1.0, 0.0, 0.0), diameter=(12.0, 0.0), seed=0)
    with pytest.raises(ValueError, match=r"particle 0 \(class 'unilamellar'\) spans \d+x\d+ "
                                         r"pixels.*minimum input 40x40"):
        stack_input_modes(small, 16, min_extent=40)
    assert stack_input_modes(small, 16, min_extent=10).shape == (3, 16, 16, 4)
    with pytest.raises(TypeError, match="ParticleSet"):
        stack_input_modes([np.zeros((4, 4))], 16)
