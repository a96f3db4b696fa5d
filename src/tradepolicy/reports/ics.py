"""iCalendar (.ics, RFC 5545) writer: a case's deadlines as all-day events.

Moved here from ``services/proceedings.py`` (a renderer belongs to the shell layer); the
service gives the case and its derived state (``proceedings.case_state``), this module writes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from tradepolicy.law.procedures import Deadline


def ics_text(value: str) -> str:
    r"""Escape a TEXT value (RFC 5545 3.3.11); any line break becomes ``\n`` (no bare CR).

    >>> ics_text("a;b,c\\d")
    'a\\;b\\,c\\\\d'
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1)."""
    out, cur = [], ""
    for ch in line:
        if len((cur + ch).encode("utf-8")) > 75:
            out.append(cur)
            cur = " " + ch
        else:
            cur += ch
    out.append(cur)
    return "\r\n".join(out)


def deadlines_ics(case: Mapping[str, Any], deadlines: Iterable[Deadline], *,
                  stamp: dt.datetime | None = None) -> str:
    """Return ``deadlines`` of ``case`` (``{"id", "title"}``) as an iCalendar document.

    Each event's summary carries the status and, for unconfirmed rules, ``[UNCONFIRMED]``;
    the description gives the rule id, counting basis, roll and citation. Deadlines without a
    due date, components and errors are left out.
    """
    when = (stamp or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tradepolicy//law//EN",
             "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{ics_text(str(case['title']))}"]
    for d in deadlines:
        if d.due_date is None or d.status in ("component", "error"):
            continue
        flag = "" if d.confirmed else " [UNCONFIRMED]"
        summary = f"{case['id']}: {d.title} ({d.status}){flag}"
        desc = (f"rule {d.rule_id}; {d.value} {d.unit} ({d.basis}, {d.direction}); roll {d.roll}"
                f"{' (rolled)' if d.rolled else ''}; trigger {d.trigger} {d.trigger_date}"
                f"{' (projected)' if d.projected else ''}; citation: {d.citation}")
        if d.actual_date:
            desc += f"; actual {d.actual_date.isoformat()} ({d.days_from_due or 0:+d} days)"
        if d.unconfirmed:
            desc += "; UNCONFIRMED inputs: " + "; ".join(d.unconfirmed)
        uid = f"{case['id']}-{d.clock_id}-{d.instance or 'x'}@tradepolicy"
        end = d.due_date + dt.timedelta(days=1)
        lines += ["BEGIN:VEVENT", f"UID:{ics_text(uid)}", f"DTSTAMP:{when}",
                  f"DTSTART;VALUE=DATE:{d.due_date.strftime('%Y%m%d')}",
                  f"DTEND;VALUE=DATE:{end.strftime('%Y%m%d')}",
                  f"SUMMARY:{ics_text(summary)}", f"DESCRIPTION:{ics_text(desc)}",
                  f"CATEGORIES:{d.status.upper()}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(x) for x in lines) + "\r\n"


def case_calendar(case_id: str, *, as_of: dt.date | None = None) -> str:
    """Return the case's deadlines as an iCalendar (.ics) document, one all-day event each."""
    from tradepolicy.services.proceedings import case_state

    case, state = case_state(case_id, as_of=as_of)
    return deadlines_ics(case, state.deadlines)
