"""Calendar arithmetic that refuses to guess: month steps raise on an ambiguous date.

``add_months(2025-03-31, 1)`` has no answer in the law unless a rule says how to round,
so it raises ``InputError`` unless ``rounding`` is ``"end_of_month"`` or ``"next_day"``::

    >>> import datetime as dt
    >>> add_months(dt.date(2019, 1, 28), 9)
    datetime.date(2019, 10, 28)
    >>> add_months(dt.date(2025, 3, 31), 1, rounding="end_of_month")
    datetime.date(2025, 4, 30)
"""

from __future__ import annotations

import calendar
import datetime as dt

from tradepolicy.errors import InputError


def end_of_month(d: dt.date) -> dt.date:
    """Return the last day of ``d``'s month."""
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: dt.date, months: int, *, rounding: str = "error") -> dt.date:
    """Return ``d`` plus ``months`` calendar months.

    Parameters
    ----------
    d
        The start date.
    months
        Months to add (may be negative).
    rounding
        What to do when the day does not exist in the target month: ``"error"`` (raise),
        ``"end_of_month"`` (last day of the target month) or ``"next_day"`` (first day of
        the following month).
    """
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise InputError(f"Date out of range: {d} + {months} months.", field="date",
                         expected="a result between years 1 and 9999", example="2025-01-14")
    last = calendar.monthrange(year, month)[1]
    if d.day <= last:
        return dt.date(year, month, d.day)
    if rounding == "end_of_month":
        return dt.date(year, month, last)
    if rounding == "next_day":
        return dt.date(year, month, last) + dt.timedelta(days=1)
    raise InputError(
        f"Ambiguous date: {d.isoformat()} + {months} month(s) has no day {d.day} in "
        f"{year:04d}-{month:02d}.",
        field="rounding",
        expected="a rule that declares its rounding: end_of_month or next_day",
        example="rounding: end_of_month",
    )


def add_years(d: dt.date, years: int, *, rounding: str = "error") -> dt.date:
    """Return ``d`` plus ``years`` (February 29 follows ``rounding`` like ``add_months``)."""
    return add_months(d, 12 * years, rounding=rounding)


def parse_date(value: str | dt.date, *, field: str = "date") -> dt.date:
    """Parse an ISO date (YYYY-MM-DD) or raise ``InputError`` naming the field."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise InputError(f"Malformed date {value!r}.", field=field,
                         expected="an ISO date YYYY-MM-DD", example="2025-01-14") from exc
