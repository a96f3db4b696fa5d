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


def _document_validation_errors(app: FastAPI) -> None:
    """Declare FastAPI's implicit 422 in the error shape: ``_validation`` answers it as ``ErrorOut``.

    A route that does not list 422 in ``responses=`` otherwise shows FastAPI's own
    ``HTTPValidationError``, which the API never sends.
    """
    from tradepolicy.api.schemas import ErrorOut

    generate = app.openapi  # FastAPI's own: builds the document once and keeps it in app.openapi_schema

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            if "ErrorOut" not in components:
                defs = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(defs.pop("$defs", {}))
                components["ErrorOut"] = defs
            ref = {"$ref": "#/components/schemas/ErrorOut"}
            for ops in schema.get("paths", {}).values():
                for op in ops.values():
                    r = op.get("responses", {}).get("422") if isinstance(op, dict) else None
                    body = (r or {}).get("content", {}).get("application/json", {})
                    if body.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
                        body["schema"] = ref
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Register the handlers that map every error to the canonical shape."""
    _document_validation_errors(app)

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
