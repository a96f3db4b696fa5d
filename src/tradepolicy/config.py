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
    TRADEPOLICY_MAX_UPLOAD_BYTES  the largest document one may file
                              (default 25 MiB); larger uploads get 413.
    TRADEPOLICY_USER          who runs the CLI: a stored user's name gives the
                              CLI that user's role and grants; otherwise the
                              local operator (administrator, no grants).
    TRADEPOLICY_SECRET_KEY    signs session cookies and CSRF tokens; when unset
                              one is generated once and kept in the data
                              directory (``secret_key``, mode 0600).
    TRADEPOLICY_SESSION_HOURS how long a web sign-in lasts (default 12).
    TRADEPOLICY_OIDC_ISSUER   optional OpenID Connect sign-in: the issuer URL
    TRADEPOLICY_OIDC_CLIENT_ID      ... the client id registered there
    TRADEPOLICY_OIDC_CLIENT_SECRET  ... and its secret (docs/platform.md).
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
    TRADEPOLICY_PUBLIC_CACHE_SECONDS  how long an anonymous GET response may
                              be served from the public response cache
                              (default 30; 0 turns it off). Any commit to
                              the database invalidates it at once.
    TRADEPOLICY_WORKERS       ``serve``: worker processes on the one
                              listening socket (default 1; ``make run``
                              uses 2).
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
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    secret_key: str | None = Field(default=None, min_length=32, repr=False)
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(default=None, repr=False)
    sqlite_synchronous: Literal["FULL", "NORMAL", "EXTRA"] = "FULL"
    max_body_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    warmup: bool = True
    public_cache_seconds: float = Field(default=30.0, ge=0, le=3600)
    workers: int = Field(default=1, ge=1, le=64)

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
