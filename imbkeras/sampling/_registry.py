"""Name registry of samplers (one :class:`imbkeras._registry.Registry`, as models use).

Every registered sampler is a :class:`imbkeras.sampling.BaseSampler`
subclass; configs and presets name samplers (``"ros"``, ``"smote"``) and
build them with :func:`create_sampler`. What a sampler can do (``targets``,
``needs_data``, ``keeps_order``) is declared by its class attributes, not
here. The common checks in ``tests/sampling/test_common.py`` run over every
registered name.
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
from typing import Annotated, Union

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


@dataclasses.dataclass(frozen=True)
class SamplerParam:
    """The mark of a sampler-valued parameter (:data:`SamplerSpec`): a function parameter
    annotated with it takes a sampler spec, which the experiment engine checks with
    :func:`check_sampler_spec` before anything runs.

    Attributes:
        targets: ``"single"`` or ``"multi"``: only samplers taking those targets;
            ``None``: any registered sampler.
    """

    targets: str | None = None


#: A sampler spec: a registered name (``"ros"``, ``"none"``) or a mapping with the name
#: under ``"name"`` and the sampler's arguments (``{"name": "smote", "k_neighbors": 3}``).
SamplerSpec = Annotated[Union[str, dict], SamplerParam()]
#: A sampler spec naming a sampler of single-label (multi-class) targets.
SingleLabelSamplerSpec = Annotated[Union[str, dict], SamplerParam("single")]


def sampler_spec(spec, name: str = "sampler") -> tuple[str, dict]:
    """``(registered name, arguments)`` of the sampler spec ``spec``.

    Args:
        spec: a registered sampler name (``"ros"``; ``"none"``: no resampling)
            or a mapping ``{"name": ..., **arguments}``.
        name: the argument's name in error messages.

    Raises:
        TypeError: for a spec that is neither a string nor a mapping.
        ValueError: for a mapping without a string ``"name"``.

    Examples:
        >>> sampler_spec({"name": "smote", "k_neighbors": 3})
        ('smote', {'k_neighbors': 3})
        >>> sampler_spec("ros")
        ('ros', {})
    """
    if isinstance(spec, str):
        return spec, {}
    if isinstance(spec, dict):
        if not isinstance(spec.get("name"), str):
            raise ValueError(f"`{name}` as a mapping needs the sampler's registered name under "
                             f"'name' (e.g. {{'name': 'smote', 'k_neighbors': 3}}); received "
                             f"{spec!r}.")
        return spec["name"], {k: v for k, v in spec.items() if k != "name"}
    raise TypeError(f"`{name}` must be a sampler spec: a registered name ('ros') or a mapping "
                    f"{{'name': 'smote', 'k_neighbors': 3}}; received {type(spec).__name__} "
                    f"{spec!r}.")


def check_sampler_spec(spec, name: str = "sampler", targets: str | None = None):
    """Check the sampler spec ``spec`` by building it; returns the sampler (``None`` for "none").

    The name must be registered (the closest one is suggested) and take
    ``targets`` when given; the arguments must be the sampler's (the closest
    is suggested), with values its constructor accepts.

    Args:
        spec: a sampler spec (see :func:`sampler_spec`).
        name: the argument's name in error messages (``"methods.ROS.params.sampler"``).
        targets: ``"single"`` / ``"multi"``: the targets the sampler must take.

    Raises:
        TypeError / ValueError: naming ``name``, the value received and what was expected.

    Examples:
        >>> check_sampler_spec("ross", "params.sampler")
        Traceback (most recent call last):
        ...
        ValueError: `params.sampler`='ross': Unknown sampler 'ross'. Did you mean 'ros'? Known: ...
    """
    sampler, kwargs = sampler_spec(spec, name)
    if sampler == "none":
        if kwargs:
            raise ValueError(f"`{name}`: sampler 'none' takes no arguments; received {spec!r}.")
        return None
    try:
        cls = get_sampler(sampler)
    except ValueError as err:
        raise ValueError(f"`{name}`={spec!r}: {err}") from None
    if targets is not None and targets not in cls.targets:
        raise ValueError(f"`{name}`={spec!r}: sampler {sampler!r} does not take {targets}-label "
                         f"targets; those that do: 'none', "
                         f"{', '.join(map(repr, list_samplers(targets)))}.")
    params = [p for p in inspect.signature(cls).parameters.values()
              if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    names = [p.name for p in params]
    for key in kwargs:
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"`{name}`={spec!r}: sampler {sampler!r} takes no argument "
                             f"{key!r}.{hint} It takes: {', '.join(names)}.")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as err:
        raise type(err)(f"`{name}`={spec!r}: {err}") from None


def create_sampler(spec, /, **kwargs):
    """Build the sampler of the spec ``spec`` (a registered name or a mapping), with ``kwargs``.

    ``create_sampler("none")`` returns ``None`` (no resampling), so configs
    can name the baseline like any sampler. A mapping gives the name under
    ``"name"`` and the sampler's arguments beside it; ``kwargs`` add
    arguments (one given twice is an error).

    Raises:
        ValueError: for an unknown name (the closest is suggested), arguments
            for ``"none"`` or an argument given both in the spec and in ``kwargs``.
        TypeError: for a spec that is neither a string nor a mapping.

    Examples:
        >>> create_sampler("ros", seed=0)
        RandomOverSampler(seed=0)
        >>> create_sampler({"name": "smote", "k_neighbors": 3})
        SMOTE(k_neighbors=3)
        >>> create_sampler("none") is None
        True
    """
    name, args = sampler_spec(spec)
    both = sorted(set(args) & set(kwargs))
    if both:
        raise ValueError(f"create_sampler: {both} given both in the spec {spec!r} and as "
                         f"keyword arguments {kwargs!r}.")
    args.update(kwargs)
    if name == "none":
        if args:
            raise ValueError(f"sampler 'none' takes no arguments; received {args!r}.")
        return None
    return get_sampler(name)(**args)
