"""Name registry of samplers (one :class:`imbkeras._registry.Registry`, as models use).

Every registered sampler is a :class:`imbkeras.sampling.BaseSampler`
subclass; configs and presets name samplers (``"ros"``, ``"smote"``) and
build them with :func:`create_sampler`. What a sampler can do (``targets``,
``needs_data``, ``keeps_order``) is declared by its class attributes, not
here. The common checks in ``tests/sampling/test_common.py`` run over every
registered name.
"""

from __future__ import annotations

from imbkeras._registry import Registry
from imbkeras.sampling._base import BaseSampler

_SAMPLERS = Registry("sampler")
_TEST_KWARGS: dict = {}
_TARGETS = ("single", "multi")


def register_sampler(name: str, /, *, test_kwargs: dict | None = None):
    """Class decorator that registers a sampler class under ``name``.

    Args:
        name: registry name (lower case, e.g. ``"ros"``).
        test_kwargs: constructor arguments for the common checks (e.g. the
            imbalanced-learn sampler an adapter wraps): a dict, or a function
            returning one (built only when :func:`sampler_info` asks).

    Raises:
        TypeError: for a class that is not a :class:`BaseSampler` subclass.
        ValueError: for a name already registered.
    """

    def wrap(cls):
        if not (isinstance(cls, type) and issubclass(cls, BaseSampler)):
            raise TypeError(f"only BaseSampler subclasses can be registered; received {cls!r}.")
        bad = [t for t in cls.targets if t not in _TARGETS] if isinstance(
            cls.targets, tuple) else [cls.targets]
        if not cls.targets or bad:
            raise ValueError(f"{cls.__name__}.targets must be a non-empty tuple of "
                             f"{_TARGETS}; received {cls.targets!r}.")
        _SAMPLERS.register(name, cls)
        _TEST_KWARGS[name] = test_kwargs or {}
        return cls

    return wrap


def list_samplers(targets: str | None = None) -> list[str]:
    """Names of every registered sampler, sorted (optionally only those taking ``targets``)."""
    if targets is not None and targets not in _TARGETS:
        raise ValueError(f"`targets` must be None or one of {_TARGETS}; received {targets!r}.")
    return [n for n in _SAMPLERS.names()
            if targets is None or targets in _SAMPLERS.get(n).targets]


def get_sampler(name: str) -> type:
    """The sampler class registered as ``name``.

    Raises:
        ValueError: if ``name`` is unknown; the message suggests the closest
            name and lists the known ones.
    """
    return _SAMPLERS.get(name)


def sampler_info(name: str) -> dict:
    """``{"targets": ..., "test_kwargs": ...}`` of the registered sampler ``name``."""
    cls = get_sampler(name)
    kwargs = _TEST_KWARGS[name]
    return {"targets": cls.targets,
            "test_kwargs": dict(kwargs() if callable(kwargs) else kwargs)}


def create_sampler(name: str, **kwargs):
    """Build the registered sampler ``name`` with ``kwargs``.

    ``create_sampler("none")`` returns ``None`` (no resampling), so configs
    can name the baseline like any sampler.

    Examples:
        >>> create_sampler("ros", seed=0)
        RandomOverSampler(seed=0)
        >>> create_sampler("none") is None
        True
    """
    if name == "none":
        if kwargs:
            raise ValueError(f"sampler 'none' takes no arguments; received {kwargs!r}.")
        return None
    return get_sampler(name)(**kwargs)
