"""The one name registry of imbkeras: models, samplers and the experiment engine use it.

A leaf module (it imports nothing from imbkeras), so every layer can hold a
registry without importing the layers above it.
"""

from __future__ import annotations

import difflib
from typing import Any, Callable, Iterator


class Registry:
    """A name -> object mapping whose lookup errors suggest the closest name.

    Every registry of imbkeras is one of these, so an unknown name reads the
    same everywhere: ``Unknown <kind> 'x'. Did you mean 'y'? Known: ...``.

    Args:
        kind: what the registry holds, as the error messages name it
            (``"model"``, ``"sampler"``, ``"trainer"``...).

    Examples:
        >>> colours = Registry("colour")
        >>> _ = colours.register("red", 0xFF0000)
        >>> colours.get("red") == 0xFF0000, colours.names()
        (True, ['red'])
        >>> colours.get("rde")
        Traceback (most recent call last):
        ...
        ValueError: Unknown colour 'rde'. Did you mean 'red'? Known: red.
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {len(self._items)} names)"

    def register(self, name: str, obj, *, replace: bool = False):
        """Register ``obj`` under ``name``; returns ``obj``.

        Raises:
            ValueError: for a name that is not a non-empty string, or one
                already registered (unless ``replace``).
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"a {self.kind} name must be a non-empty string; received {name!r}.")
        if name in self._items and not replace:
            raise ValueError(f"{self.kind} {name!r} is already registered.")
        self._items[name] = obj
        return obj

    def decorator(self, name: str | None = None, **kwargs) -> Callable:
        """A decorator registering the decorated object under ``name`` (default: its own)."""
        def wrap(obj):
            self.register(name or obj.__name__, obj, **kwargs)
            return obj
        return wrap

    def get(self, name: str):
        """The object registered as ``name``.

        Raises:
            ValueError: for an unknown name: the closest known name and all
                known names are in the message.
        """
        if not isinstance(name, str) or name not in self._items:
            close = difflib.get_close_matches(str(name), list(self._items), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"Unknown {self.kind} {name!r}.{hint} Known: "
                             f"{', '.join(sorted(self._items)) or '(none)'}.")
        return self._items[name]

    def __contains__(self, name) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        return sorted(self._items)
