"""Evaluation on predictions (``report``) and Keras streaming metrics."""

from imbkeras.metrics._report import (SCALAR_KEYS, check_probabilities,
                                      class_balance_accuracy, confusion_counts, report)

__all__ = ["SCALAR_KEYS", "check_probabilities", "class_balance_accuracy",
           "confusion_counts", "report"]
