"""Calendar properties (hypothesis) and month arithmetic.

Properties: a rolled deadline never lands on a non-business day; adding days is monotonic;
tolling shifts a deadline by exactly the tolled days. Examples are exact (no tolerance).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.law.calendars import TollingDef, bundled_calendars
from tradepolicy.law.clocks import due_date
from tradepolicy.law.dates import add_months, parse_date
from tradepolicy.law.rules import bundled_rules, rule_value

CALS = bundled_calendars()
DATES = st.dates(min_value=dt.date(1996, 1, 1), max_value=dt.date(2035, 12, 31))
# Every clock rule that rolls (39 today: AD/CVD and the WTO practice), read from the book so a
# new rolling rule is covered without editing this list.
ROLLING = sorted(r.id for r in bundled_rules().rules.values()
                 if r.kind == "clock" and r.roll == "next_business_day")


@settings(max_examples=300, deadline=None)
@given(trigger=DATES, rule_id=st.sampled_from(ROLLING))
def test_rolled_deadline_is_never_a_non_business_day(trigger: dt.date, rule_id: str) -> None:
    try:
        rv = rule_value(rule_id, trigger)
    except NotFoundError:  # the rule is not in force on that trigger date
        assume(False)
        return
    d = due_date(trigger, rv, CALS)
    assert CALS.is_business_day(d.due, rv.calendar)
    tolled = d.raw + dt.timedelta(days=d.tolled_days)
    assert d.due >= tolled
    # the roll moves to the *first* business day on or after the (tolled) raw date
    day = tolled
    while day < d.due:
        assert not CALS.is_business_day(day, rv.calendar)
        day += dt.timedelta(days=1)


@settings(max_examples=150, deadline=None)
@given(a=DATES, b=DATES, n=st.integers(min_value=0, max_value=400),
       cal=st.sampled_from(["us_federal", "commerce", "wto"]))
def test_adding_days_is_monotonic(a: dt.date, b: dt.date, n: int, cal: str) -> None:
    lo, hi = min(a, b), max(a, b)
    assert lo + dt.timedelta(days=n) <= hi + dt.timedelta(days=n)
    assert CALS.add_business_days(lo, n, cal) <= CALS.add_business_days(hi, n, cal)
    assert CALS.next_business_day(lo, cal) <= CALS.next_business_day(hi, cal)
    assert CALS.add_business_days(lo, n, cal) <= CALS.add_business_days(lo, n + 1, cal)


@settings(max_examples=100, deadline=None)
@given(trigger=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1)),
       start_offset=st.integers(min_value=1, max_value=105), days=st.integers(min_value=1, max_value=60))
def test_tolling_shifts_by_exactly_the_tolled_days(trigger: dt.date, start_offset: int, days: int) -> None:
    rv = rule_value("tpa.itc_report", dt.date(2018, 11, 30))  # 105 days, no roll, tolled for usitc
    rv = dataclasses.replace(rv, valid_from=None)
    start = trigger + dt.timedelta(days=start_offset)
    period = TollingDef(id="t", agencies=["usitc"], start=start, end=start + dt.timedelta(days=days - 1),
                        days=days, citation="invented", confirmed=True)
    base = dataclasses.replace(CALS, tolling=())
    tolled = dataclasses.replace(CALS, tolling=(period,))
    plain = due_date(trigger, rv, base)
    shifted = due_date(trigger, rv, tolled)
    assert (shifted.due - plain.due).days == days
    assert shifted.tolled_days == days


def test_tolling_outside_the_running_clock_does_not_apply() -> None:
    rv = rule_value("tpa.itc_report", dt.date(2018, 11, 30))
    # A trigger after the 2018-19 lapse: no tolling (2019-02-01 + 105 days).
    d = due_date(dt.date(2019, 2, 1), rv, CALS)
    assert (d.due, d.tolled_days) == (dt.date(2019, 5, 17), 0)


@pytest.mark.parametrize(("start", "months", "rounding", "expected"), [
    ("2019-01-28", 9, "error", "2019-10-28"),
    ("2025-03-31", 1, "end_of_month", "2025-04-30"),
    ("2025-03-31", 1, "next_day", "2025-05-01"),
    ("2024-02-29", 12, "end_of_month", "2025-02-28"),
    ("2025-04-17", 12, "error", "2026-04-17"),
])
def test_month_arithmetic(start: str, months: int, rounding: str, expected: str) -> None:
    assert add_months(parse_date(start), months, rounding=rounding) == parse_date(expected)


@pytest.mark.parametrize(("start", "months"), [("2025-03-31", 1), ("2024-02-29", 12), ("2025-01-30", 1)])
def test_month_arithmetic_raises_on_ambiguous_dates(start: str, months: int) -> None:
    with pytest.raises(InputError) as info:
        add_months(parse_date(start), months)
    assert info.value.field == "rounding"
    assert "end_of_month" in (info.value.expected or "")


def test_ambiguous_clock_is_reported_not_guessed() -> None:
    from tradepolicy.law.procedures import get_procedure, timeline

    # s.301 "12 months after initiation" declares no rounding: 2025-03-31 + 12 months is fine,
    # but a PFC determination 6 months after 2025-03-31 lands on a day September lacks.
    st_ = timeline(get_procedure("section301"), [("initiated", dt.date(2025, 3, 31), {}),
                                                  ("pfc_case", dt.date(2025, 3, 31), {})],
                   as_of=dt.date(2025, 4, 1))
    pfc = next(d for d in st_.deadlines if d.clock_id == "determination_due_pfc")
    assert pfc.status == "error" and "Ambiguous" in (pfc.message or "")


def test_session_days_count_only_days_in_session() -> None:
    # House session days, Jan 2020 (House Calendars, 116th Cong. 2nd sess.): after Jan 3 come 7, 8, 9, 10.
    assert CALS.add_session_days(dt.date(2020, 1, 3), 4, "house") == dt.date(2020, 1, 10)
    with pytest.raises(InputError) as info:
        CALS.add_session_days(dt.date(2019, 12, 13), 45, "house")
    assert "does not cover" in info.value.message


def test_malformed_date() -> None:
    with pytest.raises(InputError) as info:
        parse_date("2025-02-30", field="date")
    assert info.value.field == "date" and info.value.example
