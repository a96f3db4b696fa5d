"""services.proceedings: the event log, derived state, bad input that changes nothing, seeds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tradepolicy.errors import ConflictError, InputError, NotFoundError, TradePolicyError
from tradepolicy.services import proceedings as svc
from tradepolicy.store.db import read_session, transaction
from tradepolicy.store.models import AuditEntry, Proceeding, ProceedingEvent


def _counts() -> tuple[int, int, int]:
    with read_session() as s:
        return (s.scalar(select(func.count()).select_from(Proceeding)) or 0,
                s.scalar(select(func.count()).select_from(ProceedingEvent)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


@pytest.fixture
def case(fresh_db: str) -> str:
    svc.open_case(procedure="ad_investigation", case_id="A-000-001", title="Test widgets")
    svc.record_event("A-000-001", "petition_filed", "2025-01-14")
    return "A-000-001"


def test_open_record_and_derive(case: str) -> None:
    c = svc.record_event(case, "initiated", "2025-02-03", note="FR notice")
    assert c.stage == "initiated"
    init = next(d for d in c.deadlines if d.clock_id == "initiation_due")
    # E9: initiation due 2025-02-03 (+20), met on the day.
    assert (init.due_date, init.status) == ("2025-02-03", "met")
    got = svc.get_case(case, as_of="2025-07-01")
    assert got.overdue, "the AD preliminary (2025-06-23) is overdue on 2025-07-01"
    assert {"itc_prelim_affirmative", "postponement_requested"} <= set(got.allowed_events)
    listed = svc.list_cases("ad_investigation")
    assert [r.id for r in listed if r.id == case] == [case]


def test_every_write_is_audited(case: str) -> None:
    with read_session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.entity.in_(["proceedings", "proceeding_events"]))
                         .where(AuditEntry.entity_id.like(f"{case}%"))).all()
    assert {r.action for r in rows} == {"insert", "event"}


def test_correction_is_a_new_event(case: str) -> None:
    svc.record_event(case, "initiated", "2025-02-03")
    c = svc.record_event(case, "initiated", "2025-02-04", corrects=2, note="date typo")
    assert [e.date for e in c.events] == ["2025-01-14", "2025-02-04"]
    assert len(c.log) == 3 and c.log[-1].corrects == 2
    init = next(d for d in c.deadlines if d.clock_id == "initiation_due")
    assert init.status == "missed" and init.days_from_due == 1


def test_event_log_is_append_only(case: str) -> None:
    with pytest.raises(Exception, match=r"(?i)append-only|not allowed|abort"), transaction() as s:
        s.execute(text("UPDATE proceeding_events SET date = '2020-01-01'"))


BAD: list[tuple[str, Callable[[], Any], type[TradePolicyError], str]] = [
    ("unknown procedure", lambda: svc.open_case(procedure="nope", case_id="X-1", title="x"),
     NotFoundError, "procedure"),
    ("unknown event", lambda: svc.record_event("A-000-001", "party_time", "2025-02-01"), InputError, "event"),
    ("event before its dependency", lambda: svc.record_event("A-000-001", "initiated", "2025-01-10"),
     ConflictError, "date"),
    ("event not allowed in stage", lambda: svc.record_event("A-000-001", "order_published", "2025-09-01"),
     ConflictError, "event"),
    ("malformed date", lambda: svc.record_event("A-000-001", "initiated", "2025-02-31"), InputError, "date"),
    ("unknown case", lambda: svc.record_event("Z-9", "initiated", "2025-02-03"), NotFoundError, "case_id"),
    ("duplicate case", lambda: svc.open_case(procedure="ad_investigation", case_id="A-000-001", title="x"),
     ConflictError, "case_id"),
    ("repeat of a one-off event", lambda: svc.record_event("A-000-001", "petition_filed", "2025-01-15"),
     ConflictError, "event"),
    ("correction of another event", lambda: svc.record_event("A-000-001", "initiated", "2025-02-03", corrects=1),
     ConflictError, "event"),
]


@pytest.mark.parametrize(("name", "call", "exc", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_changes_nothing(case: str, name: str, call: Callable[[], Any],
                                   exc: type[TradePolicyError], field: str) -> None:
    before = _counts()
    with pytest.raises(exc) as info:
        call()
    assert info.value.field == field
    assert info.value.expected and info.value.example
    assert _counts() == before, f"{name}: the store changed"


def test_not_allowed_error_names_the_allowed_events(case: str) -> None:
    with pytest.raises(ConflictError) as info:
        svc.record_event(case, "order_published", "2025-09-01")
    assert "initiated" in (info.value.expected or "")
    assert "initiated" in info.value.details["allowed"]


def test_seeded_cases_show_computed_beside_actual(fresh_db: str) -> None:
    usmca = svc.get_case("usmca-negotiation", as_of="2026-11-30")
    itc = next(d for d in usmca.deadlines if d.clock_id == "itc_report_due")
    # E1: 2019-03-15 tolled by 35 days to 2019-04-19; reported 2019-04-18 (unconfirmed date).
    assert (itc.due_date, itc.tolled_days, itc.status) == ("2019-04-19", 35, "met")
    china = svc.get_case("ustr-301-china-ip", as_of="2026-11-30")
    assert china.stage == "action"
    flagged = {(d.clock_id, d.instance) for d in china.outside}
    assert ("implementation_due", None) in flagged  # 30 days after 2018-03-22 vs List 1 on 2018-07-06
    windows = {(d.clock_id, d.instance): d.due_date for d in china.deadlines}
    assert windows[("continuation_window_opens", "list1")] == "2022-05-07"   # E4
    assert windows[("continuation_window_closes", "list2")] == "2022-08-22"  # E4
    ds = svc.get_case("ds543")
    assert ds.stage == "appeal_into_void"
    assert [d.clock_id for d in ds.outside] == ["circulation_target"]
    assert "wto.panel_circulation" not in ds.unconfirmed_rules


def test_seeding_is_idempotent(fresh_db: str) -> None:
    from tradepolicy.services.registry import init_database

    before = _counts()
    report = init_database()
    assert report.counts["proceedings"] == {"inserted": 0, "updated": 0, "unchanged": 3}
    assert _counts() == before


def test_calendar_export(fresh_db: str) -> None:
    from tradepolicy.reports.ics import case_calendar

    ics = case_calendar("ds543")
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20191028" in ics  # the 12.9 nine-month target
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    china = case_calendar("ustr-301-china-ip")
    assert "[UNCONFIRMED]" in china.replace("\r\n ", "")  # 12-month determination rule is unconfirmed


def test_upcoming_deadlines(case: str) -> None:
    import datetime as dt

    rows = svc.upcoming_deadlines(within_days=60, as_of=dt.date(2025, 1, 20))
    assert [r.clock_id for r in rows if r.case_id == case][:2] == ["initiation_due", "itc_prelim_due"]


def test_rule_file_missing_citation_rejects_and_stores_nothing(case: str, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import shutil
    from pathlib import Path

    from tradepolicy.errors import RegistryError
    from tradepolicy.law import procedures as procs
    from tradepolicy.law import rules as rules_mod
    from tradepolicy.law._yaml import data_dir

    rules_dir = tmp_path / "rules"
    shutil.copytree(data_dir("rules"), rules_dir)
    shutil.copy(Path(__file__).parent / "fixtures" / "rules_missing_citation.yaml", rules_dir / "zz_bad.yaml")
    real = rules_mod.data_dir
    monkeypatch.setattr(rules_mod, "data_dir", lambda kind: rules_dir if kind == "rules" else real(kind))
    rules_mod.bundled_rules.cache_clear()
    procs.bundled_procedures.cache_clear()
    before = _counts()
    try:
        with pytest.raises(RegistryError) as info:
            svc.record_event(case, "initiated", "2025-02-03")
        assert "zz_bad.yaml" in (info.value.where or "") and info.value.field == "citation"
        assert _counts() == before
    finally:
        monkeypatch.undo()
        rules_mod.bundled_rules.cache_clear()
        procs.bundled_procedures.cache_clear()


def test_unconfirmed_inputs_are_named(fresh_db: str) -> None:
    ds = svc.get_case("ds543")
    reply = next(d for d in ds.deadlines if d.clock_id == "reply_due")
    # Rolled Sat -> Mon under the WTO practice, which the fact sheet marks unconfirmed (s.8.3).
    assert reply.flag == "UNCONFIRMED" and "roll practice of the wto calendar" in reply.unconfirmed
    circ = next(d for d in ds.deadlines if d.clock_id == "circulation_target")
    assert circ.flag == "confirmed" and circ.unconfirmed == ["date of panel_established (2019-01-28)"]


def test_correction_cannot_move_an_event_after_its_dependents(case: str) -> None:
    # Petition 2025-01-14 (seq 1), initiation 2025-02-03 (seq 2): correcting the petition to
    # 2025-03-01 would date it after the initiation that depends on it (review finding).
    svc.record_event(case, "initiated", "2025-02-03")
    before = _counts()
    with pytest.raises(ConflictError) as info:
        svc.record_event(case, "petition_filed", "2025-03-01", corrects=1)
    assert info.value.field == "date" and "2025-02-03" in (info.value.expected or "")
    assert _counts() == before
    c = svc.record_event(case, "petition_filed", "2025-01-13", corrects=1, note="typo")
    assert [e.date for e in c.events] == ["2025-01-13", "2025-02-03"]


def test_seed_growth_is_applied_after_user_events(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A user records an event on a seeded case; later the seed file gains an event. Re-seeding
    # appends exactly the new seed event (counting rows, as before, skipped it) and nothing else.
    import datetime as dt

    from tradepolicy.law.seeds import SeedEvent, load_seeds
    from tradepolicy.services.registry import init_database

    svc.record_event("ustr-301-china-ip", "comments_closed", "2025-01-02", note="user event")
    extra = SeedEvent(event="hearing_held", date=dt.date(2025, 1, 3), source="invented for a test",
                      confirmed=False)
    grown = tuple(s.model_copy(update={"events": [*s.events, extra]}) if s.id == "ustr-301-china-ip" else s
                  for s in load_seeds())
    monkeypatch.setattr(svc, "load_seeds", lambda: grown)
    before = _counts()
    report = init_database()
    assert report.counts["proceedings"] == {"inserted": 0, "updated": 1, "unchanged": 2}
    log = svc.get_case("ustr-301-china-ip").log
    assert [(e.event, e.date) for e in log[-2:]] == [("comments_closed", "2025-01-02"),
                                                         ("hearing_held", "2025-01-03")]
    assert _counts()[1] == before[1] + 1
    assert init_database().counts["proceedings"]["unchanged"] == 3  # idempotent again
