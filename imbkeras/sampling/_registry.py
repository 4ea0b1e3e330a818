"""Name registry of samplers, in the style of the model registry.

Every registered sampler is a :class:`imbkeras.sampling.BaseSampler`
subclass; configs and presets name samplers (``"ros"``, ``"smote"``) and
build them with :func:`create_sampler`. The common checks in
``tests/sampling/test_common.py`` run over every registered name.
"""

from __future__ import annotations

_REGISTRY: dict[str, type] = {}
_META: dict[str, dict] = {}
_TARGETS = ("single", "multi")


def register_sampler(name: str, /, *, targets=("single",), test_kwargs: dict | None = None):
    """Class decorator that registers a sampler class under ``name``.

    Args:
        name: registry name (lower case, e.g. ``"ros"``).
        targets: which labels it takes: ``"single"`` (1-D class ids),
            ``"multi"`` (2-D multi-hot) or both.
        test_kwargs: constructor arguments for the common checks (e.g. the
            imbalanced-learn sampler an adapter wraps): a dict, or a function
            returning one (built only when :func:`sampler_info` asks).
    """
    targets = tuple(targets)
    if not targets or any(t not in _TARGETS for t in targets):
        raise ValueError(f"`targets` must be a non-empty subset of {_TARGETS}; received "
                         f"{targets!r}.")

    def wrap(cls):
        from imbkeras.sampling._base import BaseSampler

        if name in _REGISTRY:
            raise ValueError(f"sampler name {name!r} is already registered.")
        if not (isinstance(cls, type) and issubclass(cls, BaseSampler)):
            raise TypeError(f"only BaseSampler subclasses can be registered; received {cls!r}.")
        _REGISTRY[name] = cls
        _META[name] = {"targets": targets, "test_kwargs": test_kwargs or {}}
        return cls

    return wrap



def list_samplers(targets: str | None = None) -> list[str]:
    """Names of every registered sampler, sorted (optionally only those taking ``targets``)."""
    if targets is not None and targets not in _TARGETS:
        raise ValueError(f"`targets` must be None or one of {_TARGETS}; received {targets!r}.")
    return sorted(n for n in _REGISTRY if targets is None or targets in _META[n]["targets"])


def get_sampler(name: str) -> type:
    """The sampler class registered as ``name``.

    Raises:
        ValueError: if ``name`` is unknown; the message lists the known names.
    """
    if name not in _REGISTRY:
        raise ValueError(f"Unknown sampler name={name!r}. Known samplers: "
                         f"{', '.join(list_samplers())}.")
    return _REGISTRY[name]


def sampler_info(name: str) -> dict:
    """``{"targets": ..., "test_kwargs": ...}`` of the registered sampler ``name``."""
    get_sampler(name)
    meta = _META[name]
    kwargs = meta["test_kwargs"]
    return {"targets": meta["targets"],
            "test_kwargs": dict(kwargs() if callable(kwargs) else kwargs)}


def create_sampler(name: str, **kwargs):
    """Build the registered sampler ``name`` with ``kwargs``.

    ``create_sampler("none")`` returns ``None`` (no resampling), so configs
    can name the baseline like any sampler.

    Example:
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
