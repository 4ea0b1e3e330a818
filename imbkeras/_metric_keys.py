"""The scalar metric names of ``imbkeras.metrics.report`` and ``report_multilabel``.

A leaf module (no scikit-learn): the experiment engine checks a config's metric
names with them before anything else is imported.
"""

SCALAR_KEYS = ("auc_ovr", "accuracy", "macro_f1", "gmean", "avacc", "cba", "mavg")

MULTILABEL_SCALAR_KEYS = (
    "macro_f1", "micro_f1", "samples_f1",
    "macro_precision", "micro_precision", "samples_precision",
    "macro_recall", "micro_recall", "samples_recall",
    "macro_auc", "micro_auc", "samples_auc",
    "subset_accuracy", "hamming_accuracy", "samples_jaccard",
    "categorical_accuracy", "batch_precision", "batch_recall", "batch_f1",
    "head_auc", "tail_auc", "tail_recall",
)
