"""The dashboard's derived lists are cached by the store's version: a write is seen at once.

Deriving every case is CPU work (0.8 s at 5,000 events); issue 9 measured a 4.3 s dashboard
median with 16 clients. ``upcoming_deadlines`` and ``list_cases`` now derive once per
version of the stored cases and events (counts, newest id and timestamps).
"""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from tradepolicy.services import proceedings as svc


def test_a_write_changes_the_cached_lists(fresh_db: str) -> None:
    when = dt.date(2025, 1, 20)
    svc.open_case(procedure="ad_investigation", case_id="D-1", title="Dashboard widgets")
    before = svc.upcoming_deadlines(within_days=60, as_of=when)
    assert [r for r in before if r.case_id == "D-1"] == []
    assert svc.upcoming_deadlines(within_days=60, as_of=when) == before  # cached, same answer
    svc.record_event("D-1", "petition_filed", "2025-01-14")
    after = [r.clock_id for r in svc.upcoming_deadlines(within_days=60, as_of=when) if r.case_id == "D-1"]
    assert after[:2] == ["initiation_due", "itc_prelim_due"]
    listed = {r.id: r for r in svc.list_cases("ad_investigation")}
    assert listed["D-1"].events == 1
    svc.record_event("D-1", "initiated", "2025-02-03")
    assert {r.id: r for r in svc.list_cases("ad_investigation")}["D-1"].events == 2


def test_callers_cannot_change_the_cache(fresh_db: str) -> None:
    svc.open_case(procedure="ad_investigation", case_id="D-2", title="Mutable?")
    rows = svc.list_cases()
    titles = [r.title for r in rows]
    assert "Mutable?" in titles
    with pytest.raises(ValidationError):  # the cached rows are frozen models
        rows[0].title = "changed by a caller"  # type: ignore[misc]
    rows.clear()  # the list is the caller's copy
    assert [r.title for r in svc.list_cases()] == titles


def test_another_database_is_not_served_from_the_cache(fresh_db: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    svc.open_case(procedure="ad_investigation", case_id="D-3", title="Only here")
    assert "D-3" in {r.id for r in svc.list_cases()}
    from tests.conftest import _point_at
    from tradepolicy.services.registry import init_database

    _point_at(tmp_path / "other")
    init_database()
    assert "D-3" not in {r.id for r in svc.list_cases()}
