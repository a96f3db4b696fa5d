"""A cache of public responses: anonymous GETs answered again without re-rendering.

Only what anyone may see is cached: a GET made by the anonymous principal (no session
cookie, no bearer token; the platform contract guarantees anonymous responses hold public
items only) that answered 200 without setting a cookie or ``no-store``. An entry is keyed by
host, path and query string, and is valid only while

- the store's write version is unchanged (``store/version.py``: any commit to the database,
  from any thread or worker process, invalidates every entry at once),
- the date is the same (pages compute deadlines as of today), and
- it is younger than ``TRADEPOLICY_PUBLIC_CACHE_SECONDS`` (default 30; 0 turns the cache off),
  which bounds staleness of what is not in the database (dataset files in the cache dir).

The page's CSRF token (per client) is swapped for a placeholder when stored and for the
asking client's token when served. Concurrent misses of one key wait for the first (one
render per version). The middleware sits inside the security middleware, so every answer,
cached or not, gets the security headers and the CSRF cookie.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradepolicy.config import get_settings

MAX_ENTRIES = 1024
MAX_BODY = 2 * 1024 * 1024
_PLACEHOLDER = b"\x00tp-csrf\x00"
_SKIP_PREFIXES = ("/signin", "/signout", "/account", "/docs", "/redoc", "/api/me", "/api/audit", "/static")
_CONDITIONAL = (b"if-none-match", b"if-modified-since", b"range", b"authorization")


@dataclass(frozen=True, slots=True)
class _Entry:
    version: str
    day: dt.date
    expires: float
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class PublicCacheMiddleware:
    """Serve anonymous GET responses from a per-process cache invalidated by the store's version."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.entries: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
        self.pending: dict[tuple[Any, ...], asyncio.Event] = {}
        self.hits = 0
        self.misses = 0

    def _cacheable_request(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope.get("method") != "GET":
            return False
        principal = scope.get("state", {}).get("principal")
        if principal is None or not principal.is_anonymous:
            return False
        app = scope.get("app")
        if getattr(app, "dependency_overrides", None):  # a test acting as someone: never cached
            return False
        path: str = scope.get("path", "")
        if path.startswith(_SKIP_PREFIXES):
            return False
        return not any(name in _CONDITIONAL for name, _ in scope.get("headers", ()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        seconds = get_settings().public_cache_seconds
        if seconds <= 0 or not self._cacheable_request(scope):
            await self.app(scope, receive, send)
            return
        from tradepolicy.store.version import store_version

        try:
            version = store_version()
        except Exception:
            await self.app(scope, receive, send)
            return
        host = next((v for k, v in scope.get("headers", ()) if k == b"host"), b"")
        key = (host, scope.get("path"), scope.get("query_string", b""))
        today = dt.date.today()
        csrf = str(scope.get("state", {}).get("csrf_token") or "").encode()
        for _ in range(2):
            entry = self.entries.get(key)
            if entry is not None and entry.version == version and entry.day == today and entry.expires > time.monotonic():
                self.entries.move_to_end(key)
                self.hits += 1
                await _replay(entry, csrf, send)
                return
            waiting = self.pending.get(key)
            if waiting is None:
                break
            await waiting.wait()  # another request is rendering this key: use its answer
        self.misses += 1
        done = asyncio.Event()
        self.pending[key] = done
        try:
            await self._render(scope, receive, send, key, version, today, seconds, csrf)
        finally:
            self.pending.pop(key, None)
            done.set()

    async def _render(self, scope: Scope, receive: Receive, send: Send, key: tuple[Any, ...], version: str,
                      today: dt.date, seconds: float, csrf: bytes) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def capture(message: Message) -> None:
            nonlocal start, size, keep
            if message["type"] == "http.response.start":
                headers = [(bytes(k).lower(), bytes(v)) for k, v in message.get("headers", ())]
                start = {"status": message["status"], "headers": headers}
                if message["status"] != 200 or any(
                        k == b"set-cookie" or (k == b"cache-control" and b"no-store" in v.lower()) for k, v in headers):
                    keep = False
            elif message["type"] == "http.response.body" and keep:
                body = message.get("body", b"")
                size += len(body)
                if size > MAX_BODY:
                    keep = False
                    chunks.clear()
                else:
                    chunks.append(body)
                if scope.get("state", {}).get("tp_signed_in"):
                    keep = False  # a route saw a signed-in principal (defence in depth)
                if not message.get("more_body") and keep and start is not None:
                    whole = b"".join(chunks)
                    if csrf:
                        whole = whole.replace(csrf, _PLACEHOLDER)
                    self._store(key, _Entry(version, today, time.monotonic() + seconds, start["status"],
                                            tuple(h for h in start["headers"] if h[0] != b"content-length"), whole))
            await send(message)

        await self.app(scope, receive, capture)

    def _store(self, key: tuple[Any, ...], entry: _Entry) -> None:
        self.entries[key] = entry
        self.entries.move_to_end(key)
        while len(self.entries) > MAX_ENTRIES:
            self.entries.popitem(last=False)


async def _replay(entry: _Entry, csrf: bytes, send: Send) -> None:
    body = entry.body.replace(_PLACEHOLDER, csrf) if _PLACEHOLDER in entry.body else entry.body
    headers = [*entry.headers, (b"content-length", str(len(body)).encode()), (b"x-tp-cache", b"hit")]
    await send({"type": "http.response.start", "status": entry.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install(app: Any) -> None:
    """Add the public cache to ``app``; call it before the security middleware is installed (inside it)."""
    app.add_middleware(PublicCacheMiddleware)
