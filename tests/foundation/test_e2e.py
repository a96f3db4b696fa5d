"""End to end: start `tradepolicy serve` on a free 127.0.0.1 port and read the pages."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("server")]


class Served(str):
    """The server's base URL, also carrying its database URL (to add users with the CLI)."""

    database_url: str

    def __new__(cls, base: str, database_url: str) -> Served:
        obj = super().__new__(cls, base)
        obj.database_url = database_url
        return obj


def add_server_user(server: str, role: str, password: str = "browser test password") -> tuple[str, str]:
    """Create a user of ``role`` in the running server's database with the CLI; return (name, password)."""
    import uuid

    name = f"{role}-{uuid.uuid4().hex[:8]}"
    url = server.database_url  # type: ignore[attr-defined]
    env = {**os.environ, "TRADEPOLICY_DATABASE_URL": url}
    exe = Path(sys.executable).with_name("tradepolicy")
    r = subprocess.run([str(exe), "users", "add", name, "--role", role, "--password-stdin"], input=password + "\n",
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return name, password


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {**os.environ, "TRADEPOLICY_DATABASE_URL": f"sqlite:///{root / 'serve.db'}",
           "TRADEPOLICY_CACHE_DIR": str(root / "cache")}
    exe = Path(sys.executable).with_name("tradepolicy")
    proc = subprocess.Popen([str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stdout.read() if proc.stdout else ''}")
            try:
                if httpx.get(base + "/api/agreements", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start within 60 s")
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in first, first
        yield Served(base, env["TRADEPOLICY_DATABASE_URL"])
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_serve_prints_url_and_serves_pages(server: str) -> None:
    html = {"accept": "text/html"}
    r = httpx.get(server + "/", headers=html)
    assert r.status_code == 200 and "Trade policy workbench" in r.text
    r = httpx.get(server + "/agreements", headers=html)
    assert r.status_code == 200 and "USMCA" in r.text and "TFA" in r.text
    api = httpx.get(server + "/api/agreements").json()
    assert api["ok"] and {"usmca", "wto-tfa"} <= {a["id"] for a in api["agreements"]}
    r = httpx.get(server + "/agreements/usmca", headers=html)
    assert r.status_code == 200 and "2020-07-01" in r.text
    r = httpx.get(server + "/guide", params={"q": "What is USTR?"}, headers=html)
    assert r.status_code == 200 and "Trade Representative" in r.text
    r = httpx.get(server + "/api/agreements/nope")
    assert r.status_code == 404 and r.json()["ok"] is False
