"""Process-wide, thread-safe lazy loading: :func:`once`.

``functools.lru_cache`` does not stop two threads that miss at the same time from both
computing: 8 concurrent first requests each loaded the tariff tables (24 s each, issue 9).
``@once(maxsize=N)`` caches like ``lru_cache`` but computes each key at most once per
process: a hit takes no lock; a miss takes one process-wide re-entrant lock, checks again,
computes and stores. Other threads missing meanwhile wait for the result instead of
repeating the work. (One lock for every loader: loaders may call each other without any
lock-ordering deadlock; loading is serialised, which two cores prefer anyway.)

Use it for expensive loaders (tables, parsed sources), not for hot per-call caches.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import wraps
from typing import Any, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
R = TypeVar("R", covariant=True)

LOAD_LOCK = threading.RLock()


class OnceFunction(Protocol[P, R]):
    """A function cached by :func:`once` (with ``cache_clear`` like ``lru_cache``)."""

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...  # noqa: D102

    def cache_clear(self) -> None: ...  # noqa: D102


def _key(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Hashable:
    return (args, tuple(sorted(kwargs.items()))) if kwargs else args


def once(maxsize: int = 1) -> Callable[[Callable[P, R]], OnceFunction[P, R]]:
    """Cache a loader's results (up to ``maxsize`` keys, oldest evicted); compute each once.

    >>> calls = []
    >>> @once()
    ... def table() -> list[int]:
    ...     calls.append(1)
    ...     return [1, 2]
    >>> table() is table(), len(calls)
    (True, 1)
    """

    def decorate(fn: Callable[P, R]) -> OnceFunction[P, R]:
        cache: OrderedDict[Hashable, R] = OrderedDict()

        @wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            key = _key(args, kwargs)
            try:
                return cache[key]  # a hit: no lock (a dict read is atomic)
            except KeyError:
                pass
            with LOAD_LOCK:
                if key in cache:  # another thread loaded it while we waited
                    return cache[key]
                value = fn(*args, **kwargs)
                cache[key] = value
                while len(cache) > maxsize:
                    cache.popitem(last=False)
                return value

        def cache_clear() -> None:
            with LOAD_LOCK:
                cache.clear()

        wrapper.cache_clear = cache_clear  # type: ignore[attr-defined]
        wrapper.cache_size = cache.__len__  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
