"""Model builders (functional API) and a name registry.

``create_model(name, input_shape=..., num_classes=...)`` builds any registered
model; ``list_models()`` names them.
"""

from imbkeras.models._registry import create_model, get_builder, list_models, register_model
from imbkeras.models._lenet import lenet5

__all__ = ["create_model", "get_builder", "list_models", "register_model", "lenet5"]
