"""Command line of the experiment engine.

``imbkeras run CONFIG.yaml``, ``imbkeras reproduce PAPER [--profile
smoke|quick|cpu|paper]``, ``imbkeras report DIR``, ``imbkeras findings
PAPER [DIR]`` and ``imbkeras leaderboard [--papers ...] [--profile ...]``.
Every argument is checked, and the configuration validated,
before anything in the output directory is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

EXIT_USAGE = 2


def _list(kind):
    def parse(text):
        try:
            return [kind(v) for v in text.split(",") if v.strip()]
        except ValueError as err:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated {kind.__name__} values; received {text!r}") from err
    return parse


def _positive_int(text):
    try:
        value = int(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected an integer; received {text!r}") from err
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1; received {text!r}")
    return value


def _nonneg_float(text):
    try:
        value = float(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"expected a number; received {text!r}") from err
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0; received {text!r}")
    return value


def _paper(text):
    # parsing a paper's name loads the engine and its presets; ``--help`` does not
    from imbkeras.experiments import get_preset

    try:
        get_preset(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def _grid_options(p: argparse.ArgumentParser):
    g = p.add_argument_group("grid overrides (any preset or config)")
    g.add_argument("--seeds", type=_list(int), help="comma-separated seeds")
    g.add_argument("--methods", type=_list(str), help="comma-separated subset of the methods")
    g.add_argument("--ratios", type=_list(float), help="imbalance ratios of every scenario")
    g.add_argument("--mus", type=_list(float), help="minority fractions of step scenarios")
    g.add_argument("--folds", type=_list(int), help="which folds to run (0-based)")
    g.add_argument("--dataset", type=_list(str), help="comma-separated dataset names")
    g.add_argument("--iterations", type=_positive_int, help="sets params.iterations")
    g.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="any config value, dotted keys, YAML values (repeatable): "
                        "--set params.epochs=3 --set cv.folds=5")
    g.add_argument("--verbose", type=int, choices=(0, 1, 2), help="Keras fit verbosity")
    x = p.add_argument_group("execution")
    x.add_argument("--out", help="experiment directory")
    x.add_argument("--list", action="store_true", help="print the grid and exit")
    x.add_argument("--force", action="store_true",
                   help="rerun completed runs; on a directory of another configuration, "
                        "discard its runs and replace them")
    x.add_argument("--executor", choices=("local", "processes", "ray"), default="local")
    x.add_argument("--workers", type=_positive_int, default=2, help="for --executor processes")
    x.add_argument("--ray-address", help="an existing Ray cluster (default: a local one)")
    x.add_argument("--cpus-per-run", type=_nonneg_float, default=1.0)
    x.add_argument("--gpus-per-run", type=_nonneg_float, default=0.0)
    x.add_argument("--strategy", choices=("mirrored",), default=None,
                   help="train each run under tf.distribute.MirroredStrategy")
    x.add_argument("--tensorboard", action="store_true", help="TensorBoard logs per training")
    x.add_argument("--save-models", action="store_true",
                   help="keep each training's fitted model (trainings/<key>/model.keras)")
    x.add_argument("--no-progress", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    from imbkeras._version import __version__

    parser = argparse.ArgumentParser(prog="imbkeras", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"imbkeras {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run an experiment config (YAML)")
    run.add_argument("config", help="YAML file (see imbkeras.experiments.Experiment)")
    _grid_options(run)

    rep = sub.add_parser(
        "reproduce", help="run a paper's preset",
        description="Run a paper's preset. Profiles: smoke (seconds, the tests), quick "
                    "(the default: minutes on 2 CPU cores, shows that every method trains, "
                    "claims nothing), cpu (the reproduction: at most an hour on 2 CPU cores, "
                    "every finding measured), paper (the paper's full setting, for a GPU).")
    rep.add_argument("paper", type=_paper, help="a paper preset (e.g. buda2018)")
    rep.add_argument("--profile", default=None,
                     help="smoke, quick (default), cpu or paper")
    rep.add_argument("--quick", action="store_true", help="alias of --profile quick")
    _grid_options(rep)

    show = sub.add_parser("report", help="write and print the report of a results directory")
    show.add_argument("out")
    show.add_argument("--metric", action="append", default=None,
                      help="metric of the mean ± std tables (repeatable)")

    lb = sub.add_parser(
        "leaderboard", help="long-tail recipes vs each paper's best, on the papers' protocols",
        description="Run the leaderboard presets (leaderboard.<paper>: the paper's profile, "
                    "nine long-tail recipes and the paper's best method, one step budget) "
                    "into OUT/<paper>/, then write the table across them (OUT/leaderboard.md).")
    lb.add_argument("--papers", type=_list(str), default=None,
                    help="comma-separated papers (default: every one with a protocol)")
    lb.add_argument("--profile", choices=("smoke", "quick", "cpu", "paper"), default="quick")
    lb.add_argument("--out", help="the leaderboard directory (default results/leaderboard_"
                                  "<profile>)")
    lb.add_argument("--force", action="store_true",
                    help="rerun completed runs (see reproduce --force)")
    lb.add_argument("--no-progress", action="store_true", help="no progress bar")

    fnd = sub.add_parser("findings", help="a paper's findings, and their verdicts on a run",
                         description="Print a paper's findings; given a results directory of "
                                     "that paper's preset, print the verdict of each.")
    fnd.add_argument("paper", type=_paper, help="a paper preset (e.g. buda2018)")
    fnd.add_argument("out", nargs="?", default=None, help="a results directory of this paper")
    return parser


def _experiment(args):
    from imbkeras.experiments import Experiment, get_preset  # loads the engine and presets

    if args.command == "run":
        exp = Experiment.from_yaml(args.config)
        default_out = os.path.join("results", os.path.splitext(os.path.basename(args.config))[0])
    else:
        if args.quick and args.profile not in (None, "quick"):
            raise ValueError(f"--quick is --profile quick; received --profile {args.profile}.")
        profile = "quick" if args.quick else (args.profile or "quick")
        exp = get_preset(args.paper).profile(profile)
        default_out = os.path.join("results", f"{args.paper}_{profile}")
    exp = exp.with_overrides(seeds=args.seeds, methods=args.methods, ratios=args.ratios,
                             mus=args.mus, folds=args.folds, datasets=args.dataset,
                             iterations=args.iterations, sets=args.sets)
    if args.verbose is not None:
        exp.verbose = args.verbose
    return exp, args.out or default_out


def _print_grid(exp):
    from imbkeras.experiments import expand, groups

    runs = expand(exp)
    for r in runs:
        print(r.run_id)
    print(f"{len(runs)} runs, {len(groups(runs))} trainings")


def _run(args) -> int:
    from imbkeras.experiments import build_report, run_experiment, write_provenance

    exp, out = _experiment(args)
    if args.list:
        _print_grid(exp.validate())
        return 0
    t0 = time.time()
    # run_experiment validates the configuration (once) and refuses a directory it must
    # not adopt, both before writing anything.
    df = run_experiment(exp, out, executor=args.executor, workers=args.workers,
                        force=args.force, ray_address=args.ray_address,
                        cpus_per_run=args.cpus_per_run, gpus_per_run=args.gpus_per_run,
                        strategy=args.strategy, tensorboard=args.tensorboard,
                        save_models=args.save_models, progress=not args.no_progress)
    st = df.attrs["status"]
    write_provenance(out, exp, wall_seconds=time.time() - t0, status=st)
    print(f"{st.done} runs done, {st.skipped} already complete, {st.infeasible} infeasible, "
          f"{st.failed} failed of {st.total} in {st.seconds:.0f}s; results in {out}", flush=True)
    if len(df):
        print(build_report(out)["markdown"])
    for run_id, message in st.failures:
        print(f"failed: {run_id}: {message} (traceback in {out}/runs/{run_id}/error.json)",
              file=sys.stderr)
    # The exit status is the number of failed runs (capped at 100); 0 when all ran.
    return min(st.failed, 100)


def _leaderboard(args) -> int:
    from imbkeras.experiments import (build_report, check_store, get_preset, run_experiment,
                                      write_provenance)
    from imbkeras.experiments.presets import leaderboard

    protocols = leaderboard.check_protocols(args.papers)
    out = args.out or os.path.join("results", f"leaderboard_{args.profile}")
    exps = {p: get_preset(f"leaderboard.{p}").profile(args.profile) for p in protocols}
    for p, exp in exps.items():  # every protocol checked before any runs
        check_store(exp.validate(), os.path.join(out, p), args.force)
        preflight = get_preset(f"leaderboard.{p}").preflight
        if preflight is not None:
            preflight(exp)
        for name, why in leaderboard.PROTOCOLS[p].skipped().items():
            print(f"{p}: {name} skipped (multi-label), since {why}.", flush=True)
    failed = 0
    for p, exp in exps.items():
        t0 = time.time()
        df = run_experiment(exp, os.path.join(out, p), force=args.force,
                            progress=not args.no_progress)
        st = df.attrs["status"]
        write_provenance(os.path.join(out, p), exp, wall_seconds=time.time() - t0, status=st)
        print(f"{p}: {st.done} runs done, {st.skipped} already complete, {st.failed} failed of "
              f"{st.total} in {st.seconds:.0f}s", flush=True)
        if len(df):
            build_report(os.path.join(out, p))
        for run_id, message in st.failures:
            print(f"failed: {run_id}: {message}", file=sys.stderr)
        failed += st.failed
    print(leaderboard.summary(out)["markdown"])
    return min(failed, 100)


def _findings_text(paper: str, out: str | None) -> str:
    """The findings of ``paper`` (with verdicts when ``out`` is a run of its preset)."""
    import pandas as pd
    import yaml

    from imbkeras.experiments import (ResultStore, check_findings, findings_score, get_preset,
                                      markdown_table)

    preset = get_preset(paper)
    if not preset.findings:
        return f"{paper}: no findings declared yet."
    if out is None:
        table = pd.DataFrame([{"id": f.id, "source": f.source, "statement": f.statement,
                           "paper": f.paper} for f in preset.findings])
        return f"{paper}: {len(preset.findings)} findings\n\n" + markdown_table(table)
    store = ResultStore(out)
    if not store.root.is_dir():
        raise FileNotFoundError(f"results directory `out`={out!r} does not exist.")
    config = yaml.safe_load(store.config_text() or "{}") or {}
    if config.get("preset") != paper:
        raise ValueError(f"`out`={out!r} holds a run of preset {config.get('preset')!r} "
                         f"(experiment {config.get('name')!r}), not of {paper!r}; "
                         f"give a directory written by `imbkeras reproduce {paper}`.")
    df = store.table()
    if df.empty:
        raise FileNotFoundError(f"no completed run in `out`={out!r}; run the preset first.")
    found = check_findings(df, preset)
    shown = found[["id", "verdict", "ours", "effect", "spread", "n", "note"]]
    return (f"{paper} ({config.get('profile')} profile, {len(df)} runs): "
            f"{findings_score(found)}\n\n" + markdown_table(shown))


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in ("run", "reproduce"):
            return _run(args)
        if args.command == "leaderboard":
            return _leaderboard(args)
        if args.command == "findings":
            print(_findings_text(args.paper, args.out))
            return 0
        from imbkeras.experiments import build_report

        print(build_report(args.out, metrics=args.metric)["markdown"])
        return 0
    except (ValueError, TypeError, FileNotFoundError, ImportError) as err:
        print(f"imbkeras: error: {err}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
