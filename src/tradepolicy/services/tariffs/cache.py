"""One cache object for the tariff services: every memoised table registers here.

``CACHE.clear()`` empties them all (a test can start from a clean state, or build the
tables again after a dataset changed); ``CACHE.info()`` names each cache and its size.
Functions use ``@cached(maxsize=N)`` (``functools.lru_cache`` underneath); plain dict
memos (e.g. ``tariff effective``'s cell stacks) register with ``CACHE.register_dict``.

>>> calls = []
>>> @cached(maxsize=1)
... def f() -> int:
...     calls.append(1)
...     return 1
>>> f(), f(), len(calls)
(1, 1, 1)
>>> CACHE.clear(); f(), len(calls)
(1, 2)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, MutableMapping
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class TariffCache:
    """The registry of every memo of the tariff services."""

    def __init__(self) -> None:
        self._functions: list[Any] = []
        self._dicts: list[tuple[str, MutableMapping[Any, Any]]] = []

    def register(self, fn: Any) -> Any:
        """Register an ``lru_cache``-wrapped function."""
        self._functions.append(fn)
        return fn

    def register_dict(self, name: str, memo: MutableMapping[Any, Any]) -> MutableMapping[Any, Any]:
        """Register a plain dict memo under ``name``."""
        self._dicts.append((name, memo))
        return memo

    def clear(self) -> None:
        """Empty every registered memo."""
        for fn in self._functions:
            fn.cache_clear()
        for _, memo in self._dicts:
            memo.clear()

    def info(self) -> dict[str, int]:
        """Return the number of entries held by each memo."""
        out = {f"{fn.__module__}.{fn.__qualname__}": (fn.cache_info().currsize if hasattr(fn, "cache_info") else fn.cache_size())
               for fn in self._functions}
        out.update({name: len(memo) for name, memo in self._dicts})
        return out


CACHE = TariffCache()


def cached(maxsize: int | None = 128) -> Callable[[F], F]:
    """Return a decorator that memoises ``fn`` and registers it with :data:`CACHE`.

    Table loaders (``maxsize`` <= 4) use :func:`tradepolicy.once.once`: concurrent first calls
    compute the table once, the others wait for it (8 concurrent first stack requests used to
    load the tables 8 times). Larger memos use ``functools.lru_cache``.
    """

    def deco(fn: F) -> F:
        if maxsize is not None and maxsize <= 4:
            from tradepolicy.once import once

            wrapped: Any = once(maxsize=maxsize)(fn)
            CACHE.register(wrapped)
            return wrapped  # type: ignore[no-any-return]
        wrapped = functools.lru_cache(maxsize=maxsize)(fn)
        CACHE.register(wrapped)
        return wrapped  # type: ignore[return-value]

    return deco
