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

from typing import Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute

from tradepolicy.errors import TradePolicyError
from tradepolicy.platform.policy import can
from tradepolicy.platform.principal import ANONYMOUS, Principal


class NotSignedInError(TradePolicyError):
    """The request needs a signed-in user (HTTP 401)."""

    status = 401
    code = "not_signed_in"


class ForbiddenError(TradePolicyError):
    """The signed-in user's role does not hold the permission (HTTP 403)."""

    status = 403
    code = "forbidden"


def current_principal(request: Request) -> Principal:
    """Return the principal the authentication middleware put on the request, else anonymous."""
    return getattr(request.state, "principal", None) or ANONYMOUS


_CURRENT = Depends(current_principal)


def requires(permission: str) -> Any:
    """Return a dependency that refuses the request unless the principal holds ``permission``.

    The dependency returns the principal, so it can also be a parameter's default.
    """

    def _check(principal: Principal = _CURRENT) -> Principal:
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


def route_permission(route: APIRoute) -> str | None:
    """Return the permission a route declares through :func:`requires`, or None."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        perm = getattr(dep.call, "__permission__", None)
        if perm:
            return str(perm)
        stack.extend(dep.dependencies)
    return None


def tag_permissions(app: Any) -> None:
    """Put each route's permission into its OpenAPI operation as ``x-permission``."""
    for route in app.routes:
        if isinstance(route, APIRoute):
            perm = route_permission(route)
            if perm:
                route.openapi_extra = {**(route.openapi_extra or {}), "x-permission": perm}
