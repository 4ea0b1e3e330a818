"""Simulated subtomograms: deterministic, missing wedge, neither trivial nor hopeless; MRC."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import cross_val_predict

from imbkeras.datasets import load_subtomograms
from imbkeras.synthetic import save_subtomograms, subtomograms, wedge_mask
from imbkeras.synthetic._subtomograms import density


def test_deterministic_per_seed_whatever_the_workers():
    a = subtomograms(8, size=16, seed=3)
    b = subtomograms(8, size=16, seed=3, n_jobs=2)
    c = subtomograms(8, size=16, seed=4)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_default_is_luos_dataset_with_the_ribosome_rarest():
    _, y, names = subtomograms(size=16, clean=True, n_jobs=2, seed=0)
    assert names == ["proteasome_d", "ribosome", "TRiC", "proteasome_s"]
    counts = np.bincount(y)
    assert counts.tolist() == [1043, 80, 125, 386] and counts.sum() == 1634
    assert names[int(np.argmin(counts))] == "ribosome"


def test_class_selection_counts_and_shapes():
    x, y, names = subtomograms(size=16, classes=("TRiC", "ribosome"), class_counts=(3, 2),
                               clean=True)
    assert names == ["TRiC", "ribosome"] and np.bincount(y).tolist() == [3, 2]
    ring, lobes = density(2, 16), density(1, 16)  # labels of CLASS_NAMES
    # the volumes of label 0 are TRiC's rotated density, those of label 1 the ribosome's
    assert abs(x[y == 0].sum(axis=(1, 2, 3, 4)).mean() - ring.sum()) < \
        abs(x[y == 0].sum(axis=(1, 2, 3, 4)).mean() - lobes.sum())


def test_luo_shares_and_the_missing_wedge():
    x, y, names = subtomograms(200, size=24, seed=0)
    assert np.bincount(y).tolist() == [128, 10, 15, 47] and len(names) == 4
    mask = wedge_mask(24, (-50, 70))
    amp = np.abs(np.fft.fftn(x[..., 0], axes=(1, 2, 3))).mean(0)
    assert amp[~mask].mean() < 0.02 * amp[mask].mean()  # near zero inside the wedge only
    assert 0.15 < (~mask).mean() < 0.45  # 60 of 180 degrees missing, about a third


def test_classes_are_neither_trivial_nor_hopeless():
    x, y, _ = subtomograms(300, size=24, seed=0)
    pred = cross_val_predict(LogisticRegression(max_iter=300, class_weight="balanced"),
                             x.reshape(len(x), -1), y, cv=3)
    score = balanced_accuracy_score(y, pred)
    assert 0.3 < score < 0.95, score


@pytest.mark.parametrize("kwargs, match", [
    ({"class_proportions": (0.5, 0.6)}, "class_proportions"),
    ({"class_proportions": (1.0, 0.0)}, "class_proportions"),
    ({"snr": 0}, "snr"), ({"snr": -1.0}, "snr"),
    ({"tilt_range": (-100, 60)}, "tilt_range"), ({"tilt_range": (60, -60)}, "tilt_range"),
    ({"size": 8}, "size"),
    ({"class_counts": (10, 2)}, "class_counts"),
    ({"class_counts": (3, 1), "classes": ("TRiC",)}, "class_counts|classes"),
    ({"class_counts": (3, 1), "classes": ("TRiC", "26S")}, "unknown class.*proteasome_d"),
    ({"class_counts": (3, 2), "classes": ("TRiC", "ribosome")}, "differs from the sum"),
    ({"classes": ("ribosome", "ribosome")}, "distinct"),
    ({"class_counts": (3, 1), "class_proportions": (0.5, 0.5)}, "not both"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        subtomograms(**{"n": 4, "size": 16, **kwargs})


def test_mrc_round_trip_and_corrupt_files(tmp_path):
    x, y, names = subtomograms(6, size=16, seed=0, class_proportions=(0.5, 0.5))
    root = save_subtomograms(x, y, tmp_path / "sub", names)
    x2, y2, names2 = load_subtomograms(root)
    np.testing.assert_allclose(x2, x)
    assert np.array_equal(y2, y) and names2 == names
    src, _, _ = load_subtomograms(root, as_source=True)
    np.testing.assert_allclose(src[np.arange(6)], x)
    np.savez(tmp_path / "s.npz", x=x[..., 0], y=y)
    assert load_subtomograms(tmp_path / "s.npz")[0].shape == x.shape
    (root / "00003.mrc").write_bytes(b"not an mrc file at all" * 10)
    with pytest.raises(ValueError, match=r"00003\.mrc"):
        load_subtomograms(root)
    (root / "00003.mrc").unlink()
    with pytest.raises(FileNotFoundError, match="00003.mrc"):
        load_subtomograms(root)
