"""A paper's findings and tables as data, and the verdicts of a results table on them.

A preset declares what its paper reports: the tables as printed
(:class:`PaperTable`) and the findings (:class:`Finding`), each with a check
that measures the finding on a results table. :func:`check_findings` turns a
results table into one verdict per finding, and :func:`paper_vs_ours` sets each
declared table beside ours. Reports (``report.md``), ``imbkeras findings`` and
the notebooks show both.

A check returns a :class:`Measurement`: our values in words (``ours``) and the
*effect* the finding is about, once per block of the grid (a seed, a fold, a
scenario), signed so that a positive effect agrees with the paper. The verdict
compares the mean effect with its spread (the standard deviation over blocks):

* ``kind="greater"`` (the paper says A beats B): ``holds`` when the mean effect
  exceeds its spread, ``holds within noise`` when it is positive but not above
  the spread, ``does not hold`` when it is zero or negative;
* ``kind="not_less"`` (the paper says A is at least as good as B, or that A
  does *not* beat B): ``holds`` when the mean effect is >= 0, ``holds within
  noise`` when it is negative but within its spread, ``does not hold`` below.

With a single block the spread is unknown (NaN) and the sign alone decides. A
check that finds no rows for a method, scenario or metric it needs raises
:class:`NotMeasured` (``KeyError`` is read the same way): the verdict is
``not measured``, never an exception in the middle of a report.

Examples:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"method": ["A", "B"] * 3, "seed": [0, 0, 1, 1, 2, 2],
    ...                    "auc": [0.9, 0.8, 0.92, 0.81, 0.88, 0.8]})
    >>> f = Finding("toy.a-beats-b", "A beats B.", "A 90 vs B 80",
    ...             lambda d: paired_effect(d, "auc", "A", "B"))
    >>> check_findings(df, [f]).loc[0, "verdict"]
    'holds'
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

import numpy as np
import pandas as pd

VERDICTS = ("holds", "holds within noise", "does not hold", "not measured")
KINDS = ("greater", "not_less")
# Grid columns that identify one block (everything but the method).
BLOCK_COLUMNS = ("dataset", "kind", "ratio", "mu", "fold", "seed")
FINDINGS_COLUMNS = ["id", "source", "statement", "paper", "ours", "effect", "spread", "n",
                    "verdict", "note"]


class NotMeasured(Exception):
    """The results lack a method, scenario or metric that a finding's check needs."""


@dataclasses.dataclass(frozen=True)
class Measurement:
    """What a check measured.

    Attributes:
        effects: the finding's effect once per block (seed, fold, scenario),
            positive when it agrees with the paper.
        ours: our values in a few words or numbers (shown beside the paper's).
    """

    effects: Sequence[float]
    ours: str = ""


@dataclasses.dataclass(frozen=True)
class Finding:
    """One claim of a paper and how to measure it.

    Attributes:
        id: ``"<paper>.<table or figure>.<short name>"``, e.g. ``"kozi.T2.ts-best"``.
        statement: one line in the paper's words.
        paper: the paper's numbers (as printed) or where the claim is made.
        check: ``fn(results_df) -> Measurement`` (see the module docstring).
        kind: ``"greater"`` or ``"not_less"`` (how the effect is judged).
        source: the table / figure / section of the paper.
        caveat: what most likely keeps our setting from showing the finding
            (shown beside a verdict other than ``holds``).
    """

    id: str
    statement: str
    paper: str
    check: Callable[[pd.DataFrame], Measurement]
    kind: str = "greater"
    source: str = ""
    caveat: str = ""

    def __post_init__(self):
        for name in ("id", "statement"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"Finding `{name}` must be a non-empty string; "
                                 f"received {value!r}.")
        if not callable(self.check):
            raise TypeError(f"Finding {self.id!r}: `check` must be a callable "
                            f"fn(results_df) -> Measurement; received {self.check!r}.")
        if self.kind not in KINDS:
            raise ValueError(f"Finding {self.id!r}: `kind` must be one of {KINDS}; "
                             f"received {self.kind!r}.")


