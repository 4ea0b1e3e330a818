"""Keras layers: 2D/3D geometric augmentation and MixUp (usable in models and tf.data).

Every random layer has a stateless ``augment(inputs, seed)`` used by
:func:`imbkeras.pipeline.make_dataset` (one seed per batch: deterministic for
a seed whatever the parallelism); calling the layer draws the seed from a
``keras.random.SeedGenerator``.
"""

from imbkeras.layers._augment2d import RandomGeometric2D
from imbkeras.layers._augment3d import RandomGeometric3D, cube_rotations, rotation_matrix
from imbkeras.layers._geometry import affine_transform
from imbkeras.layers._mixup import MixUp
from imbkeras.layers._prior_correction import PriorCorrection
from imbkeras.layers._rot90 import RandomRot90Flip, rot90_flip_ops

__all__ = [
    "RandomGeometric2D",
    "RandomGeometric3D",
    "RandomRot90Flip",
    "MixUp",
    "PriorCorrection",
    "affine_transform",
    "cube_rotations",
    "rotation_matrix",
    "rot90_flip_ops",
]
