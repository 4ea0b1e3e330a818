"""Lazy public names of a package (PEP 562): imported from their modules on first use.

A leaf module (it imports nothing from imbkeras). A package whose modules load
TensorFlow (models, the Keras metrics, the experiment engine) lists its
public names by module and binds them on the first use of any of them, so
importing the package, or a module of it, stays cheap.
"""

from __future__ import annotations

import importlib
import sys
from typing import Callable


def lazy_exports(package: str, exports: dict, *, then=()) -> tuple[Callable, Callable, Callable]:
    """``(load, __getattr__, __dir__)`` for the package ``package``.

    Args:
        package: the package's ``__name__`` (called from its ``__init__``).
        exports: ``{module: [public names]}``, modules relative to the package,
            in the order they are to be imported.
        then: modules imported after ``exports`` by ``load`` (e.g. modules that
            only register things).

    Returns:
        ``load()`` imports every module of ``exports`` and ``then`` once per
        process and binds the names in the package; ``__getattr__`` calls it for
        a name of the package's ``__all__`` that is not bound yet (any other
        raises ``AttributeError``); ``__dir__`` lists bound and lazy names.

    Examples:
        >>> import imbkeras.metrics
        >>> load, getattr_, dir_ = lazy_exports("imbkeras.metrics", {})
        >>> "MacroF1" in dir_()
        True
        >>> getattr_("MacroF2")
        Traceback (most recent call last):
        ...
        AttributeError: module 'imbkeras.metrics' has no attribute 'MacroF2'
    """
    namespace = sys.modules[package].__dict__
    loaded = []

    def load() -> None:
        if loaded:
            return
        for module, names in exports.items():
            mod = importlib.import_module(f"{package}.{module}")
            namespace.update({name: getattr(mod, name) for name in names})
        for module in then:
            importlib.import_module(f"{package}.{module}")
        loaded.append(True)

    def __getattr__(name):
        if name in namespace.get("__all__", ()):
            load()
            if name in namespace:
                return namespace[name]
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(namespace) | set(namespace.get("__all__", ())))

    return load, __getattr__, __dir__
