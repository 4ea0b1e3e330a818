"""Leaderboard: modern long-tail recipes on the papers' own protocols, one budget each.

For each paper with a leaderboard protocol, the preset ``leaderboard.<paper>``
is that paper's profile (the same data, splits, imbalance scenarios, seeds and
shared parameters) with its methods replaced by the nine recipes of
:func:`imbkeras.training.long_tail_fit` (cross-entropy, ROS, class-balanced
focal loss, logit-adjusted loss, post-hoc logit adjustment, balanced softmax,
LDAM-DRW, cRT, mixup-DRW) and the paper's best method as the reference row,
run by the paper's own trainer. Every recipe trains the paper's network on
the paper's input for the reference row's number of optimisation steps
(counted, in the ``steps`` column); the protocol's ``budget`` says how that
number comes from the profile.

``imbkeras leaderboard`` runs the protocols and writes one table across them:
the paper's metric per protocol, ranks within each protocol, the average rank
across protocols with a Friedman test and Holm-corrected pairwise tests, and
per paper the line "best recipe vs the paper's best" as a finding with its
verdict. The best recipe is chosen on the same test folds it is scored on, so
its margin is optimistic; the verdict weighs the spread over the blocks.

Protocols: ``buda2018`` (digits, step and linear imbalance, LeNet-5),
``koziarski2020`` (digits at 16x16x3, Koziarski's five imbalance kinds, the
profile's backbone), ``gryshkevych2016`` (both liposome problems, cropped
and masked particles, LipNet-4), ``luo2019`` (simulated subtomograms at 2, 3
and 4 classes, the multi-path CNN trained end to end) and ``aljoudi2023``
(simulated 4-channel protein cells, 28 labels, GapNet-PL with PReLU): 2D and
3D, single- and multi-label. A multi-label protocol runs the recipes'
multi-label forms (:data:`imbkeras.training.MULTI_LABEL_RECIPES`); balanced
softmax and LDAM-DRW have none and are left out of its profiles, which the
table and ``imbkeras leaderboard`` say.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
from typing import Callable, Literal

import numpy as np

from imbkeras.experiments._config import Experiment
from imbkeras.experiments._context import TrainOutput
from imbkeras.experiments._findings import BLOCK_COLUMNS, Finding, Measurement, method_means
from imbkeras.experiments._params import declared
from imbkeras.experiments._registry import (TRAINERS, get_preset, register_preset,
                                            register_trainer)

TRAINER = "leaderboard.recipe"
#: The recipes of :func:`imbkeras.training.long_tail_fit` and their method names.
RECIPES = {"ce": "CE", "ros": "ROS", "cb_focal": "CB focal", "la_loss": "LA loss",
           "posthoc_la": "post-hoc LA", "balanced_softmax": "balanced softmax",
           "ldam_drw": "LDAM-DRW", "crt": "cRT", "mixup_drw": "mixup-DRW"}
REFERENCE_PREFIX = "paper: "
#: The reference rows' name in the table across protocols.
PAPER_BEST = "paper's best"


@dataclasses.dataclass(frozen=True)
class Protocol:
    """How the recipes run on one paper's protocol.

    The functions get ``p``, the reference trainer's parameters: its declared
    defaults overridden by the run's (the paper's profile), so a budget reads
    the very values the reference row trains with.

    Attributes:
        paper: the paper preset whose profiles give the data and the grid.
        reference: the paper's best method (a method of its ``cpu`` profile).
        metric: the paper's headline metric (a results column).
        inputs: ``(ctx, x) -> x`` the network's input from the dataset's arrays.
        network: ``(ctx, p, input_shape) -> keras.Model`` (softmax output).
        budget: ``(ctx, p) -> dict`` of :func:`long_tail_fit` arguments:
            ``epochs``, ``steps_per_epoch``, ``batch_size``, ``optimizer`` (a
            factory) and optionally ``augment``; the steps equal the reference
            row's.
        note: how the budget matches the reference row, for the report.
        multi_label: multi-hot labels: the recipes' multi-label forms, without
            the single-label ones (:meth:`skipped`).
        train: ``(ctx, p) -> (x, y)``, the training samples the reference
            learns from (default: the whole training fold).
    """

    paper: str
    reference: str
    metric: str
    inputs: Callable
    network: Callable
    budget: Callable
    note: str
    multi_label: bool = False
    train: Callable | None = None

    def recipes(self) -> dict:
        """The recipes that apply to the protocol's labels: ``{key: method name}``."""
        from imbkeras.training import SINGLE_LABEL_ONLY

        return {k: v for k, v in RECIPES.items()
                if not (self.multi_label and k in SINGLE_LABEL_ONLY)}

    def check_recipe(self, key: str, where: str = "") -> None:
        """Refuse a recipe that does not apply to the protocol's labels (naming why)."""
        name = RECIPES.get(key)
        if name in self.skipped():
            raise ValueError(f"{where}`params.recipe`={key!r} does not apply to the "
                             f"{self.paper} protocol ({self.skipped()[name]}); its recipes "
                             f"are {list(self.recipes())}.")

    def skipped(self) -> dict:
        """The recipes left out (multi-label protocols): ``{method name: why}``."""
        from imbkeras.training import SINGLE_LABEL_ONLY

        return {RECIPES[k]: why for k, why in SINGLE_LABEL_ONLY.items()} if self.multi_label \
            else {}


