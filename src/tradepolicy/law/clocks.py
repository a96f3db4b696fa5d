"""Clocks: turn a trigger date and a rule into a due date (count, toll, roll).

The order of operations is fixed and documented, so every step can be shown:

1. **anchor**: optionally move the trigger to the end of its month (e.g. the anniversary
   month of an AD order, 19 U.S.C. 1675(a)(3)(A));
2. **count** ``value`` units (then optionally move to the end of that month) on the rule's basis: calendar days, business days on the
   rule's calendar, session days of a House, or months/years (raising on an ambiguous day
   unless the rule declares its rounding); ``relative: before`` counts backwards;
3. **toll**: add the days of each tolling period of the rule's agencies that began while
   the clock was running (trigger < start <= due);
4. **roll**: ``next_business_day`` moves a non-business due date forward (Commerce,
   19 CFR 351.303(b)); ``flag`` and ``none`` keep the hard date and flag a non-business day.
   A "no earlier than" date is **never** rolled: the roll exists to extend a deadline that
   would end on a closed day; it never postpones the first day on which something may be
   done (DS2: the panel request of Saturday 1995-03-25, day 60 after the consultation request,
   was on time, not "2 days early").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from tradepolicy.law.calendars import Calendars
from tradepolicy.law.dates import add_months, add_years, end_of_month
from tradepolicy.law.rules import RuleValue

Anchor = Literal["none", "end_of_month"]


@dataclass(frozen=True, slots=True)
class DueDate:
    """A computed due date and how it was reached.

    Attributes
    ----------
    anchor_date
        The trigger after the anchor step.
    raw
        The date after counting (before tolling and roll).
    tolled_days
        Days added by tolling periods (0 if none applied).
    tolling_ids
        Ids of the tolling periods applied.
    due
        The final due date (after tolling and roll).
    rolled
        True when the roll moved the date.
    non_business_day
        True when ``due`` is not a business day on the rule's calendar (a flag for hard dates).
    direction
        no_later_than | no_earlier_than | on_date (after any inversion).
    """

    anchor_date: dt.date
    raw: dt.date
    tolled_days: int
    tolling_ids: tuple[str, ...]
    due: dt.date
    rolled: bool
    non_business_day: bool
    direction: str


def rolls(rv: RuleValue, direction: str) -> bool:
    """Return True when a due date in ``direction`` is rolled to the next business day.

    Only deadlines ("no later than", "on") roll; an earliest date ("no earlier than") never does.
    """
    return rv.roll == "next_business_day" and rv.calendar != "none" and direction != "no_earlier_than"


def count(start: dt.date, n: int, rv: RuleValue, cals: Calendars) -> dt.date:
    """Count ``n`` units of ``rv`` from ``start`` (negative ``n`` counts backwards)."""
    if rv.unit == "months":
        return add_months(start, n, rounding=rv.rounding)
    if rv.unit == "years":
        return add_years(start, n, rounding=rv.rounding)
    if rv.basis == "business":
        return cals.add_business_days(start, n, rv.calendar)
    if rv.basis in ("session_house", "session_senate"):
        if n < 0:
            raise ValueError("session-day clocks count forwards only")
        return cals.add_session_days(start, n, rv.basis.removeprefix("session_"))
    if rv.period_includes_trigger and n:
        n -= 1 if n > 0 else -1
    return start + dt.timedelta(days=n)


def apply_tolling(trigger: dt.date, raw: dt.date, rv: RuleValue, cals: Calendars) -> tuple[dt.date, int, tuple[str, ...]]:
    """Shift ``raw`` by every tolling period of the rule's agencies running when it began."""
    if not rv.tolling or raw < trigger:
        return raw, 0, ()
    due = raw
    total = 0
    applied = []
    for t in cals.tolling_for(rv.tolling):
        if trigger < t.start <= due:
            due += dt.timedelta(days=t.days)
            total += t.days
            applied.append(t.id)
    return due, total, tuple(applied)


def due_date(
    trigger: dt.date,
    rv: RuleValue,
    cals: Calendars,
    *,
    anchor: Anchor = "none",
    inverse: bool = False,
    finish: Anchor = "none",
) -> DueDate:
    """Compute the due date of clock ``rv`` started on ``trigger``.

    Parameters
    ----------
    trigger
        The date of the event that starts the clock.
    rv
        The rule's value on the trigger date (``rule_value(id, trigger)``).
    cals
        Calendars, closures, tolling periods and session days.
    anchor
        ``"end_of_month"`` moves the trigger to the last day of its month first.
    inverse
        Read the rule from the other end: "X at least N days before Y", started on X,
        gives the earliest Y (direction flips and the count runs the other way).
    finish
        ``"end_of_month"`` moves the counted date to the last day of its month (e.g. "by the
        end of the month following the anniversary month").
    """
    start = end_of_month(trigger) if anchor == "end_of_month" else trigger
    sign = -1 if rv.relative == "before" else 1
    direction = rv.direction
    if inverse:
        sign = -sign
        direction = {"no_later_than": "no_earlier_than",
                     "no_earlier_than": "no_later_than"}.get(direction, direction)
    raw = count(start, sign * int(rv.value), rv, cals)
    if finish == "end_of_month":
        raw = end_of_month(raw)
    tolled, tdays, tids = apply_tolling(start, raw, rv, cals)
    due = tolled
    rolled = False
    if rolls(rv, direction):
        due = cals.next_business_day(tolled, rv.calendar)
        rolled = due != tolled
    cal = rv.calendar if rv.calendar != "none" else "us_federal"
    nbd = not cals.is_business_day(due, cal)
    return DueDate(anchor_date=start, raw=raw, tolled_days=tdays, tolling_ids=tids, due=due,
                   rolled=rolled, non_business_day=nbd, direction=direction)