@dataclasses.dataclass(frozen=True)
class PaperTable:
    """A table as the paper prints it, and how to compute ours in its layout.

    Attributes:
        data: the paper's numbers (index = the paper's rows, columns = its
            columns, in the paper's units).
        caption: the table's caption / figure id and what it measures.
        ours: ``fn(results_df) -> DataFrame`` in the same units, with rows and
            columns named as in ``data`` (missing ones stay blank); ``None``
            when our settings cannot run what the table reports.
    """

    data: pd.DataFrame
    caption: str = ""
    ours: Callable[[pd.DataFrame], pd.DataFrame] | None = None

    def __post_init__(self):
        if not isinstance(self.data, pd.DataFrame):
            raise TypeError(f"PaperTable `data` must be a pandas DataFrame; "
                            f"received {type(self.data).__name__}.")
        if self.ours is not None and not callable(self.ours):
            raise TypeError(f"PaperTable `ours` must be a callable fn(results_df) -> DataFrame "
                            f"or None; received {self.ours!r}.")


def verdict(effects, kind: str = "greater") -> tuple[str, float, float, int]:
    """``(verdict, mean effect, spread, n)`` of per-block ``effects`` (NaNs dropped).

    Examples:
        >>> verdict([0.02, -0.01, 0.015])[0]
        'holds within noise'
        >>> verdict([-0.002, 0.001, -0.001], kind="not_less")[0]
        'holds within noise'
    """
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {KINDS}; received {kind!r}.")
    e = np.asarray(effects, dtype=np.float64).ravel()
    e = e[np.isfinite(e)]
    if e.size == 0:
        return "not measured", float("nan"), float("nan"), 0
    mean = float(e.mean())
    spread = float(e.std(ddof=1)) if e.size > 1 else float("nan")
    noisy = np.isfinite(spread)
    if kind == "greater":
        if mean <= 0:
            out = "does not hold"
        elif noisy and mean <= spread:
            out = "holds within noise"
        else:
            out = "holds"
    else:
        if mean >= 0:
            out = "holds"
        elif noisy and -mean <= spread:
            out = "holds within noise"
        else:
            out = "does not hold"
    return out, mean, spread, int(e.size)


def check_findings(results: pd.DataFrame, findings) -> pd.DataFrame:
    """One row per finding: ``id, source, statement, paper, ours, effect, spread, n, verdict, note``.

    Args:
        results: a results table (``results.csv`` of a run).
        findings: a registered preset (its name or :class:`Preset`) or a list
            of :class:`Finding`.

    Returns:
        A DataFrame in the order of the findings.

    Raises:
        TypeError: if ``results`` is not a DataFrame or ``findings`` is neither.
        RuntimeError: if a check fails for another reason than missing data
            (a bug in the check; the finding's id is named).
    """
    if not isinstance(results, pd.DataFrame):
        raise TypeError(f"`results` must be a pandas DataFrame (results.csv); "
                        f"received {type(results).__name__}.")
    findings = _findings_of(findings)
    rows = []
    for f in findings:
        row = {"id": f.id, "source": f.source, "statement": f.statement, "paper": f.paper,
               "ours": "", "effect": np.nan, "spread": np.nan, "n": 0,
               "verdict": "not measured", "note": ""}
        try:
            m = f.check(results)
        except (NotMeasured, KeyError) as err:
            row["note"] = _reason(err)
            rows.append(row)
            continue
        except Exception as err:  # noqa: BLE001 - re-raised naming the finding
            raise RuntimeError(f"the check of finding {f.id!r} failed: "
                               f"{type(err).__name__}: {err}") from err
        if not isinstance(m, Measurement):
            raise TypeError(f"the check of finding {f.id!r} must return a Measurement; "
                            f"it returned {type(m).__name__}.")
        v, mean, spread, n = verdict(m.effects, f.kind)
        row.update(ours=m.ours, effect=mean, spread=spread, n=n, verdict=v)
        if v == "not measured":
            row["note"] = "no finite effect measured"
        elif v != "holds" and f.caveat:
            row["note"] = f.caveat
        rows.append(row)
    return pd.DataFrame(rows, columns=FINDINGS_COLUMNS)


def findings_score(table: pd.DataFrame) -> str:
    """``"5 / 7 findings hold (1 within noise), 1 not measured"`` of a findings table."""
    n = len(table)
    holds = int((table["verdict"] == "holds").sum())
    noise = int((table["verdict"] == "holds within noise").sum())
    missing = int((table["verdict"] == "not measured").sum())
    text = f"{holds + noise} / {n} findings hold"
    if noise:
        text += f" ({noise} within noise)"
    if missing:
        text += f", {missing} not measured"
    return text


