"""A throwaway PostgreSQL cluster on loopback for tests (``pg_url`` fixture, ``new_database``).

In CI (``TRADEPOLICY_REQUIRE_POSTGRES=1``, set by ``.ci/run``) a missing server or driver
fails the test instead of skipping it: the PostgreSQL tests must run there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql")


def _bin() -> Path | None:
    if not PG_BIN.exists():
        return None
    for v in sorted(PG_BIN.iterdir(), reverse=True):
        if (v / "bin" / "initdb").exists():
            return v / "bin"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _skip(reason: str) -> None:
    if os.environ.get("TRADEPOLICY_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required here (TRADEPOLICY_REQUIRE_POSTGRES=1): {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """Start a cluster (as the postgres user when running as root); yield its URL."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _skip("psycopg is not installed (pip install -e .[postgres])")
    bindir = _bin()
    if bindir is None:
        _skip("PostgreSQL server binaries are absent (Debian package postgresql)")
    assert bindir is not None
    # Not under pytest's basetemp: pytest resets /tmp/pytest-of-<user> to 0700 whenever a
    # session starts (the clone test runs one), which would lock the postgres user out.
    root = Path(tempfile.mkdtemp(prefix="tradepolicy-pg-"))
    data = root / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres system user
        if shutil.which("runuser") is None:
            _skip("running as root without runuser: cannot start PostgreSQL")
        as_user = ["runuser", "-u", "postgres", "--"]
        os.chmod(root, 0o777)
    port = _free_port()

    def run(*args: str) -> None:
        r = subprocess.run([*as_user, *args], capture_output=True, text=True,
                           env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
        if r.returncode != 0:
            log = (root / "log").read_text() if (root / "log").exists() else ""
            raise RuntimeError(f"{args[0]} failed ({r.returncode}): {r.stdout}\n{r.stderr}\n{log}")

    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
    try:
        run(str(bindir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-w", "-l", str(root / "log"), "start")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def new_database(pg_url: str) -> str:
    """Create an empty database in the cluster; return its URL."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    return pg_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def on_postgres(pg_url: str, _session_db: str) -> Iterator[str]:
    """Point tradepolicy at the cluster for one test."""
    from tradepolicy.config import reset_settings
    from tradepolicy.store.db import dispose_engines

    old = os.environ["TRADEPOLICY_DATABASE_URL"]
    os.environ["TRADEPOLICY_DATABASE_URL"] = pg_url
    dispose_engines()
    reset_settings()
    try:
        yield pg_url
    finally:
        os.environ["TRADEPOLICY_DATABASE_URL"] = old
        dispose_engines()
        reset_settings()