def _as_is(ctx, x):
    return x


# -- buda2018: the paper's recipe for the dataset (LeNet-5 or All-CNN-C), its SGD schedule -----
def _buda_network(ctx, p, shape):
    from imbkeras import models
    from imbkeras.experiments.presets import buda2018 as buda

    r = buda._recipe(p, ctx.dataset)
    return models.create_model(r["model"], input_shape=shape, num_classes=ctx.num_classes,
                               weight_decay=r["weight_decay"])


def _buda_budget(ctx, p):
    from imbkeras.experiments.presets import buda2018 as buda

    r = buda._recipe(p, ctx.dataset)
    chunk = buda._steps_per_chunk(r["iterations"], int(r["log_every"]))
    return {"epochs": r["iterations"] // chunk, "steps_per_epoch": chunk,
            "batch_size": r["batch_size"], "optimizer": lambda: buda._optimizer(r)}


# -- koziarski2020: the profile's backbone, RMSprop, stage 1 of TS-SMOTE+RUS ---------------------
def _kozi_network(ctx, p, shape):
    from imbkeras.experiments.presets import koziarski2020 as kozi

    # the reference's backbone and initialisation (ImageNet in the paper profile)
    return kozi._backbone(ctx, p["backbone"], p["backbone_kwargs"], p["weights"])[0]


def _kozi_budget(ctx, p):
    import keras

    # The reference's stage 1 trains on the SMOTE-balanced set: K x the largest class.
    n = ctx.num_classes * int(np.bincount(ctx.y_train).max())
    return {"epochs": p["epochs"], "steps_per_epoch": math.ceil(n / p["batch_size"]),
            "batch_size": p["batch_size"],
            "optimizer": lambda: keras.optimizers.RMSprop(p["learning_rate"])}


# -- gryshkevych2016: LipNet-4 on cropped+masked particles, the thesis' augmentation, Adam -------
def _gry_inputs(ctx, x):
    from imbkeras.experiments.presets import gryshkevych2016 as gry

    return gry._inputs(x, "masked")[..., :1]


def _gry_network(ctx, p, shape):
    from imbkeras import models

    return models.create_model(p["model"], input_shape=shape, num_classes=ctx.num_classes,
                               kernel_initializer=p["kernel_initializer"])


def _gry_budget(ctx, p):
    from imbkeras.experiments.presets import gryshkevych2016 as gry

    # The reference's epoch is the hybrid sampler's draw: every class at 80 % of the majority.
    target = int(round((1 - p["drop_majority"]) * np.bincount(ctx.y_train).max()))
    return {"epochs": p["epochs"],
            "steps_per_epoch": math.ceil(ctx.num_classes * target / p["batch_size"]),
            "batch_size": p["batch_size"], "augment": gry._augment(p["augment"], ctx.seed),
            "optimizer": lambda: gry._optimizer(p["optimizer"], p["learning_rate"],
                                                p["momentum"])}


