"""Simulated protein cells: deterministic, long-tailed labels, 1-4 labels, RGBY channels."""

import numpy as np
import pytest

from imbkeras.synthetic import HPA_FREQUENCIES, draw_labels, protein_cells


def test_deterministic_and_shaped():
    a, b, c = (protein_cells(6, 32, seed=s) for s in (1, 1, 2))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    x, y, names = a
    assert x.shape == (6, 32, 32, 4) and x.dtype == np.float32 and len(names) == 28
    assert 0 <= x.min() and x.max() <= 1
    nucleus = x[..., 2] > 0.5
    assert nucleus.any() and x[..., 2][~nucleus].mean() < 0.2  # blue marks the nuclei


def test_label_frequencies_follow_the_configured_long_tail():
    y = draw_labels(20000, np.random.default_rng(0))
    counts = y.sum(1)
    assert counts.min() >= 1 and counts.max() <= 4
    freq = y.mean(0)
    # marginals near the configured ones (co-occurrence adds a little to some labels)
    np.testing.assert_allclose(freq, HPA_FREQUENCIES, atol=0.03)
    assert freq[0] > 0.35 and freq[27] < 0.002  # from ~40 % down to a few per 10,000
    assert np.corrcoef(y[:, 0], y[:, 25])[0, 1] > 0.05  # nucleoplasm with cytosol
    custom = np.full(28, 0.1)
    assert abs(draw_labels(5000, np.random.default_rng(0), custom).mean() - 0.1) < 0.02


@pytest.mark.parametrize("kwargs, match", [({"n": 0}, "n"), ({"size": 16}, "size"),
                                           ({"label_frequencies": [0.5] * 3}, "label_freq"),
                                           ({"noise": -1.0}, "noise")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        protein_cells(**{"n": 2, "size": 32, **kwargs})
