"""Start the real ``tradepolicy serve`` in a subprocess for a test (``running_server``)."""

from __future__ import annotations

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
