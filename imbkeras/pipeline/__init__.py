"""tf.data pipelines: sampler -> batches of indices -> gather -> augment -> mixup -> prefetch,
redrawn every epoch."""

from imbkeras.pipeline._dataset import LABEL_MODES, FileSource, make_dataset

__all__ = ["LABEL_MODES", "FileSource", "make_dataset"]
