"""The public response cache: anonymous GETs replayed until any commit, never a signed-in answer.

Issue 9: 32 clients over public pages had a p99 of 1,169 ms because every request re-rendered
its page (9 ms CPU on average, 45 ms for /remedies). ``api/public_cache.py`` replays an
anonymous 200 answer while the store's write version (``store/version.py``) is unchanged.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tradepolicy.api.app import create_app
from tradepolicy.services import proceedings as svc

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_a_second_anonymous_get_is_replayed_and_a_write_invalidates_it(fresh_db: str) -> None:
    c = TestClient(create_app())
    first = c.get("/cases")
    again = c.get("/cases")
    assert first.status_code == again.status_code == 200
    assert "x-tp-cache" not in first.headers and again.headers["x-tp-cache"] == "hit"
    assert again.text == first.text
    assert again.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in again.headers
    svc.open_case(procedure="tpa_negotiation", case_id="cache-1", title="Seen at once after the write")
    after = c.get("/cases")
    assert "x-tp-cache" not in after.headers
    assert "Seen at once after the write" in after.text and "Seen at once" not in first.text


def test_each_client_gets_its_own_csrf_token_from_a_replayed_page(fresh_db: str) -> None:
    app = create_app()
    a, b = TestClient(app), TestClient(app)
    ta = TOKEN.findall(a.get("/remedies").text)
    rb = b.get("/remedies")
    tb = TOKEN.findall(rb.text)
    assert rb.headers.get("x-tp-cache") == "hit"
    assert ta and tb and set(ta) != set(tb) and len(set(tb)) == 1
    assert "tp-csrf" not in rb.text
    # b's token is the one its own cookie makes valid: a form post with it passes the CSRF check
    # (and fails further on, on the form's content, not with 403)
    assert b.cookies.get("tp_csrf")
    assert b.post("/remedies", data={"csrf_token": tb[0]}).status_code != 403


def test_signed_in_requests_are_never_served_from_or_stored_in_the_cache(fresh_db: str) -> None:
    from tests.helpers import client_as

    app = create_app()
    anon = TestClient(app)
    anon.get("/cases")
    assert anon.get("/cases").headers.get("x-tp-cache") == "hit"
    for session in (False, True):
        signed = client_as("attorney", session=session, app=app)
        r = signed.get("/cases")
        assert r.status_code == 200 and "x-tp-cache" not in r.headers
        assert r.headers.get("cache-control") == "no-store"


def test_the_cache_can_be_turned_off(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tradepolicy.config import reset_settings

    monkeypatch.setenv("TRADEPOLICY_PUBLIC_CACHE_SECONDS", "0")
    reset_settings()
    try:
        c = TestClient(create_app())
        c.get("/cases")
        assert "x-tp-cache" not in c.get("/cases").headers
    finally:
        monkeypatch.delenv("TRADEPOLICY_PUBLIC_CACHE_SECONDS")
        reset_settings()


def test_errors_are_not_cached(fresh_db: str) -> None:
    c = TestClient(create_app(), raise_server_exceptions=False)
    assert c.get("/api/cases/no-such-case").status_code == 404
    r = c.get("/api/cases/no-such-case")
    assert r.status_code == 404 and "x-tp-cache" not in r.headers
