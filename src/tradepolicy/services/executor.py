"""Executors for sweeps: ``serial | process | dask``, one protocol.

>>> with get_executor("serial") as ex:
...     ex.map(abs, [-1, 2, -3])
[1, 2, 3]

``get_executor()`` without a kind reads ``TRADEPOLICY_EXECUTOR`` (default ``serial``). The
``dask`` executor connects a ``distributed.Client`` to ``TRADEPOLICY_DASK_ADDRESS`` when it
is set, else starts a ``LocalCluster`` on this machine, so a user who outgrows one machine
points the same sweep at a cluster. Engines never import Dask: they hand pure functions to
an executor.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import Any, Protocol, TypeVar, runtime_checkable

from tradepolicy.config import get_settings
from tradepolicy.errors import OptionalDependencyError
from tradepolicy.literals import ExecutorKind, check_literal, options_of

__all__ = ["DaskExecutor", "Executor", "ProcessExecutor", "SerialExecutor", "get_executor"]

T = TypeVar("T")
R = TypeVar("R")


@runtime_checkable
class Executor(Protocol):
    """Runs ``fn`` over ``items`` and returns the results in input order."""

    kind: str

    def map(self, fn: Callable[[Any], R], items: Iterable[Any]) -> list[R]:
        """Apply ``fn`` to every item; results keep the order of ``items``."""
        ...

    def close(self) -> None:
        """Release workers (no-op for serial)."""
        ...

    def __enter__(self) -> Any:
        """Enter a ``with`` block."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close on leaving a ``with`` block."""
        ...


class _Base:
    kind = "base"

    def close(self) -> None:
        """Release workers."""

    def __enter__(self) -> Any:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class SerialExecutor(_Base):
    """In-process, one item after another."""

    kind = "serial"

    def map(self, fn: Callable[[Any], R], items: Iterable[Any]) -> list[R]:
        """Apply ``fn`` to every item in turn."""
        return [fn(item) for item in items]


class ProcessExecutor(_Base):
    """A ``concurrent.futures.ProcessPoolExecutor`` (functions and items must pickle)."""

    kind = "process"

    def __init__(self, max_workers: int | None = None) -> None:
        self.max_workers = max_workers or max(1, min(4, os.cpu_count() or 1))
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[Any], R], items: Iterable[Any]) -> list[R]:
        """Apply ``fn`` to every item in worker processes."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.max_workers)
        return list(self._pool.map(fn, items))

    def close(self) -> None:
        """Shut the pool down."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


class DaskExecutor(_Base):
    """A ``distributed.Client``: on ``address``, or on a LocalCluster started here.

    Parameters
    ----------
    address
        Scheduler address (``tcp://host:8786``); default ``TRADEPOLICY_DASK_ADDRESS``.
    client
        An existing ``distributed.Client`` to use (not closed by :meth:`close`).
    cluster_kwargs
        Keyword arguments of ``LocalCluster`` when no address is given, e.g.
        ``processes=False, dashboard_address=None`` for a threaded test cluster.
    """

    kind = "dask"

    def __init__(
        self,
        address: str | None = None,
        *,
        client: Any = None,
        **cluster_kwargs: Any,
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # dask is the optional extra `dask`
            raise OptionalDependencyError(
                "The dask executor needs dask.distributed (the optional extra 'dask').",
                field="TRADEPOLICY_EXECUTOR", expected="pip install 'tradepolicy[dask]'",
                example="TRADEPOLICY_EXECUTOR=process",
            ) from exc
        import logging

        # distributed logs every scheduler/nanny event at INFO through the root handler;
        # keep it at WARNING like the other third-party libraries (tradepolicy.config)
        for name in ("distributed", "distributed.scheduler", "distributed.nanny",
                     "distributed.core", "distributed.http.proxy", "distributed.worker"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self._owns_client = client is None
        self._cluster: Any = None
        if client is not None:
            self.client = client
            return
        addr = address or get_settings().dask_address
        if addr:
            self.client = Client(addr)
        else:
            opts: dict[str, Any] = {"n_workers": 2, "threads_per_worker": 1,
                                    "dashboard_address": None}
            opts.update(cluster_kwargs)
            self._cluster = LocalCluster(**opts)
            self.client = Client(self._cluster)

    def map(self, fn: Callable[[Any], R], items: Iterable[Any]) -> list[R]:
        """Submit ``fn`` over the items and gather the results in order."""
        seq = list(items)
        if not seq:
            return []
        futures = self.client.map(fn, seq, pure=False)
        return list(self.client.gather(futures))

    def close(self) -> None:
        """Close the client and any LocalCluster this executor started."""
        if self._owns_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def get_executor(kind: str | None = None, **kwargs: Any) -> Executor:
    """Return an executor of ``kind`` (``serial | process | dask``; default from settings).

    Extra keyword arguments go to the executor (``max_workers`` for ``process``;
    ``address``, ``client`` or LocalCluster options for ``dask``).
    """
    chosen = kind or get_settings().executor
    check_literal(chosen, options_of(ExecutorKind), name="executor")
    if chosen == "serial":
        return SerialExecutor()
    if chosen == "process":
        return ProcessExecutor(**kwargs)
    return DaskExecutor(**kwargs)
