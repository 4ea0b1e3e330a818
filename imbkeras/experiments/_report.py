"""``imbkeras report DIR``: markdown tables, CSVs and PNGs from a results store.

What is written follows the experiment's ``report`` settings (stored in
``experiment.yaml``): mean +- std tables of the main metrics, pivot tables,
average ranks with the Friedman and Holm-corrected Wilcoxon tests, plots, and
the tables and figures of registered report hooks (a paper's own layouts).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from imbkeras import metrics as _metrics
from imbkeras.experiments import _analysis, _findings, _plots, _registry
from imbkeras.experiments._store import RESULTS_FILE, ResultStore, atomic_write_bytes, \
    atomic_write_text


def markdown_table(df: pd.DataFrame, digits: int = 4) -> str:
    """A GitHub-flavoured markdown table of ``df`` (index included)."""
    frame = df.copy()
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    frame.columns = [" / ".join(str(p) for p in c if str(p)) if isinstance(c, tuple) else str(c)
                     for c in frame.columns]

    def cell(v):
        if isinstance(v, (float, np.floating)):
            return "" if np.isnan(v) else f"{v:.{digits}f}"
        return str(v)

    lines = ["| " + " | ".join(frame.columns) + " |",
             "|" + "|".join("---" for _ in frame.columns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.values]
    return "\n".join(lines)


def _default_metrics(df) -> list[str]:
    keys = [k for k in _metrics.SCALAR_KEYS + _metrics.MULTILABEL_SCALAR_KEYS if k in df.columns]
    return keys[:2]


def _mean_matrix(results: list[dict], key: str):
    mats = [np.asarray(r[key], dtype=float) for r in results if r.get(key) is not None]
    return np.mean(mats, axis=0) if mats else None


def build_report(out, metrics=None, write: bool = True) -> dict:
    """Build (and write) the report of an experiment directory.

    Args:
        out: the experiment directory (with ``results.csv`` / ``runs/``). The
            tables follow ``runs/`` (the completed runs): when ``results.csv``
            disagrees (a kill left it behind, a run it lists has no
            ``result.json``), a ``UserWarning`` and a note in the report say
            so, and ``write`` rewrites it.
        metrics: metrics of the mean +- std tables (default: the config's
            ``report.metrics``, else the first two metric columns).
        write: write ``report.md``, ``<name>.csv`` and ``<name>.png`` into ``out``.

    Returns:
        ``{"markdown": str, "tables": {name: DataFrame}, "figures": {name: Figure}}``.

    Raises:
        FileNotFoundError: if ``out`` is not an experiment directory.
        ValueError: for a metric that is not a results column.
    """
    out = Path(out)
    store, df, config, disagreed = _load(out)
    spec = config.get("report") or {}
    tables: dict = {}
    figures: dict = {}
    md = [f"# {config.get('name', out.name)}", "",
          f"{len(df)} runs; methods: {', '.join(map(str, dict.fromkeys(df['method'])))}.", ""]
    if disagreed:
        md += [f"Note: {disagreed}" + (f" {RESULTS_FILE} was rewritten from runs/." if write
                                       else ""), ""]
    md += _degenerate_section(df)
    preset = _preset_of(config)
    if preset is not None:
        md += _findings_sections(df, preset, tables)
    md += _metric_sections(df, metrics or spec.get("metrics") or _default_metrics(df), tables)
    md += _config_table_sections(df, spec.get("tables", ()), tables)
    if spec.get("ranks"):
        md += _rank_sections(df, spec["ranks"], tables)
    results = [r for r in (store.result(rid) for rid in store.run_ids()) if r is not None]
    for p in spec.get("plots", ()):
        try:
            md += _plot(p, df, results, tables, figures)
        except ValueError as err:
            md += [f"Plot {p.get('type')!r} not drawn: {err}", ""]
    md += _learning_curves(df, store, figures)
    md += _hook_sections(df, store, spec.get("hooks", ()), tables, figures)
    md += _glossary_section(df)
    text = "\n".join(md)
    if write:
        text = _write(out, store, df, text, tables, figures, disagreed)
    return {"markdown": text, "tables": tables, "figures": figures}


def _load(out: Path):
    """The report's inputs: ``(store, results table, config, note on results.csv)``."""
    if not out.is_dir():
        raise FileNotFoundError(f"results directory `out`={str(out)!r} does not exist.")
    store = ResultStore(out)
    df = store.table()  # rebuilt from runs/; warns when results.csv disagreed
    if df.empty:
        raise FileNotFoundError(f"no {RESULTS_FILE} and no completed run in out={str(out)!r}; "
                                f"run an experiment first.")
    config = yaml.safe_load(store.config_text() or "{}") or {}
    return store, df, config, df.attrs.get("results_csv")


