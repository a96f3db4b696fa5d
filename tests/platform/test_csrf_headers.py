"""CSRF on every form and unsafe request, and the security headers on every response."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tradepolicy.api.security import iter_routes

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "tradepolicy" / "web" / "templates"
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def _csp_ok(value: str) -> None:
    directives = dict(([*d.strip().split(" ", 1), ""])[:2] for d in value.split(";") if d.strip())
    assert directives["frame-ancestors"] == "'none'"
    script = directives["script-src"].split()
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert directives["object-src"] == "'none'"


@pytest.mark.parametrize("url", ["/", "/agreements.json", "/agreements.csv", "/static/style.css",
                                 "/api/agreements", "/api/agreements/nope", "/no-such-page", "/signin",
                                 "/api/cases/ds543/calendar.ics", "/openapi.json"])
def test_security_headers_on_every_kind_of_response(url: str, client_as: Any) -> None:
    r = client_as(None).get(url, headers={"accept": "text/html"})
    for name, value in HEADERS.items():
        assert r.headers.get(name) == value, (url, name, r.headers.get(name))
    _csp_ok(r.headers["content-security-policy"])


def test_docs_page_allows_only_its_own_hashed_inline_script(client_as: Any) -> None:
    import base64
    import hashlib

    r = client_as(None).get("/docs")
    csp = r.headers["content-security-policy"]
    _csp_ok(csp)
    inline = re.findall(r"<script>(.*?)</script>", r.text, re.S)
    assert inline
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_signed_in_responses_are_not_cached(client_as: Any) -> None:
    assert client_as("viewer").get("/api/me").headers["cache-control"] == "no-store"
    assert "cache-control" not in client_as(None).get("/api/me").headers


def test_no_inline_script_or_handlers_in_templates() -> None:
    # The CSP forbids inline script: a template with one would break silently in browsers.
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline <script> in {path.name}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {path.name}"
        assert "javascript:" not in text, path.name


def test_every_post_form_in_the_templates_carries_the_csrf_token() -> None:
    forms = 0
    for path in TEMPLATES.rglob("*.html"):
        for form in re.findall(r"<form\b[^>]*>.*?</form>", path.read_text(encoding="utf-8"), re.S | re.I):
            if re.search(r'method="post"', form, re.I):
                forms += 1
                assert 'name="csrf_token" value="{{ csrf_token }}"' in form, f"{path.name}: {form[:120]}"
    assert forms >= 7


def test_rendered_forms_carry_the_session_token(client_as: Any) -> None:
    c = client_as("attorney", session=True)
    page = c.get("/cases/ds543").text
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert tokens == {c.headers["X-CSRF-Token"]}  # the sign-out form and the event form: the session's token


def test_cross_origin_form_post_is_refused_and_stores_nothing(client_as: Any, fresh_db: str) -> None:
    c = client_as("attorney", session=True)
    assert c.post("/api/cases", json={"procedure": "usmca_ch31", "case_id": "CS-1", "title": "t"}).status_code == 201
    token = c.headers.pop("X-CSRF-Token")
    before = c.get("/api/cases/CS-1").json()["case"]["log"]
    form = {"event": "consultations_requested", "date": "2025-01-06", "csrf_token": token}
    # The browser of a signed-in attorney, tricked by another site into posting the case form.
    evil = c.post("/cases/CS-1/events", data=form, follow_redirects=False,
                  headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert evil.status_code == 403 and "Cross-origin" in evil.json()["error"]["message"]
    # Even with the right token, a foreign Origin alone is refused; a 'null' origin too.
    for origin in ("https://evil.example", "null"):
        r = c.post("/cases/CS-1/events", data=form, headers={"Origin": origin}, follow_redirects=False)
        assert r.status_code == 403
    # Same site without the token (or with a wrong one): refused.
    no_token = {k: v for k, v in form.items() if k != "csrf_token"}
    assert c.post("/cases/CS-1/events", data=no_token, follow_redirects=False).status_code == 403
    assert c.post("/cases/CS-1/events", data={**form, "csrf_token": "x" * 64},
                  follow_redirects=False).status_code == 403
    # JSON API with the session cookie needs the token too (header).
    assert c.post("/api/cases/CS-1/events", json={"event": "consultations_requested",
                                                  "date": "2025-01-06"}).status_code == 403
    assert c.get("/api/cases/CS-1").json()["case"]["log"] == before  # nothing stored
    # The same form from this site, with the token, goes through.
    ok = c.post("/cases/CS-1/events", data=form, follow_redirects=False,
                headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    assert ok.status_code == 303, ok.text


def test_bearer_requests_need_no_csrf_token(client_as: Any, fresh_db: str) -> None:
    c = client_as("attorney")  # Authorization: Bearer: no ambient credential to forge
    r = c.post("/api/cases", json={"procedure": "section301", "case_id": "B-1", "title": "t"})
    assert r.status_code == 201


def test_every_unsafe_route_checks_csrf() -> None:
    # Every POST/PUT/PATCH/DELETE route goes through requires(), whose check runs check_csrf first.
    from tradepolicy.api.app import create_app
    from tradepolicy.api.security import route_checks

    app = create_app()
    unsafe = [r for r in iter_routes(app) if r.methods & {"POST", "PUT", "PATCH", "DELETE"}]
    assert unsafe and all(route_checks(r.route) for r in unsafe)
