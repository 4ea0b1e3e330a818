"""What every metric name of our reports means, in one place (the reports' glossary).

Names that look alike across libraries mean different things; the entries
say which scikit-learn / imbalanced-learn function each equals, and where
one does not.
"""

from __future__ import annotations

#: metric name -> its definition (as ``report`` / ``report_multilabel`` compute it)
GLOSSARY = {
    "auc_ovr": "mean one-vs-rest ROC AUC over the classes present (scikit-learn's "
               "roc_auc_score(multi_class='ovr', average='macro'))",
    "accuracy": "share of samples whose predicted class is the true one",
    "macro_f1": "mean of the per-class F1 scores over all K classes (a class never predicted "
                "has F1 0)",
    "gmean": "macro G-mean: mean over classes of sqrt(TPR_i * TNR_i), one-vs-rest. NOT "
             "imbalanced-learn's geometric_mean_score(average='multiclass'), the geometric mean "
             "of the recalls, which is our mavg; imbalanced-learn's average='macro' is "
             "sqrt(mean TPR * mean TNR), a third number",
    "mavg": "MAvG: geometric mean of the per-class recalls over the classes present "
            "(imbalanced-learn's geometric_mean_score(average='multiclass')); 0 if one class "
            "is never found",
    "avacc": "average accuracy: mean recall over the classes present (balanced accuracy)",
    "cba": "class balance accuracy (Mosley 2013): mean over classes of "
           "C_ii / max(row_i, column_i) of the confusion matrix",
    "degenerate": "the model predicts one class (or one label set) for every test sample",
    "macro_auc": "mean per-label ROC AUC over labels with positives and negatives",
    "micro_auc": "ROC AUC of all (sample, label) pairs pooled",
    "samples_auc": "mean per-sample ROC AUC over the labels",
    "macro_precision": "mean per-label precision (0 for a label never predicted)",
    "macro_recall": "mean per-label recall",
    "micro_precision": "precision of all (sample, label) decisions pooled",
    "micro_recall": "recall of all (sample, label) decisions pooled",
    "micro_f1": "F1 of all (sample, label) decisions pooled",
    "samples_precision": "mean per-sample precision of the predicted label set",
    "samples_recall": "mean per-sample recall of the true label set",
    "samples_f1": "mean per-sample F1 of the label sets",
    "samples_jaccard": "mean per-sample Jaccard index of the true and predicted label sets",
    "subset_accuracy": "share of samples whose predicted label set equals the true one exactly",
    "hamming_accuracy": "share of (sample, label) decisions that are right (1 - Hamming loss)",
    "categorical_accuracy": "share of samples whose highest-scored label is a true label "
                            "(Keras's categorical_accuracy on a multi-hot target, what "
                            "metrics=['accuracy'] reported for sigmoid outputs in tf.keras 2)",
    "batch_precision": "precision computed per validation batch of 16 and averaged over the "
                       "batches (Keras 2-era metric functions)",
    "batch_recall": "recall per batch of 16, averaged over the batches",
    "batch_f1": "F1 per batch of 16, averaged over the batches",
    "head_auc": "macro AUC over the frequent labels",
    "tail_auc": "macro AUC over the rare labels",
    "tail_recall": "mean recall over the rare labels",
}


def glossary(names) -> dict:
    """The definitions of ``names`` that have one, in the given order.

    Examples:
        >>> "mavg" in glossary(["gmean"])["gmean"]
        True
    """
    return {n: GLOSSARY[n] for n in dict.fromkeys(names) if n in GLOSSARY}
