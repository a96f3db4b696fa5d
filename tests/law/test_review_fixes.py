"""Review fixes: strict dates, rule-kind filter, annual calendar by year, dashboard items,
the s.151 counting basis flag, and RFC 5545 structure of the .ics export.

Every date here is exact (tolerance 0 days); sources are named beside each assertion.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from tradepolicy.api.app import create_app
from tradepolicy.errors import InputError
from tradepolicy.law.annual import annual_calendar
from tradepolicy.law.dates import parse_date
from tradepolicy.law.procedures import get_procedure, timeline
from tradepolicy.services import law as law_svc
from tradepolicy.services import proceedings as svc

D = dt.date.fromisoformat


@pytest.mark.parametrize("text", ["20250101", "2025-W01-1", "2025-1-5", "9999-12-01", "0001-01-01", ""])
def test_parse_date_is_strict_and_bounded(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_date(text, field="date")
    assert info.value.field == "date"
    assert "YYYY-MM-DD" in (info.value.expected or "") and info.value.example


def test_far_future_trigger_is_a_400_not_a_500() -> None:
    # Was: OverflowError -> 500 (petition + 20 days past date.max).
    c = TestClient(create_app())
    r = c.get("/api/law/timeline/ad_investigation", params={"event": ["petition_filed=9999-12-01"]})
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "event petition_filed"


def test_unknown_rule_kind_is_rejected() -> None:
    with pytest.raises(InputError) as info:
        law_svc.rules(kind="nope")
    assert info.value.field == "kind" and "clock" in (info.value.expected or "")


def test_annual_calendar_every_year_in_range() -> None:
    # The TFA metric point (22 February) starts with entry into force 2017-02-22 (fact sheet s.6):
    # 2016 has no such point, 2017 has one; no year of the accepted range raises.
    assert "tfa.metric.evaluation_day" not in {a.rule_id for a in annual_calendar(2016)}
    assert D("2017-02-22") in {a.due for a in annual_calendar(2017)}
    for year in range(1995, 2101):
        law_svc.annual(year)


def test_upcoming_annual_items_for_the_dashboard() -> None:
    # Fact sheet s.7.1 / E16 pattern: Trade Policy Agenda not later than March 1;
    # from 2026-11-30 that is 2027-03-01, 91 days on; the NTE (2027-03-31) is 121 days on.
    rows = law_svc.upcoming_annual(within_days=120, as_of=D("2026-11-30"))
    tpa = next(r for r in rows if r.rule_id == "ustr.trade_policy_agenda")
    assert (tpa.due, tpa.days_left, tpa.year) == ("2027-03-01", 91, 2027)
    assert "ustr.nte" not in {r.rule_id for r in rows}
    assert "tfa.metric.evaluation_day" not in {r.rule_id for r in rows}  # a reference date, not a deadline
    assert all(r.flag in ("confirmed", "UNCONFIRMED") for r in rows)


def test_s151_session_clocks_carry_the_unconfirmed_counting_basis() -> None:
    # Invented agreement signed 2019-06-03 (inside TPA-2015), bill submitted Tue 2020-01-07.
    # House session days from the House Calendars (116th Cong. 2nd sess., "Calendar of year
    # 2020"): 14 more in January, 16 in February, the 15th of March = 03-26 is the 45th
    # (2191(e)(1)); 15 more (Mar 27, 31, Apr 3 ... May 8) give the House vote by 2020-05-08.
    # The fact sheet (s.1.3) marks the s.151 day-counting rule 2191(e)(3) unconfirmed.
    events = [("negotiation_notice_sent", "2018-06-01"), ("negotiations_started", "2018-09-04"),
              ("intent_to_sign_notified", "2019-03-01"), ("agreement_signed", "2019-06-03"),
              ("bill_submitted", "2020-01-07")]
    st = timeline(get_procedure("tpa_negotiation"), [(e, D(d), {}) for e, d in events], as_of=D("2020-01-08"))
    by = {d.clock_id: d for d in st.deadlines}
    assert by["house_discharge_due"].due_date == D("2020-03-26")
    assert by["house_vote_due"].due_date == D("2020-05-08")
    for cid in ("house_discharge_due", "house_vote_due"):
        assert by[cid].confirmed is False
        assert "rule s151.session_day_counting (counting basis)" in by[cid].unconfirmed
    # No Senate session data: a clear error, never a guessed date.
    senate = by["senate_discharge_after_companion"]
    assert senate.status == "error" and "does not cover" in (senate.message or "")


@pytest.mark.parametrize(("signed", "stage"), [
    ("2018-06-30", "agreement_and_approval"),  # before the initial coverage end 2018-07-01
    ("2021-06-30", "agreement_and_approval"),  # last day of the extended authority
    ("2021-07-01", "signed_outside_tpa"),      # fact sheet s.1.1: lapsed for agreements on/after 2021-07-01
])
def test_tpa_lapse_is_a_stage_not_a_silent_timeline(signed: str, stage: str) -> None:
    events = [("negotiation_notice_sent", "2017-01-03"), ("negotiations_started", "2017-04-04"),
              ("intent_to_sign_notified", "2018-03-01"), ("agreement_signed", signed)]
    st = timeline(get_procedure("tpa_negotiation"), [(e, D(d), {}) for e, d in events], as_of=D("2021-12-01"))
    assert st.stage == stage
    changes = next(d for d in st.deadlines if d.clock_id == "changes_to_law_due")
    if stage == "signed_outside_tpa":
        assert changes.status == "moot" and "2021-07-01" in (changes.message or "")
        assert "bill_submitted" not in st.allowed_events
    else:
        assert changes.due_date == D(signed) + dt.timedelta(days=60)  # 4205(a)(1)(C): S + 60


def test_no_s151_clock_after_the_lapse() -> None:
    from tradepolicy.errors import ConflictError

    events = [("negotiation_notice_sent", "2023-01-02"), ("negotiations_started", "2023-04-03"),
              ("intent_to_sign_notified", "2023-10-02"), ("agreement_signed", "2024-01-02"),
              ("bill_submitted", "2024-03-01")]
    with pytest.raises(ConflictError) as info:
        timeline(get_procedure("tpa_negotiation"), [(e, D(d), {}) for e, d in events], as_of=D("2024-03-02"))
    assert "signed_outside_tpa" in str(info.value)


def _unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def test_ics_is_rfc5545_shaped(fresh_db: str) -> None:
    svc.open_case(procedure="usmca_ch31", case_id="C31-ICS", title="Line one\r\nline two; a, b")
    svc.record_event("C31-ICS", "consultations_requested", "2025-01-06")
    from tradepolicy.reports.ics import case_calendar

    raw = case_calendar("C31-ICS")
    assert "\r" not in raw.replace("\r\n", "") and "\n" not in raw.replace("\r\n", "")  # CRLF only
    assert all(len(line.encode("utf-8")) <= 75 for line in raw.split("\r\n"))  # folded at 75 octets
    lines = _unfold(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert {"VERSION:2.0", "PRODID:-//tradepolicy//law//EN"} <= set(lines)
    assert "X-WR-CALNAME:Line one\\nline two\\; a\\, b" in lines
    events, cur = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            cur = []
        elif line == "END:VEVENT":
            events.append(cur)
            cur = None
        elif cur is not None:
            cur.append(line)
    assert events
    uids = []
    for ev in events:
        names = [x.split(":", 1)[0].split(";", 1)[0] for x in ev]
        assert {"UID", "DTSTAMP", "DTSTART"} <= set(names)
        assert names.count("UID") == 1 and names.count("DTSTAMP") == 1
        stamp = next(x for x in ev if x.startswith("DTSTAMP:"))
        assert re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", stamp)
        uids.append(next(x for x in ev if x.startswith("UID:")))
    assert len(uids) == len(set(uids))
    # E15: the earliest Chapter 31 panel request, 2025-01-06 + 75 = 2025-03-22.
    assert "DTSTART;VALUE=DATE:20250322" in lines


def test_timeline_page_has_json_and_csv_twins() -> None:
    c = TestClient(create_app())
    q = {"procedure": "ad_investigation", "event": ["petition_filed=2025-01-14"], "as_of": "2025-01-14"}
    page = c.get("/law/timeline", params=q).text
    assert "/law/timeline.json?" in page and "/law/timeline.csv?" in page
    j = c.get("/law/timeline.json", params=q).json()["timeline"]
    final = next(d for d in j["deadlines"] if d["clock_id"] == "final_due")
    assert final["due_date"] == "2025-09-08"  # E9: raw Sat 2025-09-06 rolls to Mon
    csv = c.get("/law/timeline.csv", params=q).text.splitlines()
    assert csv[0].startswith("clock_id,") and csv[0].endswith(",flag")
    assert any(line.startswith("final_due,") and "2025-09-08" in line for line in csv)


def test_api_upcoming_includes_the_annual_calendar() -> None:
    c = TestClient(create_app())
    j = c.get("/api/deadlines/upcoming", params={"within_days": 366}).json()
    # Within a year of any day every annual item of fact sheet s.7.1 falls due once.
    assert {"ustr.trade_policy_agenda", "ustr.nte", "ustr.special301"} <= {a["rule_id"] for a in j["annual"]}
