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


# -- learnability: the 28 patterns are told apart from the pixels alone ----------------
def _features(img):
    """Generic image features (no knowledge of the renderer): green-channel statistics at
    four scales and two shapes (lines, blobs) in six bands around the nuclei found in the
    blue channel, co-localisation with the red and yellow references, orientation coherence
    and spot counts."""
    import scipy.ndimage as ndi

    r, g, b, yl = (img[..., k].astype(float) for k in range(4))
    nuc = ndi.gaussian_filter(b, 1) > 0.3
    dout, din = ndi.distance_transform_edt(~nuc), ndi.distance_transform_edt(nuc)
    bands = [nuc & (din > 2), nuc & (din <= 2), (dout > 0) & (dout <= 2),
             (dout > 2) & (dout <= 5), (dout > 5) & (dout <= 9), dout > 9]
    filt = [g] + [np.clip(ndi.gaussian_filter(g, s1) - ndi.gaussian_filter(g, s2), 0, None)
                  for s1, s2 in ((.5, 1.5), (1, 3), (2.5, 6))]
    gyy, gxx = ndi.gaussian_filter(g, 1, order=(2, 0)), ndi.gaussian_filter(g, 1, order=(0, 2))
    gxy = ndi.gaussian_filter(g, 1, order=(1, 1))
    disc = np.sqrt(np.maximum((gxx + gyy) ** 2 / 4 - (gxx * gyy - gxy ** 2), 0))
    l1, l2 = (gxx + gyy) / 2 - disc, (gxx + gyy) / 2 + disc
    line = np.abs(l2) < 0.5 * np.abs(l1)
    filt += [np.clip(-l1, 0, None) * line, np.clip(-l1, 0, None) * ~line]
    out = []
    for f in filt:
        for m in bands:
            v = f[m] if m.any() else np.zeros(1)
            out += [v.mean(), np.percentile(v, 99)]
    cyto = (dout > 0) & (dout < 12)
    out += [np.corrcoef(g[cyto], ref[cyto])[0, 1] for ref in (r, yl)]
    gy, gx = ndi.sobel(g, 0), ndi.sobel(g, 1)
    jxx, jyy, jxy = (ndi.gaussian_filter(a, 3) for a in (gx * gx, gy * gy, gx * gy))
    coh = np.sqrt((jxx - jyy) ** 2 + 4 * jxy ** 2) / (jxx + jyy + 1e-6)
    out.append((coh * g).sum() / (g.sum() + 1e-6))
    peaks = (filt[1] == ndi.maximum_filter(filt[1], 3)) & (filt[1] > 0.1)
    out += [float((peaks & m).sum()) for m in bands]
    return np.nan_to_num(np.array(out))


def test_every_pattern_is_learnable_on_a_balanced_set_rare_and_frequent_alike():
    """A linear model on generic features, trained on 466 balanced simulated images (each
    label on 7 % of them), separates every label on 234 held-out ones: the patterns are
    distinguishable at 64 px, so the long tail (not the renderer) makes rare labels hard."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import StandardScaler

    x, y, _ = protein_cells(700, 64, label_frequencies=np.full(28, 0.07), seed=1)
    feats = np.stack([_features(img) for img in x])
    tr = slice(0, 466)
    te = slice(466, None)
    scaler = StandardScaler().fit(feats[tr])
    a, b = scaler.transform(feats[tr]), scaler.transform(feats[te])
    auc = np.array([roc_auc_score(y[te, j], LogisticRegression(C=0.3, max_iter=2000)
                                  .fit(a, y[tr, j]).decision_function(b)) for j in range(28)])
    order = np.argsort(HPA_FREQUENCIES)
    rare, frequent = auc[order[:5]], auc[order[-5:]]
    assert auc.mean() > 0.9 and auc.min() > 0.65, np.round(auc, 2)
    assert rare.mean() > 0.85 and frequent.mean() > 0.9
    assert abs(rare.mean() - frequent.mean()) < 0.12
