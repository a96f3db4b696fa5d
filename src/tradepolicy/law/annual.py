"""The USTR annual calendar: month-day deadlines of the year, flagged when not a business day.

Annual rules (kind ``annual``, unit ``month_day``) have no statutory roll (fact sheet s.8.4),
so a deadline on a weekend or holiday keeps its date and carries a flag::

    >>> import datetime as dt
    >>> [a.due for a in annual_calendar(2026) if a.rule_id == "ustr.trade_policy_agenda"]
    [datetime.date(2026, 3, 1)]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tradepolicy.law.calendars import Calendars, bundled_calendars
from tradepolicy.law.rules import RuleBook, bundled_rules, value_of


@dataclass(frozen=True, slots=True)
class AnnualDeadline:
    """One annual deadline in one year.

    Attributes
    ----------
    rule_id, title
        The rule and what is due.
    due
        The date in that year (no roll).
    non_business_day
        True when ``due`` is a weekend or federal holiday (flag, not moved).
    reason
        Why it is not a business day (weekday name or holiday), else None.
    citation, source, confirmed
        The law and whether the value is confirmed.
    """

    rule_id: str
    title: str
    due: dt.date
    non_business_day: bool
    reason: str | None
    citation: str
    source: str | None
    confirmed: bool

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict with the display flag."""
        out = {k: getattr(self, k) for k in self.__slots__}
        out["due"] = self.due.isoformat()
        out["flag"] = "confirmed" if self.confirmed else "UNCONFIRMED"
        return out


def annual_calendar(year: int, *, book: RuleBook | None = None,
                    cals: Calendars | None = None) -> list[AnnualDeadline]:
    """Return every annual deadline of ``year``, by date."""
    book = book or bundled_rules()
    cals = cals or bundled_calendars()
    out = []
    for rule in book.rules.values():
        if rule.kind != "annual":
            continue
        # A rule counts in ``year`` only if it is in force on its own due day of that year
        # (the TFA metric starts 2017-02-22: it has a 2017 point but none in 2016).
        due = None
        for period in rule.periods():
            month, day = (int(x) for x in str(period.value).split("-"))
            cand = dt.date(year, month, day)
            if period.start <= cand and (period.end is None or cand < period.end):  # to: exclusive
                due = cand
                break
        if due is None:
            continue
        rv = value_of(rule, due)
        cal = rv.calendar if rv.calendar != "none" else "us_federal"
        reason = cals.holiday_name(due, cal)
        out.append(AnnualDeadline(rule_id=rule.id, title=rule.title, due=due,
                                  non_business_day=reason is not None, reason=reason,
                                  citation=rv.citation, source=rv.source, confirmed=rv.confirmed))
    return sorted(out, key=lambda a: (a.due, a.rule_id))
