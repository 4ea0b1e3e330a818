"""long_tail_fit: every recipe trains under the same step budget; each does what it says."""

import keras
import numpy as np
import pytest

from imbkeras import losses, thresholding
from imbkeras.models import lenet5
from imbkeras.training import (LONG_TAIL_RECIPES, MULTI_LABEL_RECIPES, SINGLE_LABEL_ONLY,
                               long_tail_fit)


def _task(seed=0):
    """Three classes 40 / 8 / 4, told apart by the mean intensity of a patch."""
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1, 2], [40, 8, 4])
    x = rng.normal(0, 0.3, (len(y), 16, 16, 1)).astype("float32")
    x[:, 5:11, 5:11] += y[:, None, None, None].astype("float32")
    return x, y


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    return lenet5((16, 16, 1), 3)


@pytest.mark.parametrize("recipe", LONG_TAIL_RECIPES)
def test_every_recipe_takes_the_same_budget_and_predicts_probabilities(recipe):
    x, y = _task()
    fit = long_tail_fit(_model(), x, y, recipe, epochs=5, steps_per_epoch=3, batch_size=8,
                        seed=0)
    assert fit.recipe == recipe and fit.steps == 5 * 3
    assert [len(h.history["loss"]) for h in fit.histories] == [5] * len(fit.histories)
    p = fit.predict(x)
    assert p.shape == (len(y), 3) and np.allclose(p.sum(1), 1, atol=1e-4)
    assert np.isfinite(p).all() and fit.samples_per_class == [40.0, 8.0, 4.0]


def test_default_pass_is_one_pass_over_the_original_set_whatever_the_sampler_draws():
    x, y = _task()
    for recipe in ("ce", "ros"):  # ROS draws 120 samples, but a pass stays 52 / 16 -> 4 steps
        assert long_tail_fit(_model(), x, y, recipe, epochs=2, batch_size=16).steps == 8


def test_posthoc_logit_adjustment_is_ce_plus_the_reference_adjustment():
    x, y = _task()
    ce = long_tail_fit(_model(), x, y, "ce", epochs=3, batch_size=8, seed=0)
    la = long_tail_fit(_model(), x, y, "posthoc_la", epochs=3, batch_size=8, seed=0, tau=1.5)
    raw = ce.predict(x)
    expected = thresholding.logit_adjustment(raw, thresholding.class_priors(y, 3), tau=1.5)
    np.testing.assert_allclose(la.predict(x), expected, atol=1e-5)
    # decisions move away from the majority and toward the rarest class, never back
    adjusted = la.predict(x).argmax(1)
    assert ((adjusted == 0) <= (raw.argmax(1) == 0)).all()
    assert ((adjusted == 2) >= (raw.argmax(1) == 2)).all()


