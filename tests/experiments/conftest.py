"""A fast, TensorFlow-free dataset and trainer registered through a config's `imports`."""

import sys
import textwrap

import pytest

FIXTURE_MODULE = "imbk_engine_fixture"

SOURCE = textwrap.dedent('''
    """Engine test fixtures: Gaussian blobs and a nearest-centroid trainer."""
    import os
    import time

    import numpy as np

    from imbkeras.experiments import (DataBundle, TrainOutput, register_dataset,
                                      register_trainer)


    @register_dataset("fixture.blobs")
    def blobs(n=240, classes=3, seed=0):
        rng = np.random.default_rng(seed)
        y = np.arange(n) % classes
        centers = rng.normal(0, 1.5, size=(classes, 16))
        x = (centers[y] + rng.normal(0, 1.6, size=(n, 16))).reshape(n, 4, 4, 1)
        return DataBundle(x.astype("float32"), y, class_names=[f"c{i}" for i in range(classes)])


    @register_trainer("fixture.centroid")
    def centroid(ctx, *, sleep: float = 0.0, fail: bool = False, noise: float = 0.1,
                 temperature: float = 10.0, iterations: int = 1):
        # ``iterations``: taken (and ignored) so the engine's --iterations can be tested.
        log = os.environ.get("IMBK_TRAIN_LOG")
        if log:
            with open(log, "a") as fh:
                fh.write(f"start {os.getpid()} {ctx.run_dir.name}\\n")
        time.sleep(float(sleep))
        if fail:
            raise RuntimeError("this trainer was asked to fail")
        x = ctx.x_train.reshape(len(ctx.x_train), -1)
        rng = np.random.default_rng(ctx.seed)
        x = x + rng.normal(0, float(noise), size=x.shape)
        cent = np.stack([x[ctx.y_train == c].mean(0) for c in range(ctx.num_classes)])
        d = ((ctx.x_test.reshape(len(ctx.x_test), -1)[:, None] - cent[None]) ** 2).sum(-1)
        logits = -d / float(temperature)
        prob = np.exp(logits - logits.max(1, keepdims=True))
        prob /= prob.sum(1, keepdims=True)
        outputs = {"default": prob}
        if ctx.wants("sharp"):
            sharp = prob ** 4
            outputs["sharp"] = sharp / sharp.sum(1, keepdims=True)
        if log:
            with open(log, "a") as fh:
                fh.write(f"end {os.getpid()} {ctx.run_dir.name}\\n")
        import pandas as pd
        return TrainOutput(outputs, tables={"centroids": pd.DataFrame({"norm": np.linalg.norm(cent, axis=1)})},
                           info={"n_centroids": int(len(cent))})
''')


@pytest.fixture(scope="session")
def fixture_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("fixture_module")
    (d / f"{FIXTURE_MODULE}.py").write_text(SOURCE)
    if str(d) not in sys.path:
        sys.path.insert(0, str(d))
    return d


def _blob_config(**changes):
    base = {
        "name": "blobs",
        "datasets": ["fixture.blobs"],
        "cv": {"kind": "stratified_kfold", "folds": 2, "seed": 0},
        "scenarios": [{"kind": "none"}, {"kind": "step", "ratio": [2, 4], "mu": [0.4]}],
        "methods": {
            "centroid": {"trainer": "fixture.centroid"},
            "centroid+thr": {"trainer": "fixture.centroid", "post": "prior_correction"},
            "sharp": {"trainer": "fixture.centroid", "output": "sharp"},
            "noisy": {"trainer": "fixture.centroid", "params": {"noise": 1.0}},
        },
        "seeds": [0, 1],
        "params": {"sleep": 0.0, "noise": 0.1},
        "imports": [FIXTURE_MODULE],
        "report": {"metrics": ["accuracy"],
                   "ranks": {"metrics": ["avacc", "cba"], "blocks": ["kind", "ratio"]},
                   "plots": [{"type": "confusion"}, {"type": "per_class_recall"},
                             {"type": "ranks"}, {"type": "metric_vs_ratio", "metric": "avacc",
                                                 "panels": ["kind"]}]},
    }
    base.update(changes)
    return base


@pytest.fixture
def blob_config(fixture_dir):
    """A factory of small configs on the fixture dataset and trainer."""
    return _blob_config
