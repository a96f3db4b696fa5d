"""The store's write version: a cheap value that changes whenever anything is committed.

Used to invalidate caches of public responses (``api/public_cache.py``) across threads and
worker processes: a cache entry is valid only while the version it was built under is current.

- SQLite: ``PRAGMA data_version`` on one dedicated connection. It changes whenever another
  connection (in this process or any other) commits; this connection itself never writes.
- PostgreSQL: ``pg_current_wal_lsn()``, which moves with every write (and sometimes with
  maintenance, which only costs a cache miss).

The dedicated connection is used from one thread at a time (a lock guards it); the query
costs a few microseconds on SQLite.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from tradepolicy.store.db import get_engine

_LOCK = threading.Lock()
_STATE: dict[str, Any] = {"engine": None, "conn": None}


def _connect() -> Any:
    engine = get_engine()
    if _STATE["engine"] is not engine or _STATE["conn"] is None:
        old = _STATE["conn"]
        if old is not None:
            with contextlib.suppress(Exception):
                old.close()
        _STATE["conn"] = engine.raw_connection()
        _STATE["engine"] = engine
    return _STATE["conn"]


def store_version() -> str:
    """Return a value that differs after any commit to the configured database."""
    with _LOCK:
        conn = _connect()
        dialect = _STATE["engine"].dialect.name
        cur = conn.cursor()
        try:
            if dialect == "sqlite":
                cur.execute("PRAGMA data_version")
            else:
                cur.execute("SELECT pg_current_wal_lsn()::text")
            value = cur.fetchone()[0]
        except Exception:
            _STATE["conn"] = None  # reconnect next time (server restart, disposed pool)
            with contextlib.suppress(Exception):
                conn.invalidate()
            raise
        finally:
            with contextlib.suppress(Exception):
                cur.close()
        if dialect != "sqlite":
            conn.rollback()  # no transaction left open between calls
        return f"{id(_STATE['engine'])}:{value}"


def forget_connection() -> None:
    """Close the dedicated connection (tests that dispose engines call this)."""
    with _LOCK:
        conn = _STATE["conn"]
        _STATE["conn"] = None
        _STATE["engine"] = None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