def paper_vs_ours(results: pd.DataFrame, tables) -> dict[str, pd.DataFrame]:
    """Each declared paper table beside ours: columns ``(column, "paper" | "ours")``.

    Ours has the paper's rows and columns; a cell we did not run (or a table
    whose ``ours`` is ``None``) stays blank (NaN). ``tables`` is a preset (name
    or :class:`Preset`) or ``{id: PaperTable}``.
    """
    if not isinstance(tables, dict):
        tables = _preset(tables).paper_tables
    out = {}
    for tid, table in tables.items():
        paper = table.data
        ours = None
        if table.ours is not None:
            try:
                ours = table.ours(results)
            except (NotMeasured, KeyError):
                ours = None
        ours = (pd.DataFrame(index=paper.index, columns=paper.columns, dtype=float)
                if ours is None else ours.reindex(index=paper.index, columns=paper.columns))
        parts = {}
        for col in paper.columns:
            parts[(str(col), "paper")] = paper[col]
            parts[(str(col), "ours")] = ours[col]
        out[tid] = pd.DataFrame(parts, index=paper.index)
    return out


# -- helpers for checks -------------------------------------------------------
def select(df: pd.DataFrame, metric: str | None = None, **where) -> pd.DataFrame:
    """Rows of ``df`` matching ``where`` (a value or a list per column).

    Raises:
        NotMeasured: if a column or ``metric`` is absent, or no row matches.
    """
    for col in list(where) + ([metric] if metric else []):
        if col not in df.columns:
            raise NotMeasured(f"the results have no column {col!r}")
    mask = np.ones(len(df), dtype=bool)
    for col, value in where.items():
        values = value if isinstance(value, (list, tuple, set)) else [value]
        mask &= _isin(df[col], values)
    sub = df[mask]
    if sub.empty:
        raise NotMeasured(f"no run with {where}")
    if metric is not None and sub[metric].isna().all():
        raise NotMeasured(f"no value of {metric!r} for {where}")
    return sub


def method_means(df: pd.DataFrame, metric: str, methods, by=BLOCK_COLUMNS,
                 **where) -> pd.DataFrame:
    """``metric`` per block (rows) and method (columns), blocks where every method ran.

    Raises:
        NotMeasured: if a method or the metric is missing.
    """
    methods = [methods] if isinstance(methods, str) else list(methods)
    sub = select(df, metric, method=methods, **where)
    missing = [m for m in methods if m not in set(sub["method"])]
    if missing:
        raise NotMeasured(f"method(s) {missing} not run")
    keys = [c for c in by if c in sub.columns]
    means = sub.groupby(keys + ["method"], dropna=False)[metric].mean()
    wide = means.unstack("method") if keys else means.to_frame().T
    wide = wide.reindex(columns=methods).dropna()
    if wide.empty:
        raise NotMeasured(f"no block where {methods} all ran")
    return wide


def paired_effect(df: pd.DataFrame, metric: str, better: str, worse: str, by=BLOCK_COLUMNS,
                  digits: int = 3, **where) -> Measurement:
    """Effect ``metric(better) - metric(worse)`` per block (paired by seed, fold, scenario)."""
    wide = method_means(df, metric, [better, worse], by=by, **where)
    a, b = wide[better], wide[worse]
    ours = f"{better} {a.mean():.{digits}f} vs {worse} {b.mean():.{digits}f} ({metric})"
    return Measurement((a - b).to_numpy(), ours)


