"""Congress log and advisory committees: the log's dates equal the law engine's; committee reports due
30 days after the notice of intent to enter (19 U.S.C. 2155(e), 4204(e); fact sheet s.1 row 9 and E1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.coordination.conftest import ANON, ATTORNEY, with_grant


def test_usmca_congress_log_dates_equal_the_law_engine(api: Any) -> None:
    from tradepolicy.law.procedures import derive, get_procedure
    from tradepolicy.services import proceedings

    log = api(ANON).get("/api/cases/usmca-negotiation/congress").json()["item"]
    # the law engine, directly
    from tradepolicy.store.db import read_session

    with read_session() as s:
        records = proceedings._records(s, "usmca-negotiation")
    state = derive(get_procedure("tpa_negotiation"), records)
    engine = {d.clock_id: (d.due_date.isoformat() if d.due_date else None) for d in state.deadlines}
    shown = {d["clock_id"]: d["due_date"] for d in log["deadlines"]}
    assert len(shown) >= 10 and all(engine[k] == v for k, v in shown.items())
    # and the fact sheet's worked example E1 (hand computation): N = 2018-08-31, S = 2018-11-30
    assert shown["advisory_reports_due"] == "2018-09-30"   # N + 30
    assert shown["changes_to_law_due"] == "2019-01-29"     # S + 60
    assert shown["itc_report_due"] == "2019-04-19"         # S + 105 + 35 days tolled (84 FR 4853)
    assert shown["earliest_negotiation_start"] == "2017-08-16"  # E2: 2017-05-18 + 90
    entries = {e["entry"]: e["date"] for e in log["entries"]}
    assert entries["notice_of_intent_to_initiate"] == "2017-05-18"
    assert entries["notice_of_intent_to_enter"] == "2018-08-31"


def test_recording_a_consultation_is_an_event_of_the_case(fresh_db: str, api: Any, cli: Any) -> None:
    from tradepolicy.services import proceedings

    proceedings.open_case(procedure="tpa_negotiation", case_id="test-fta", title="Test FTA")
    c = api(ATTORNEY)
    r = c.post("/api/cases/test-fta/congress", json={"entry": "committee_consultation", "date": "2019-01-10",
                                                     "committee": "senate-finance", "note": "objectives briefing"})
    assert r.status_code == 200, r.text
    r = c.post("/api/cases/test-fta/congress", json={"entry": "notice_of_intent_to_initiate", "date": "2019-02-01"})
    log = r.json()["item"]
    assert [e["entry"] for e in log["entries"]] == ["committee_consultation", "notice_of_intent_to_initiate"]
    assert log["entries"][0]["committee"] == "senate-finance"
    due = {d["clock_id"]: d["due_date"] for d in log["deadlines"]}
    assert due["earliest_negotiation_start"] == "2019-05-02"  # 2019-02-01 + 90 (tpa.notice_before_negotiation)
    # an event the stage does not allow is refused by the law engine, nothing stored
    bad = c.post("/api/cases/test-fta/congress", json={"entry": "usitc_report", "date": "2019-03-01"})
    assert bad.status_code == 409
    assert len(proceedings.get_case("test-fta").events) == 2
    out = cli("congress", "log", "test-fta", "--json")
    assert out.exit_code == 0 and "2019-05-02" in out.stdout
    assert api(ANON).get("/congress/test-fta").status_code == 200


def test_committee_report_due_from_the_law_engine_and_restricted_texts(fresh_db: str, api: Any, cli: Any) -> None:
    from tradepolicy.platform.principal import local_operator
    from tradepolicy.services import committees
    from tradepolicy.store.db import transaction

    c = api(ATTORNEY)
    assert c.post("/api/committees/actpn/members", json={"name": "Jane Doe", "organization": "Example Co",
                                                          "cleared": True}).status_code == 200
    assert c.post("/api/committees/actpn/members", json={"name": "John Roe"}).status_code == 200
    view = api(ANON).get("/api/committees/actpn", params={"case": "usmca-negotiation"}).json()["item"]
    assert view["report_due"]["due_date"] == "2018-09-30" and view["report_due"]["rule_id"] == "tpa.advisory_reports"
    rep = c.post("/api/committees/actpn/reports", json={"case_id": "usmca-negotiation", "date": "2018-09-27",
                                                         "title": "ACTPN report on the USMCA"}).json()["item"]
    assert rep["late"] is False and rep["due_date"] == "2018-09-30"
    with transaction() as s:
        committees.put_text(s, local_operator(), agreement="testfta", key="ch19", title="Digital trade", body="Article 19.1 ...")
    url = "/api/committees/actpn/texts/testfta:ch19"
    assert c.get(url, params={"member": "Jane Doe"}).status_code == 404            # no grant
    reader = api(with_grant(ATTORNEY, "restricted", "agreement:testfta"))
    got = reader.get(url, params={"member": "Jane Doe"})
    assert got.status_code == 200 and got.json()["item"]["body"].startswith("Article 19.1")
    assert reader.get(url, params={"member": "John Roe"}).status_code == 409        # not cleared
    from sqlalchemy import select

    from tradepolicy.store.db import read_session
    from tradepolicy.store.models_platform import AccessEntry

    with read_session() as s:
        assert [e.scope for e in s.scalars(select(AccessEntry).where(AccessEntry.entity == "record:negotiating_text"))] \
            == ["agreement:testfta"]
    out = cli("committees", "show", "actpn", "--case", "usmca-negotiation", "--json")
    assert out.exit_code == 0 and "2018-09-30" in out.stdout
    assert cli("committees", "list").exit_code == 0
    assert api(ANON).get("/committees/actpn", params={"case": "usmca-negotiation"}).status_code == 200
    _ = dt
