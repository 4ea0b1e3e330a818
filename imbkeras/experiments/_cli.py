"""Command line: ``imbkeras reproduce <paper> [--quick] ...`` and ``imbkeras report DIR``."""

from __future__ import annotations

import argparse
import os
import sys

PAPERS = ("buda2018",)


def _floats(text):
    return tuple(float(v) for v in text.split(","))


def _ints(text):
    return tuple(int(v) for v in text.split(","))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="imbkeras", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("reproduce", help="run a paper's protocol")
    rep.add_argument("paper", choices=PAPERS)
    rep.add_argument("--quick", action="store_true",
                     help="small grid that finishes in minutes on a CPU")
    rep.add_argument("--dataset", default="digits")
    rep.add_argument("--out", default=None, help="output directory (default results/<paper>)")
    rep.add_argument("--seeds", type=_ints, default=None, help="comma-separated seeds")
    rep.add_argument("--iterations", type=int, default=None,
                     help="SGD iterations per training (equal for every method)")
    rep.add_argument("--ratios", type=_floats, default=None,
                     help="comma-separated imbalance ratios (overrides the grid's)")
    rep.add_argument("--mus", type=_floats, default=None,
                     help="comma-separated minority fractions for step imbalance")
    rep.add_argument("--methods", default=None, help="comma-separated methods")
    rep.add_argument("--verbose", type=int, default=2, choices=(0, 1, 2),
                     help="Keras fit verbosity per training")

    show = sub.add_parser("report", help="print the summary tables of a results directory")
    show.add_argument("out")
    show.add_argument("--metric", default="auc_ovr")
    return parser


def _print_tables(df, metric_names=("auc_ovr", "accuracy")):
    import pandas as pd

    from imbkeras.experiments._results import summary_table

    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.float_format", "{:.4f}".format):
        for metric in metric_names:
            print(f"\n{metric} (mean over seeds)")
            print(summary_table(df, metric).to_string())


def _reproduce(args) -> int:
    from imbkeras.experiments import _buda2018 as buda

    overrides = {"dataset": args.dataset, "verbose": args.verbose}
    if args.seeds is not None:
        overrides["seeds"] = args.seeds
    if args.iterations is not None:
        overrides["iterations"] = args.iterations
    if args.methods is not None:
        overrides["methods"] = tuple(m.strip() for m in args.methods.split(","))
    cfg = (buda.quick_config if args.quick else buda.paper_config)(**overrides)
    if args.ratios is not None or args.mus is not None:
        kinds = dict.fromkeys(s["kind"] for s in cfg.scenarios)
        ratios = args.ratios or tuple(dict.fromkeys(s["ratio"] for s in cfg.scenarios))
        mus = args.mus or tuple(dict.fromkeys(s["mu"] for s in cfg.scenarios
                                              if s["mu"] is not None))
        cfg.scenarios = [{"kind": "step", "ratio": r, "mu": m} for r in ratios for m in mus
                         if "step" in kinds]
        cfg.scenarios += [{"kind": "linear", "ratio": r, "mu": None} for r in ratios
                          if "linear" in kinds]
    out = args.out or os.path.join("results", args.paper + ("_quick" if args.quick else ""))
    df = buda.run(cfg, out)
    if len(df):
        _print_tables(df)
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "reproduce":
            return _reproduce(args)
        from imbkeras.experiments._results import load_results

        _print_tables(load_results(args.out), (args.metric,))
        return 0
    except (ValueError, FileNotFoundError) as err:
        print(f"imbkeras: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
