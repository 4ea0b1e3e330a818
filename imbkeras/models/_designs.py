"""Names of model designs that configurations refer to, without Keras.

A leaf of :mod:`imbkeras.models`: configurations (the luo2019 preset's
``path_designs``) name these without loading TensorFlow.
"""

#: The 3D path designs among which Luo's per-class path choice is made
#: (:func:`imbkeras.training.select_paths`): Inception3D's stem, the same with
#: 3^3 kernels (finer detail), and with a second inception module (a larger
#: receptive field).
PATH_VARIANTS_3D = ("inception3d", "inception3d_k3", "inception3d_deep")
