"""Stage-2 (feature-space) fine-tuning on cached features vs through the frozen backbone.

Both train the same head for the same epochs on the same (oversampled) data:

- cached: the backbone's features are extracted once
  (``imbkeras.training.extract_features``), resampled, and the head is
  fine-tuned on them (``feature_space_fine_tune``): the backbone runs once;
- frozen: the backbone is frozen and the whole model is fit on the resampled
  images: the backbone runs on every batch of every epoch.

Prints seconds, the ratio (frozen / cached, extraction included) and the size of
the feature cache. Usage:
``python benchmarks/bench_two_stage.py [--n 96] [--epochs 20]`` (the paper: 20 epochs).
"""

import argparse
import time

import keras
import numpy as np

from imbkeras import models, pipeline, sampling, training


def workload(name, model, x, y, epochs, batch):
    sampler = sampling.RandomOverSampler(seed=0)
    t = time.perf_counter()
    fe, head = models.split_head(model)
    feats = training.extract_features(fe, x)
    training.feature_space_fine_tune(model, None, y, sampler, features=feats, epochs=epochs,
                                     batch_size=batch, optimizer=keras.optimizers.RMSprop(1e-4),
                                     loss="sparse_categorical_crossentropy")
    cached = time.perf_counter() - t
    for layer in fe.layers:
        layer.trainable = False
    model.compile(keras.optimizers.RMSprop(1e-4), "sparse_categorical_crossentropy")
    ds = pipeline.make_dataset(x, y, batch, sampler=sampler, seed=0)
    t = time.perf_counter()
    model.fit(ds, epochs=epochs, verbose=0)
    frozen = time.perf_counter() - t
    print(f"{name:<34} cached {cached:7.2f} s   frozen backbone {frozen:7.2f} s   "
          f"ratio {frozen / cached:6.1f}x   feature cache {feats.nbytes / 2**20:.2f} MiB")
    return frozen / cached


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=96, help="images per workload")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(args.n * 3 // 4, int), np.ones(args.n - args.n * 3 // 4, int)]
    ratios = []
    x = rng.random((args.n, 150, 150, 3), dtype="float32")
    keras.utils.set_random_seed(0)
    ratios.append(workload("MobileNet 150x150x3 (FC 1024)",
                           models.mobilenet_classifier((150, 150, 3), 2), x, y, args.epochs,
                           args.batch))
    x = rng.random((args.n * 8, 28, 28, 1), dtype="float32")
    y8 = np.repeat(y, 8)
    ratios.append(workload("LeNet-5 28x28x1", models.lenet5((28, 28, 1), 2), x, y8,
                           args.epochs, args.batch))
    print("target >= 10x:", "met" if min(ratios) >= 10 else "NOT met",
          f"(min {min(ratios):.1f}x)")


if __name__ == "__main__":
    main()
