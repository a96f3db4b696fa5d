"""Settings, read from the environment with the prefix ``TRADEPOLICY_``."""

from __future__ import annotations

import getpass
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tradepolicy.literals import ExecutorKind, LogLevel


def _default_database_url() -> str:
    path = Path(user_data_dir("tradepolicy")) / "tradepolicy.db"
    return f"sqlite:///{path}"


class Settings(BaseSettings):
    """Every setting of tradepolicy.

    ========================  ===============================================
    TRADEPOLICY_DATABASE_URL  SQLAlchemy URL; default an SQLite file in the
                              user's data directory. ``postgresql+psycopg://``
                              for a team server.
    TRADEPOLICY_CACHE_DIR     where ``data fetch`` downloads datasets.
    TRADEPOLICY_DATA_MIRROR   an offline mirror laid out like ``shared/data``.
    TRADEPOLICY_EXECUTOR      ``serial | process | dask`` for sweeps.
    TRADEPOLICY_DASK_ADDRESS  a Dask scheduler address (else a LocalCluster).
    TRADEPOLICY_LOG_LEVEL     ``DEBUG | INFO | WARNING | ERROR``.
    TRADEPOLICY_USER          who is recorded in the audit log.
    TRADEPOLICY_SQLITE_SYNCHRONOUS  SQLite ``PRAGMA synchronous``: ``FULL``
                              (default; every commit, audit and access-log
                              entries included, is on disk when acknowledged)
                              or ``NORMAL`` (faster; under WAL the last
                              commits may be lost on power failure, never
                              corrupted).
    TRADEPOLICY_MAX_BODY_BYTES  largest request body the server accepts
                              (default 50 MB); larger ones get 413 before
                              anything is parsed.
    TRADEPOLICY_WARMUP        ``serve`` loads the tariff tables before it
                              listens (default ``true``), so first requests
                              do not wait for them.
    ========================  ===============================================
    """

    model_config = SettingsConfigDict(env_prefix="TRADEPOLICY_", extra="ignore")

    database_url: str = Field(default_factory=_default_database_url)
    cache_dir: Path = Field(default_factory=lambda: Path(user_cache_dir("tradepolicy")))
    data_mirror: Path | None = None
    executor: ExecutorKind = "serial"
    dask_address: str | None = None
    log_level: LogLevel = "INFO"
    user: str = Field(default_factory=lambda: os.environ.get("USER") or _whoami())
    sqlite_synchronous: Literal["FULL", "NORMAL", "EXTRA"] = "FULL"
    max_body_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    warmup: bool = True

    @field_validator("sqlite_synchronous", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


def _whoami() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry
        return "unknown"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (cached; call ``reset_settings`` in tests).

    Raises
    ------
    InputError
        A ``TRADEPOLICY_*`` variable has a value of the wrong form; the error names it.
    """
    from pydantic import ValidationError

    from tradepolicy.errors import InputError

    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "TRADEPOLICY_" + str(err["loc"][0]).upper() if err["loc"] else "TRADEPOLICY_*"
        raise InputError(
            f"Setting {name} is invalid: {err['msg']}.", field=name,
            expected=str(err.get("ctx", {}).get("expected", err["msg"])),
            example=f"{name}=" + {"TRADEPOLICY_EXECUTOR": "serial",
                                  "TRADEPOLICY_LOG_LEVEL": "INFO"}.get(name, "..."),
        ) from exc


def configure_logging(settings: Settings | None = None) -> None:
    """Set the ``tradepolicy`` loggers to the configured level (TRADEPOLICY_LOG_LEVEL)."""
    import logging

    level = (settings or get_settings()).log_level
    # Third-party libraries (alembic, uvicorn...) stay at WARNING; our own loggers follow the setting.
    logging.basicConfig(level="WARNING", format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("tradepolicy").setLevel(level)


def reset_settings() -> None:
    """Forget the cached settings so that the environment is read again."""
    get_settings.cache_clear()
