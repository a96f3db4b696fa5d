"""The promote workflows through the API, as real signed-in users (API tokens): permissions,
labels, the error shape."""

from __future__ import annotations

from typing import Any

import pytest

STAFF_GRANTS = [("restricted", "*")]


@pytest.fixture
def users(fresh_db: str, client_as: Any) -> dict[str, Any]:
    return {"staff": client_as("attorney", STAFF_GRANTS), "analyst": client_as("analyst"),
            "viewer": client_as("viewer"), "anon": client_as(None, raise_server_exceptions=False)}


def err(r, status: int) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["ok"] is False and body["status"] == status
    return body["error"]


def test_barrier_workflow_api(users: dict[str, Any]) -> None:
    staff, anon = users["staff"], users["anon"]
    body = {"partner": "IDN", "title": "Local content rules for 4G devices", "nte_category": "investment",
            "hs_codes": ["8517"], "description": "internal ZZTOP", "action_plan": [{"action": "Raise at TIFA", "owner": "staffer", "due": "2027-01-15"}]}
    # anonymous: 401; viewer (no barriers.write): 403
    assert err(anon.post("/api/barriers", json=body), 401)["type"] == "not_signed_in"
    assert err(users["viewer"].post("/api/barriers", json=body), 403)["type"] == "forbidden"
    r = staff.post("/api/barriers", json=body)
    assert r.status_code == 201, r.text
    bid = r.json()["barrier"]["id"]
    assert err(staff.post("/api/barriers", json=body), 409)["field"] == "title"  # duplicate
    assert err(staff.post(f"/api/barriers/{bid}/publish"), 409)["field"] == "public.state"
    assert err(staff.post(f"/api/barriers/{bid}/status", json={"status": "archived"}), 400)["field"] == "reason"
    # an analyst may write but not approve or publish; without a grant the restricted barrier is not found
    assert err(users["analyst"].post(f"/api/barriers/{bid}/approve"), 403)["type"] == "forbidden"
    assert err(users["analyst"].get(f"/api/barriers/{bid}"), 404)
    assert staff.post(f"/api/barriers/{bid}/public-draft", json={"summary": "Indonesia requires local content."}).status_code == 200
    assert staff.post(f"/api/barriers/{bid}/approve").status_code == 200
    assert staff.post(f"/api/barriers/{bid}/publish").json()["barrier"]["label"] == "public"
    seen = anon.get(f"/api/barriers/{bid}").json()["barrier"]
    assert seen["description"] is None and "ZZTOP" not in str(seen)
    assert staff.get(f"/api/barriers/{bid}").json()["barrier"]["description"] == "internal ZZTOP"
    assert err(anon.get("/api/barriers/B-99999"), 404)["field"] == "key"
    bad = {**body, "partner": "QQQ", "title": "other"}
    assert err(staff.post("/api/barriers", json=bad), 400)["field"] == "partner"


def test_nte_special301_tfa_api(users: dict[str, Any]) -> None:
    anon, staff = users["anon"], users["staff"]
    r = anon.get("/api/nte/2026")
    assert r.status_code == 200 and len(r.json()["report"]["chapters"]) >= 5
    pdf = anon.get("/api/nte/2026/report", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert err(anon.get("/api/nte/2026", params={"label": "restricted"}), 404)
    assert staff.get("/api/nte/2026", params={"label": "restricted"}).status_code == 200
    r = anon.get("/api/special301/placements", params={"country": "IND", "year": 2025})
    assert [p["status"] for p in r.json()["placements"]] == ["PWL"]
    assert err(users["viewer"].post("/api/special301/placements",
                                    json={"country": "THA", "year": 2024, "list": "WL", "citation": "x"}), 403)
    files = {"file": ("tfa.csv", b"member,group,ratified,measure,category,items\nKEN,developing,2015-12-10,1.1,A,5\n", "text/csv")}
    assert staff.post("/api/tfa/import", files=files).json()["commitments"] == 1
    rate = anon.get("/api/tfa/KEN/rate", params={"as_of": "2020-02-22"}).json()["rate"]
    assert rate["committed_items"] == 5
    files = {"file": ("tfa.csv", b"member,measure,unknown_col\nKEN,1.1,x\n", "text/csv")}
    assert err(staff.post("/api/tfa/import", files=files), 400)["field"] == "unknown_col"


def test_every_promote_route_declares_a_permission() -> None:
    # (app.routes are lazily included routers in this FastAPI; walk the domain routers directly)
    from fastapi.routing import APIRoute

    from tradepolicy.api.routes import promote as api
    from tradepolicy.api.security import route_permission
    from tradepolicy.web.pages import promote as pages

    routes = [r for rt in (api.barriers_router, api.nte_router, api.special301_router, api.tfa_router, pages.router)
              for r in rt.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 20
    for r in routes:
        assert route_permission(r), r.path


def test_api_json_equals_the_service_dicts(users: dict[str, Any]) -> None:
    """The typed response models document the fields but change nothing: the API's JSON is the
    services' ``to_dict()`` (extra keys pass through)."""
    from tests.promote.conftest import ANON
    from tradepolicy.services import barriers as bsvc
    from tradepolicy.services import special301 as ssvc
    from tradepolicy.store.db import transaction

    anon = users["anon"]
    got = anon.get("/api/barriers/NTE25-CHN-04").json()["barrier"]
    with transaction() as s:
        want = bsvc.get_barrier(s, ANON, "NTE25-CHN-04").to_dict()
    assert got == want
    got = anon.get("/api/special301/placements?year=2024").json()
    with transaction() as s:
        want = ssvc.placements(s, ANON, year=2024).to_dict()
    assert got == {"ok": True, **want}