def contrast_effect(df: pd.DataFrame, metric: str, column: str, better, worse,
                    by=BLOCK_COLUMNS, digits: int = 3, **where) -> Measurement:
    """Effect ``metric`` at ``column == better`` minus at ``column == worse``.

    Paired over the blocks of the other ``by`` columns (and the method), e.g.
    ``contrast_effect(df, "auc_ovr", "ratio", 10, 50, method="baseline")`` is
    the loss of AUC from rho 10 to rho 50 per seed and fold.

    Raises:
        NotMeasured: if either value of ``column`` or the metric is missing.
    """
    sub = select(df, metric, **{column: [better, worse]}, **where)
    keys = [c for c in list(by) + ["method"] if c in sub.columns and c != column]
    parts = []
    for value in (better, worse):
        part = sub[_isin(sub[column], [value])]
        if part.empty:
            raise NotMeasured(f"no run with {column}={value!r} and {where}")
        parts.append(part.groupby(keys, dropna=False)[metric].mean() if keys
                     else pd.Series([part[metric].mean()]))
    a, b = parts
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1).dropna()
    if both.empty:
        raise NotMeasured(f"no block with both {column}={better!r} and {column}={worse!r}")
    ours = (f"{column}={better}: {both['a'].mean():.{digits}f} vs {column}={worse}: "
            f"{both['b'].mean():.{digits}f} ({metric})")
    return Measurement((both["a"] - both["b"]).to_numpy(), ours)


def pooled_confusion(df: pd.DataFrame, by=("method",), **where) -> pd.Series:
    """Confusion matrices summed over the runs of each group of ``by`` (e.g. over folds).

    Reads the ``confusion`` column the engine writes for multi-class runs (a
    JSON matrix, rows true, columns predicted). Pooling counts over folds
    measures a rare class from all of its test samples at once, where a
    per-fold rate would rest on a handful of them.

    Returns:
        A Series of ``(K, K)`` int arrays indexed by the ``by`` columns.

    Raises:
        NotMeasured: if no run matches ``where`` or the column is absent.

    Examples:
        >>> df = pd.DataFrame({"method": ["A", "A"], "fold": [0, 1],
        ...                    "confusion": ["[[3, 1], [0, 1]]", "[[4, 0], [1, 0]]"]})
        >>> pooled_confusion(df)["A"].tolist()
        [[7, 1], [1, 1]]
    """
    import json

    sub = select(df, "confusion", **where)
    mats = sub["confusion"].map(lambda c: np.asarray(json.loads(c), dtype=np.int64))
    keys = list(by)
    return mats.groupby([sub[k] for k in keys] if len(keys) > 1 else sub[keys[0]],
                        sort=False).agg(lambda m: np.sum(np.stack(list(m)), axis=0))


def class_rates(cm) -> dict[str, np.ndarray]:
    """Per-class ``tpr``, ``ppv``, ``tnr``, ``npv`` and ``f1`` of a confusion matrix (rows true).

    Examples:
        >>> class_rates([[7, 1], [1, 1]])["tpr"].tolist()
        [0.875, 0.5]
    """
    from imbkeras.metrics import confusion_counts

    c = confusion_counts(np.asarray(cm))

    def div(a, b):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return np.divide(a, b, out=np.zeros_like(a), where=b > 0)

    return {"tpr": div(c["tp"], c["tp"] + c["fn"]), "ppv": div(c["tp"], c["tp"] + c["fp"]),
            "tnr": div(c["tn"], c["tn"] + c["fp"]), "npv": div(c["tn"], c["tn"] + c["fn"]),
            "f1": div(2 * c["tp"], 2 * c["tp"] + c["fp"] + c["fn"])}


def _isin(series: pd.Series, values) -> np.ndarray:
    """``series.isin(values)`` that matches 10 and 10.0 (CSV round trips change dtypes)."""
    mask = np.array(series.isin(values), dtype=bool)
    nums = [v for v in values if isinstance(v, (int, float, np.number))
            and not isinstance(v, bool)]
    if nums:
        num = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        mask |= np.isin(num, np.asarray(nums, dtype=float))
    return mask


def _reason(err) -> str:
    return str(err.args[0]) if err.args else type(err).__name__


def _preset(preset):
    from imbkeras.experiments._registry import Preset, get_preset

    if isinstance(preset, Preset):
        return preset
    if isinstance(preset, str):
        return get_preset(preset)
    raise TypeError(f"expected a preset name, a Preset or a list of Finding; "
                    f"received {type(preset).__name__}.")


def _findings_of(findings) -> list:
    if isinstance(findings, (list, tuple)):
        bad = [f for f in findings if not isinstance(f, Finding)]
        if bad:
            raise TypeError(f"`findings` must hold Finding objects; received "
                            f"{type(bad[0]).__name__}.")
        return list(findings)
    return list(_preset(findings).findings)
