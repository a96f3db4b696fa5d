"""Interagency clearance: a non-concurrence escalates TPSC -> TPRG; a missed due date escalates; the trail."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.coordination.conftest import ANON, ATTORNEY, with_grant

TODAY = dt.date.today()


def test_non_concurrence_escalates_and_positions_are_the_audit_trail(fresh_db: str, cli: Any, api: Any,
                                                                     tmp_path: Any) -> None:
    doc = tmp_path / "draft.txt"
    doc.write_text("RESTRICTED draft U.S. proposal: digital trade chapter, Article 3 (data flows).")
    r = cli("clearance", "start", str(doc), "--levels", "tpsc,tprg", "--agencies", "commerce,state,usda",
            "--due", (TODAY + dt.timedelta(days=5)).isoformat(), "--json", as_=ATTORNEY)
    assert r.exit_code == 0, r.output
    cid = json.loads(r.stdout)["id"]
    reader = with_grant(ATTORNEY, "restricted", f"clearance:{cid}")
    # the clearance is restricted: no grant, not found (and not listed); with a grant, readable
    assert api(ATTORNEY).get(f"/api/clearances/{cid}").status_code == 404
    assert api(ATTORNEY).get("/api/clearances").json()["count"] == 0
    assert api(ANON).get("/clearance").status_code == 200 and cid not in api(ANON).get("/clearance").text
    c = api(reader)
    assert c.post(f"/api/clearances/{cid}/positions", json={"agency": "commerce", "position": "concur"}).status_code == 200
    # an agency outside the clearance is refused naming the field
    bad = c.post(f"/api/clearances/{cid}/positions", json={"agency": "treasury", "position": "concur"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "agency"
    r = cli("clearance", "position", cid, "--agency", "state", "--position", "non_concur",
            "--comment", "Article 3 conflicts with our privacy commitments.", "--json", as_=reader)
    assert r.exit_code == 0, r.output
    after = json.loads(r.stdout)
    assert after["level"] == "tprg" and after["escalations"][0]["reason"] == "non-concurrence by state"
    # at the TPRG everyone concurs or comments: cleared
    for ag, pos in (("commerce", "concur"), ("state", "comment"), ("usda", "concur")):
        c.post(f"/api/clearances/{cid}/positions", json={"agency": ag, "position": pos})
    out = c.get(f"/api/clearances/{cid}").json()["item"]
    assert out["outcome"] == "cleared" and out["status"] == "cleared"
    assert [h["status"] for h in out["history"]][-1] == "cleared"
    assert len(out["history"]) == 6  # start + 5 positions, each a version
    # every read with the grant was logged
    from sqlalchemy import select

    from tradepolicy.store.db import read_session
    from tradepolicy.store.models_platform import AccessEntry

    with read_session() as s:
        assert s.scalars(select(AccessEntry).where(AccessEntry.scope == f"clearance:{cid}")).first() is not None


def test_a_missed_due_date_escalates_and_the_last_level_is_unresolved(fresh_db: str, api: Any) -> None:
    c = api(with_grant(ATTORNEY, "restricted", "*"))
    start = c.post("/api/clearances", json={"title": "Draft notice", "levels": ["tpsc", "tprg"],
                                             "agencies": ["commerce", "treasury"], "due": TODAY.isoformat(),
                                             "text": "draft"})
    assert start.status_code == 200, start.text
    cid = start.json()["item"]["id"]
    c.post(f"/api/clearances/{cid}/positions", json={"agency": "commerce", "position": "concur"})
    later = (TODAY + dt.timedelta(days=1)).isoformat()
    st = c.get(f"/api/clearances/{cid}", params={"on": later}).json()["item"]
    assert st["level"] == "tprg" and "passed without a position from treasury" in st["escalations"][0]["reason"]
    c.post(f"/api/clearances/{cid}/positions", json={"agency": "treasury", "position": "non_concur"})
    assert c.get(f"/api/clearances/{cid}").json()["item"]["status"] == "unresolved"


def test_bad_levels_and_agencies(fresh_db: str, api: Any) -> None:
    c = api(ATTORNEY)
    for body, field in (({"levels": ["tprg", "tpsc"], "agencies": ["commerce"]}, "levels"),
                        ({"levels": ["tpsc"], "agencies": ["acme"]}, "agencies")):
        r = c.post("/api/clearances", json={"title": "t", "due": TODAY.isoformat(), **body})
        assert r.status_code == 400 and r.json()["error"]["field"] == field
