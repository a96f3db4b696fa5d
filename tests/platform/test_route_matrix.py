"""Route x role matrix: every API operation (from the OpenAPI document's ``x-permission``) and
every page route (from ``app.routes``) answers each role exactly as the policy says.

Expected status, for a route whose permission is P:
- a role holding P reaches the handler (here a sentinel status 299: the handler is stopped right
  after the permission check, so the matrix needs no data and runs in seconds);
- anonymous without P gets 401; a signed-in role without P gets 403.
A route that declares no permission fails the test (see ``test_the_check_fails_for_a_route_without_permission``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from tradepolicy.api.security import current_principal, iter_routes, route_checks, route_permission
from tradepolicy.platform.policy import can, roles
from tradepolicy.platform.principal import ANONYMOUS, Principal

# Routes FastAPI and Starlette add by themselves: public by construction (the API description
# and its viewers, and the static files), not handlers of ours.
FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/static"}
REACHED = 299
PRINCIPAL = Depends(current_principal)


class _Reached(Exception):
    pass


def unguarded_routes(app: FastAPI) -> list[str]:
    """Return 'METHOD path' of every route that declares no permission (API and pages)."""
    bad = []
    schema = app.openapi()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if "x-permission" not in op:
                bad.append(f"{method.upper()} {path}")
    for info in iter_routes(app):  # the page routes (not in the OpenAPI document)
        if not info.include_in_schema and not route_checks(info.route):
            bad.append(f"{','.join(sorted(info.methods))} {info.path}")
    for route in app.routes:  # anything else mounted beside the routers
        path = getattr(route, "path", None)
        if path is not None and path not in FRAMEWORK_ROUTES and not isinstance(route, APIRoute):
            bad.append(f"{type(route).__name__} {path}")
    return bad


def matrix_app() -> tuple[FastAPI, list[tuple[str, str, str]]]:
    """Return the app with every permission check followed by a stop, and (method, url, permission) rows."""
    from tradepolicy.api.app import create_app

    app = create_app()

    @app.exception_handler(_Reached)
    async def _reached(request: Request, exc: _Reached) -> JSONResponse:
        return JSONResponse({"reached": True}, status_code=REACHED)

    rows = []
    schema_ops = {(m.upper(), p): op["x-permission"] for p, ops in app.openapi()["paths"].items()
                  for m, op in ops.items()}
    for info in iter_routes(app):
        checks = route_checks(info.route)
        for check in checks:
            async def stop(request: Request, principal: Annotated[Principal, PRINCIPAL], _c: Any = check) -> Principal:
                await _c(request, principal)
                raise _Reached()
            app.dependency_overrides[check] = stop
        perm = route_permission(info.route)
        url = re.sub(r"\{[^}:]+:path\}", "", info.path)
        url = re.sub(r"\{[^}]+\}", "1", url)
        for method in sorted(info.methods - {"HEAD"}):
            if info.include_in_schema:
                perm_doc = schema_ops.get((method, info.path_format))
                assert perm_doc == perm, f"{method} {info.path}: OpenAPI says {perm_doc}, the route {perm}"
            rows.append((method, url, str(perm)))
    return app, rows


def expected(role: str, permission: str) -> int:
    principal = ANONYMOUS if role == "anonymous" else Principal(name="x", role=role, via="token")
    if can(principal, permission):
        return REACHED
    return 401 if role == "anonymous" else 403


def test_every_route_declares_a_permission() -> None:
    from tradepolicy.api.app import create_app

    assert unguarded_routes(create_app()) == []


def test_the_check_fails_for_a_route_without_permission() -> None:
    from tradepolicy.api.app import create_app

    app = create_app()

    @app.get("/api/forgot-a-permission")
    def forgot() -> dict[str, bool]:
        return {"ok": True}

    @app.post("/page-without-permission", include_in_schema=False)
    def page() -> dict[str, bool]:
        return {"ok": True}

    app.openapi_schema = None
    assert set(unguarded_routes(app)) == {"GET /api/forgot-a-permission", "POST /page-without-permission"}


def test_route_role_matrix(client_as: Any) -> None:
    app, rows = matrix_app()
    assert len(rows) > 60  # every API operation and page route of today, and those to come
    role_names = [r for r in roles()]
    assert set(role_names) >= {"anonymous", "viewer", "analyst", "attorney", "docket_clerk", "outside_counsel",
                               "administrator"}
    clients = {r: client_as(None if r == "anonymous" else r, app=app) for r in role_names}
    # An anonymous browser posting a page form sends the anonymous CSRF token (double submit).
    plain = client_as(None)  # the real sign-in page, to get an anonymous CSRF cookie and token
    token = re.search(r'name="csrf_token" value="([^"]+)"', plain.get("/signin").text)
    assert token and plain.cookies.get("tp_csrf")
    anon_csrf = token.group(1)
    clients["anonymous"].cookies.set("tp_csrf", plain.cookies.get("tp_csrf"))
    wrong = []
    for method, url, perm in rows:
        for role, c in clients.items():
            headers = {"X-CSRF-Token": anon_csrf} if role == "anonymous" and method != "GET" else {}
            got = c.request(method, url, headers=headers).status_code
            want = expected(role, perm)
            if got != want:
                wrong.append(f"{method} {url} [{perm}] as {role}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("role", "permission", "status"), [
    ("anonymous", "cases.write", 401), ("viewer", "cases.write", 403), ("attorney", "cases.write", REACHED),
    ("analyst", "runs.write", REACHED), ("docket_clerk", "runs.write", 403), ("administrator", "users.admin", REACHED),
    ("attorney", "audit.read", 403), ("outside_counsel", "public.read", REACHED),
])
def test_expected_statuses_follow_the_policy(role: str, permission: str, status: int) -> None:
    # A hand-written slice of the matrix, so that a wrong ``expected`` cannot pass unnoticed.
    assert expected(role, permission) == status


def test_decided_permissions_of_the_existing_routes() -> None:
    # The choices documented in docs/platform.md: run-storing POSTs need runs.write, case writes
    # cases.write, compute-only POSTs (nothing stored) stay public.read.
    _, rows = matrix_app()
    perms = {(m, u): p for m, u, p in rows}
    assert perms[("POST", "/api/cases")] == "cases.write"
    assert perms[("POST", "/cases/1/events")] == "cases.write"
    assert perms[("POST", "/api/remedies/margin")] == "runs.write"
    assert perms[("POST", "/api/economics/scenarios/run")] == "runs.write"
    assert perms[("POST", "/economics/run")] == "runs.write"
    assert perms[("POST", "/api/tariffs/offer")] == "public.read"
    assert perms[("POST", "/api/economics/ge/solve")] == "public.read"
    assert perms[("GET", "/api/audit/reads")] == "audit.read"
    assert all(p == "public.read" for (m, u), p in perms.items() if m == "GET" and u != "/api/audit/reads")
