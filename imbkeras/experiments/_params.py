"""Declared parameters of registered functions: what a trainer, dataset or post-processor
takes is its signature.

A trainer is ``fn(ctx, *, name=default, ...)``, a post-processor ``fn(outputs,
ctx, *, ...)``, a dataset ``fn(*, ...)``. The engine passes each the
parameters of its configuration that the signature declares
(:func:`bind_params`), and :meth:`Experiment.validate` checks them before
anything is written (:func:`check_params`): a parameter the function does not
declare (with the closest declared name), a value whose type does not match a
simple annotation (``int``, ``float``, ``str``, ``bool``, ``list``, ``dict``,
``Literal[...]`` choices, their unions with ``None``; an ``int`` is a
``float``), a sampler spec
(annotated :data:`imbkeras.sampling.SamplerSpec`, or a value of a
``dict[str, SamplerSpec]``) that does not build, and a required parameter
(no default) that is not given. A function with ``**params`` takes every
parameter, unchecked.
"""

from __future__ import annotations

import builtins
import difflib
import inspect
import numbers
import types
import typing

from imbkeras._validation import _short

_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
_SIMPLE = {int: "an integer", float: "a number", str: "a string", bool: "a boolean (true/false)",
           list: "a list", dict: "a mapping", type(None): "null (None)"}


def _resolve(annotation, fn):
    """An annotation as an object (``from __future__ import annotations`` leaves strings);
    ``inspect.Parameter.empty`` when it cannot be resolved."""
    if not isinstance(annotation, str):
        return annotation
    namespace = {**vars(builtins), **getattr(fn, "__globals__", {})}
    try:
        return eval(annotation, namespace)  # noqa: S307 - the function's own annotation
    except Exception:  # noqa: BLE001 - an annotation naming what is not importable here
        return inspect.Parameter.empty


def declared(fn, skip: int = 0) -> tuple[dict, bool]:
    """``({name: inspect.Parameter}, takes_any)`` of ``fn`` after its first ``skip`` parameters.

    ``takes_any`` is true for a function with ``**params``. Annotations are
    resolved to objects where they can be.

    Examples:
        >>> def trainer(ctx, *, epochs: int = 3, rate: float = 0.1): ...
        >>> names, takes_any = declared(trainer, skip=1)
        >>> list(names), names["epochs"].annotation is int, takes_any
        (['epochs', 'rate'], True, False)
    """
    params = list(inspect.signature(fn).parameters.values())[skip:]
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params)
    names = {p.name: p.replace(annotation=_resolve(p.annotation, fn))
             for p in params if p.kind in _KINDS}
    return names, takes_any


def bind_params(fn, params: dict, skip: int = 0) -> dict:
    """The items of ``params`` that ``fn`` declares (all of them for ``**params``).

    Examples:
        >>> def trainer(ctx, *, epochs: int = 3): ...
        >>> bind_params(trainer, {"epochs": 5, "mode": "x"}, skip=1)
        {'epochs': 5}
    """
    names, takes_any = declared(fn, skip)
    return dict(params) if takes_any else {k: v for k, v in params.items() if k in names}


def _sampler_mark(hint):
    """The :class:`imbkeras.sampling.SamplerParam` of an ``Annotated`` hint, else ``None``."""
    if typing.get_origin(hint) is typing.Annotated:
        from imbkeras.sampling import SamplerParam

        for meta in hint.__metadata__:
            if isinstance(meta, SamplerParam):
                return meta
    return None


def _members(hint) -> list:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(hint) for m in _members(arg)]
    return [hint]


def _matches(value, hint):
    """``True`` / ``False`` for a simple type, ``None`` when the hint is not one (unchecked)."""
    if hint is None:
        hint = type(None)
    origin = typing.get_origin(hint)
    if origin is typing.Literal:  # one of the listed values
        return any(value == v and type(value) is type(v) for v in typing.get_args(hint))
    if origin in (list, dict):  # list[int], dict[str, float]: the container only
        hint = origin
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, numbers.Real) and not isinstance(value, bool)
    if hint is list:
        return isinstance(value, (list, tuple))
    if hint in (str, dict, type(None)):
        return isinstance(value, hint)
    return None


def _expected(members) -> str:
    def one(m):
        if typing.get_origin(m) is typing.Literal:
            return f"one of {list(typing.get_args(m))}"
        return _SIMPLE.get(typing.get_origin(m) or m, str(m))

    return " or ".join(one(m) for m in members)


