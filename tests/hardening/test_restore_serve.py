"""``db restore`` refuses a database in use (unless --force, audited); ``serve`` reuses the
address after a crash; CLI errors are not wrapped when not writing to a terminal.

Issue 9: a restore onto a running database silently rewound it with no audit entry; its exit
codes were inconsistent (a bad manifest gave a traceback, exit 1); ``serve`` after a crash
refused the port for about 60 s; a long path in an error was split across lines.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.hardening.server import api_token, bearer, free_port, running_server, server_env

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("server")]
EXE = str(Path(sys.executable).with_name("tradepolicy"))


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real command with stdout/stderr piped (not a terminal), as CI does."""
    return subprocess.run([EXE, *args], env={**env, "COLUMNS": "80"}, capture_output=True, text=True, timeout=120)


def _audit(db: Path) -> list[dict]:
    import sqlite3

    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT actor, action, entity, after FROM audit_log WHERE action = 'restore'").fetchall()
    return [{"actor": a, "action": b, "entity": e, "after": json.loads(f)} for a, b, e, f in rows]


def test_restore_is_refused_while_served_unless_forced_and_audited(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    db = tmp_path / "serve.db"
    backup = tmp_path / "b" / "backup.db"
    assert cli(env, "db", "init").returncode == 0
    token = api_token(env)  # the writer exists in the backup too
    assert cli(env, "db", "backup", str(backup)).returncode == 0
    with running_server(env, init=False) as (base, _):
        r = httpx.post(base + "/api/cases", json={"procedure": "tpa_negotiation", "case_id": "after-backup",
                                                   "title": "written after the backup"}, headers=bearer(token))
        assert r.status_code == 201
        refused = cli(env, "db", "restore", str(backup))
        assert refused.returncode == 2, refused.stderr
        assert "in use" in refused.stderr and "--force" in refused.stderr
        assert httpx.get(base + "/api/cases/after-backup").status_code == 200  # nothing was rewound
        assert _audit(db) == []
        forced = cli(env, "db", "restore", str(backup), "--force", "--json")
        assert forced.returncode == 0, forced.stderr
        assert json.loads(forced.stdout)["forced"] is True
    entries = _audit(db)
    assert len(entries) == 1 and entries[0]["after"]["forced"] is True
    assert "server" in entries[0]["after"]["in_use"] and entries[0]["actor"] == "pytest"
    # With the server stopped (the kernel released its lock), a plain restore works and is audited too.
    ok = cli(env, "db", "restore", str(backup))
    assert ok.returncode == 0, ok.stderr
    assert [e["after"]["forced"] for e in _audit(db)] == [False]  # the backup predates the forced entry


def test_restore_exit_codes_are_consistent(tmp_path: Path) -> None:
    """0 success; 2 for every refusal or bad input (missing file, bad manifest, corrupt backup)."""
    env = server_env(tmp_path)
    assert cli(env, "db", "init").returncode == 0
    backup = tmp_path / "backup.db"
    assert cli(env, "db", "backup", str(backup)).returncode == 0
    assert cli(env, "db", "restore", str(tmp_path / "none.db")).returncode == 2
    manifest = backup.with_name(backup.name + ".sha256.json")
    good = manifest.read_text()
    manifest.write_text("{not json")
    r = cli(env, "db", "restore", str(backup))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "manifest" in r.stderr
    manifest.write_text(good)
    with backup.open("r+b") as f:
        f.seek(200)
        f.write(b"corrupt")
    assert cli(env, "db", "restore", str(backup)).returncode == 2
    assert cli(env, "db", "restore").returncode == 2  # usage error (missing PATH)


def test_serve_rebinds_right_after_a_crash(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    port = free_port()
    with running_server(env, port=port) as (base, proc), httpx.Client(base_url=base) as c:
        for _ in range(3):  # live keep-alive connections at the crash
            c.get("/api/agreements")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    t0 = time.monotonic()
    with running_server(env, port=port, init=False) as (base, _):
        assert httpx.get(base + "/api/agreements").status_code == 200
    assert time.monotonic() - t0 < 30


def test_serve_on_a_busy_port_is_still_exit_2(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    with running_server(env) as (base, _):
        port = base.rsplit(":", 1)[1]
        r = cli(env, "serve", "--port", port, "--no-init")
        assert r.returncode == 2 and "Cannot serve" in r.stderr


def test_cli_errors_do_not_wrap_when_piped(tmp_path: Path) -> None:
    env = server_env(tmp_path)
    deep = tmp_path.joinpath(*(["a-rather-long-folder-name"] * 8))
    deep.mkdir(parents=True)
    assert cli(env, "db", "init").returncode == 0
    r = cli(env, "db", "backup", str(deep))
    assert r.returncode == 2
    first = r.stderr.splitlines()[0]
    assert f"{deep} is a folder" in first, r.stderr  # one line, whatever COLUMNS says
