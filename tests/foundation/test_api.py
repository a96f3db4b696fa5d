"""API and pages through the ASGI app: the one JSON error shape, twins, bad input."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tradepolicy.api.app import create_app

ERROR_KEYS = {"ok", "error", "status"}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=False)


def assert_error_shape(r, status: int | None = None) -> dict:
    body = r.json()
    assert set(body) == ERROR_KEYS, body
    assert body["ok"] is False and body["status"] == r.status_code
    assert isinstance(body["error"]["type"], str) and body["error"]["message"]
    if status is not None:
        assert r.status_code == status
    return body["error"]


def test_every_api_route_answers_bad_path_ids_with_the_error_shape(client: TestClient) -> None:
    """Datasette's rule: one canonical error shape, enforced over every route."""
    checked = 0
    for path, ops in client.get("/openapi.json").json()["paths"].items():
        if not path.startswith("/api") or "get" not in ops:
            continue
        url = re.sub(r"\{[^}]+\}", "__no_such_id__", path)
        r = client.get(url, params={"limit": "-7", "date": "2020-13-01", "q": ""})
        if r.status_code >= 400:
            assert_error_shape(r)
            checked += 1
    assert checked >= 3


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/agreements/nope", 404, "agreement_id"),
        ("/api/agreements?in_force_on=2020-13-01", 400, "in_force_on"),
        ("/api/agreements?status=alive", 400, "status"),
        ("/api/guide?q=", 422, "q"),
        ("/api/guide?q=ustr&limit=0", 422, "limit"),
        ("/api/no/such/route", 404, None),
    ],
)
def test_bad_input_gets_4xx_with_error_shape(client: TestClient, url: str, status: int, field: str | None) -> None:
    err = assert_error_shape(client.get(url), status)
    if field:
        assert err["field"] == field


def test_method_not_allowed_has_the_shape(client: TestClient) -> None:
    assert_error_shape(client.post("/api/agreements"), 405)


def test_unexpected_error_has_the_shape(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import tradepolicy.services.agreements as svc

    def boom(**_: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(svc, "list_agreements", boom)
    err = assert_error_shape(client.get("/api/agreements"), 500)
    # The details go to the server log only; the body carries the request id (issue 9).
    assert "kaboom" not in err["message"] and err["request_id"] in err["message"]


def test_openapi_docs(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/agreements" in spec["paths"] and "/api/guide" in spec["paths"]


def test_pages_and_twins(client: TestClient) -> None:
    html = {"accept": "text/html"}
    for url in ("/", "/agreements", "/agreements/usmca", "/agreements/wto-tfa", "/guide", "/guide?q=enforcement",
                "/agencies", "/datasets"):
        r = client.get(url, headers=html)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), url
    j = client.get("/agreements.json").json()
    assert j["ok"] and any(a["id"] == "usmca" for a in j["agreements"])
    csv = client.get("/agreements.csv")
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("id,short_name")
    assert client.get("/agreements/usmca.json").json()["agreement"]["in_force"] == "2020-07-01"
    assert client.get("/agreements/usmca.csv").text.startswith("area,chapter")
    dash = client.get("/dashboard.json").json()
    assert dash["ok"] and dash["agreements"]["count"] >= 2
    assert client.get("/dashboard.csv").text.startswith("id,short_name,status,in_force")
    assert client.get("/guide.json", params={"q": "USMCA"}).json()["count"] >= 1


def test_page_errors_render_html_and_json_twins_render_shape(client: TestClient) -> None:
    r = client.get("/agreements/nope", headers={"accept": "text/html"})
    assert r.status_code == 404 and "Unknown agreement id" in r.text and "usmca" in r.text
    assert_error_shape(client.get("/agreements/nope.json"), 404)
    assert_error_shape(client.get("/agreementsXYZ"), 404)


def test_pages_have_no_script_requirement(client: TestClient) -> None:
    """Pages are readable without JavaScript: content is in the HTML and forms use GET."""
    r = client.get("/guide?q=USMCA", headers={"accept": "text/html"})
    assert "USMCA" in r.text and 'method="get"' in r.text


def test_usmca_and_tfa_seed_rows_exact(client: TestClient) -> None:
    a = client.get("/api/agreements/usmca").json()["agreement"]
    assert a["key_provisions"] == "Reduced tariffs, increased market access, and improved regulatory coherence"
    assert a["implemented"] == "2020-07-01"
    t = client.get("/api/agreements/wto-tfa").json()["agreement"]
    assert t["key_provisions"] == "Simplified customs procedures, reduced trade costs, and improved trade efficiency"
    assert t["implemented"] == "2017-02-22"


def test_rejected_request_changes_nothing(client: TestClient) -> None:
    from tradepolicy.services.audit import list_audit

    before = list_audit(limit=10000)
    client.get("/api/agreements/nope")
    client.get("/api/agreements?in_force_on=bad")
    assert list_audit(limit=10000) == before


def test_guide_answers_carry_live_registry_facts(client: TestClient) -> None:
    """Guide links resolve against the live registry: an agreement link carries its stored dates."""
    from tradepolicy.services.agreements import get_agreement

    hits = client.get("/api/guide", params={"q": "USMCA", "limit": 10}).json()["results"]
    links = [lk for h in hits for lk in h["links"] if lk["kind"] == "agreement" and lk["id"] == "usmca"]
    assert links, "no guide entry links to the USMCA record"
    assert links[0]["live"]["in_force"] == get_agreement("usmca").in_force
