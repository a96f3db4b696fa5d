"""Issue 12, item 5: law engine fixes, each tested on the real case that revealed it.

Tolerance: exact dates (0 days). Sources are named beside each case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tradepolicy.api.app import create_app
from tradepolicy.errors import InputError
from tradepolicy.law.calendars import bundled_calendars
from tradepolicy.law.clocks import due_date, rolls
from tradepolicy.law.procedures import CaseState, get_procedure, timeline
from tradepolicy.law.rules import Rule, rule_value
from tradepolicy.services import proceedings as svc
from tradepolicy.store.db import read_session
from tradepolicy.store.models import Proceeding, ProceedingEvent

D = dt.date.fromisoformat


def run(pid: str, events: list[tuple[str, str]], as_of: str = "2030-01-01") -> CaseState:
    return timeline(get_procedure(pid), [(e, D(d), {}) for e, d in events], as_of=D(as_of))


def clock(state: CaseState, clock_id: str) -> Any:
    return next(d for d in state.deadlines if d.clock_id == clock_id)


# ----------------------------------------------------------------- "no earlier than" never rolls
def test_ds2_panel_request_on_saturday_day_60_is_on_time() -> None:
    # DS2 US - Gasoline: consultations requested 1995-01-24 (wto-disputes DS2 row; WT/DS2/1);
    # panel requested Saturday 1995-03-25 = day 60 (DSU 4.7). Before the fix: "early (-2d)".
    st = run("wto_dsu", [("consultations_requested", "1995-01-24"), ("panel_requested", "1995-03-25")])
    d = clock(st, "panel_request_earliest")
    assert D("1995-03-25").weekday() == 5
    assert (d.due_date, d.status, d.days_from_due, d.rolled) == (D("1995-03-25"), "met", 0, False)


def test_earliest_date_never_rolls_in_the_engine_even_if_a_rule_says_so() -> None:
    rv = rule_value("wto.consultations_begin")  # a rolling no-later-than rule of the WTO calendar
    assert rolls(rv, "no_later_than")
    assert not rolls(rv, "no_earlier_than")
    # read inversely ("at least 30 days before"), the same rule yields an earliest date: not rolled
    trig = D("2018-04-04")
    dd = due_date(trig, rv, bundled_calendars(), inverse=True)
    assert dd.direction == "no_earlier_than" and not dd.rolled and dd.due == trig - dt.timedelta(days=30)


def test_rule_loader_refuses_a_rolling_earliest_date() -> None:
    with pytest.raises(ValueError, match="never rolled"):
        Rule(id="x.earliest", title="Earliest", kind="clock", value=60, unit="days", basis="calendar",
             direction="no_earlier_than", roll="next_business_day", calendar="wto",
             valid_from=D("1995-01-01"), citation="DSU Art. 4.7", confirmed=True)


# ----------------------------------------------------------------- decision vs publication
STEEL_RACKS = [  # A-570-088, steel racks from China. Sources: initiation 83 FR 33195 (FR Doc. 2018-15225,
    # applicable 2018-07-10); preliminary decision memo dated 2019-02-25; preliminary notice FR Doc.
    # 2019-03820 published/applicable 2019-03-04, which states the postponed (2018-10-24) and tolled
    # (40 days, 2018-12-22..2019-01-29) deadline: 2019-02-25. http://federal.elaws.us/fr/3/4/2019/2019-03820
    ("petition_filed", "2018-06-20"), ("initiated", "2018-07-10"),
    ("itc_prelim_affirmative", "2018-08-15"), ("prelim_postponed", "2018-10-24"),
]


def test_steel_racks_prelim_on_time_by_decision_date() -> None:
    old = run("ad_investigation", [*STEEL_RACKS, ("prelim_published", "2019-03-04")])
    d = clock(old, "prelim_postponed_due")
    # the fault the issue names: with publication only, the on-time prelim reads "missed by 7 days"
    assert (d.due_date, d.status, d.days_from_due) == (D("2019-02-25"), "missed", 7)
    new = run("ad_investigation", [*STEEL_RACKS, ("prelim_decided", "2019-02-25"),
                                   ("prelim_published", "2019-03-04")])
    d = clock(new, "prelim_postponed_due")
    assert (d.due_date, d.status, d.days_from_due, d.actual_event) == (D("2019-02-25"), "met", 0, "prelim_decided")
    # the final's clock runs from publication: 2019-03-04 + 75 = Sat 2019-05-18 -> Mon 2019-05-20
    f = clock(new, "final_due")
    assert (f.trigger, f.trigger_date, f.due_date) == ("prelim_published", D("2019-03-04"), D("2019-05-20"))


def test_cvd_investigation_has_the_same_decision_event() -> None:
    proc = get_procedure("cvd_investigation")
    assert "prelim_decided" in proc.clock("prelim_due").satisfied_by  # type: ignore[union-attr]
    assert proc.clock("final_due").start == "prelim_published"  # type: ignore[union-attr]


# ----------------------------------------------------------------- ITC 45 days on a Saturday
def test_itc_prelim_due_saturday_rolls_to_monday_flagged_unconfirmed() -> None:
    # Petition 2026-01-14; day 45 = Saturday 2026-02-28; determination recorded Monday 2026-03-02.
    st = run("ad_investigation", [("petition_filed", "2026-01-14"), ("initiated", "2026-02-03"),
                                  ("itc_prelim_affirmative", "2026-03-02")], as_of="2026-03-10")
    d = clock(st, "itc_prelim_due")
    assert D("2026-02-28").weekday() == 5
    assert (d.raw_date, d.due_date, d.rolled, d.status) == (D("2026-02-28"), D("2026-03-02"), True, "met")
    assert not d.confirmed and "roll practice of the usitc_statutory calendar" in d.unconfirmed
    cal = bundled_calendars().defs["usitc_statutory"]
    assert "201.14(a)" in cal.citation and cal.confirmed is False


# ----------------------------------------------------------------- future-dated events
def _counts() -> tuple[int, int]:
    with read_session() as s:
        return (s.scalar(select(func.count()).select_from(Proceeding)) or 0,
                s.scalar(select(func.count()).select_from(ProceedingEvent)) or 0)


def test_future_actual_event_refused_planned_accepted(fresh_db: str) -> None:
    svc.open_case(procedure="wto_dsu", case_id="DS-T", title="t")
    before = _counts()
    with pytest.raises(InputError, match="after today") as exc:
        svc.record_event("DS-T", "consultations_requested", "2026-12-01", today=D("2026-11-30"))
    assert exc.value.field == "date"
    assert _counts() == before  # nothing stored
    c = svc.record_event("DS-T", "consultations_requested", "2026-12-01", planned=True, today=D("2026-11-30"))
    assert c.planned[0].event == "consultations_requested"
    assert c.events == [] and c.stage == "consultations"  # a plan does not move the case
    c = svc.record_event("DS-T", "consultations_requested", "2026-11-20", today=D("2026-11-30"))
    assert [e.event for e in c.events] == ["consultations_requested"]


# ----------------------------------------------------------------- metadata
def test_case_metadata_validated_and_stored(fresh_db: str) -> None:
    meta = {"country": "CHN", "parties": {"petitioner": ["Coalition for Fair Rack Imports"]},
            "product": "Steel racks and parts thereof", "hts_scope": ["7326.90.8688", "9403.20.0080"],
            "commerce_cases": ["A-570-088", "C-570-089"], "itc_cases": ["731-TA-1424"], "wto_ds": None}
    c = svc.open_case(procedure="ad_investigation", case_id="A-570-088", title="Steel racks from China", meta=meta)
    assert c.meta["commerce_cases"] == ["A-570-088", "C-570-089"]
    assert svc.get_case("A-570-088").meta["itc_cases"] == ["731-TA-1424"]
    before = _counts()
    for bad, field in (({"commerce_cases": ["570-088"]}, "meta.commerce_cases"),
                       ({"itc_cases": ["731-1424"]}, "meta.itc_cases"),
                       ({"wto_ds": "543"}, "meta.wto_ds"), ({"colour": "red"}, "meta.colour")):
        with pytest.raises(InputError) as exc:
            svc.open_case(procedure="ad_investigation", case_id="X-1", title="x", meta=bad)
        assert exc.value.field == field
    assert _counts() == before


# ----------------------------------------------------------------- .ics with recorded events
def test_ics_includes_recorded_and_planned_events(fresh_db: str) -> None:
    svc.open_case(procedure="wto_dsu", case_id="DS543-T", title="t")
    svc.record_event("DS543-T", "consultations_requested", "2018-04-04", payload={"source": "WT/DS543/1"})
    svc.record_event("DS543-T", "panel_requested", "2099-01-02", planned=True)
    from tradepolicy.reports.ics import case_calendar

    ics = case_calendar("DS543-T").replace("\r\n ", "")
    assert "DTSTART;VALUE=DATE:20180404" in ics and "CATEGORIES:RECORDED" in ics and "WT/DS543/1" in ics
    assert "DTSTART;VALUE=DATE:20990102" in ics and "CATEGORIES:PLANNED" in ics
    assert ics.count("BEGIN:VEVENT") >= 3


# ----------------------------------------------------------------- web: any procedure, many events
@pytest.fixture
def attorney_client(fresh_db: str, client_as: Any) -> TestClient:
    return client_as("attorney", session=True)  # a signed-in session sending its CSRF token, as the forms do


def test_web_opens_a_case_of_any_procedure_and_records_many_events(attorney_client: TestClient) -> None:
    page = attorney_client.get("/cases").text
    for pid in ("wto_dsu", "usmca_rrm", "section301", "ad_investigation", "usmca_joint_review"):
        assert f'value="{pid}"' in page
    r = attorney_client.post("/cases/new", data={"procedure": "usmca_rrm", "case_id": "RRM-T", "title": "t",
                                                  "country": "MEX"}, follow_redirects=False)
    assert r.status_code == 303
    lines = "petition_received 2024-01-02\nilc_determination 2024-01-20 ILC\nreview_requested 2024-01-25"
    r = attorney_client.post("/cases/RRM-T/events/batch", data={"events": lines}, follow_redirects=False)
    assert r.status_code == 303
    c = attorney_client.get("/cases/RRM-T.json").json()["case"]
    assert [e["event"] for e in c["events"]] == ["petition_received", "ilc_determination", "review_requested"]
    assert c["meta"]["country"] == "MEX"
    # all or nothing: a bad second line stores nothing
    bad = "liquidation_suspended 2024-02-01\nnot_an_event 2024-02-02"
    r = attorney_client.post("/cases/RRM-T/events/batch", data={"events": bad})
    assert r.status_code == 400
    assert len(attorney_client.get("/cases/RRM-T.json").json()["case"]["events"]) == 3


def test_anonymous_cannot_open_a_case_from_the_web(fresh_db: str) -> None:
    before = _counts()
    r = TestClient(create_app()).post("/cases/new", data={"procedure": "wto_dsu", "case_id": "X", "title": "t"})
    assert r.status_code in (401, 403)  # refused (CSRF or sign-in), whichever check answers first
    assert _counts() == before


def test_unknown_procedure_is_a_clear_error(fresh_db: str) -> None:
    with pytest.raises(Exception) as exc:
        svc.open_case(procedure="wto_dsx", case_id="X", title="t")
    assert "Unknown procedure" in str(exc.value) and getattr(exc.value, "status", None) == 404
