"""Bad arguments to the losses: clear ValueError / TypeError naming the argument."""

import numpy as np
import pytest

from imbkeras import losses as L

Y = np.array([0, 1, 2])
P = np.full((3, 3), 1 / 3, "float32")


def test_alpha_vector_of_wrong_length():
    with pytest.raises(ValueError, match=r"`alpha` has 2 entries .* 3 classes"):
        L.FocalLoss(alpha=[0.25, 0.75])(Y, P)
    with pytest.raises(ValueError, match="`alpha` has 4 entries"):
        L.focal_loss(Y, P, alpha=[1, 1, 1, 1])
    with pytest.raises(ValueError, match="`alpha` has 2 entries"):
        L.BinaryFocalLoss(alpha=[0.2, 0.3])(np.ones((3, 3)), P)


def test_alpha_bad_values():
    with pytest.raises(ValueError, match="`alpha` must be >= 0"):
        L.FocalLoss(alpha=[0.5, -0.1, 0.2])
    with pytest.raises(ValueError, match=r"`alpha` must be <= 1.0"):
        L.BinaryFocalLoss(alpha=1.5)
    with pytest.raises(ValueError, match="`alpha` must be finite"):
        L.FocalLoss(alpha=[np.nan, 1.0])


@pytest.mark.parametrize("cls", [L.FocalLoss, L.BinaryFocalLoss])
def test_negative_gamma(cls):
    with pytest.raises(ValueError, match=r"`gamma` must be >= 0.0; received -1"):
        cls(gamma=-1.0)
    with pytest.raises(TypeError, match="`gamma` must be a real number"):
        cls(gamma="2")


def test_negative_gamma_in_functions_and_class_balanced():
    with pytest.raises(ValueError, match="`gamma`"):
        L.focal_loss(Y, P, gamma=-0.5)
    with pytest.raises(ValueError, match="`gamma`"):
        L.ClassBalancedLoss([10, 5, 1], base="focal", gamma=-2)


@pytest.mark.parametrize("beta", [1.0, 1.5, -0.1])
def test_beta_outside_unit_interval(beta):
    with pytest.raises(ValueError, match=f"`beta` must be .*received {beta}"):
        L.ClassBalancedLoss([10, 5, 1], beta=beta)
    with pytest.raises(ValueError, match="`beta`"):
        L.class_balanced_weights([10, 5, 1], beta)


@pytest.mark.parametrize("make", [
    lambda n: L.ClassBalancedLoss(n),
    lambda n: L.BalancedSoftmaxLoss(n),
    lambda n: L.LDAMLoss(n),
    lambda n: L.class_balanced_weights(n),
    lambda n: L.ldam_margins(n),
])
def test_class_with_zero_samples_is_a_clear_error(make):
    with pytest.raises(ValueError, match=r"0 samples for class\(es\) \[1\]"):
        make([10, 0, 3])


def test_bad_counts_priors_and_weights():
    with pytest.raises(ValueError, match="`samples_per_class` must be >= 0"):
        L.BalancedSoftmaxLoss([10, -1, 3])
    with pytest.raises(ValueError, match="`samples_per_class` must be a non-empty 1-D"):
        L.LDAMLoss([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="`priors` must be > 0"):
        L.LogitAdjustedLoss([0.5, 0.5, 0.0])
    with pytest.raises(ValueError, match="`tau` must be >= 0"):
        L.LogitAdjustedLoss([0.5, 0.5], tau=-1)
    with pytest.raises(ValueError, match="`class_weights` must be >= 0"):
        L.WeightedCrossEntropy([1.0, -2.0])
    with pytest.raises(ValueError, match="keys 0..K-1"):
        L.WeightedCrossEntropy({0: 1.0, 2: 3.0})
    with pytest.raises(ValueError, match="`class_weights` has 2 entries"):
        L.WeightedCrossEntropy([1.0, 2.0])(Y, P)
    with pytest.raises(ValueError, match="`class_weights` has 2 entries but `samples_per_class`"):
        L.LDAMLoss([3, 2, 1], class_weights=[1, 2])
    with pytest.raises(ValueError, match="`samples_per_class` has 2 entries"):
        L.BalancedSoftmaxLoss([3, 2])(Y, P)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="`label_smoothing` must be <= 1.0"):
        L.FocalLoss(label_smoothing=1.5)
    with pytest.raises(ValueError, match="`base` must be one of"):
        L.ClassBalancedLoss([3, 2, 1], base="hinge")
    with pytest.raises(ValueError, match="`scale` must be > 0"):
        L.LDAMLoss([3, 2, 1], scale=0)
    with pytest.raises(ValueError, match="`max_margin` must be > 0"):
        L.LDAMLoss([3, 2, 1], max_margin=0.0)
    with pytest.raises(ValueError, match="`y_true` must be sparse class ids"):
        L.focal_loss(np.zeros((3, 2)), P)
    with pytest.raises(ValueError, match="`y_true` must be multi-hot"):
        L.binary_focal_loss(Y, P)