# -- luo2019: the multi-path CNN (K paths of the first design) end to end, Adam ----------------
def _luo_network(ctx, p, shape):
    from imbkeras import models

    design = (p["path_designs"] or models.PATH_VARIANTS_3D)[0]
    return models.create_model(p["model"], input_shape=shape, num_classes=ctx.num_classes,
                               num_paths=ctx.num_classes, path=design, pooling="global_avg",
                               width=p["path_width"], dropout=p["head_dropout"])


def _luo_budget(ctx, p):
    import keras

    # The reference trains K paths (one per class) for at most path_epochs passes each.
    return {"epochs": ctx.num_classes * p["path_epochs"],
            "steps_per_epoch": math.ceil(len(ctx.y_train) / p["batch_size"]),
            "batch_size": p["batch_size"],
            "optimizer": lambda: keras.optimizers.Adam(p["learning_rate"])}


# -- aljoudi2023: GapNet-PL (PReLU) on the reference's training part, SGD, rot90 / flip ----------
def _alj_train(ctx, p):
    # The reference holds out val_fraction of the training fold for its plateau schedule.
    return ctx.validation_split(p["val_fraction"])[0]


def _alj_network(ctx, p, shape):
    from imbkeras import models

    return models.create_model("gapnet_pl", input_shape=shape, num_classes=ctx.num_classes,
                               activation=p["activation"])


def _alj_budget(ctx, p):
    import keras

    from imbkeras import layers, sampling

    # The reference trains `epochs` passes over its one-shot resampled set.
    _, y = _alj_train(ctx, p)
    s = sampling.OneShotHybridSampler(p["target"], p["reference_size"], seed=ctx.seed)
    s.fit_resample(np.zeros((len(y), 1), np.int8), y)
    batch = ctx.global_batch_size(p["batch_size"])
    return {"epochs": p["epochs"], "steps_per_epoch": math.ceil(len(s.sample_indices_) / batch),
            "batch_size": batch, "augment": layers.RandomRot90Flip(ndim=2, seed=ctx.seed),
            "optimizer": lambda: keras.optimizers.SGD(p["learning_rate"],
                                                      momentum=p["momentum"])}


PROTOCOLS = {
    "buda2018": Protocol("buda2018", "ROS+thr", "auc_ovr", _as_is, _buda_network, _buda_budget,
                         "iterations SGD steps of batch_size, as every Buda method"),
    "koziarski2020": Protocol(
        "koziarski2020", "TS-SMOTE+RUS", "avacc", _as_is, _kozi_network, _kozi_budget,
        "epochs x the SMOTE-balanced set's batches: the reference's stage 1 (its stage 2, "
        "the head on cached features, is on top)"),
    "gryshkevych2016": Protocol(
        "gryshkevych2016", "LipNet-4", "macro_f1", _gry_inputs, _gry_network, _gry_budget,
        "epochs x the hybrid-resampled set's batches, as LipNet-4 (same augmentation)"),
    "luo2019": Protocol(
        "luo2019", "Multi-path CNN + mixup+focal loss", "macro_f1", _as_is, _luo_network,
        _luo_budget,
        "K x path_epochs passes: the most the reference's K paths train (early stopping "
        "may stop them sooner; its design search and heads on cached features are on top)"),
    "aljoudi2023": Protocol(
        "aljoudi2023", "PReLU", "macro_auc", _as_is, _alj_network, _alj_budget,
        "epochs x the one-shot resampled set's batches, as the reference (SGD at its learning "
        "rate without its plateau halving; a rot90 / flip per batch where the reference "
        "turns its duplicates once)", multi_label=True, train=_alj_train),
}
RecipeName = Literal[tuple(RECIPES)]
ProtocolName = Literal[tuple(PROTOCOLS)]


