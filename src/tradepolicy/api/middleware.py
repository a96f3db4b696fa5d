"""Authentication, CSRF and security headers: one ASGI middleware in front of every route.

- **Who is asking.** A signed session cookie (``tp_session``) or ``Authorization: Bearer TOKEN``
  is resolved to a :class:`~tradepolicy.platform.principal.Principal` (role and grants from the
  database, see ``services/people.py``) and put on ``request.state.principal``; anything else is
  anonymous. A bad or expired credential is answered 401 on the API (so a client knows its token
  is dead) and treated as anonymous on pages (the stale cookie is cleared).
- **CSRF.** Every unsafe request (POST, PUT, PATCH, DELETE) made with the session cookie, and every
  form post to a page, must carry the CSRF token (form field ``csrf_token`` or header
  ``X-CSRF-Token``). The token is an HMAC of the session id (signed in) or of a random
  ``tp_csrf`` cookie (anonymous, double submit) under the secret key. A request whose ``Origin``
  (or ``Sec-Fetch-Site``) says it comes from another site is refused outright. The check runs in
  :func:`check_csrf`, called by every route's ``requires(...)`` dependency, so that form fields
  are read once, by FastAPI.
- **Headers.** Every response carries a Content-Security-Policy without inline script
  (``/docs`` and ``/redoc`` get the hashes of their own inline scripts), ``X-Content-Type-Options:
  nosniff``, ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``, a ``Referrer-Policy``,
  and ``Cache-Control: no-store`` when the principal is signed in.

Install with :func:`install` (one call in ``create_app``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from anyio import to_thread
from fastapi import Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tradepolicy.errors import ForbiddenError
from tradepolicy.platform.principal import ANONYMOUS, Principal, reset_acting, set_acting

SESSION_COOKIE = "tp_session"
CSRF_COOKIE = "tp_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Swagger UI / ReDoc load their bundles from a CDN and start with an inline script (hashed below).
DOCS_CSP = ("default-src 'self'; script-src 'self' https://cdn.jsdelivr.net {hashes}; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
            "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; font-src 'self' https://fonts.gstatic.com; "
            "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
STATIC_HEADERS = (
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
)
_SCRIPT_RE = re.compile(rb"<script>(.*?)</script>", re.S)


def _hmac(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def _signer() -> Any:
    from tradepolicy.services.people import secret_key

    return _signer_for(secret_key())


@lru_cache(maxsize=4)
def _signer_for(key: str) -> Any:
    from itsdangerous import TimestampSigner

    return TimestampSigner(key, salt="tradepolicy.session")


def sign_session(session_id: str) -> str:
    """Return the cookie value for a session id (signed and timestamped with the secret key)."""
    return str(_signer().sign(session_id).decode())


def unsign_session(value: str, max_age: int) -> str | None:
    """Return the session id of a cookie value, or None when its signature or age is wrong."""
    from itsdangerous import BadSignature

    try:
        return str(_signer().unsign(value, max_age=max_age).decode())
    except (BadSignature, ValueError):
        return None


def session_cookie(session_id: str, *, secure: bool, max_age: int) -> str:
    """Return the ``Set-Cookie`` value of a new session (HttpOnly, SameSite=Lax, Secure on https)."""
    return (f"{SESSION_COOKIE}={sign_session(session_id)}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"
            + ("; Secure" if secure else ""))


def clear_session_cookie(*, secure: bool) -> str:
    """Return the ``Set-Cookie`` value that removes the session cookie."""
    return f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")


def _cookies(headers: Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in headers.getlist("cookie"):
        for part in chunk.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name not in out:
                out[name] = value.strip()
    return out


Resolved = tuple[Principal, str | None, str | None]


def _resolve(headers: Headers, cookies: dict[str, str], *, cache_only: bool = False) -> Resolved | None:
    """Return (principal, session id, error) for a request's credentials.

    With ``cache_only``, return None when answering needs the database (the caller then runs
    this again in a worker thread, off the event loop).
    """
    from tradepolicy.config import get_settings
    from tradepolicy.services import people

    auth = headers.get("authorization")
    if auth:
        kind, _, token = auth.partition(" ")
        token = token.strip()
        if kind.lower() != "bearer" or not token:
            return ANONYMOUS, None, "bad_scheme"
        if cache_only:
            hit, p = people.cached_principal(token=token)
            if not hit:
                return None
        else:
            p = people.principal_for_token(token)
        return (p, None, None) if p else (ANONYMOUS, None, "bad_token")
    raw = cookies.get(SESSION_COOKIE)
    if raw:
        sid = unsign_session(raw, get_settings().session_hours * 3600)
        if sid is None:
            return ANONYMOUS, None, "bad_session"
        if cache_only:
            hit, p = people.cached_principal(session_id=sid)
            if not hit:
                return None
        else:
            p = people.principal_for_session(sid)
        return (p, sid, None) if p else (ANONYMOUS, None, "bad_session")
    return ANONYMOUS, None, None


def _resolve_db(headers: Headers, cookies: dict[str, str]) -> Resolved:
    out = _resolve(headers, cookies)
    assert out is not None
    return out


class SecurityMiddleware:
    """Resolve the principal, compute the CSRF token, and add the security headers (pure ASGI)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from tradepolicy.services.people import secret_key

        headers = Headers(scope=scope)
        cookies = _cookies(headers)
        path: str = scope.get("path", "")
        secure = scope.get("scheme") == "https"
        if "authorization" in headers or SESSION_COOKIE in cookies:
            # The credential cache answers most requests at once; a miss goes to a worker thread.
            resolved = _resolve(headers, cookies, cache_only=True)
            if resolved is None:
                resolved = await to_thread.run_sync(_resolve_db, headers, cookies)
            principal, sid, problem = resolved
        else:
            principal, sid, problem = ANONYMOUS, None, None
        key = secret_key()
        anon_csrf = cookies.get(CSRF_COOKIE, "")
        new_csrf_cookie = None
        if sid:
            csrf = _hmac(key, "session:" + sid)
        else:
            if not re.fullmatch(r"[A-Za-z0-9_-]{32,64}", anon_csrf):
                anon_csrf = secrets.token_urlsafe(32)
                new_csrf_cookie = anon_csrf
            csrf = _hmac(key, "anonymous:" + anon_csrf)
        state = scope.setdefault("state", {})
        state["principal"] = principal
        state["csrf_token"] = csrf
        state["session_id"] = sid

        if problem in ("bad_token", "bad_scheme") and path.startswith("/api"):
            await _reject_credentials(scope, receive, send, problem)
            return

        docs = path in DOCS_PATHS
        signed_in = not principal.is_anonymous
        clear_cookie = problem == "bad_session"
        buffered: list[Message] = []

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                for name, value in STATIC_HEADERS:
                    if name not in h:
                        h[name] = value
                if secure:
                    h.setdefault("strict-transport-security", "max-age=31536000")
                if signed_in and "cache-control" not in h:
                    h["cache-control"] = "no-store"
                if new_csrf_cookie and (h.get("content-type") or "").startswith("text/html"):
                    h.append("set-cookie", f"{CSRF_COOKIE}={new_csrf_cookie}; Path=/; HttpOnly; SameSite=Lax"
                             + ("; Secure" if secure else ""))
                if clear_cookie:
                    h.append("set-cookie", clear_session_cookie(secure=secure))
                if docs:
                    buffered.append(message)  # the CSP needs the body's inline scripts
                    return
                h.setdefault("content-security-policy", CSP)
                await send(message)
                return
            if docs and message["type"] == "http.response.body":
                buffered.append(message)
                if message.get("more_body"):
                    return
                body = b"".join(m.get("body", b"") for m in buffered[1:])
                start = buffered[0]
                hashes = " ".join(
                    "'sha256-" + base64.b64encode(hashlib.sha256(s).digest()).decode() + "'"
                    for s in _SCRIPT_RE.findall(body))
                MutableHeaders(scope=start)["content-security-policy"] = DOCS_CSP.format(hashes=hashes)
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        token = set_acting(principal)  # services record this person as the actor of a write
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            reset_acting(token)


