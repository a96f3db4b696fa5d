"""The server's edge: request-body limits, NUL bytes, out-of-range numbers and real 500s.

Three pure ASGI middlewares (one prelude, ``_HttpMiddleware``: non-HTTP scopes pass through) and a few
exception handlers, installed by :func:`install`:

- :class:`BodyLimitMiddleware` refuses a body over ``TRADEPOLICY_MAX_BODY_BYTES`` with 413
  in the error shape *before* anything parses it: first from ``Content-Length``, then by
  counting the bytes of a chunked body as they arrive (the app never sees the excess).
- :class:`NulByteMiddleware` refuses a NUL byte in the path, the query string or a JSON /
  form body with 422 (PostgreSQL cannot store one; it used to answer 500 with the SQL).
- :class:`InternalErrorMiddleware` turns an unexpected exception into a 500 in the error
  shape carrying a request id; the traceback goes only to the server log. It answers instead
  of re-raising, so the server keeps the keep-alive connection open.

Handlers map ``OverflowError`` (an id too large for the database) and SQLAlchemy's
``DataError`` (a value the database refuses) to 422, and ``IntegrityError`` to 409, in the
error shape, without the statement or its parameters.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradepolicy.config import get_settings

log = logging.getLogger("tradepolicy.api")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded", "text/")


class BodyTooLargeError(HTTPException):
    """Raised inside ``receive`` when a body grows past the limit.

    An ``HTTPException`` (413), so FastAPI's body parsing re-raises it unchanged; the app's
    handler or, outside the app, :class:`BodyLimitMiddleware` answers in the error shape.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=_too_large(limit, "body")["message"])


async def _send_json(send: Send, status: int, error: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None) -> None:
    import json

    from tradepolicy.api.errors import error_body

    body = json.dumps(error_body(status, error)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def _too_large(limit: int, where: str) -> dict[str, Any]:
    return {"type": "too_large", "message": f"The request body is larger than the server's limit of {limit:,} bytes.",
            "where": where, "field": "body", "expected": f"at most {limit:,} bytes (TRADEPOLICY_MAX_BODY_BYTES)",
            "example": "a smaller file, or split the upload"}


class _HttpMiddleware:
    """The common prelude of the pure ASGI middlewares below.

    A non-HTTP scope (lifespan, websocket) passes through untouched; an HTTP one goes to
    :meth:`handle`, which each middleware defines.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request."""
        raise NotImplementedError


def _header(scope: Scope, name: bytes) -> bytes | None:
    """Return a request header's raw value (the last one when repeated), or None; ``name`` lower-case."""
    value: bytes | None = dict(scope.get("headers") or []).get(name)
    return value


class _TrackingSend:
    """Wrap ``send``, remembering whether the response has started (after that, only closing is left)."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)


class BodyLimitMiddleware(_HttpMiddleware):
    """Refuse request bodies over ``max_bytes`` with 413 before the app parses them."""

    def __init__(self, app: ASGIApp, max_bytes: int | None = None) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check ``Content-Length``, then count the body's bytes as they arrive."""
        limit = self.max_bytes or get_settings().max_body_bytes
        where = scope.get("path", "")
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                n = int(declared)
            except ValueError:
                n = -1
            if n < 0:
                await _send_json(send, 400, {"type": "bad_input", "message": "Malformed Content-Length header.",
                                             "where": where, "field": "Content-Length",
                                             "expected": "a non-negative integer", "example": "1024"},
                                 [(b"connection", b"close")])
                return
            if n > limit:
                # The body is never read; closing the connection drops whatever the client still sends.
                await _send_json(send, 413, _too_large(limit, where), [(b"connection", b"close")])
                return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLargeError(limit)
            return message

        tracking_send = _TrackingSend(send)
        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLargeError:
            if not tracking_send.started:
                await _send_json(send, 413, _too_large(limit, where), [(b"connection", b"close")])


def _has_nul(raw: bytes) -> bool:
    low = raw.lower()
    return b"\x00" in raw or b"%00" in low or b"\\u0000" in low


class NulByteMiddleware(_HttpMiddleware):
    """Refuse NUL bytes in the path, the query string and text bodies (JSON, forms) with 422."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the URL, then read, check and replay a text body."""
        raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "surrogateescape")
        if _has_nul(raw_path) or "\x00" in scope.get("path", "") or _has_nul(scope.get("query_string", b"")):
            await _send_json(send, 422, _nul_error("the URL"))
            return
        ctype = (_header(scope, b"content-type") or b"").decode("latin-1").lower()
        if scope.get("method") in ("GET", "HEAD", "OPTIONS") or not ctype.startswith(_TEXT_BODIES):
            await self.app(scope, receive, send)
            return
        # A text body is at most TRADEPOLICY_MAX_BODY_BYTES (the outer middleware): read it, check, replay.
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body"))
        body = b"".join(chunks)
        low = body.lower()
        if (b"\x00" in body or (ctype.startswith("application/json") and b"\\u0000" in low)
                or (ctype.startswith("application/x-www-form-urlencoded") and b"%00" in low)):
            await _send_json(send, 422, _nul_error("the request body"))
            return
        await self.app(scope, _replay([{"type": "http.request", "body": body, "more_body": False}], receive), send)


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    queue = list(messages)

    async def receive() -> Message:
        if queue:
            return queue.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


