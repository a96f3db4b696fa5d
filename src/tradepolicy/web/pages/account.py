"""Sign-in, sign-out and the account page (who am I, my role and grants), with OIDC when configured."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tradepolicy.api.middleware import SESSION_COOKIE, clear_session_cookie, session_cookie
from tradepolicy.api.routes.platform import me_of
from tradepolicy.api.security import current_principal, requires
from tradepolicy.config import get_settings
from tradepolicy.errors import NotSignedInError
from tradepolicy.platform.principal import Principal
from tradepolicy.services import people
from tradepolicy.web.render import page_format, render_html, respond

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Return a local path to go to after sign-in (never another site: no scheme, no ``//``)."""
    v = (value or "/").strip()
    if not v.startswith("/") or v.startswith("//") or "\\" in v or any(ord(c) < 32 for c in v) or len(v) > 500:
        return "/"
    return v


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/signin", dependencies=[requires("public.read")])
def signin_page(request: Request, next: str = Query("/", max_length=500)) -> Response:
    """Show the sign-in form (and the OIDC link when an identity provider is configured)."""
    return render_html(request, "platform/signin.html",
                       {"title": "Sign in", "next": safe_next(next), "name": "", "error": None,
                        "oidc": get_settings().oidc_issuer if _oidc_ready() else None})


@router.post("/signin", dependencies=[requires("public.read")])
def signin(request: Request, name: Annotated[str, Form(max_length=120)],
           password: Annotated[str, Form(max_length=1024)],
           next: Annotated[str, Form(max_length=500)] = "/") -> Response:
    """Check the name and password, open a session (signed HttpOnly cookie) and go on to ``next``."""
    try:
        signed = people.sign_in(name, password, where=request.client.host if request.client else "")
    except NotSignedInError as exc:
        return render_html(request, "platform/signin.html",
                           {"title": "Sign in", "next": safe_next(next), "name": name, "error": exc.message,
                            "oidc": get_settings().oidc_issuer if _oidc_ready() else None}, status=401)
    resp = RedirectResponse(safe_next(next), status_code=303)
    resp.headers.append("set-cookie", session_cookie(signed.session_id, secure=_secure(request),
                                                     max_age=get_settings().session_hours * 3600))
    return resp


@router.post("/signout", dependencies=[requires("public.read")])
def signout(request: Request) -> Response:
    """End the session: its row in ``web_sessions`` is revoked and the cookie cleared."""
    sid = getattr(request.state, "session_id", None)
    if sid:
        people.sign_out(sid)
    resp = RedirectResponse("/", status_code=303)
    resp.headers.append("set-cookie", clear_session_cookie(secure=_secure(request)))
    return resp


@router.get("/account{suffix:path}", dependencies=[requires("public.read")])
def account(request: Request, principal: Annotated[Principal, Depends(current_principal)], suffix: str = "") -> Response:
    """Who you are: name, role, permissions, grants (``/account.json`` too)."""
    fmt = page_format("/account", suffix)
    me = me_of(principal)
    rows = [{"label": g.label, "scope": g.scope, "until": g.until} for g in me.grants]
    return respond(request, fmt, template="platform/account.html", context={"title": "Account", "me": me},
                   rows=rows, json_body=me.model_dump(mode="json"), columns=["label", "scope", "until"],
                   filename="grants.csv")


# ------------------------------------------------------------------ OIDC (optional)


def _oidc_ready() -> bool:
    s = get_settings()
    return bool(s.oidc_issuer and s.oidc_client_id)


@router.get("/signin/oidc", dependencies=[requires("public.read")])
def oidc_start(request: Request, next: str = Query("/", max_length=500)) -> Response:
    """Send the browser to the identity provider (authorization code flow with PKCE, state and nonce)."""
    from tradepolicy.services import oidc

    url, cookie = oidc.start(str(request.url_for("oidc_callback")), safe_next(next), secure=_secure(request))
    resp = RedirectResponse(url, status_code=303)
    resp.headers.append("set-cookie", cookie)
    return resp


@router.get("/signin/oidc/callback", dependencies=[requires("public.read")], name="oidc_callback")
def oidc_callback(request: Request, code: str = Query("", max_length=4096), state: str = Query("", max_length=512)
                  ) -> Response:
    """Finish the OIDC sign-in: check state, exchange the code, verify the ID token, open a session."""
    from tradepolicy.services import oidc

    user_id, name, nxt = oidc.finish(str(request.url_for("oidc_callback")), code, state,
                                     request.cookies.get(oidc.STATE_COOKIE, ""))
    signed = people.open_session(user_id, name, where=request.client.host if request.client else "", how="oidc")
    resp = RedirectResponse(safe_next(nxt), status_code=303)
    resp.headers.append("set-cookie", session_cookie(signed.session_id, secure=_secure(request),
                                                     max_age=get_settings().session_hours * 3600))
    resp.headers.append("set-cookie", oidc.clear_state_cookie(secure=_secure(request)))
    return resp


__all__ = ["SESSION_COOKIE", "router", "safe_next"]
