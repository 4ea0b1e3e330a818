"""Evaluation on predictions (``report``, ``report_multilabel``) and Keras streaming metrics.

The streaming metrics (``MacroF1``, ``GMean``...) are Keras metrics: they load
with TensorFlow on first use (PEP 562), so the evaluation of predictions (the
experiment engine, ``imbkeras reproduce --list``) does not import TensorFlow.
"""

from imbkeras._lazy import lazy_exports

from imbkeras.metrics._glossary import GLOSSARY, glossary
from imbkeras.metrics._multilabel import (MULTILABEL_SCALAR_KEYS, batch_averaged_scores,
                                         categorical_accuracy, f1_from_precision_recall, mlcm,
                                         report_multilabel)
from imbkeras.metrics._plot import plot_confusion
from imbkeras.metrics._report import (SCALAR_KEYS, check_probabilities,
                                      class_balance_accuracy, confusion_counts, format_table,
                                      is_degenerate,
                                      normalized_confusion, report)

__all__ = ["GLOSSARY", "MULTILABEL_SCALAR_KEYS", "SCALAR_KEYS", "AverageAccuracy", "ClassBalanceAccuracy",
           "GMean", "MAvG", "MacroF1", "MulticlassAUC", "batch_averaged_scores",
           "categorical_accuracy", "check_probabilities", "f1_from_precision_recall",
           "class_balance_accuracy", "confusion_counts", "format_table", "glossary",
           "is_degenerate", "mlcm",
           "normalized_confusion", "plot_confusion", "report", "report_multilabel"]

# The Keras metrics: imported (with TensorFlow) when one of them is first named.
_load, __getattr__, __dir__ = lazy_exports(__name__, {"_streaming": [
    "AverageAccuracy", "ClassBalanceAccuracy", "GMean", "MAvG", "MacroF1", "MulticlassAUC"]})
