"""Simulated liposomes: deterministic, class shares, masks; the loader's input modes."""

import numpy as np
import pytest

from imbkeras.datasets import load_particles, particle_inputs
from imbkeras.synthetic import liposomes, save_particles


def test_deterministic_per_seed_with_the_thesis_shares():
    a, b, c = liposomes(200, seed=3), liposomes(200, seed=3), liposomes(200, seed=4)
    assert np.array_equal(a.y, b.y) and all(np.array_equal(u, v) for u, v in
                                            zip(a.images, b.images))
    assert not all(np.array_equal(u, v) for u, v in zip(a.images, c.images))
    assert np.bincount(a.y).tolist() == [175, 24, 1]  # 87.3 / 12.1 / 0.6 %
    enc = liposomes(300, "encapsulation", seed=0)
    assert enc.class_names == ["full", "uncertain", "empty"]
    assert np.bincount(enc.y).tolist() == [292, 6, 2]
    sizes = [im.shape[0] for im in a.images]
    assert min(sizes) < 70 < max(sizes)  # varied sizes
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