@functools.lru_cache(maxsize=None)
def _reference(protocol: str):
    """The reference row's method spec (from the paper's ``cpu`` profile)."""
    proto = PROTOCOLS[protocol]
    return get_preset(proto.paper).profile("cpu").methods[proto.reference]


def _reference_params(ctx, protocol: str) -> dict:
    """The reference row's trainer parameters: its declared defaults, the run's shared
    parameters (the paper's profile), then the reference method's own."""
    spec = _reference(protocol)
    names, _ = declared(TRAINERS.get(spec.trainer), skip=1)
    defaults = {k: v.default for k, v in names.items() if v.default is not inspect.Parameter.empty}
    return {**defaults, **ctx.params, **spec.params}


@register_trainer(TRAINER)
def recipe(ctx, *, protocol: ProtocolName, recipe: RecipeName = "ce"):
    """One long-tail recipe on one paper's protocol: its input, network and step budget.

    Args:
        ctx: the run's :class:`~imbkeras.experiments.RunContext` (its
            ``params`` hold the paper's shared parameters, read by the budget).
        protocol: a key of :data:`PROTOCOLS`.
        recipe: one of :data:`imbkeras.training.LONG_TAIL_RECIPES`.
    """
    import keras

    from imbkeras import training

    if protocol not in PROTOCOLS:
        raise ValueError(f"`params.protocol` must be one of {sorted(PROTOCOLS)}; received "
                         f"{protocol!r}.")
    proto = PROTOCOLS[protocol]
    proto.check_recipe(recipe)
    p = _reference_params(ctx, protocol)
    keras.utils.set_random_seed(ctx.seed)
    x, y = proto.train(ctx, p) if proto.train else (ctx.x_train, ctx.y_train)
    x, xt = proto.inputs(ctx, x), proto.inputs(ctx, ctx.x_test)
    budget = proto.budget(ctx, p)
    with ctx.scope():
        model = proto.network(ctx, p, x.shape[1:])
    fit = training.long_tail_fit(model, x, y, recipe, num_classes=ctx.num_classes,
                                 multi_label=proto.multi_label, seed=ctx.seed,
                                 verbose=ctx.verbose, callbacks=ctx.callbacks(), **budget)
    return TrainOutput({"default": fit.predict(xt)},
                       info={"steps": fit.steps, "budget_steps": budget["epochs"]
                             * budget["steps_per_epoch"]})


def reference_name(protocol: str) -> str:
    """The reference row's method name: ``"paper: <the paper's best method>"``."""
    return REFERENCE_PREFIX + PROTOCOLS[protocol].reference


def _profile(protocol: str, profile: str) -> Experiment:
    proto = PROTOCOLS[protocol]
    base = get_preset(proto.paper).profile(profile)
    reference = _reference(protocol)
    methods = {name: {"trainer": TRAINER, "params": {"protocol": protocol, "recipe": key}}
               for key, name in proto.recipes().items()}
    methods[reference_name(protocol)] = dataclasses.asdict(reference)
    # The paper's shared parameters that a trainer here declares (not e.g. its SVM's C).
    declared_names = set()
    for trainer in {TRAINER, reference.trainer}:
        declared_names |= set(declared(TRAINERS.get(trainer), skip=1)[0])
    params = {k: v for k, v in base.params.items() if k in declared_names}
    return base.replace(name=f"Leaderboard on {proto.paper} ({profile})", methods=methods,
                        params=params,
                        report={"metrics": list(dict.fromkeys([proto.metric, "macro_f1"])),
                                "ranks": {"metrics": [proto.metric]}})


def _beats_paper(protocol: str):
    proto = PROTOCOLS[protocol]

    def check(df) -> Measurement:
        ref = reference_name(protocol)
        names = [n for n in RECIPES.values() if n in set(df["method"])]
        wide = method_means(df, proto.metric, names + [ref])
        best = wide[names].mean().idxmax()
        return Measurement((wide[best] - wide[ref]).to_numpy(),
                           f"best recipe {best} {wide[best].mean():.3f} vs {ref} "
                           f"{wide[ref].mean():.3f} ({proto.metric})")
    return check


