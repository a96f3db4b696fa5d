"""OIDC sign-in against a fake provider (an httpx MockTransport that signs real RS256 ID tokens)."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

pytest.importorskip("joserfc")
pytest.importorskip("authlib")

ISSUER = "https://idp.example.test"
CLIENT = "tradepolicy-test"


class FakeProvider:
    def __init__(self) -> None:
        from joserfc.jwk import RSAKey

        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.codes: dict[str, dict[str, Any]] = {}
        self.email = "jdoe@example.gov"
        self.nonce_override: str | None = None
        self.issuer = ISSUER

    def handler(self, request: httpx.Request) -> httpx.Response:
        from joserfc import jwt

        path = request.url.path
        if path == "/.well-known/openid-configuration":
            return httpx.Response(200, json={"issuer": ISSUER, "authorization_endpoint": ISSUER + "/authorize",
                                             "token_endpoint": ISSUER + "/token", "jwks_uri": ISSUER + "/jwks"})
        if path == "/jwks":
            return httpx.Response(200, json={"keys": [self.key.as_dict(private=False)]})
        if path == "/token":
            form = parse_qs(request.content.decode())
            code = form["code"][0]
            if code not in self.codes:
                return httpx.Response(400, json={"error": "invalid_grant"})
            saved = self.codes.pop(code)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(form["code_verifier"][0].encode()).digest())
            if challenge.decode().rstrip("=") != saved["code_challenge"]:
                return httpx.Response(400, json={"error": "invalid_grant", "error_description": "PKCE"})
            now = int(time.time())
            claims = {"iss": self.issuer, "aud": CLIENT, "sub": "u-123", "iat": now, "exp": now + 300,
                      "nonce": self.nonce_override or saved["nonce"], "email": self.email, "email_verified": True}
            token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)
            return httpx.Response(200, json={"access_token": "at", "token_type": "Bearer", "id_token": token})
        return httpx.Response(404)

    def authorize(self, url: str, code: str = "good-code") -> str:
        q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert q["code_challenge_method"] == "S256" and q["client_id"] == CLIENT and "openid" in q["scope"]
        self.codes[code] = q
        return q["state"]


@pytest.fixture
def provider(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    from tradepolicy.config import reset_settings
    from tradepolicy.services import oidc

    fake = FakeProvider()
    monkeypatch.setenv("TRADEPOLICY_OIDC_ISSUER", ISSUER)
    monkeypatch.setenv("TRADEPOLICY_OIDC_CLIENT_ID", CLIENT)
    monkeypatch.setenv("TRADEPOLICY_OIDC_CLIENT_SECRET", "s3cret")
    reset_settings()
    oidc.reset()
    monkeypatch.setattr(oidc, "transport", httpx.MockTransport(fake.handler))
    yield fake
    monkeypatch.delenv("TRADEPOLICY_OIDC_ISSUER")
    reset_settings()
    oidc.reset()


def _start(c: Any, provider: FakeProvider) -> str:
    r = c.get("/signin/oidc?next=/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith(ISSUER + "/authorize?")
    assert "HttpOnly" in r.headers["set-cookie"]
    return provider.authorize(r.headers["location"])


def test_oidc_sign_in_maps_to_an_existing_user(provider: FakeProvider, client_as: Any) -> None:
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services import people

    people.add_user(local_operator(), "jdoe", role="attorney", email="jdoe@example.gov")
    c = client_as(None)
    assert "Sign in with your organisation" in c.get("/signin").text
    state = _start(c, provider)
    r = c.get(f"/signin/oidc/callback?code=good-code&state={state}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/account", r.text
    me = c.get("/api/me").json()
    assert (me["name"], me["role"], me["via"]) == ("jdoe", "attorney", "session")


@pytest.mark.parametrize("attack", ["wrong-state", "replayed-code", "wrong-nonce", "other-issuer", "unknown-user"])
def test_oidc_refuses_what_it_cannot_verify(provider: FakeProvider, client_as: Any, attack: str) -> None:
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services import people

    people.add_user(local_operator(), "jdoe", role="viewer", email="jdoe@example.gov")
    c = client_as(None)
    state = _start(c, provider)
    code = "good-code"
    if attack == "wrong-state":
        state = "forged"
    elif attack == "replayed-code":
        code = "never-issued"
    elif attack == "wrong-nonce":
        provider.nonce_override = "another-nonce"
    elif attack == "other-issuer":
        provider.issuer = "https://evil.example"
    elif attack == "unknown-user":
        provider.email = "stranger@example.com"
    r = c.get(f"/signin/oidc/callback?code={code}&state={state}", follow_redirects=False)
    assert r.status_code == 401, r.text
    assert c.get("/api/me").json()["anonymous"] is True


def test_oidc_is_off_unless_configured(fresh_db: str, client_as: Any) -> None:
    c = client_as(None)
    assert c.get("/signin/oidc", follow_redirects=False).status_code == 404
    assert "Sign in with your organisation" not in c.get("/signin").text
