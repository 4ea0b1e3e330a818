"""Speed and memory of imbkeras's resampling pipelines against the peers, in one run.

Workloads (synthetic float32 data, 10 classes, step imbalance rho, mu applied
with :func:`imbkeras.protocols.imbalance_indices` to a balanced pool of N):

* ``mnist28``: 28x28x1, N = 60,000
* ``rgb64``:   64x64x3, N = 20,000
* ``vol40``:   40^3x1,  N = 2,000

Sections:

1. ``balanced`` -- balanced sampling without augmentation, samples/s over one
   balanced epoch (or ``--budget`` seconds): imbkeras ``make_dataset`` +
   ``RandomOverSampler`` vs imbalanced-learn ``BalancedBatchGenerator``
   (``RandomOverSampler``, on flattened data) vs tf.data
   ``rejection_resample`` vs ``sample_from_datasets`` (one dataset per class,
   each shuffled and repeated). Setup time (building the generator/datasets)
   is reported separately; imbalanced-learn draws once there, imbkeras
   redraws inside every epoch (counted in its rate).
2. ``augmented`` -- imbkeras pipeline with augmentation (2D: Gryshkevych's
   set with RandomGeometric2D; 3D: RandomGeometric3D with rot90 group +
   arbitrary-axis rotation + flips + shifts) vs the training rate of the model
   alone on in-memory batches (LeNet-5 for 2D, Inception3D for 3D), and the
   rate of ``model.fit`` fed by the augmented pipeline (1.0 = never starved).
3. ``fit`` -- ``model.fit`` of LeNet-5 fed by ``make_dataset`` (ROS redrawn
   at every pass) vs ``model.fit`` on in-memory NumPy arrays of a resampled
   set, same model, batch size and steps (2D workloads).
4. ``memory`` -- peak RSS growth (in a fresh subprocess each) of balancing
   ``rgb64`` with imbkeras (one full epoch through ``make_dataset``) vs
   imbalanced-learn ``RandomOverSampler.fit_resample`` on flattened data, at
   two oversampling factors (full balance; every class to 2x the majority).

Targets: imbkeras >= the fastest peer on plain balanced sampling; augmented
2D pipeline >= 5x the LeNet-5 training rate; fed fit >= 0.95x the in-memory fit; memory growth < 1.2x the
dataset's size at any oversampling factor.

Usage::

    python benchmarks/bench_pipeline.py                 # everything, issue sizes
    python benchmarks/bench_pipeline.py --budget 4 --sections balanced
    python benchmarks/bench_pipeline.py --n28 6000 --n64 2000 --n40 400   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
warnings.filterwarnings("ignore", category=UserWarning)  # keras: "shuffle=True ... ignored"

import numpy as np  # noqa: E402

SHAPES = {"mnist28": (28, 28, 1), "rgb64": (64, 64, 3), "vol40": (40, 40, 40, 1)}
NUM_CLASSES = 10


# -- data ------------------------------------------------------------------------------
def make_workload(name: str, n_pool: int, ratio: float, mu: float, seed: int = 0):
    """Step-imbalanced synthetic data: labels of a balanced pool of ``n_pool``, subset, x."""
    from imbkeras.protocols import imbalance_indices

    rng = np.random.default_rng(seed)
    y_pool = rng.permutation(np.arange(n_pool) % NUM_CLASSES)
    idx = imbalance_indices(y_pool, "step", ratio=ratio, minority_fraction=mu, seed=seed)
    y = y_pool[idx].astype(np.int64)
    x = rng.random((len(y),) + SHAPES[name], dtype=np.float32)  # generated in place
    return x, y


def counts(y):
    return np.bincount(y, minlength=NUM_CLASSES)


# -- timing ----------------------------------------------------------------------------
def time_iter(make_iter, budget: float, warm: int = 2, min_samples: int = 0):
    """Samples/s of fresh passes of ``make_iter()`` (an iterator of (x, y) batches).

    After ``warm`` batches of a first pass, passes are started one after the
    other (each pass is a new epoch for the resampling pipelines, a replay for
    imbalanced-learn's generator) until ``budget`` seconds have passed.
    """
    it = make_iter()
    for _ in range(warm):
        next(it)
    n, t0 = 0, time.perf_counter()
    while True:
        for _, yb in make_iter():
            n += len(yb)
            if time.perf_counter() - t0 > budget:
                break
        if time.perf_counter() - t0 > budget and n >= min_samples:
            break
    return n / (time.perf_counter() - t0), n


def passes(ds, batches: int):
    """``make_iter`` for an endless dataset: passes of ``batches`` from one iterator."""
    it = iter(ds)

    def make():
        for _ in range(batches):
            yield next(it)

    return make


class _quiet_stderr:
    """Silence fd 2 (TF kernels log every rejection_resample batch there)."""

    def __enter__(self):
        sys.stderr.flush()
        self.saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)

    def __exit__(self, *exc):
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)


def bench_balanced(name, x, y, bs, budget):
    import tensorflow as tf
    from imblearn.keras import BalancedBatchGenerator
    from imblearn.over_sampling import RandomOverSampler as ImbROS

    from imbkeras.pipeline import make_dataset
    from imbkeras.sampling import RandomOverSampler

    epoch = int(counts(y).max()) * NUM_CLASSES
    rows = []

    t = time.perf_counter()
    ds = make_dataset(x, y, bs, sampler=RandomOverSampler(seed=0), seed=0)
    setup = time.perf_counter() - t
    rate, n = time_iter(lambda: iter(ds), budget)
    rows.append(("imbkeras make_dataset + ROS", setup, rate, n))
    # the same pipeline as one endless stream (steps_per_epoch mode, as model.fit
    # uses it for an equal number of iterations): no per-epoch restart of tf.data
    stream = make_dataset(x, y, bs, sampler=RandomOverSampler(seed=0), seed=0,
                          steps_per_epoch=max(1, epoch // bs))
    rate, n = time_iter(passes(stream, max(1, epoch // bs)), budget)
    rows.append(("  ... steps_per_epoch mode", 0.0, rate, n))

    t = time.perf_counter()
    gen = BalancedBatchGenerator(x.reshape(len(x), -1), y, sampler=ImbROS(), batch_size=bs,
                                 random_state=0)
    setup = time.perf_counter() - t
    shape = x.shape[1:]

    def imb_iter():
        for i in range(len(gen)):
            xb, yb = gen[i]
            yield xb.reshape((len(xb),) + shape), yb

    rate, n = time_iter(imb_iter, budget)
    rows.append(("imblearn BalancedBatchGenerator", setup, rate, n))
    # the same generator redrawn every epoch (what imbkeras does): setup + one pass
    fresh = epoch / (setup + epoch / rate)
    rows.append(("  ... redrawn every epoch", setup, fresh, epoch))
    gen = None  # free its resampled copy of the data

    init = (counts(y) / len(y)).astype(np.float32)
    target = np.full(NUM_CLASSES, 1.0 / NUM_CLASSES, np.float32)
    with _quiet_stderr():  # TF logs a warning per batch (and a deprecation) on stderr
        t = time.perf_counter()
        base = tf.data.Dataset.from_tensor_slices((x, y)).repeat()
        rej = base.rejection_resample(lambda xi, yi: tf.cast(yi, tf.int32), target_dist=target,
                                      initial_dist=init, seed=0)
        rej = rej.map(lambda c, xy: xy).batch(bs).prefetch(tf.data.AUTOTUNE)
        setup = time.perf_counter() - t
        rate, n = time_iter(passes(rej, max(1, epoch // bs)), budget)
    rows.append(("tf.data rejection_resample", setup, rate, n))
    del base, rej

    t = time.perf_counter()
    per_class = []
    for c in range(NUM_CLASSES):
        xc = x[y == c]
        d = tf.data.Dataset.from_tensor_slices((xc, np.full(len(xc), c, np.int64)))
        per_class.append(d.shuffle(min(len(xc), 1024), seed=c).repeat())
    mix = tf.data.Dataset.sample_from_datasets(per_class, weights=list(target), seed=0)
    mix = mix.batch(bs).prefetch(tf.data.AUTOTUNE)
    setup = time.perf_counter() - t
    rate, n = time_iter(passes(mix, max(1, epoch // bs)), budget)
    rows.append(("tf.data sample_from_datasets", setup, rate, n))
    del per_class, mix
    return rows


def augmentation_layer(name):
    from imbkeras.layers import RandomGeometric2D, RandomGeometric3D

    if len(SHAPES[name]) == 3:
        return RandomGeometric2D(rotation_range=180, shear_range=11.5, width_shift_range=0.1,
                                 height_shift_range=0.1, zoom_range=(0.8, 1.0),
                                 horizontal_flip=True, vertical_flip=True, seed=0)
    return RandomGeometric3D(rot90=True, rotation_range=180, flip_axes=("d", "h", "w"),
                             shift_range=0.1, seed=0)


def build_model(name):
    import keras

    from imbkeras.models import create_model

    keras.utils.set_random_seed(0)
    if len(SHAPES[name]) == 3:
        model = create_model("lenet5", input_shape=SHAPES[name], num_classes=NUM_CLASSES)
        label = "LeNet-5"
    else:
        model = create_model("inception3d", input_shape=SHAPES[name], num_classes=NUM_CLASSES)
        label = "Inception3D"
    model.compile(keras.optimizers.SGD(0.01, momentum=0.9), "sparse_categorical_crossentropy")
    return model, label


def fit_rate(model, ds, bs, budget):
    """Samples/s of ``model.fit`` on ``ds`` (endless), sized to about ``budget`` seconds."""
    model.fit(ds, epochs=1, steps_per_epoch=1, verbose=0)  # compile + warm-up
    t = time.perf_counter()
    model.fit(ds, epochs=1, steps_per_epoch=1, verbose=0)
    per_step = max(time.perf_counter() - t, 1e-4)
    steps = int(max(2, min(2000, budget / per_step)))
    t = time.perf_counter()
    model.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
    return steps * bs / (time.perf_counter() - t)


def bench_augmented(name, x, y, bs, budget):
    import tensorflow as tf

    from imbkeras.pipeline import make_dataset
    from imbkeras.sampling import RandomOverSampler

    aug = augmentation_layer(name)
    epoch = int(counts(y).max()) * NUM_CLASSES
    ds = make_dataset(x, y, bs, sampler=RandomOverSampler(seed=0), augment=aug, seed=0,
                      steps_per_epoch=max(1, epoch // bs))
    pipe_rate, _ = time_iter(passes(ds, max(1, epoch // bs)), budget, warm=3)
    model, label = build_model(name)
    # the 3D model is slow on a CPU: train it on smaller batches (the rate is per sample)
    mbs = bs if len(SHAPES[name]) == 3 else min(bs, 16)
    fixed = tf.data.Dataset.from_tensors((tf.constant(x[:mbs]), tf.constant(y[:mbs]))).repeat()
    model_rate = fit_rate(model, fixed, mbs, budget)
    fed = make_dataset(x, y, mbs, sampler=RandomOverSampler(seed=0), augment=aug, seed=1,
                       steps_per_epoch=10)
    fed_rate = fit_rate(model, fed, mbs, budget)
    return {"pipeline": pipe_rate, "model": label, "model_batch": mbs,
            "model_rate": model_rate, "fed_rate": fed_rate}


def bench_fit(name, x, y, bs, budget):
    """``model.fit`` fed by ``make_dataset`` vs ``model.fit`` on in-memory NumPy arrays.

    The same model (LeNet-5, 2D workloads), batch size and number
    of steps: (a) ``make_dataset(..., sampler=ROS, steps_per_epoch=steps)``
    (the stream mode ``model.fit`` uses for equal iterations; ROS redrawn at
    every pass over the data),
    (b) ``ROS.fit_resample`` once, then ``model.fit(x_res, y_res, shuffle=True)``
    (Keras's own array adapter). Each is timed over several epochs after a
    warm-up epoch (compilation).
    """
    import keras

    from imbkeras.pipeline import make_dataset
    from imbkeras.sampling import RandomOverSampler

    mbs = bs
    model, label = build_model(name)
    steps = 2
    x_res, y_res = RandomOverSampler(seed=0).fit_resample(x, y)
    model.fit(x_res[:mbs * steps], y_res[:mbs * steps], batch_size=mbs, verbose=0)  # compile
    t = time.perf_counter()
    model.fit(x_res[:mbs * 4], y_res[:mbs * 4], batch_size=mbs, verbose=0)
    per_step = max((time.perf_counter() - t) / 4, 1e-4)
    steps = int(max(30, min(400, budget / per_step / 3)))
    epochs = 3

    def timed(fit):
        fit(1)  # warm-up epoch (tf.function tracing of this input signature)
        t = time.perf_counter()
        fit(epochs)
        return epochs * steps * mbs / (time.perf_counter() - t)

    ds = make_dataset(x, y, mbs, sampler=RandomOverSampler(seed=0), seed=0,
                      steps_per_epoch=steps)

    def fed(e):
        model.fit(ds, epochs=e, steps_per_epoch=steps, verbose=0)

    def arrays(e):
        model.fit(x_res, y_res, batch_size=mbs, epochs=e, steps_per_epoch=steps, shuffle=True,
                  verbose=0)

    rates = {}
    for _ in range(3):  # interleaved, the best of three rounds each
        rates["fed"] = max(rates.get("fed", 0.0), timed(fed))
        rates["arrays"] = max(rates.get("arrays", 0.0), timed(arrays))
    keras.backend.clear_session()
    return {"model": label, "batch": mbs, "steps": steps, **rates}


# -- memory (each in its own process) ---------------------------------------------------
def _status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def memory_worker(method, factor, n_pool, ratio, mu, bs):
    x, y = make_workload("rgb64", n_pool, ratio, mu)
    c = counts(y)
    strategy = "auto" if factor == "balance" else {k: 2 * int(c.max()) for k in range(NUM_CLASSES)}
    if method == "imbkeras":
        import tensorflow as tf

        from imbkeras.pipeline import make_dataset
        from imbkeras.sampling import RandomOverSampler

        _ = (tf.constant(1.0) + 1.0).numpy()  # start the runtime before the baseline
        sampler = RandomOverSampler(sampling_strategy=strategy, seed=0)
        n_res = sum(sampler.target_counts(y).values())
        base = _status("VmRSS")
        exact = _reset_peak()
        ds = make_dataset(x, y, bs, sampler=sampler, seed=0)
        n = 0
        for _, yb in ds:
            n += len(yb)
        assert n == n_res, (n, n_res)
    else:
        from imblearn.over_sampling import RandomOverSampler as ImbROS

        base = _status("VmRSS")
        exact = _reset_peak()
        xr, yr = ImbROS(sampling_strategy=strategy, random_state=0).fit_resample(
            x.reshape(len(x), -1), y)
        n_res = len(yr)
    peak = _status("VmHWM")
    print(json.dumps({"method": method, "factor": factor, "growth": peak - base,
                      "dataset": int(x.nbytes), "n": len(y), "n_res": int(n_res),
                      "exact_peak": exact}))


def bench_memory(args):
    rows = []
    for factor in ("balance", "2x"):
        for method in ("imbkeras", "imblearn"):
            cmd = [sys.executable, os.path.abspath(__file__), "--memory-worker", method,
                   "--memory-factor", factor, "--n64", str(args.n64), "--ratio", str(args.ratio),
                   "--mu", str(args.mu), "--batch-size", str(args.batch_size)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=False)
            lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
            if out.returncode or not lines:
                rows.append({"method": method, "factor": factor,
                             "error": (out.stderr or out.stdout)[-500:]})
            else:
                rows.append(json.loads(lines[-1]))
    return rows


# -- report ----------------------------------------------------------------------------
def fmt_rate(r):
    return f"{r:,.0f}"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n28", type=int, default=60000, help="pool size of 28x28x1 (60k)")
    p.add_argument("--n64", type=int, default=20000, help="pool size of 64x64x3 (20k)")
    p.add_argument("--n40", type=int, default=2000, help="pool size of 40^3x1 (2k)")
    p.add_argument("--ratio", type=float, default=100.0, help="step imbalance rho (100)")
    p.add_argument("--mu", type=float, default=0.5, help="fraction of minority classes (0.5)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--budget", type=float, default=6.0,
                   help="seconds per timed measurement, about (default 6)")
    p.add_argument("--workloads", default="mnist28,rgb64,vol40")
    p.add_argument("--sections", default="balanced,augmented,fit,memory")
    p.add_argument("--json", default=None, help="also write all results to this JSON file")
    p.add_argument("--memory-worker", default=None, help=argparse.SUPPRESS)
    p.add_argument("--memory-factor", default="balance", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.memory_worker:
        memory_worker(args.memory_worker, args.memory_factor, args.n64, args.ratio, args.mu,
                      args.batch_size)
        return
    sections = args.sections.split(",")
    sizes = {"mnist28": args.n28, "rgb64": args.n64, "vol40": args.n40}
    results = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
               "balanced": {}, "augmented": {}, "fit": {}, "memory": []}
    import tensorflow as tf

    results["machine"]["tensorflow"] = tf.__version__
    print(f"# imbkeras pipeline benchmark: {os.cpu_count()} CPUs, TF {tf.__version__}, "
          f"batch {args.batch_size}, rho={args.ratio:g}, mu={args.mu:g}, "
          f"budget {args.budget:g}s/measurement")
    t_all = time.perf_counter()
    summary = []
    for name in args.workloads.split(","):
        if not {"balanced", "augmented", "fit"} & set(sections):
            break
        x, y = make_workload(name, sizes[name], args.ratio, args.mu)
        c = counts(y)
        print(f"\n## {name}: {'x'.join(map(str, SHAPES[name]))}, pool {sizes[name]:,} -> "
              f"{len(y):,} samples ({x.nbytes / 2**20:,.0f} MiB), class sizes {c.min()}..{c.max()}, "
              f"balanced epoch {c.max() * NUM_CLASSES:,}")
        if "balanced" in sections:
            rows = bench_balanced(name, x, y, args.batch_size, args.budget)
            ours = rows[0][2]
            print(f"{'balanced sampling, no augmentation':36s} {'setup s':>8s} {'samples/s':>11s} "
                  f"{'timed n':>10s} {'imbkeras/x':>10s}")
            for label, setup, rate, n in rows:
                print(f"{label:36s} {setup:8.2f} {fmt_rate(rate):>11s} {n:10,d} "
                      f"{ours / rate:10.2f}")
            peers = [r for r in rows if not r[0].startswith(("imbkeras", " "))]
            best = max(peers, key=lambda r: r[2])
            fresh = max((r for r in rows[2:] if r[0] != best[0]), key=lambda r: r[2])
            stream_rate = rows[1][2]
            print("(imbkeras/x: imbkeras per-epoch rate / the row's rate; timed n: samples "
                  "delivered in the timed passes)")
            print(f"-> imbkeras / fastest peer ({best[0]}, drawn once) = {ours / best[2]:.2f} "
                  f"per-epoch mode (target >= 1: {'met' if ours >= best[2] else 'MISSED'}), "
                  f"{stream_rate / best[2]:.2f} stream mode; / fastest peer drawing afresh "
                  f"every epoch ({fresh[0].strip()}) = {ours / fresh[2]:.2f}")
            summary.append(f"plain balanced sampling, {name}: imbkeras / fastest peer = "
                           f"{ours / best[2]:.2f} per-epoch (target >= 1), "
                           f"{stream_rate / best[2]:.2f} stream; {ours / fresh[2]:.2f} against "
                           f"the fastest peer redrawn every epoch")
            results["balanced"][name] = [dict(method=r[0], setup_s=r[1], samples_per_s=r[2],
                                              timed_samples=r[3]) for r in rows]
        if "augmented" in sections:
            a = bench_augmented(name, x, y, args.batch_size, args.budget)
            ratio = a["pipeline"] / a["model_rate"]
            print(f"{'with augmentation':36s} {'samples/s':>11s}")
            print(f"{'imbkeras pipeline (ROS + augment)':36s} {fmt_rate(a['pipeline']):>11s}")
            print(f"{a['model'] + ' training, in-memory batches':36s} "
                  f"{fmt_rate(a['model_rate']):>11s}   (batch {a['model_batch']})")
            print(f"{a['model'] + ' fit fed by the pipeline':36s} {fmt_rate(a['fed_rate']):>11s}")
            target = " (target >= 5: " + ("met)" if ratio >= 5 else "MISSED)") \
                if len(SHAPES[name]) == 3 else ""
            print(f"-> pipeline / training rate = {ratio:.1f}x{target}; fed / in-memory = "
                  f"{a['fed_rate'] / a['model_rate']:.2f}")
            results["augmented"][name] = a
            summary.append(f"augmented pipeline, {name}: {ratio:.1f}x the {a['model']} training "
                           f"rate" + (" (target >= 5)" if len(SHAPES[name]) == 3 else ""))
        if "fit" in sections and len(SHAPES[name]) == 3:  # LeNet-5 on the 2D workloads
            f = bench_fit(name, x, y, args.batch_size, args.budget)
            ratio = f["fed"] / f["arrays"]
            print(f"{'model.fit, same model and steps':36s} {'samples/s':>11s}")
            print(f"{'fed by make_dataset + ROS':36s} {fmt_rate(f['fed']):>11s}")
            print(f"{'in-memory NumPy (resampled once)':36s} {fmt_rate(f['arrays']):>11s}")
            print(f"-> {f['model']} (batch {f['batch']}, {f['steps']} steps/epoch): fed / "
                  f"in-memory = {ratio:.2f} (target >= 0.95: "
                  f"{'met' if ratio >= 0.95 else 'MISSED'})")
            results["fit"][name] = f
            summary.append(f"model.fit fed by make_dataset / on in-memory arrays, {name}: "
                           f"{ratio:.2f} (target >= 0.95)")
        del x, y
    if "memory" in sections:
        rows = bench_memory(args)
        results["memory"] = rows
        print(f"\n## memory: balancing rgb64 (64x64x3, pool {args.n64:,}, rho={args.ratio:g}), "
              f"peak RSS growth")
        print(f"{'method':34s} {'factor':>7s} {'resampled':>10s} {'growth MiB':>11s} "
              f"{'x dataset':>10s}")
        for r in rows:
            label = {"imbkeras": "imbkeras make_dataset (1 epoch)",
                     "imblearn": "imblearn ROS.fit_resample"}[r["method"]]
            if "error" in r:
                print(f"{label:34s} {r['factor']:>7s}  failed: {r['error'][-200:]}")
                continue
            print(f"{label:34s} {r['factor']:>7s} {r['n_res']:10,d} {r['growth'] / 2**20:11,.0f} "
                  f"{r['growth'] / r['dataset']:10.2f}")
        ours = [r for r in rows if r["method"] == "imbkeras" and "error" not in r]
        if ours:
            worst = max(r["growth"] / r["dataset"] for r in ours)
            print(f"-> dataset {ours[0]['dataset'] / 2**20:,.0f} MiB ({ours[0]['n']:,} samples); "
                  f"imbkeras worst growth {worst:.2f}x (target < 1.2: "
                  f"{'met' if worst < 1.2 else 'MISSED'})")
            summary.append(f"memory growth, rgb64: imbkeras {worst:.2f}x the dataset at worst "
                           f"(target < 1.2)")
    if summary:
        print("\n## summary")
        for line in summary:
            print("- " + line)
    print(f"\ntotal {time.perf_counter() - t_all:.0f}s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2, default=float)


if __name__ == "__main__":
    main()