def _register(protocol: str) -> None:
    proto = PROTOCOLS[protocol]
    profiles = {p: (lambda p=p: _profile(protocol, p))
                for p in ("smoke", "quick", "cpu", "paper")}
    finding = Finding(
        f"lb.{protocol}.best-recipe-beats-paper",
        f"The best long-tail recipe beats {proto.paper}'s best method "
        f"({proto.reference}) on {proto.metric} under the same budget.",
        "(not a claim of the paper: the leaderboard's question)", _beats_paper(protocol),
        source="leaderboard",
        caveat=f"the best recipe is chosen on the test folds it is scored on; budget: "
               f"{proto.note}")
    def preflight(exp):  # the paper's own checks (e.g. koziarski2020's ImageNet weights)
        for name, spec in exp.methods.items():
            if spec.trainer == TRAINER:
                proto.check_recipe(spec.params.get("recipe", "ce"), f"method {name!r}: ")
        check = get_preset(proto.paper).preflight
        if check is not None:
            check(exp)

    register_preset(f"leaderboard.{protocol}", profiles,
                    f"Long-tail recipes vs {proto.paper}'s best, same protocol and budget",
                    findings=[finding], preflight=preflight)


for _protocol in PROTOCOLS:
    _register(_protocol)


def check_protocols(papers) -> list:
    """The protocols named by ``papers`` (``None``: all), in :data:`PROTOCOLS` order.

    Raises:
        ValueError: for a paper without a leaderboard protocol (naming those that have one).
    """
    if papers is None:
        return list(PROTOCOLS)
    papers = [papers] if isinstance(papers, str) else list(papers)
    unknown = [p for p in papers if p not in PROTOCOLS]
    if unknown or not papers:
        raise ValueError(f"`papers` must name papers with a leaderboard protocol, of "
                         f"{list(PROTOCOLS)}; received {unknown or papers!r}.")
    return [p for p in PROTOCOLS if p in papers]


def _protocol_scores(df, metric: str):
    """One protocol's mean ``metric`` and average rank per method (the reference row named
    :data:`PAPER_BEST`); the ranks' blocks are the findings' (scenario, fold, seed), by which
    the verdict pairs the best recipe with the reference."""
    from imbkeras.experiments import _analysis

    named = df.assign(method=df["method"].where(~df["method"].str.startswith(
        REFERENCE_PREFIX), PAPER_BEST))
    blocks = [c for c in BLOCK_COLUMNS if c in named.columns]
    return (named.groupby("method", sort=False)[metric].mean(),
            _analysis.average_ranks(named, metric, blocks=blocks))


def _cross_protocol_tests(rows) -> list[str]:
    """The Friedman and Holm-corrected Wilcoxon lines of :func:`summary`.

    ``rows``: one ``(protocol, method, score)`` row per method and protocol.
    The tests' blocks are the protocols, so they take the methods run on every
    protocol (a multi-label protocol leaves out the single-label recipes) and
    name the methods left out.
    """
    from imbkeras.experiments import _analysis

    ran = rows.groupby("method", sort=False)["protocol"].nunique()
    every = rows["protocol"].nunique()
    left_out = [m for m, n in ran.items() if n < every]
    common = rows[~rows["method"].isin(left_out)]
    scope = (f"{every} protocols; left out, as not run on every protocol: "
             f"{', '.join(left_out)}" if left_out else f"{every} protocols")
    try:
        fr = _analysis.friedman_test(common, "score", blocks=["protocol"])
    except ValueError as err:
        return [f"Friedman test across protocols: not computed ({err}; {scope}).", ""]
    wil = _analysis.pairwise_wilcoxon(common, "score", blocks=["protocol"])
    return [f"Friedman test across protocols: chi² = {fr['statistic']:.3f}, "
            f"p = {fr['pvalue']:.3g} ({fr['n_methods']} methods, {scope}).", "",
            "Pairwise Wilcoxon across protocols (Holm-corrected): "
            f"{int(wil['reject'].sum())} of {len(wil)} pairs differ at 0.05.", ""]


