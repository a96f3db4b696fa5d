"""Rendering of pages and their JSON / CSV twins (the Datasette pattern).

A page at ``/things`` has twins at ``/things.json`` and ``/things.csv``; the twins carry
the same rows the page shows, so a citation URL is also a data URL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from tradepolicy import __version__
from tradepolicy.csv_safe import write_csv
from tradepolicy.domains import nav_entries
from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.services.typed import plain

_env: Environment | None = None

NAV = [
    ("/", "Dashboard"),
    ("/agreements", "Agreements"),
    ("/guide", "Guide"),
    ("/agencies", "Agencies"),
    ("/datasets", "Datasets"),
]
# Other domains declare their entries in ``tradepolicy.domains`` (``Domain.nav``).


def env() -> Environment:
    """Return the Jinja environment over ``web/templates``."""
    global _env
    if _env is None:
        path = str(resources.files("tradepolicy.web").joinpath("templates"))
        _env = Environment(loader=FileSystemLoader(path), autoescape=select_autoescape(["html"]))
        _env.globals["version"] = __version__
        _env.filters["tojson_pretty"] = lambda v: json.dumps(v, indent=2, default=str)
    return _env


def render_html(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render a template with the navigation and the request in its context."""
    ctx = {"request": request, "nav": NAV + nav_entries(), "path": request.url.path,
           "csrf_token": getattr(request.state, "csrf_token", ""),  # every POST form carries it
           "principal": getattr(request.state, "principal", None), **context}
    return HTMLResponse(env().get_template(template).render(**ctx), status_code=status)


def render_error(request: Request, status: int, error: dict[str, Any]) -> HTMLResponse:
    """Render the HTML face of the canonical error shape."""
    return render_html(request, "error.html", {"status": status, "error": error, "title": f"Error {status}"}, status)


def csv_response(rows: Sequence[Any], columns: Sequence[str] | None = None, filename: str = "data.csv") -> Response:
    """Return rows as a CSV download; nested values are written as JSON.

    Every cell goes through :func:`tradepolicy.csv_safe.safe_csv_cell` (formula injection).
    """
    rows = plain(rows)  # typed service results (models, dataclasses) as dicts
    cols = list(columns or (rows[0].keys() if rows else []))
    text = write_csv(([r.get(c) for c in cols] for r in rows), header=cols)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


def jsonable(value: Any) -> Any:
    """Return ``value`` made JSON-safe (dates, numpy scalars and unknown objects as strings)."""
    return json.loads(json.dumps(plain(value), default=lambda o: o.isoformat() if hasattr(o, "isoformat")
                                 else (o.item() if hasattr(o, "item") else str(o))))


def page_format(path: str, suffix: str) -> str:
    """Return html/json/csv for ``path``, ``path.json`` or ``path.csv``; 404 for anything else.

    >>> page_format("/agreements", ".csv")
    'csv'
    """
    if suffix not in ("", ".json", ".csv"):
        raise NotFoundError(f"No page {path + suffix!r}.", where=path + suffix,
                            expected=f"{path}, {path}.json or {path}.csv", example=f"{path}.csv")
    return split_format("x" + suffix)[1]


def split_format(name: str) -> tuple[str, str]:
    """Split ``usmca.json`` into (``usmca``, ``json``); plain names are ``html``."""
    for fmt in ("json", "csv"):
        if name.endswith("." + fmt):
            return name[: -len(fmt) - 1], fmt
    return name, "html"


def respond(
    request: Request,
    fmt: str,
    *,
    template: str,
    context: dict[str, Any],
    rows: Sequence[Any] | Callable[[], Sequence[Any]],
    json_body: dict[str, Any] | None = None,
    columns: Sequence[str] | None = None,
    filename: str = "data.csv",
) -> Response:
    """Answer in the requested format: html, json or csv."""
    if fmt == "html":
        return render_html(request, template, context)
    data = rows() if callable(rows) else rows
    if fmt == "json":
        return JSONResponse(plain(json_body) if json_body is not None else {"ok": True, "rows": plain(list(data))})
    if fmt == "csv":
        return csv_response(data, columns, filename)
    raise InputError(f"Unknown format {fmt!r}.", field="format", expected="html | json | csv", example="agreements.csv")
