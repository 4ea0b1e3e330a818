"""tf.data pipelines: indices -> gather -> batch -> prefetch, redrawn every epoch."""

from imbkeras.pipeline._dataset import LABEL_MODES, make_dataset, resample_indices

__all__ = ["LABEL_MODES", "make_dataset", "resample_indices"]