def check_value(value, annotation, name: str):
    """Check ``value`` against a parameter's annotation (simple types and sampler specs).

    Args:
        value: the configured value.
        annotation: the resolved annotation (``inspect.Parameter.empty``: anything).
        name: the dotted config key in error messages (``"methods.ROS.params.sampler"``).

    Raises:
        TypeError: for a value of another simple type than annotated.
        ValueError: for a value not among a ``Literal``'s (with the closest one),
            or a sampler spec that names an unknown sampler or argument.

    Examples:
        >>> check_value(3, float, "params.rate")
        >>> check_value("1e-3", float, "params.rate")
        Traceback (most recent call last):
        ...
        TypeError: `params.rate` must be a number; received '1e-3' (str). ...
        >>> check_value("adma", typing.Literal["adam", "sgd"], "params.optimizer")
        Traceback (most recent call last):
        ...
        ValueError: `params.optimizer` must be one of ['adam', 'sgd']; received 'adma'. Did ...
    """
    if annotation is inspect.Parameter.empty or annotation is typing.Any:
        return
    members = _members(annotation)
    marks = [(m, _sampler_mark(m)) for m in members]
    samplers = [mark for _, mark in marks if mark is not None]
    if samplers and not (value is None and any(m in (None, type(None)) for m in members)):
        from imbkeras.sampling import check_sampler_spec

        check_sampler_spec(value, name, samplers[0].targets)
        return
    verdicts = [_matches(value, m) for m in members]
    if any(v is True for v in verdicts) or any(v is None for v in verdicts):
        for m in members:  # a mapping of sampler specs: each value is one
            args = typing.get_args(m)
            if typing.get_origin(m) is dict and isinstance(value, dict) and len(args) == 2 \
                    and _sampler_mark(args[1]) is not None:
                for k, v in value.items():
                    check_value(v, args[1], f"{name}.{k}")
        return
    choices = [v for m in members if typing.get_origin(m) is typing.Literal
               for v in typing.get_args(m)]
    if choices and any(type(value) is type(v) for v in choices):  # a value not listed
        close = difflib.get_close_matches(str(value), [str(v) for v in choices], n=1)
        raise ValueError(f"`{name}` must be {_expected(members)}; received {_short(value)}."
                         + (f" Did you mean {close[0]!r}?" if close else ""))
    hint = ""
    if isinstance(value, str) and float in members:
        try:
            float(value)
            hint = (" YAML reads a number without a decimal point in its mantissa as a "
                    "string: write 1.0e-3, not 1e-3.")
        except ValueError:
            pass
    raise TypeError(f"`{name}` must be {_expected(members)}; received {_short(value)} "
                    f"({type(value).__name__}).{hint}")


def check_params(fn, params: dict, *, what: str, key: str, skip: int = 0,
                 given: dict | None = None, required: bool = True) -> None:
    """Check ``params`` against the signature of ``fn`` before anything runs.

    Args:
        fn: the registered function.
        params: the parameters it will receive: every key must be declared
            unless the key is only in ``given``'s complement (see ``given``).
        what: the function in error messages (``"trainer 'buda2018.lenet_sgd' of
            method 'ROS'"``).
        key: the dotted config key of ``params`` (``"methods.ROS.params"``).
        skip: leading positional parameters that are not configured (``ctx``).
        given: where each key of ``params`` was configured (``{name: dotted key
            prefix}``; default: ``key`` for all). Keys whose prefix is not
            ``key`` (shared experiment ``params``) may be undeclared: the
            engine passes a function only what it declares.
        required: refuse a declared parameter without a default that
            ``params`` lacks.

    Raises:
        TypeError: for ``params`` that is not a mapping, or a value of the
            wrong type for its annotation.
        ValueError: for an undeclared parameter (the closest declared name is
            suggested), a bad sampler spec, or a missing required parameter.
    """
    if not isinstance(params, dict):
        raise TypeError(f"`{key}` must be a mapping; received {_short(params)}.")
    names, takes_any = declared(fn, skip)
    given = given or {}
    for k, value in params.items():
        where = given.get(k, key)
        if k not in names:
            if takes_any or where != key:
                continue
            close = difflib.get_close_matches(str(k), list(names), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"`{key}.{k}`={_short(value)}: {what} declares no parameter "
                             f"{k!r}.{hint} It takes: "
                             f"{', '.join(names) or 'no parameters'}.")
        check_value(value, names[k].annotation, f"{where}.{k}")
    if required:
        missing = [n for n, p in names.items() if p.default is p.empty and n not in params]
        if missing:
            raise ValueError(f"{what} needs the parameter(s) {missing}, which have no default; "
                             f"set them in `{key}`.")
