"""Name registry of model builders.

Every builder has the signature ``builder(input_shape, num_classes, **options)``
and returns a ``keras.Model`` built with the functional API.
"""

from __future__ import annotations

import functools
from typing import Callable

import keras

from imbkeras._registry import Registry

_MODELS = Registry("model")


def register_model(name: str | None = None, /, *, test_input_shape: tuple | None = None,
                   test_kwargs: dict | None = None, **defaults):
    """Decorator that registers a builder under ``name`` (default: its own name).

    ``defaults`` are keyword arguments bound for this registry name, so one
    builder can be registered as several variants (``lipnet1``, ``lipnet4``...)
    without copying code.

    Args:
        name: registry name; defaults to the function's name.
        test_input_shape: a small valid ``input_shape`` for quick tests, stored
            as ``get_builder(name).test_input_shape`` (the parametrised model
            test builds every registered model at this size).
        test_kwargs: extra keyword arguments for that quick test (e.g. a small
            width multiplier), stored as ``get_builder(name).test_kwargs``.
        **defaults: keyword arguments bound for this name.
    """

    def wrap(fn):
        key = name or fn.__name__

        @functools.wraps(fn)
        def builder(*args, **kwargs):
            return fn(*args, **{**defaults, **kwargs})

        builder.__name__ = key
        builder.defaults = dict(defaults)
        builder.test_input_shape = test_input_shape
        builder.test_kwargs = dict(test_kwargs or {})
        _MODELS.register(key, builder)
        return fn

    return wrap


def list_models() -> list[str]:
    """Names of every registered model, sorted."""
    return _MODELS.names()


def get_builder(name: str) -> Callable[..., keras.Model]:
    """Return the builder registered as ``name``.

    The builder binds the variant's defaults and carries ``defaults``,
    ``test_input_shape`` and ``test_kwargs`` attributes.

    Args:
        name: a name from :func:`list_models`.

    Returns:
        ``builder(input_shape=..., num_classes=..., **options) -> keras.Model``.

    Raises:
        ValueError: if ``name`` is unknown; the message suggests the closest
            name and lists the known ones.
    """
    return _MODELS.get(name)


def create_model(name: str, **kwargs) -> keras.Model:
    """Build the registered model ``name`` with ``kwargs``.

    Args:
        name: a name from :func:`list_models` (e.g. ``"lipnet4"``).
        **kwargs: the builder's arguments (``input_shape``, ``num_classes``,
            options); they override the variant's registered defaults.

    Returns:
        A functional ``keras.Model``.

    Raises:
        ValueError: for an unknown name (the message lists the known names)
            or bad builder arguments.

    Examples:
        >>> import imbkeras as ik
        >>> m = ik.models.create_model("lenet5", input_shape=(28, 28, 1), num_classes=10)
        >>> m.count_params()
        431080
    """
    return get_builder(name)(**kwargs)