async def _reject_credentials(scope: Scope, receive: Receive, send: Send, problem: str) -> None:
    from fastapi.responses import JSONResponse

    message = ("The Authorization header must be 'Bearer TOKEN'." if problem == "bad_scheme"
               else "This API token is unknown, expired or revoked.")
    body = {"ok": False, "status": 401, "error": {
        "type": "not_signed_in", "message": message, "field": "Authorization",
        "expected": "Authorization: Bearer tp_... (a live token from 'tradepolicy tokens create')",
        "example": "Authorization: Bearer tp_AbC..."}}
    resp = JSONResponse(body, status_code=401, headers={"www-authenticate": "Bearer", "content-security-policy": CSP,
                                                        **dict(STATIC_HEADERS)})
    await resp(scope, receive, send)


def _same_origin(request: Request) -> bool:
    """Return False when the browser says the request comes from another site (Origin, Sec-Fetch-Site)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:  # not a browser (curl, a script): no ambient cookie is at stake
        return True
    if origin == "null":
        return False
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


async def check_csrf(request: Request, principal: Principal) -> None:
    """Refuse an unsafe request from another site, or one that needs and lacks the CSRF token.

    Safe methods pass. Requests authenticated by a bearer token carry no ambient credential and
    need no token; so do anonymous API calls (no cookie is trusted for them).
    """
    if request.method in SAFE_METHODS:
        return
    if not _same_origin(request):
        raise ForbiddenError("Cross-origin request refused.", where=request.url.path, field="Origin",
                             expected="a form or request from this site", example=str(request.base_url))
    if principal.via == "token":
        return
    if principal.is_anonymous and request.url.path.startswith("/api/"):
        return
    expected = getattr(request.state, "csrf_token", None)
    given = request.headers.get(CSRF_HEADER)
    if given is None and (request.headers.get("content-type") or "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not expected or not given or not hmac.compare_digest(str(given), str(expected)):
        raise ForbiddenError("Missing or wrong CSRF token: reload the page and submit the form again.",
                             where=request.url.path, field=CSRF_FIELD,
                             expected="the csrf_token field of this site's form, or the X-CSRF-Token header",
                             example='<input type="hidden" name="csrf_token" value="...">')


def install(app: Any) -> None:
    """Add the security middleware to ``app`` (call once in ``create_app``)."""
    app.add_middleware(SecurityMiddleware)
