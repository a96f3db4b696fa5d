"""The same migrations and services on PostgreSQL (a throwaway local cluster on loopback)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql")
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("postgres")]


def _bin() -> Path | None:
    if not PG_BIN.exists():
        return None
    versions = sorted(PG_BIN.iterdir(), reverse=True)
    for v in versions:
        if (v / "bin" / "initdb").exists():
            return v / "bin"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e .[postgres])")
    bindir = _bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries are absent (Debian package postgresql)")
    # Not under pytest's basetemp: pytest resets /tmp/pytest-of-<user> to 0700 whenever a
    # session starts (the clone test runs one), which would lock the postgres user out.
    root = Path(tempfile.mkdtemp(prefix="tradepolicy-pg-"))
    data = root / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the cluster as the postgres system user
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL")
        as_user = ["runuser", "-u", "postgres", "--"]
        os.chmod(root, 0o777)
    port = _free_port()

    def run(*args: str) -> None:
        r = subprocess.run([*as_user, *args], capture_output=True, text=True,
                           env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
        if r.returncode != 0:
            log = (root / "log").read_text() if (root / "log").exists() else ""
            raise RuntimeError(f"{args[0]} failed ({r.returncode}): {r.stdout}\n{r.stderr}\n{log}")

    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        run(str(bindir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-w", "-l", str(root / "log"), "start")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def on_postgres(pg_url: str, _session_db: str) -> Iterator[str]:
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


def test_migrations_registry_and_guide_on_postgres(on_postgres: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from tradepolicy.services.agreements import get_agreement, list_agreements
    from tradepolicy.services.guide import ask
    from tradepolicy.services.registry import init_database
    from tradepolicy.store.db import get_engine, transaction

    report = init_database()
    assert report.counts["agreements"]["inserted"] >= 2
    assert init_database().counts["agreements"]["inserted"] == 0  # idempotent
    assert get_agreement("usmca")["implemented"] == "2020-07-01"
    assert {a["id"] for a in list_agreements(party="MEX")} >= {"usmca"}
    hits = ask("What is the USTR?")
    assert hits and hits[0]["score"] > 0
    assert get_engine().dialect.name == "postgresql"
    with pytest.raises(DBAPIError, match="append-only"), transaction() as s:
        s.execute(text("DELETE FROM audit_log"))