def summary(out, write: bool = True) -> dict:
    """The table across the protocols run into ``out/<paper>/`` by ``imbkeras leaderboard``.

    Per protocol, each method's mean of the paper's metric and its average rank
    over the protocol's blocks (scenario, fold, seed); across protocols, the
    average of those ranks, a Friedman test and Holm-corrected pairwise
    Wilcoxon tests (blocks: the protocols; over the methods run on every
    protocol, three or more of them, on two or more protocols), and per
    protocol the verdict of "the best recipe beats the paper's best". The
    reference rows are named :data:`PAPER_BEST` here.

    Args:
        out: the leaderboard directory.
        write: write ``leaderboard.md``, ``leaderboard.csv`` and
            ``leaderboard_verdicts.csv`` into ``out``.

    Returns:
        ``{"markdown": str, "table": DataFrame, "verdicts": DataFrame}``.

    Raises:
        FileNotFoundError: when ``out`` holds no protocol's results.
    """
    from pathlib import Path

    import pandas as pd

    from imbkeras.experiments._findings import check_findings
    from imbkeras.experiments._report import markdown_table
    from imbkeras.experiments._store import ResultStore, atomic_write_text

    out = Path(out)
    scores, ranks, rows, verdicts = {}, {}, [], []
    for protocol in PROTOCOLS:
        d = out / protocol
        if not (d / "runs").is_dir():
            continue
        df = ResultStore(d).table()
        if df.empty:
            continue
        metric = PROTOCOLS[protocol].metric
        scores[protocol], ranks[protocol] = _protocol_scores(df, metric)
        rows += [{"protocol": protocol, "method": m, "score": v}
                 for m, v in scores[protocol].items()]
        found = check_findings(df, f"leaderboard.{protocol}").iloc[0]
        verdicts.append({"protocol": protocol, "metric": metric, "ours": found["ours"],
                         "effect": found["effect"], "spread": found["spread"],
                         "n": found["n"], "verdict": found["verdict"]})
    if not scores:
        raise FileNotFoundError(f"no leaderboard protocol's results in `out`={str(out)!r} "
                                f"(expected {[str(out / p) for p in PROTOCOLS]}); run "
                                f"`imbkeras leaderboard --out {out}` first.")
    table = pd.concat({p: pd.DataFrame({"score": s, "rank": ranks[p]})
                       for p, s in scores.items()}, axis=1)
    table[("all", "average rank")] = table.xs("rank", axis=1, level=1).mean(axis=1)
    table = table.sort_values(("all", "average rank"))
    verdicts = pd.DataFrame(verdicts)
    md = ["# Leaderboard", "",
          "Each protocol is its paper's; every recipe trains the paper's network for the "
          "reference row's number of optimisation steps. score: the paper's metric "
          f"({', '.join(f'{p}: {PROTOCOLS[p].metric}' for p in scores)}), mean over the "
          "protocol's runs; rank: average rank over its blocks (scenario, fold, seed; 1 = best).",
          "",
          markdown_table(table), ""]
    for protocol in scores:
        for name, why in PROTOCOLS[protocol].skipped().items():
            md += [f"Not run on {protocol} (multi-label): {name}, since {why}.", ""]
    md += _cross_protocol_tests(pd.DataFrame(rows))
    md += ["## Best recipe vs the paper's best", ""]
    for v in verdicts.itertuples():
        md.append(f"- {v.protocol}: {v.ours}; difference {v.effect:+.3f} ± {v.spread:.3f} "
                  f"over {v.n} blocks: {v.verdict}.")
    text = "\n".join(md) + "\n"
    if write:
        atomic_write_text(out / "leaderboard.md", text)
        atomic_write_text(out / "leaderboard.csv", table.to_csv())
        atomic_write_text(out / "leaderboard_verdicts.csv", verdicts.to_csv(index=False))
    return {"markdown": text, "table": table, "verdicts": verdicts}