def _nul_error(where: str) -> dict[str, Any]:
    return {"type": "bad_input", "message": f"A NUL character (\\u0000) is not allowed in {where}.",
            "where": where, "expected": "text without NUL characters", "example": "Frozen shrimp"}


def request_id(scope_or_request: Scope | Request) -> str:
    """Return the request's id: a well-formed ``X-Request-ID`` header, else a new one."""
    if isinstance(scope_or_request, Request):
        given = scope_or_request.headers.get("x-request-id", "")
    else:
        given = (_header(scope_or_request, b"x-request-id") or b"").decode("latin-1")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex[:16]


def internal_error(rid: str) -> dict[str, Any]:
    """Return the body of a real 500: no exception text, SQL or parameters; only the request id."""
    return {"type": "internal_error",
            "message": f"Internal error. It was logged on the server with request id {rid}; quote it to the administrator.",
            "request_id": rid}


class InternalErrorMiddleware(_HttpMiddleware):
    """Answer an unexpected exception with 500 + request id (logged), keeping the connection open."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app; answer an exception it raises before the response started."""
        tracking_send = _TrackingSend(send)
        try:
            await self.app(scope, receive, tracking_send)
        except BodyTooLargeError:
            raise
        except Exception:
            rid = request_id(scope)
            log.exception("unhandled error, request id %s, %s %s", rid, scope.get("method"), scope.get("path"))
            if tracking_send.started:
                raise  # the response is half sent: nothing better than closing the connection
            request = Request(scope)
            from tradepolicy.api.errors import _respond

            response = _respond(request, 500, internal_error(rid))
            response.headers["x-request-id"] = rid
            await response(scope, receive, send)


def install(app: FastAPI, *, max_body_bytes: int | None = None) -> None:
    """Add the middlewares (outermost: body limit) and the bad-input handlers to ``app``."""
    from sqlalchemy.exc import DataError, IntegrityError

    from tradepolicy.api.errors import _respond

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> Response:
        return _respond(request, 422, {
            "type": "bad_input", "message": "A number in the request is too large.", "where": request.url.path,
            "expected": "an integer below 2**63 (ids are 64-bit)", "example": "1"})

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> Response:
        log.warning("database refused a value on %s: %s", request.url.path, type(exc.orig).__name__)
        return _respond(request, 422, {
            "type": "bad_input", "message": "A value in the request is not storable (too long or malformed).",
            "where": request.url.path, "expected": "values within the documented sizes", "example": "a shorter title"})

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> Response:
        log.warning("integrity conflict on %s: %s", request.url.path, type(exc.orig).__name__)
        return _respond(request, 409, {
            "type": "conflict", "message": "The request conflicts with what is stored (a duplicate or a missing reference).",
            "where": request.url.path, "expected": "a new id or an existing reference", "example": "retry with another id"})

    # add_middleware puts the last added outermost: the body limit sees the request first.
    app.add_middleware(InternalErrorMiddleware)
    app.add_middleware(NulByteMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
