"""Who is asking, and may they: the FastAPI side of the platform policy.

Every route (API and page) declares its permission once, with :func:`requires`::

    @router.post("/cases/{case_id}/events", dependencies=[requires("cases.write")])
    def add_event(..., principal: Principal = Depends(current_principal)): ...

or, to get the principal back from the same declaration::

    def add_event(..., principal: Principal = requires("cases.write")): ...

:func:`tag_permissions` copies each route's permission into its OpenAPI operation as
``x-permission``; a test fails for any route without one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute

from tradepolicy.errors import ForbiddenError, NotSignedInError
from tradepolicy.platform.policy import can
from tradepolicy.platform.principal import ANONYMOUS, Principal

__all__ = ["ForbiddenError", "NotSignedInError", "RouteInfo", "current_principal", "iter_routes", "requires",
           "route_checks", "route_permission", "tag_permissions"]


def current_principal(request: Request) -> Principal:
    """Return the principal the authentication middleware put on the request, else anonymous."""
    return getattr(request.state, "principal", None) or ANONYMOUS


_CURRENT = Depends(current_principal)


def requires(permission: str) -> Any:
    """Return a dependency that refuses the request unless the principal holds ``permission``.

    The dependency returns the principal, so it can also be a parameter's default. On an unsafe
    method it first checks the request's origin and CSRF token (``api/middleware.check_csrf``).
    """

    async def _check(request: Request, principal: Principal = _CURRENT) -> Principal:
        from tradepolicy.api.middleware import check_csrf

        await check_csrf(request, principal)
        if not principal.is_anonymous:  # the public cache never stores what a signed-in principal got
            request.scope.setdefault("state", {})["tp_signed_in"] = True
        if can(principal, permission):
            return principal
        if principal.is_anonymous:
            raise NotSignedInError(f"Sign in to do this (it needs the permission {permission!r}).",
                                   field="Authorization", expected="a session cookie or 'Authorization: Bearer TOKEN'",
                                   example="Authorization: Bearer tp_...")
        raise ForbiddenError(f"Your role {principal.role!r} does not hold the permission {permission!r}.",
                             field="permission", expected=permission, example=permission)

    _check.__permission__ = permission  # type: ignore[attr-defined]
    _check.__name__ = f"requires_{permission.replace('.', '_')}"
    return Depends(_check)


def route_permission(route: Any) -> str | None:
    """Return the permission a route declares through :func:`requires`, or None."""
    checks = route_checks(route)
    return str(checks[0].__permission__) if checks else None


def route_checks(route: Any) -> list[Any]:
    """Return the ``requires(...)`` check functions in a route's dependency tree (outermost first)."""
    out, stack = [], list(reversed(route.dependant.dependencies))
    while stack:
        dep = stack.pop()
        if getattr(dep.call, "__permission__", None):
            out.append(dep.call)
        stack.extend(reversed(dep.dependencies))
    return out


@dataclass(frozen=True)
class RouteInfo:
    """An API or page route of the app as served: full path, methods, schema flag, the route objects."""

    path: str  # with convertors, e.g. /cases{suffix:path}
    path_format: str  # without, as in OpenAPI: /cases{suffix}
    methods: frozenset[str]
    include_in_schema: bool
    route: Any  # the effective route (prefix and included dependencies applied)
    original: APIRoute


def iter_routes(app: Any) -> Iterator[RouteInfo]:
    """Yield every :class:`APIRoute` of ``app`` as served, through included routers too.

    FastAPI >= 0.120 keeps included routers lazy (``_IncludedRouter``); ``iter_route_contexts``
    resolves them. Older versions list the routes flat.
    """
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: flat routes
        for r in app.routes:
            if isinstance(r, APIRoute):
                yield RouteInfo(r.path, r.path_format, frozenset(r.methods or ()), r.include_in_schema, r, r)
        return
    for rc in iter_route_contexts(app.routes):
        original = rc.original_route
        if isinstance(original, APIRoute):
            effective = getattr(rc, "_effective_route", original)
            yield RouteInfo(str(rc.path), str(rc.path_format), frozenset(rc.methods or ()),
                            bool(rc.include_in_schema), effective, original)


def tag_permissions(app: Any) -> None:
    """Put each route's permission into its OpenAPI operation as ``x-permission``."""
    for info in iter_routes(app):
        perm = route_permission(info.route)
        if perm:
            for target in {id(info.route): info.route, id(info.original): info.original}.values():
                if hasattr(target, "openapi_extra"):
                    target.openapi_extra = {**(target.openapi_extra or {}), "x-permission": perm}
    app.openapi_schema = None
