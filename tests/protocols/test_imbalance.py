import numpy as np
import pytest

from imbkeras.protocols import imbalance_counts, imbalance_indices, make_imbalanced

Y10 = np.repeat(np.arange(10), 100)
Y8 = np.repeat(np.arange(8), 625)


def counts_of(idx, y=Y10):
    return np.bincount(y[idx], minlength=y.max() + 1)


@pytest.mark.parametrize("ratio,mu", [(1, 0.5), (10, 0.5), (50, 0.2), (100, 0.9), (3, 0.3)])
def test_step_counts_exact(ratio, mu):
    idx = imbalance_indices(Y10, "step", ratio, minority_fraction=mu, seed=3)
    c = counts_of(idx)
    k = int(round(mu * 10))
    minority = int(np.floor(100 / ratio + 0.5))
    expected = [minority] * k + [100] * (10 - k)
    assert sorted(c.tolist()) == sorted(expected)
    assert len(np.unique(idx)) == len(idx)


def test_step_rounding_half_up():
    c = imbalance_counts(np.repeat(np.arange(2), 25), "step", 10, minority_fraction=0.5,
                         minority_classes=[1])
    assert c == {0: 25, 1: 3}  # 25 / 10 = 2.5 -> 3


def test_linear_counts_exact():
    c = sorted(imbalance_counts(Y10, "linear", 10, seed=0).values())
    expected = sorted(int(np.floor(100 - j * 90 / 9 + 0.5)) for j in range(10))
    assert c == expected == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]


def test_koziarski_scenarios():
    r = lambda i: 1 + (10 - 1) * i / 7  # noqa: E731
    lin = sorted(imbalance_counts(Y8, "linear_ratio", 10, seed=0).values(), reverse=True)
    assert lin == [int(np.floor(625 / r(i) + 0.5)) for i in range(8)]
    assert sorted(imbalance_counts(Y8, "single_majority", 5).values()) == [125] * 7 + [625]
    assert sorted(imbalance_counts(Y8, "single_minority", 5).values()) == [125] + [625] * 7
    # 625 / 2 = 312.5 -> 313 under half-up rounding
    assert sorted(imbalance_counts(Y8, "half_minority", 2).values()) == [313] * 4 + [625] * 4


@pytest.mark.parametrize("kind,extra", [("step", {"minority_fraction": 0.5}), ("linear", {}),
                                        ("linear_ratio", {}), ("single_majority", {}),
                                        ("half_minority", {})])
def test_nested_over_ratio(kind, extra):
    prev = None
    for ratio in (1, 2, 5, 10, 25, 50):
        idx = set(imbalance_indices(Y10, kind, ratio, seed=7, **extra).tolist())
        if prev is not None:
            assert idx <= prev
        prev = idx


def test_nested_over_mu():
    prev = set()
    for mu in (0.9, 0.5, 0.1):  # fewer minority classes -> superset
        idx = set(imbalance_indices(Y10, "step", 10, minority_fraction=mu, seed=2).tolist())
        assert prev <= idx
        prev = idx


def test_seeded_choice_of_minority_classes():
    a = imbalance_counts(Y10, "step", 10, minority_fraction=0.5, seed=0)
    b = imbalance_counts(Y10, "step", 10, minority_fraction=0.5, seed=0)
    c = [imbalance_counts(Y10, "step", 10, minority_fraction=0.5, seed=s) for s in range(1, 6)]
    assert a == b
    assert any(ci != a for ci in c)
    np.testing.assert_array_equal(imbalance_indices(Y10, "linear", 5, seed=4),
                                  imbalance_indices(Y10, "linear", 5, seed=4))


def test_explicit_minority_classes_and_cap():
    c = imbalance_counts(Y10, "step", 4, minority_classes=[0, 1], max_per_class=40)
    assert c[0] == c[1] == 10 and all(c[i] == 40 for i in range(2, 10))


def test_uneven_classes_use_smallest_class_as_majority_size():
    y = np.array([0] * 30 + [1] * 20 + [2] * 50)
    c = imbalance_counts(y, "step", 2, minority_classes=[2])
    assert c == {0: 20, 1: 20, 2: 10}


def test_make_imbalanced_subsets_x_and_y():
    x = np.arange(len(Y10) * 4, dtype=float).reshape(len(Y10), 2, 2, 1)
    xs, ys = make_imbalanced(x, Y10, "step", 10, minority_fraction=0.3, seed=0)
    idx = imbalance_indices(Y10, "step", 10, minority_fraction=0.3, seed=0)
    np.testing.assert_array_equal(xs, x[idx])
    np.testing.assert_array_equal(ys, Y10[idx])


@pytest.mark.parametrize("kwargs,match", [
    ({"kind": "step", "ratio": 0.5, "minority_fraction": 0.5}, "ratio"),
    ({"kind": "step", "ratio": 10, "minority_fraction": 0.0}, "minority_fraction"),
    ({"kind": "step", "ratio": 10, "minority_fraction": 1.0}, "minority_fraction"),
    ({"kind": "step", "ratio": 10, "minority_fraction": 0.01}, "minority_fraction"),
    ({"kind": "step", "ratio": 10}, "minority_fraction"),
    ({"kind": "zigzag", "ratio": 10}, "kind"),
    ({"kind": "linear", "ratio": 10, "minority_fraction": 0.5}, "minority_fraction"),
    ({"kind": "step", "ratio": 10, "minority_classes": [42]}, "minority_classes"),
    ({"kind": "single_minority", "ratio": 10, "minority_classes": [1, 2]}, "minority"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        imbalance_indices(Y10, **kwargs)


def test_zero_sample_class_error_names_class_and_count():
    with pytest.raises(ValueError, match=r"class \d+ would get 0 samples"):
        imbalance_indices(Y10, "step", 500, minority_fraction=0.5)


def test_zero_sample_class_is_a_typed_infeasible_scenario():
    """The engine tells an infeasible scenario from a bad argument by its type, not its text."""
    from imbkeras.protocols import InfeasibleScenario, imbalance_counts

    with pytest.raises(InfeasibleScenario, match=r"would get 0 samples"):
        imbalance_counts(Y10, "linear", 500)
    with pytest.raises(ValueError) as bad:
        imbalance_counts(Y10, "step", 0.5, minority_fraction=0.5)
    assert not isinstance(bad.value, InfeasibleScenario)


@pytest.mark.parametrize("y,match", [
    (np.array([0, 1, -1, 1]), "non-negative"),
    (np.array([0.0, 1.5, 1.0]), "non-integer"),
    (np.array(["a", "b"]), "integer"),
    (np.zeros((3, 2), int), "1-D"),
])
def test_bad_labels(y, match):
    with pytest.raises(ValueError, match=match):
        imbalance_indices(y, "linear", 2)


def test_length_mismatch():
    with pytest.raises(ValueError, match="same length"):
        make_imbalanced(np.zeros((3, 2)), Y10, "linear", 2)