def _metric_sections(df, metrics, tables: dict) -> list:
    """A mean +- std table per metric (``table_<metric>``)."""
    md = []
    for metric in metrics:
        table = _analysis.mean_std_table(df, metric)
        tables[f"table_{metric}"] = _analysis.summary_table(df, metric)
        md += [f"## {metric} (mean ± std over seeds and folds)", "", markdown_table(table), ""]
    return md


def _config_table_sections(df, specs, tables: dict) -> list:
    """The config's ``report.tables``: a summary table each."""
    md = []
    for t in specs:
        name = t.get("name", f"{t['metric']}_by_{'_'.join(t.get('index', []))}")
        tables[name] = _analysis.summary_table(df, t["metric"], t.get("index"),
                                               t.get("columns", "method"), t.get("agg", "mean"))
        md += [f"## {name}", "", markdown_table(tables[name]), ""]
    return md


def _rank_sections(df, ranks: dict, tables: dict) -> list:
    """Average ranks, then per metric a Friedman test and Holm-corrected pairwise Wilcoxon."""
    rank = _analysis.rank_table(df, ranks["metrics"], ranks.get("blocks"), ranks.get("by"))
    tables["ranks"] = rank
    md = ["## Average ranks (1 = best)", "", markdown_table(rank, 2), ""]
    for metric in ranks["metrics"]:
        try:
            fr = _analysis.friedman_test(df, metric, ranks.get("blocks"))
        except ValueError as err:
            md += [f"Friedman test on {metric}: not computed ({err})", ""]
            continue
        md += [f"Friedman test on {metric}: chi² = {fr['statistic']:.3f}, "
               f"p = {fr['pvalue']:.3g} ({fr['n_methods']} methods, "
               f"{fr['n_blocks']} blocks).", ""]
        wil = _analysis.pairwise_wilcoxon(df, metric, ranks.get("blocks"))
        tables[f"wilcoxon_{metric}"] = wil
        md += [f"### Pairwise Wilcoxon on {metric} (Holm-corrected)", "",
               markdown_table(wil.set_index(["method_a", "method_b"]), 4), ""]
    return md


def _hook_sections(df, store, hooks, tables: dict, figures: dict) -> list:
    """The tables and figures of the registered report hooks (a preset's own tables)."""
    md = []
    for hook in hooks:
        for name, obj in _registry.REPORTS.get(hook)(df, store).items():
            if isinstance(obj, pd.DataFrame):
                tables[name] = obj
                md += [f"## {name}", "", markdown_table(obj), ""]
            else:
                figures[name] = obj
    return md


def _write(out: Path, store, df, text: str, tables: dict, figures: dict, disagreed) -> str:
    """Write ``<name>.csv``, ``<name>.png`` and ``report.md`` (linking the figures); its text."""
    import io

    if disagreed:
        store.rebuild_table(list(df["run_id"]))
    for name, table in tables.items():
        atomic_write_text(out / f"{name}.csv", table.to_csv())
    for name, fig in figures.items():
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        atomic_write_bytes(out / f"{name}.png", buf.getvalue())
    if figures:
        text += "\n" + "\n".join(f"![{n}]({n}.png)" for n in figures) + "\n"
    atomic_write_text(out / "report.md", text)
    return text


def _learning_curves(df, store, figures: dict) -> list:
    """The ``learning_curves`` figure: per method, the history of its first run's training."""
    if "training_key" not in df.columns:
        return []
    histories = {}
    for method, part in df.groupby("method", sort=False):
        path = store.training_dir(str(part["training_key"].iloc[0])) / "history.csv"
        if path.is_file():
            histories[method] = pd.read_csv(path)
    if not histories:
        return []
    first = df[df["method"].isin(list(histories))].iloc[0]
    where = ", ".join(f"{k} {first[k]}" for k in ("dataset", "fold", "seed") if k in first)
    figures["learning_curves"] = _plots.plot_learning_curves(
        histories, colors=_plots.method_colors(df["method"]),
        title=f"learning curves of each method's first run ({where})")
    return [f"Learning curves (`learning_curves.png`): each method's first run ({where}); "
            f"every epoch of every training is in `trainings/<key>/history.csv`.", ""]


