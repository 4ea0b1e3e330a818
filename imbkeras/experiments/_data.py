"""Datasets that experiments can name, as fixed train/test splits."""

from __future__ import annotations

from imbkeras import datasets

EXPERIMENT_DATASETS = ("digits",)


def load_split(name: str, seed: int = 0, test_size: float = 0.3):
    """Return ``(x_train, y_train), (x_test, y_test)`` of a named dataset.

    ``"digits"``: scikit-learn's bundled digits at 28x28, stratified split.

    Raises:
        ValueError: for an unknown ``name`` (the message lists the known ones).
    """
    if name == "digits":
        x, y = datasets.load_digits(size=28)
        return datasets.train_test_split(x, y, test_size=test_size, seed=seed)
    raise ValueError(f"Unknown dataset={name!r}; known datasets: {', '.join(EXPERIMENT_DATASETS)}.")
