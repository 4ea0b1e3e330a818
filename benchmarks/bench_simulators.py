"""Time to simulate the default data sets (Luo's 1,634 subtomograms at 40^3; 2,000 liposomes;
1,200 protein-cell fields at 64^2 x 4), single process and with every core.

Usage: ``python benchmarks/bench_simulators.py [--n-subtomograms 1634]``.
"""

import argparse
import os
import time

from imbkeras import synthetic


def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-subtomograms", type=int, default=1634)
    args = parser.parse_args()
    n = args.n_subtomograms
    cores = os.cpu_count()
    rows = [
        (f"subtomograms {n} x 40^3, 1 process",
         timed(lambda: synthetic.subtomograms(n, seed=0, n_jobs=1))),
        (f"subtomograms {n} x 40^3, {cores} processes",
         timed(lambda: synthetic.subtomograms(n, seed=0, n_jobs=None))),
        ("liposomes 2,000", timed(lambda: synthetic.liposomes(2000, seed=0))),
        ("protein cells 1,200 x 64^2 x 4", timed(lambda: synthetic.protein_cells(1200, 64, seed=0))),
    ]
    for name, seconds in rows:
        print(f"{name:<45} {seconds:8.1f} s")


if __name__ == "__main__":
    main()
