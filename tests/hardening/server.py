"""Start the real ``tradepolicy serve`` in a subprocess for a test (``running_server``)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment of a server with its own SQLite database and cache under ``root``."""
    return {**os.environ, "TRADEPOLICY_DATABASE_URL": f"sqlite:///{root / 'serve.db'}",
            "TRADEPOLICY_CACHE_DIR": str(root / "cache"), "TRADEPOLICY_USER": "pytest",
            "TRADEPOLICY_WARMUP": "0", **extra}  # the start-up test and the bench turn warm-up on


def api_token(env: dict[str, str], *, role: str = "attorney", name: str = "writer") -> str:
    """Initialise env's database, add user ``name`` with ``role`` and return a new API token for them.

    Call it BEFORE starting the server (the server caches credentials); send the token as
    ``Authorization: Bearer`` (bearer requests need no CSRF token). The user is not named like
    ``TRADEPOLICY_USER``, so CLI commands in the test still run as the local operator.
    """
    exe = str(Path(sys.executable).with_name("tradepolicy"))
    for args in (["db", "init"], ["users", "add", name, "--role", role, "--no-password"],
                 ["tokens", "create", name, "--json"]):
        r = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=180)
        if r.returncode != 0:
            raise RuntimeError(f"tradepolicy {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return str(json.loads(r.stdout)["token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def running_server(env: dict[str, str], *, port: int | None = None, init: bool = True,
                   timeout: float = 90) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Yield (base URL, process) of a server that answers; stop it afterwards."""
    port = port or free_port()
    exe = Path(sys.executable).with_name("tradepolicy")
    args = [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if not init:
        args.append("--no-init")
    log = Path(env.get("TRADEPOLICY_CACHE_DIR", "/tmp")).parent / f"server-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited ({proc.returncode}): {log.read_text()}")
            try:
                if httpx.get(base + "/api/agreements", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start within {timeout} s: {log.read_text()}")
            time.sleep(0.2)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def server_log(env: dict[str, str], port: int) -> str:
    log = Path(env.get("TRADEPOLICY_CACHE_DIR", "/tmp")).parent / f"server-{port}.log"
    return log.read_text() if log.exists() else ""
