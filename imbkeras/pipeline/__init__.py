"""tf.data pipelines: indices -> gather -> augment -> mixup -> batch -> prefetch, redrawn every epoch."""

from imbkeras.pipeline._dataset import LABEL_MODES, FileSource, make_dataset

__all__ = ["LABEL_MODES", "FileSource", "make_dataset"]
