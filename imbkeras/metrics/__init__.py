"""Evaluation on predictions (``report``, ``report_multilabel``) and Keras streaming metrics.

The streaming metrics (``MacroF1``, ``GMean``...) are Keras metrics: they load
with TensorFlow on first use (PEP 562), so the evaluation of predictions (the
experiment engine, ``imbkeras reproduce --list``) does not import TensorFlow.
"""

import importlib

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

# Keras metrics: imported (with TensorFlow) when first named.
_STREAMING = ("AverageAccuracy", "ClassBalanceAccuracy", "GMean", "MAvG", "MacroF1",
              "MulticlassAUC")


def __getattr__(name):
    if name in _STREAMING:
        module = importlib.import_module(f"{__name__}._streaming")
        globals().update({n: getattr(module, n) for n in _STREAMING})
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