def _drw_weights_per_step(recipe, **budget):
    """The loss's class weights after every step of a DRW recipe (drw_start 0.6)."""
    seen = []

    class Weights(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(list(np.round(self.model.loss.class_weights, 4)))

    x, y = _task()
    fit = long_tail_fit(_model(), x, y, recipe, drw_start=0.6, callbacks=[Weights()], **budget)
    assert fit.steps == len(seen)
    return fit, seen


@pytest.mark.parametrize("recipe,loss_cls", [("ldam_drw", losses.LDAMLoss),
                                             ("mixup_drw", losses.WeightedCrossEntropy)])
@pytest.mark.parametrize("budget,plain_steps", [
    ({"epochs": 5, "batch_size": 16}, 12),  # 5 passes of 4 steps: from epoch 3 = 0.6 * 5
    ({"epochs": 1, "steps_per_epoch": 5, "batch_size": 8}, 3),  # one pass defers too
])
def test_drw_recipes_reweight_from_their_share_of_the_steps(recipe, loss_cls, budget,
                                                             plain_steps):
    fit, seen = _drw_weights_per_step(recipe, **budget)
    assert isinstance(fit.model.loss, loss_cls)
    assert seen[:plain_steps] == [[1.0, 1.0, 1.0]] * plain_steps
    balanced = seen[plain_steps]
    assert seen[plain_steps:] == [balanced] * (len(seen) - plain_steps)
    assert balanced[2] > balanced[1] > balanced[0]


def test_crt_freezes_the_extractor_and_retrains_a_fresh_head():
    ends = []

    class AtEnd(keras.callbacks.Callback):
        def on_train_end(self, logs=None):
            m = self.model
            ends.append((m.get_layer("conv1").get_weights()[0].copy(),
                         m.get_layer("predictions").get_weights()[0].copy()))

    x, y = _task()
    fit = long_tail_fit(_model(), x, y, "crt", epochs=1, crt_share=0.5, batch_size=16,
                        callbacks=[AtEnd()])
    assert len(fit.histories) == 2 and fit.steps == 4  # one pass: 2 steps + 2 steps
    (conv1, head1), (conv2, head2) = ends
    np.testing.assert_array_equal(conv1, conv2)  # stage 2 does not touch the extractor
    assert not np.allclose(head1, head2)
    assert all(layer.trainable for layer in fit.model.layers)  # flags restored


def test_seeded():
    x, y = _task()
    a = long_tail_fit(_model(), x, y, "ros", epochs=2, batch_size=8, seed=3).predict(x)
    b = long_tail_fit(_model(), x, y, "ros", epochs=2, batch_size=8, seed=3).predict(x)
    np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize("kwargs,exc,match", [
    ({"recipe": "ldam"}, ValueError, r"`recipe` must be one of \['ce', 'ros'.*received 'ldam'"),
    ({"y": np.eye(3)[np.repeat([0, 1, 2], [40, 8, 4])]}, ValueError,
     r"`y` must be 1-D class labels \(multi-hot labels need multi_label=True\).*\(52, 3\)"),
    ({"num_classes": 4}, ValueError, r"class\(es\) \[3\] have none"),
    ({"optimizer": keras.optimizers.Adam()}, TypeError, r"a callable returning a fresh"),
    ({"recipe": "crt", "crt_share": 1.0}, ValueError,
     r"`crt_share` must be in \(0, 1\).*received 1.0"),
    ({"recipe": "crt", "steps_per_epoch": 1}, ValueError,
     r"cRT needs `steps_per_epoch` >= 2.*received 1"),
    ({"epochs": 0}, ValueError, r"epochs"),
    ({"model": "lenet5"}, TypeError, r"`model` must be a keras.Model; received 'lenet5'"),
    ({"drw_start": 1.5}, ValueError, r"`drw_start` must be <= 1.0; received 1.5"),
])
def test_bad_arguments(kwargs, exc, match):
    x, y = _task()
    args = {"model": _model(), "x": x, "y": y, "recipe": "ce", "epochs": 1, **kwargs}
    with pytest.raises(exc, match=match):
        long_tail_fit(args.pop("model"), args.pop("x"), args.pop("y"), args.pop("recipe"),
                      **args)


def test_a_model_with_another_number_of_outputs_is_refused():
    x, y = _task()
    keras.utils.set_random_seed(0)
    with pytest.raises(ValueError, match=r"must output \(None, 3\).*\(None, 5\)"):
        long_tail_fit(lenet5((16, 16, 1), 5), x, y, "ce", epochs=1)


# -- multi-label forms -------------------------------------------------------------
def _ml_task(seed=0):
    """Three labels carried by 60 / 12 / 5 of 64 samples; label c brightens patch c."""
    rng = np.random.default_rng(seed)
    y = np.zeros((64, 3), np.uint8)
    y[:60, 0] = 1
    y[52:, 1] = 1  # every sample carries a label
    y[rng.choice(64, 5, replace=False), 2] = 1
    x = rng.normal(0, 0.3, (64, 16, 16, 1)).astype("float32")
    for c in range(3):
        x[y[:, c] == 1, 2 + 4 * c:5 + 4 * c, 2:14] += 1.0
    return x, y


def _ml_model(seed=0):
    keras.utils.set_random_seed(seed)
    return lenet5((16, 16, 1), 3, output_activation="sigmoid")


@pytest.mark.parametrize("recipe", MULTI_LABEL_RECIPES)
def test_every_multi_label_recipe_takes_the_budget_and_gives_label_probabilities(recipe):
    x, y = _ml_task()
    fit = long_tail_fit(_ml_model(), x, y, recipe, epochs=3, steps_per_epoch=4, batch_size=8,
                        multi_label=True, seed=0)
    assert fit.steps == 3 * 4 and fit.samples_per_class == [60.0, 12.0, 5.0]
    p = fit.predict(x)
    assert p.shape == (64, 3) and np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()
    assert not np.allclose(p.sum(1), 1, atol=1e-3)  # independent sigmoids, not a softmax


def test_multi_label_losses_are_the_per_label_forms():
    x, y = _ml_task()
    cb = long_tail_fit(_ml_model(), x, y, "cb_focal", epochs=1, batch_size=32,
                       multi_label=True).model.loss
    la = long_tail_fit(_ml_model(), x, y, "la_loss", epochs=1, batch_size=32,
                       multi_label=True).model.loss
    assert cb.multi_label and cb.base == "focal" and cb.samples_per_class == [60.0, 12.0, 5.0]
    np.testing.assert_allclose(la.priors, (np.array([60, 12, 5]) + 0.5) / 65)
    assert la.multi_label


def test_multi_label_posthoc_adjustment_lowers_each_labels_threshold_to_its_rate():
    x, y = _ml_task()
    ce = long_tail_fit(_ml_model(), x, y, "ce", epochs=2, batch_size=16, multi_label=True)
    la = long_tail_fit(_ml_model(), x, y, "posthoc_la", epochs=2, batch_size=16,
                       multi_label=True)
    raw, adjusted = ce.predict(x), la.predict(x)
    pi = (y.sum(0) + 0.5) / 65
    logit = np.log(raw) - np.log1p(-raw)
    expected = 1 / (1 + np.exp(-(logit - np.log(pi / (1 - pi)))))
    np.testing.assert_allclose(adjusted, expected, atol=1e-4)
    # a rare label (rate < 1/2) rises, the frequent one (rate > 1/2) falls
    assert (adjusted[:, 2] >= raw[:, 2] - 1e-6).all() and (adjusted[:, 0] <= raw[:, 0] + 1e-6).all()


def test_multi_label_ros_oversamples_toward_the_most_frequent_label(monkeypatch):
    from imbkeras import pipeline

    seen = []
    original = pipeline.make_dataset

    def spy(*args, **kwargs):
        seen.append(kwargs.get("sampler"))
        return original(*args, **kwargs)

    monkeypatch.setattr(pipeline, "make_dataset", spy)
    x, y = _ml_task()
    long_tail_fit(_ml_model(), x, y, "ros", epochs=1, batch_size=32, multi_label=True)
    idx = seen[0].resample_indices(y)
    assert (y[idx].sum(0) >= 60).all()  # every label reaches the most frequent one's count


@pytest.mark.parametrize("recipe", sorted(SINGLE_LABEL_ONLY))
def test_single_label_only_recipes_say_why_on_multi_hot_labels(recipe):
    x, y = _ml_task()
    with pytest.raises(ValueError, match=rf"`recipe`='{recipe}' has no multi-label form \(.*"
                                         r"one sigmoid per label\).*'ce', 'ros'"):
        long_tail_fit(_ml_model(), x, y, recipe, epochs=1, multi_label=True)
