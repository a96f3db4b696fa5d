"""Optional OpenID Connect sign-in (authorization code flow with PKCE), behind settings.

Configure ``TRADEPOLICY_OIDC_ISSUER``, ``TRADEPOLICY_OIDC_CLIENT_ID`` and
``TRADEPOLICY_OIDC_CLIENT_SECRET`` (register ``https://HOST/signin/oidc/callback`` as the
redirect URI). Authlib builds the request (state, nonce, PKCE S256); the ID token is verified
with joserfc (Authlib's JOSE successor) against the provider's JWKS: signature, ``iss``, ``aud``,
``exp`` and ``nonce``. The identity maps to an existing, enabled user by e-mail (else by
``preferred_username``): OIDC proves who someone is; the office still decides their role.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

import httpx

from tradepolicy.config import get_settings
from tradepolicy.errors import InputError, NotFoundError, NotSignedInError, OptionalDependencyError

STATE_COOKIE = "tp_oidc"
STATE_MAX_AGE = 600
# Tests inject an ``httpx.MockTransport`` (a fake provider); None = the network.
transport: httpx.BaseTransport | None = None


def _settings() -> tuple[str, str, str]:
    s = get_settings()
    if not (s.oidc_issuer and s.oidc_client_id):
        raise NotFoundError("OIDC sign-in is not configured on this server.", where="/signin/oidc",
                            field="TRADEPOLICY_OIDC_ISSUER", expected="an issuer URL and a client id",
                            example="TRADEPOLICY_OIDC_ISSUER=https://login.example.gov")
    try:
        import authlib  # noqa: F401
        import joserfc  # noqa: F401
    except ImportError as exc:
        raise OptionalDependencyError("OIDC sign-in needs Authlib and joserfc.", field="TRADEPOLICY_OIDC_ISSUER",
                                      expected="the extra 'oidc' installed", example="pip install -e .[oidc]") from exc
    return s.oidc_issuer.rstrip("/"), s.oidc_client_id, s.oidc_client_secret or ""


def _http() -> httpx.Client:
    return httpx.Client(transport=transport, timeout=10.0, follow_redirects=False)


@lru_cache(maxsize=4)
def _discovery(issuer: str) -> dict[str, Any]:
    with _http() as c:
        r = c.get(issuer + "/.well-known/openid-configuration")
    if r.status_code != 200:
        raise InputError(f"The OIDC provider {issuer} did not answer its discovery document ({r.status_code}).",
                         field="TRADEPOLICY_OIDC_ISSUER", expected="an OpenID Connect issuer",
                         example="https://login.example.gov")
    meta: dict[str, Any] = r.json()
    if meta.get("issuer", "").rstrip("/") != issuer:
        raise InputError("The discovery document names another issuer.", field="TRADEPOLICY_OIDC_ISSUER",
                         expected=issuer, example=issuer)
    return meta


def reset() -> None:
    """Forget the cached discovery document (tests)."""
    _discovery.cache_clear()


def _serializer() -> Any:
    from itsdangerous import URLSafeTimedSerializer

    from tradepolicy.services.people import secret_key

    return URLSafeTimedSerializer(secret_key(), salt="tradepolicy.oidc")


def start(redirect_uri: str, next_path: str, *, secure: bool) -> tuple[str, str]:
    """Return (the provider's authorization URL, the Set-Cookie holding state, nonce and PKCE verifier)."""
    from authlib.common.security import generate_token
    from authlib.common.urls import add_params_to_uri
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    issuer, client_id, _ = _settings()
    meta = _discovery(issuer)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    url = add_params_to_uri(meta["authorization_endpoint"], [
        ("response_type", "code"), ("client_id", client_id), ("redirect_uri", redirect_uri),
        ("scope", "openid email profile"), ("state", state), ("nonce", nonce),
        ("code_challenge", create_s256_code_challenge(verifier)), ("code_challenge_method", "S256")])
    value = _serializer().dumps({"state": state, "nonce": nonce, "verifier": verifier, "next": next_path})
    cookie = (f"{STATE_COOKIE}={value}; Path=/signin/oidc; Max-Age={STATE_MAX_AGE}; HttpOnly; SameSite=Lax"
              + ("; Secure" if secure else ""))
    return url, cookie


def clear_state_cookie(*, secure: bool) -> str:
    """Return the Set-Cookie that removes the state cookie."""
    return f"{STATE_COOKIE}=; Path=/signin/oidc; Max-Age=0; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")


def finish(redirect_uri: str, code: str, state: str, cookie: str) -> tuple[int, str, str]:
    """Check the callback and return (user id, user name, next path); raise ``NotSignedInError`` on any failure."""
    from itsdangerous import BadSignature
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    issuer, client_id, client_secret = _settings()

    def fail(why: str) -> NotSignedInError:
        return NotSignedInError(f"OIDC sign-in failed: {why}.", where="/signin/oidc/callback",
                                expected="a sign-in started from this site's /signin/oidc",
                                example="/signin/oidc?next=/")

    try:
        saved = _serializer().loads(cookie, max_age=STATE_MAX_AGE)
    except (BadSignature, ValueError) as exc:
        raise fail("the sign-in state is missing or expired") from exc
    import hmac

    if not code or not hmac.compare_digest(str(saved.get("state", "")), state):
        raise fail("the state does not match")
    meta = _discovery(issuer)
    with _http() as c:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": saved["verifier"], "client_id": client_id}
        r = (c.post(meta["token_endpoint"], data=form, auth=(client_id, client_secret)) if client_secret
             else c.post(meta["token_endpoint"], data=form))
        if r.status_code != 200 or "id_token" not in r.json():
            raise fail(f"the provider refused the code ({r.status_code})")
        id_token = r.json()["id_token"]
        keys = KeySet.import_key_set(c.get(meta["jwks_uri"]).json())
    try:
        tok = jwt.decode(id_token, keys)
        claims = tok.claims
        jwt.JWTClaimsRegistry(iss={"essential": True, "value": issuer}, aud={"essential": True, "value": client_id},
                              nonce={"essential": True, "value": saved["nonce"]},
                              exp={"essential": True}, leeway=60).validate(claims)
    except (JoseError, ValueError) as exc:
        raise fail(f"the ID token is not valid ({type(exc).__name__})") from exc
    if int(claims.get("exp", 0)) < time.time() - 60:
        raise fail("the ID token has expired")
    email = claims.get("email") if claims.get("email_verified", True) else None
    name = str(claims.get("preferred_username") or claims.get("sub"))
    from tradepolicy.services.people import user_for_oidc

    user_id, user_name = user_for_oidc(name, email)
    return user_id, user_name, str(saved.get("next") or "/")
