"""The one JSON error shape, ``{"ok": false, "error": {...}, "status": N}``, for every error."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradepolicy.errors import TradePolicyError

log = logging.getLogger("tradepolicy.api")


def error_body(status: int, error: dict[str, Any]) -> dict[str, Any]:
    """Return the canonical error body."""
    return {"ok": False, "error": error, "status": status}


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api") or path.endswith((".json", ".csv", ".ics")):
        return False
    return "text/html" in request.headers.get("accept", "")


def _respond(request: Request, status: int, error: dict[str, Any]) -> Response:
    if _wants_html(request):
        from tradepolicy.web.render import render_error

        return render_error(request, status, error)
    return JSONResponse(error_body(status, error), status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers that map every error to the canonical shape."""

    @app.exception_handler(TradePolicyError)
    async def _domain(request: Request, exc: TradePolicyError) -> Response:
        return _respond(request, exc.status, exc.to_dict())

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(p) for p in first.get("loc", [])]
        field = loc[-1] if loc else None
        where = ".".join(loc) if loc else None
        return _respond(request, 422, {
            "type": "bad_input",
            "message": f"Invalid request: {first.get('msg', 'validation failed')}.",
            "where": where,
            "field": field,
            "expected": str(first.get("type", "")),
            "details": {"errors": [{"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg")} for e in exc.errors()]},
        })

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = "not_found" if exc.status_code == 404 else "http_error"
        message = "No such page or route." if exc.status_code == 404 else str(exc.detail)
        return _respond(request, exc.status_code, {"type": code, "message": message, "where": request.url.path})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Normally answered by api.hardening.InternalErrorMiddleware first; never echo the exception.
        from tradepolicy.api.hardening import internal_error, request_id

        rid = request_id(request)
        log.exception("unhandled error, request id %s, on %s", rid, request.url.path)
        return _respond(request, 500, internal_error(rid))


__all__ = ["HTMLResponse", "error_body", "install"]
