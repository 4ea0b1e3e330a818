"""Model builders (functional API) and a name registry.

``create_model(name, input_shape=..., num_classes=...)`` builds any registered
model; ``list_models()`` names them. Every builder has the signature
``builder(input_shape, num_classes, **options) -> keras.Model``.

Registered models (paper configuration -> parameters):

- Buda 2018: ``lenet5`` (28x28x1/10: 431,080), ``all_cnn_c`` (32x32x3/10:
  1,369,738), ``resnet10`` (224x224x3/1000: 5,420,968).
- Gryshkevych 2016 (28x28x1/3; LipNet-6 32x32x1/3): ``lipnet1`` (3,213,635),
  ``lipnet2`` (1,626,499), ``lipnet4`` (886,243), ``lipnet4c`` (85,763),
  ``lipnet6`` (559,075) -- one builder, :func:`lipnet`.
- Al-joudi 2023: ``gapnet_pl`` (299x299x4/28, SELU: 630,076).
- Koziarski 2020: ``mobilenet_classifier`` (150x150x3/8: 4,286,664).
- Luo 2019 / Xu lab (40^3x1/4): ``inception3d`` (3,271,444), ``dsrf3d_v2``
  (18,297,124), ``multipath3d`` (13,085,764), and ``multipath2d`` (32x32x1/3:
  350,931).

Helpers: :func:`split_head` (feature extractor + head),
:func:`count_params_by_block`, and the multi-path tools
:func:`build_path_model`, :func:`build_path_classifier`,
:func:`multipath_path_model`, :func:`assemble_multipath`.

The builders load Keras (and TensorFlow) on the first use of any of these
names (PEP 562); ``import imbkeras.models`` alone, and the design names of
:data:`PATH_VARIANTS_3D`, do not.
"""

from imbkeras._lazy import lazy_exports
from imbkeras.models._designs import PATH_VARIANTS_3D

# public name -> the module defining it, in the order the builders register
_EXPORTS = {
    "_registry": ["create_model", "get_builder", "list_models", "register_model"],
    "_lenet": ["lenet5"],
    "_allcnn": ["all_cnn_c"],
    "_resnet": ["resnet10"],
    "_lipnet": ["lipnet"],
    "_gapnet": ["gapnet_pl"],
    "_mobilenet": ["mobilenet_classifier", "mobilenet_weights_path"],
    "_subtomo": ["dsrf3d_v2", "inception3d"],
    "_multipath": ["assemble_multipath", "build_path_classifier", "path_variants",
                   "build_path_model", "multipath2d", "multipath3d", "multipath_path_model"],
    "_inspect": ["count_params_by_block", "split_head"],
}

__all__ = [
    "create_model",
    "get_builder",
    "list_models",
    "register_model",
    "lenet5",
    "all_cnn_c",
    "resnet10",
    "lipnet",
    "gapnet_pl",
    "mobilenet_classifier",
    "mobilenet_weights_path",
    "inception3d",
    "dsrf3d_v2",
    "multipath3d",
    "multipath2d",
    "build_path_model",
    "build_path_classifier",
    "multipath_path_model",
    "path_variants",
    "PATH_VARIANTS_3D",
    "assemble_multipath",
    "split_head",
    "count_params_by_block",
]

# Every builder is imported (and registered) on the first use of a name of __all__.
_load, __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
