"""Every metric a report can show has one definition, and G-mean says it is not imblearn's."""

import pandas as pd

from imbkeras import metrics
from imbkeras.experiments._report import _glossary_section
from imbkeras.metrics._glossary import GLOSSARY


def test_every_reported_metric_is_defined():
    assert set(metrics.SCALAR_KEYS) <= set(GLOSSARY)
    assert set(metrics.MULTILABEL_SCALAR_KEYS) <= set(GLOSSARY)


def test_gmean_names_imbalanced_learns_other_means():
    text = GLOSSARY["gmean"]
    assert "geometric_mean_score" in text and "mavg" in text
    assert "geometric_mean_score(average='multiclass')" in GLOSSARY["mavg"]


def test_report_glossary_lists_the_columns_present():
    md = _glossary_section(pd.DataFrame(columns=["method", "gmean", "auc_ovr"]))
    assert md[0] == "## Metrics" and any(line.startswith("- `gmean`") for line in md)
    assert not any("macro_auc" in line for line in md)
    assert _glossary_section(pd.DataFrame(columns=["method"])) == []
