"""Whether an SQLite database is in use by another process (for ``db restore``).

``tradepolicy serve`` holds a shared advisory lock (``flock``) on ``<database>.inuse`` for
its whole life; :func:`in_use` tries to take that lock exclusively without waiting, and also
probes the database itself with ``BEGIN EXCLUSIVE`` (no busy wait), which fails while another
connection is writing. The lock is released by the kernel when the server exits, even after
``kill -9``, so a stale lock file never blocks a restore.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:  # POSIX; on other systems only the SQLite probe applies
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]


def lock_path(db: Path) -> Path:
    """Return the lock file beside the database file."""
    return db.with_name(db.name + ".inuse")


@contextmanager
def hold(db: Path | None) -> Iterator[None]:
    """Hold a shared 'in use' lock on ``db`` (an SQLite file) while the block runs."""
    if db is None or fcntl is None:
        yield
        return
    db.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(db), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the lock


def in_use(db: Path) -> str | None:
    """Return why ``db`` is in use by another process, or None when it is free."""
    if fcntl is not None and lock_path(db).exists():
        fd = os.open(lock_path(db), os.O_RDWR)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = lock_path(db).read_text().strip() or "?"
                return f"a tradepolicy server (pid {pid}) has it open"
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    if db.exists():
        con = sqlite3.connect(db, timeout=0, isolation_level=None)
        try:
            con.execute("BEGIN EXCLUSIVE")
            con.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            return f"another connection is writing to it ({exc})"
        finally:
            con.close()
    return None
