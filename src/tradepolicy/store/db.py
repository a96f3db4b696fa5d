"""Engine, sessions and migrations.

SQLite runs in WAL mode with foreign keys on; every write happens in one transaction
(``transaction()``), so a rejected request changes nothing.

On SQLite a write transaction starts with ``BEGIN IMMEDIATE``: it takes the database's
write lock before its first read, so a read-then-write (such as the next event number of a
case) cannot race another writer; waiting writers queue on ``busy_timeout``. Reads start a
plain deferred ``BEGIN`` (a consistent snapshot, never blocking writers under WAL).
``PRAGMA synchronous`` follows ``TRADEPOLICY_SQLITE_SYNCHRONOUS`` (default ``FULL``: a
committed write, including its audit and access-log entries, survives a power loss).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from tradepolicy.config import get_settings
from tradepolicy.errors import InputError

_IMMEDIATE = "tradepolicy_begin_immediate"


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # Transactions are ours (see _on_sqlite_begin), not the driver's implicit BEGIN before DML.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute(f"PRAGMA synchronous={get_settings().sqlite_synchronous}")
    cur.close()


def _on_sqlite_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get(_IMMEDIATE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_ENGINES: dict[str, Engine] = {}
# Per engine, made once: building them per call costs CPU on every request (a sessionmaker
# defines a new Session subclass, whose event dispatch SQLAlchemy then builds anew; an
# options engine joins the engine's dispatch): measured ~0.1-0.2 ms of CPU a read session.
_FACTORIES: dict[str, sessionmaker[Session]] = {}
_IMMEDIATE_BINDS: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """Return the (cached) engine for ``url`` or the configured database URL."""
    url = url or get_settings().database_url
    if url in _ENGINES:
        return _ENGINES[url]
    try:
        u = make_url(url)
        u.get_dialect()
    except (ArgumentError, NoSuchModuleError) as exc:
        raise InputError(
            f"TRADEPOLICY_DATABASE_URL is not a usable database URL: {exc}.",
            field="TRADEPOLICY_DATABASE_URL",
            expected="sqlite:///PATH or postgresql+psycopg://USER@HOST/DB",
            example="sqlite:////home/me/tradepolicy.db",
        ) from exc
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    _ENGINES[url] = engine
    return engine


def sqlite_file(url: str | None = None) -> Path | None:
    """Return the file of an SQLite database URL (None for PostgreSQL or in-memory)."""
    u = make_url(url or get_settings().database_url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def dispose_engines() -> None:
    """Close every cached engine (after a restore, or between tests)."""
    from tradepolicy.store.version import forget_connection

    forget_connection()
    for eng in _ENGINES.values():
        eng.dispose()
    _ENGINES.clear()
    _FACTORIES.clear()
    _IMMEDIATE_BINDS.clear()


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    """Return the (cached) session factory bound to the engine."""
    key = url or get_settings().database_url
    factory = _FACTORIES.get(key)
    if factory is None:
        factory = _FACTORIES[key] = sessionmaker(get_engine(key), expire_on_commit=False)
    return factory


def _write_bind(url: str | None) -> Engine:
    """Return the engine that begins transactions with ``BEGIN IMMEDIATE`` on SQLite (cached)."""
    key = url or get_settings().database_url
    bind = _IMMEDIATE_BINDS.get(key)
    if bind is None:
        engine = get_engine(key)
        bind = engine.execution_options(**{_IMMEDIATE: True}) if engine.dialect.name == "sqlite" else engine
        _IMMEDIATE_BINDS[key] = bind
    return bind


@contextmanager
def transaction(url: str | None = None) -> Iterator[Session]:
    """Open a session whose work commits as one transaction, or rolls back on any error.

    On SQLite the transaction begins with ``BEGIN IMMEDIATE`` (the write lock first), so
    reads inside it see the latest committed state and no other writer interleaves.
    """
    with Session(_write_bind(url), expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def read_session(url: str | None = None) -> Iterator[Session]:
    """Open a session for reads only."""
    with session_factory(url)() as session:
        yield session


def alembic_config(url: str | None = None) -> Config:
    """Return an Alembic config pointing at the bundled migrations."""
    cfg = Config()
    script = resources.files("tradepolicy.store").joinpath("migrations")
    cfg.set_main_option("script_location", str(script))
    cfg.set_main_option("sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%"))
    return cfg


def migrate(url: str | None = None) -> None:
    """Upgrade the database to every head revision."""
    cfg = alembic_config(url)
    with get_engine(url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def current_revisions(url: str | None = None) -> tuple[str, ...]:
    """Return the database's current Alembic revisions (empty before migration)."""
    with get_engine(url).connect() as conn:
        return tuple(MigrationContext.configure(conn).get_current_heads())


def head_revisions() -> tuple[str, ...]:
    """Return the head revisions of the bundled migrations."""
    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())
