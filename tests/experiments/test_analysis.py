"""Ranks and significance tests against hand-worked numbers."""

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from imbkeras.experiments import (average_ranks, friedman_test, holm, mean_std_table,
                                  pairwise_wilcoxon, rank_table, summary_table)

# Four blocks (scenario x IR), three methods; two folds per cell averaged first.
SCORES = {  # block -> (A, B, C) means
    ("lin", 2): (0.80, 0.70, 0.60),
    ("lin", 5): (0.75, 0.78, 0.60),
    ("maj", 2): (0.90, 0.85, 0.85),
    ("maj", 5): (0.70, 0.65, 0.72),
}


def _df():
    rows = []
    for (kind, ratio), values in SCORES.items():
        for method, v in zip("ABC", values):
            for fold, d in enumerate((-0.01, 0.01)):
                rows.append({"kind": kind, "ratio": ratio, "fold": fold, "method": method,
                             "cba": v + d})
    return pd.DataFrame(rows)


def test_average_ranks_hand_worked():
    # Ranks per block (1 = best):   A    B    C
    #   lin 2                       1    2    3
    #   lin 5                       2    1    3
    #   maj 2                       1    2.5  2.5
    #   maj 5                       2    3    1
    # mean                          1.5  2.125 2.375
    ranks = average_ranks(_df(), "cba", blocks=["kind", "ratio"])
    assert ranks.to_dict() == pytest.approx({"A": 1.5, "B": 2.125, "C": 2.375})
    low = average_ranks(_df(), "cba", blocks=["kind", "ratio"], higher_is_better=False)
    assert low.to_dict() == pytest.approx({"A": 2.5, "B": 1.875, "C": 1.625})


def test_friedman_hand_worked():
    # chi2_F = 12 N / (k (k+1)) * (sum R_j^2 - k (k+1)^2 / 4), N = 4 blocks, k = 3,
    # rank sums R = (6, 8.5, 9.5): 12*4/12 * ((1.5^2 + 2.125^2 + 2.375^2) - 3*16/4) = 1.625
    # (on mean ranks); scipy corrects for the tie in block "maj 2":
    # divide by 1 - sum(t^3 - t) / (N k (k^2 - 1)) = 1 - 6 / 96.
    res = friedman_test(_df(), "cba", blocks=["kind", "ratio"])
    expected = 4 * (1.5 ** 2 + 2.125 ** 2 + 2.375 ** 2 - 12) / (1 - 6 / 96)
    assert res["statistic"] == pytest.approx(expected)
    assert res["pvalue"] == pytest.approx(scipy.stats.chi2.sf(expected, 2))
    assert (res["n_blocks"], res["n_methods"]) == (4, 3)
    with pytest.raises(ValueError, match=">= 3 methods"):
        friedman_test(_df()[_df().method != "C"], "cba", blocks=["kind", "ratio"])


def test_holm_hand_worked():
    # sorted p: .01 (x3 = .03), .03 (x2 = .06), .04 (x1 = .04 -> monotone .06)
    assert holm([0.04, 0.01, 0.03]).tolist() == pytest.approx([0.06, 0.03, 0.06])
    assert holm([0.5, 0.9]).tolist() == pytest.approx([1.0, 1.0])


def test_pairwise_wilcoxon_matches_scipy_with_holm():
    table = pairwise_wilcoxon(_df(), "cba", blocks=["kind", "ratio"])
    assert list(zip(table.method_a, table.method_b)) == [("A", "B"), ("A", "C"), ("B", "C")]
    a = np.array([v[0] for v in SCORES.values()])
    b = np.array([v[1] for v in SCORES.values()])
    assert table.pvalue[0] == pytest.approx(scipy.stats.wilcoxon(a, b).pvalue)
    assert table.pvalue_holm.tolist() == pytest.approx(holm(table.pvalue).tolist())


def test_tables():
    df = _df()
    mean = summary_table(df, "cba", index=["kind", "ratio"])
    assert mean.loc[("lin", 2), "A"] == pytest.approx(0.80)
    cell = mean_std_table(df, "cba", index=["kind", "ratio"]).loc[("lin", 2), "A"]
    assert cell == "0.8000 ± 0.0141"
    by = rank_table(df, ["cba"], blocks=["ratio"], by="kind")
    assert by[("lin", "cba")].to_dict() == pytest.approx({"A": 1.5, "B": 1.5, "C": 3.0})
    with pytest.raises(ValueError, match="not a results column"):
        summary_table(df, "nope")
