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
import re

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


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Input bounds (not law): far enough for any proceeding, near enough that a clock of
# decades (the USMCA 16-year term) cannot run past ``datetime.date.max``.
_FIRST, _LAST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def parse_date(value: str | dt.date, *, field: str = "date") -> dt.date:
    """Parse an ISO date (YYYY-MM-DD, 1900..2199) or raise ``InputError`` naming the field.

    Only the extended form is accepted: ``20250101`` or ``2025-W01-1`` (which
    ``date.fromisoformat`` would take) are rejected, so what is stored is what was meant.
    """
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    expected = f"an ISO date YYYY-MM-DD between {_FIRST} and {_LAST}"
    try:
        if not _ISO_DAY.match(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise InputError(f"Malformed date {value!r}.", field=field,
                         expected=expected, example="2025-01-14") from exc
    if not _FIRST <= day <= _LAST:
        raise InputError(f"Date {text} is out of range.", field=field, expected=expected,
                         example="2025-01-14")
    return day
