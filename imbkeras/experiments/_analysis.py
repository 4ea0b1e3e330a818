"""Aggregation of a results table: mean +- std, average ranks, significance tests.

Every function takes the tidy results table (one row per run, as written to
``results.csv``) and returns a ``pandas`` object.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import scipy.stats

GRID_KEYS = ("dataset", "kind", "ratio", "mu")


def _check(df: pd.DataFrame, metric: str, columns=()):
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"`df` must be a pandas DataFrame; received {type(df).__name__}.")
    if metric not in df.columns:
        numeric = [c for c in df.columns if pd.api.types.is_float_dtype(df[c])]
        raise ValueError(f"`metric`={metric!r} is not a results column; choose from {numeric}.")
    for c in columns:
        if c not in df.columns:
            raise ValueError(f"column {c!r} is not in the results; columns: {list(df.columns)}.")


def _present(df, keys) -> list[str]:
    """Grid keys that vary or are set (drop all-NaN ones such as ``mu`` for linear only)."""
    return [k for k in keys if k in df.columns and df[k].notna().any()]


def summary_table(df: pd.DataFrame, metric: str = "auc_ovr", index=None, columns: str = "method",
                  agg: str = "mean") -> pd.DataFrame:
    """``metric`` aggregated over seeds and folds: rows ``index``, columns ``columns``.

    Args:
        df: the results table.
        metric: a metric column.
        index: row keys (default: the grid keys present: dataset, kind, ratio, mu).
        columns: the column key (default ``"method"``, in first-seen order).
        agg: ``"mean"``, ``"std"``, ``"count"``, ...

    Examples:
        >>> df = pd.DataFrame({"kind": ["step"] * 4, "ratio": [10, 10, 50, 50],
        ...                    "method": ["a", "b", "a", "b"], "auc": [.9, .8, .7, .6]})
        >>> summary_table(df, "auc", index=["kind", "ratio"]).values.tolist()
        [[0.9, 0.8], [0.7, 0.6]]
    """
    _check(df, metric)
    index = list(index) if index is not None else _present(df, GRID_KEYS)
    _check(df, metric, index + [columns])
    table = df.pivot_table(index=index, columns=columns, values=metric, aggfunc=agg,
                           dropna=False, sort=True)
    order = list(dict.fromkeys(df[columns]))
    return table[[m for m in order if m in table.columns]].dropna(how="all")


def mean_std_table(df: pd.DataFrame, metric: str, index=None, columns: str = "method",
                   digits: int = 4) -> pd.DataFrame:
    """Cells ``"mean +- std"`` (std over seeds and folds; blank when one run)."""
    mean = summary_table(df, metric, index, columns, "mean")
    std = summary_table(df, metric, index, columns, "std").reindex_like(mean)
    fmt = f"{{:.{digits}f}}"

    def cell(m, s):
        if pd.isna(m):
            return ""
        return fmt.format(m) + ("" if pd.isna(s) else " ± " + fmt.format(s))

    return pd.DataFrame([[cell(m, s) for m, s in zip(mr, sr)]
                         for mr, sr in zip(mean.values, std.values)],
                        index=mean.index, columns=mean.columns)


def block_scores(df: pd.DataFrame, metric: str, blocks=None,
                 method: str = "method") -> pd.DataFrame:
    """Mean ``metric`` per block (rows) and method (columns); incomplete blocks dropped.

    A block is one combination of ``blocks`` (default: the grid keys present),
    e.g. (dataset, scenario, IR) in Koziarski's Table II; folds and seeds are
    averaged within it first.
    """
    _check(df, metric)
    blocks = list(blocks) if blocks is not None else _present(df, GRID_KEYS)
    _check(df, metric, blocks + [method])
    scores = df.groupby(blocks + [method], dropna=False, sort=True)[metric].mean().unstack(method)
    order = [m for m in dict.fromkeys(df[method]) if m in scores.columns]
    return scores[order].dropna(how="any")


def average_ranks(df: pd.DataFrame, metric: str, blocks=None, method: str = "method",
                  higher_is_better: bool = True) -> pd.Series:
    """Average rank of each method over blocks (1 = best; ties share the mean rank).

    Examples:
        >>> df = pd.DataFrame({"ratio": [1, 1, 2, 2], "method": ["a", "b", "a", "b"],
        ...                    "f1": [0.9, 0.8, 0.5, 0.7]})
        >>> average_ranks(df, "f1", blocks=["ratio"]).to_dict()
        {'a': 1.5, 'b': 1.5}

    Reference:
        Demšar (2006), Statistical comparisons of classifiers over multiple data
        sets, JMLR 7; Koziarski (2020), Table II.
    """
    scores = block_scores(df, metric, blocks, method)
    if scores.empty:
        raise ValueError(f"no block has a {metric!r} score for every method; cannot rank.")
    values = -scores.values if higher_is_better else scores.values
    ranks = np.apply_along_axis(scipy.stats.rankdata, 1, values)
    return pd.Series(ranks.mean(axis=0), index=scores.columns, name=f"rank_{metric}")


def rank_table(df: pd.DataFrame, metrics, blocks=None, by=None,
               method: str = "method") -> pd.DataFrame:
    """Average ranks per metric (columns), optionally per group ``by`` (e.g. scenario).

    The layout of Koziarski (2020), Table II: methods as rows, one column per
    (group, metric).
    """
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    parts = {}
    grouped = [(None, df)] if by is None else list(df.groupby(by, sort=False))
    for key, part in grouped:
        for metric in metrics:
            col = metric if key is None else (f"{key[0] if isinstance(key, tuple) else key}",
                                              metric)
            parts[col] = average_ranks(part, metric, blocks, method)
    out = pd.DataFrame(parts)
    if by is not None:
        out.columns = pd.MultiIndex.from_tuples(out.columns)
    return out


def friedman_test(df: pd.DataFrame, metric: str, blocks=None, method: str = "method") -> dict:
    """Friedman test of equal performance across methods over blocks (scipy.stats).

    Returns:
        ``{"statistic", "pvalue", "n_blocks", "n_methods"}``.

    Raises:
        ValueError: with fewer than 3 methods or 2 complete blocks.
    """
    scores = block_scores(df, metric, blocks, method)
    if scores.shape[1] < 3 or scores.shape[0] < 2:
        raise ValueError(f"the Friedman test needs >= 3 methods and >= 2 complete blocks; "
                         f"have {scores.shape[1]} methods x {scores.shape[0]} blocks.")
    stat, p = scipy.stats.friedmanchisquare(*scores.values.T)
    return {"statistic": float(stat), "pvalue": float(p), "n_blocks": int(scores.shape[0]),
            "n_methods": int(scores.shape[1])}


def holm(pvalues) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1).

    Examples:
        >>> holm([0.01, 0.04, 0.03]).tolist()
        [0.03, 0.06, 0.06]
    """
    p = np.asarray(pvalues, dtype=float)
    m = len(p)
    order = np.argsort(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out


def pairwise_wilcoxon(df: pd.DataFrame, metric: str, blocks=None, method: str = "method",
                      alpha: float = 0.05) -> pd.DataFrame:
    """Wilcoxon signed-rank test of every pair of methods over blocks, Holm-corrected.

    Returns:
        One row per pair: ``method_a``, ``method_b``, ``mean_diff`` (a - b),
        ``statistic``, ``pvalue``, ``pvalue_holm``, ``reject`` (at ``alpha``).
    """
    scores = block_scores(df, metric, blocks, method)
    rows = []
    for a, b in itertools.combinations(scores.columns, 2):
        diff = scores[a].values - scores[b].values
        if np.allclose(diff, 0):
            stat, p = float("nan"), 1.0
        else:
            res = scipy.stats.wilcoxon(scores[a].values, scores[b].values)
            stat, p = float(res.statistic), float(res.pvalue)
        rows.append({"method_a": a, "method_b": b, "mean_diff": float(diff.mean()),
                     "statistic": stat, "pvalue": p})
    out = pd.DataFrame(rows, columns=["method_a", "method_b", "mean_diff", "statistic",
                                      "pvalue"])
    out["pvalue_holm"] = holm(out["pvalue"].values) if len(out) else []
    out["reject"] = out["pvalue_holm"] < alpha
    return out


def per_class_table(results: list[dict], key: str = "tpr", by: str = "method",
                    class_names=None) -> pd.DataFrame:
    """Mean of a per-class (or per-label) quantity over runs: rows ``by``, columns classes.

    Args:
        results: stored ``result.json`` dicts (``ResultStore.result``).
        key: ``tpr``, ``tnr``, ``ppv``, ``npv``, ``f1``, ``auc`` (multi-class) or
            ``precision``, ``recall``, ``f1``, ``auc``, ``tp``, ``fp``, ``fn``,
            ``tn`` (multi-label).
    """
    rows = []
    for res in results:
        per = res.get("per_class") or res.get("per_label") or {}
        if key not in per:
            raise ValueError(f"`key`={key!r} is not a per-class quantity; choose from "
                             f"{sorted(per)}.")
        values = [np.nan if v is None else float(v) for v in per[key]]
        names = class_names or res.get("class_names") or list(range(len(values)))
        rows.append({by: res["row"][by], **dict(zip(map(str, names), values))})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    order = list(dict.fromkeys(table[by]))
    return table.groupby(by, sort=False).mean().loc[order]