def _preset_of(config: dict):
    """The registered preset a stored config came from (``None`` if none or unknown)."""
    name = config.get("preset")
    if not name:
        return None
    return _registry.get_preset(name) if name in _registry.PRESETS else None


def _degenerate_section(df) -> list:
    """Runs whose model predicts one class (or one label set) for every test sample."""
    if "degenerate" not in df.columns:
        return []
    flags = df["degenerate"].astype(str).str.lower().isin(["true", "1", "1.0"])
    if not flags.any():
        return []
    bad = df[flags]
    counts = bad.groupby("method", sort=False).size()
    lines = ["## Degenerate runs", "",
             f"{int(flags.sum())} of {len(df)} runs predict a single class (or label set) for "
             f"every test sample: a model that did not learn, not a result. They are "
             f"included in the tables below; read those cells with care.", "",
             markdown_table(counts.rename("degenerate runs").to_frame()), ""]
    return lines


def _findings_sections(df, preset, tables: dict) -> list:
    """``## Findings`` and ``## Paper vs ours`` of a preset's run."""
    lines = []
    if preset.findings:
        found = _findings.check_findings(df, preset.findings)
        tables["findings"] = found
        shown = found.assign(
            ours=[(f"{o}; effect {e:+.4f} ± {sp:.4f} (n={n})" if np.isfinite(sp) else
                   f"{o}; effect {e:+.4f} (n={n})") if n else o
                  for o, e, sp, n in zip(found["ours"], found["effect"], found["spread"],
                                         found["n"])],
            verdict=[v + (f" ({note})" if note else "")
                     for v, note in zip(found["verdict"], found["note"])])
        shown = shown[["id", "statement", "paper", "ours", "verdict"]]
        lines += ["## Findings", "", f"{_findings.findings_score(found)}. The effect is "
                  f"signed so that a positive value agrees with the paper; ± is its standard "
                  f"deviation over seeds, folds and scenarios.", "",
                  markdown_table(shown), ""]
    if preset.paper_tables:
        lines += ["## Paper vs ours", ""]
        for tid, both in _findings.paper_vs_ours(df, preset.paper_tables).items():
            tables["paper_vs_ours_" + "".join(c if c.isalnum() else "_" for c in tid)] = both
            caption = preset.paper_tables[tid].caption
            lines += [f"### {tid}" + (f": {caption}" if caption else ""), "",
                      markdown_table(both, 3), ""]
    return lines


def _glossary_section(df) -> list:
    """``## Metrics``: what each metric column of the results means."""
    from imbkeras.metrics import glossary

    terms = glossary(df.columns)
    if not terms:
        return []
    return ["## Metrics", ""] + [f"- `{k}`: {v}" for k, v in terms.items()] + [""]


def _plot(p: dict, df, results, tables, figures) -> list:
    """Draw one plot of the report spec into ``figures``; return markdown lines.

    Every figure colours a method the same way (the config's method order).
    """
    md = []
    kind = p.get("type")
    colors = _plots.method_colors(df["method"]) if "method" in df else None
    if kind == "metric_vs_ratio":
        name = f"{p['metric']}_vs_ratio"
        figures[name] = _plots.plot_metric_vs_ratio(df, p["metric"],
                                                    p.get("panels", ("kind", "mu")),
                                                    colors=colors)
    elif kind == "confusion":
        by_method = {}
        for r in results:
            by_method.setdefault(r["row"]["method"], []).append(r)
        key = "normalized_confusion" if results and "normalized_confusion" in results[0] \
            else "mlcm_normalized"
        mats = {m: _mean_matrix(rs, key) for m, rs in by_method.items()}
        names = results[0].get("class_names") if results else None
        figures["confusion"] = _plots.plot_confusions(
            {m: v for m, v in mats.items() if v is not None}, names)
    elif kind == "per_class_recall":
        key = "tpr" if results and "per_class" in results[0] else "recall"
        table = _analysis.per_class_table(results, key)
        tables["per_class_recall"] = table
        md += ["## Per-class recall (mean over runs)", "", markdown_table(table, 3), ""]
        figures["per_class_recall"] = _plots.plot_per_class(table, colors=colors)
    elif kind == "ranks" and "ranks" in tables:
        figures["ranks"] = _plots.plot_ranks(tables["ranks"])
    else:
        raise ValueError(f"unknown report plot type {kind!r}; known: metric_vs_ratio, "
                         f"confusion, per_class_recall, ranks (needs `ranks`).")

    return md
