"""iCalendar (.ics, RFC 5545) writer: a case's deadlines as all-day events.

Moved here from ``services/proceedings.py`` (a renderer belongs to the shell layer); the
service gives the case and its derived state (``proceedings.case_state``), this module writes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class IcsEvent:
    """One all-day calendar event (any workflow: a deadline, a hearing, a comment period's close)."""

    uid: str
    day: dt.date
    summary: str
    description: str = ""
    categories: str = ""


def calendar_ics(name: str, events: Iterable[IcsEvent], *, stamp: dt.datetime | None = None,
                 prodid: str = "-//tradepolicy//law//EN") -> str:
    """Return an iCalendar document (CRLF, lines folded at 75 octets) of all-day ``events``.

    >>> text = calendar_ics("Docket", [IcsEvent("c1@tradepolicy", dt.date(2026, 3, 2), "Comments due")])
    >>> "DTSTART;VALUE=DATE:20260302" in text and "SUMMARY:Comments due" in text
    True
    """
    when = (stamp or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{prodid}", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{ics_text(name)}"]
    for e in events:
        end = e.day + dt.timedelta(days=1)
        lines += ["BEGIN:VEVENT", f"UID:{ics_text(e.uid)}", f"DTSTAMP:{when}",
                  f"DTSTART;VALUE=DATE:{e.day.strftime('%Y%m%d')}",
                  f"DTEND;VALUE=DATE:{end.strftime('%Y%m%d')}",
                  f"SUMMARY:{ics_text(e.summary)}", f"DESCRIPTION:{ics_text(e.description)}"]
        if e.categories:
            lines.append(f"CATEGORIES:{e.categories}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(x) for x in lines) + "\r\n"


def deadlines_ics(case: Mapping[str, Any], deadlines: Iterable[Deadline], *,
                  stamp: dt.datetime | None = None, recorded: Iterable[Mapping[str, Any]] = ()) -> str:
    """Return ``deadlines`` of ``case`` (``{"id", "title"}``) as an iCalendar document.

    Each event's summary carries the status and, for unconfirmed rules, ``[UNCONFIRMED]``;
    the description gives the rule id, counting basis, roll and citation. Deadlines without a
    due date, components and errors are left out. ``recorded`` events (``seq``, ``event``, ``title``,
    ``date``, ``payload``, ``note``) are added as all-day events of category RECORDED (or PLANNED).
    """
    events = []
    for d in deadlines:
        if d.due_date is None or d.status in ("component", "error"):
            continue
        flag = "" if d.confirmed else " [UNCONFIRMED]"
        desc = (f"rule {d.rule_id}; {d.value} {d.unit} ({d.basis}, {d.direction}); roll {d.roll}"
                f"{' (rolled)' if d.rolled else ''}; trigger {d.trigger} {d.trigger_date}"
                f"{' (projected)' if d.projected else ''}; citation: {d.citation}")
        if d.actual_date:
            desc += f"; actual {d.actual_date.isoformat()} ({d.days_from_due or 0:+d} days)"
        if d.unconfirmed:
            desc += "; UNCONFIRMED inputs: " + "; ".join(d.unconfirmed)
        events.append(IcsEvent(uid=f"{case['id']}-{d.clock_id}-{d.instance or 'x'}@tradepolicy", day=d.due_date,
                               summary=f"{case['id']}: {d.title} ({d.status}){flag}", description=desc,
                               categories=d.status.upper()))
    for e in recorded:  # what happened (and what is planned), beside what was due
        payload = e.get("payload") or {}
        kind = "PLANNED" if payload.get("planned") else "RECORDED"
        day = dt.date.fromisoformat(str(e["date"]))
        desc = f"{kind.lower()} event #{e['seq']} {e['event']}" + (f"; note: {e['note']}" if e.get("note") else "")
        if payload.get("source"):
            desc += f"; source: {payload['source']}"
        events.append(IcsEvent(uid=f"{case['id']}-event-{e['seq']}@tradepolicy", day=day,
                               summary=f"{case['id']}: {e['title']} ({kind.lower()})", description=desc,
                               categories=kind))
    return calendar_ics(str(case["title"]), events, stamp=stamp)


def case_calendar(case_id: str, *, as_of: dt.date | None = None) -> str:
    """Return the case's deadlines and its recorded (and planned) events as an iCalendar document."""
    from tradepolicy.services.proceedings import case_state

    case, state = case_state(case_id, as_of=as_of)
    return deadlines_ics({"id": case.id, "title": case.title}, state.deadlines,
                         recorded=[e.model_dump(mode="json") for e in case.recorded])
