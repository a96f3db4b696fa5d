"""Law use cases: procedures, rules, calendars and stateless timelines (no storage).

The shells (CLI ``law``, ``/api/law``, ``/law`` pages) call these; they never compute.
"""

from __future__ import annotations

import datetime as dt
from typing import get_args

from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.law.annual import annual_calendar
from tradepolicy.law.calendars import bundled_calendars, describe
from tradepolicy.law.dates import parse_date
from tradepolicy.law.procedures import bundled_procedures, get_procedure, timeline
from tradepolicy.law.rules import RuleKind, bundled_rules, get_rule, list_rules, value_of
from tradepolicy.services.law_types import (
    AnnualItem,
    BusinessDay,
    CalendarsView,
    ChamberSessions,
    ClockView,
    DeadlineView,
    EventDefView,
    ProcedureDetail,
    ProcedureSummary,
    RuleBrief,
    RuleDetail,
    RulePeriod,
    RuleRow,
    RuleUse,
    SessionPeriodView,
    StageView,
    Timeline,
    TimelineEvent,
    UpcomingAnnualItem,
)
from tradepolicy.services.typed import JSONObject

RULE_COLUMNS = ["rule_id", "title", "kind", "value", "unit", "basis", "direction", "roll",
                "calendar", "comparison", "valid_from", "valid_to", "citation", "flag", "source", "file"]
DEADLINE_COLUMNS = ["clock_id", "instance", "title", "rule_id", "trigger", "trigger_date", "projected",
                    "value", "unit", "basis", "direction", "due_date", "rolled", "tolled_days",
                    "non_business_day", "actual_date", "days_from_due", "status", "citation", "flag"]


def law_version() -> str:
    """Return the combined version of the rule files and calendars (for run manifests)."""
    return f"{bundled_rules().version}+{bundled_calendars().version}"


def list_procedures() -> list[ProcedureSummary]:
    """Return every procedure with its size."""
    return [ProcedureSummary(id=p.id, title=p.title, citation=p.citation, description=p.description,
                             stages=len(p.stages), events=len(p.events), clocks=len(p.clocks))
            for p in sorted(bundled_procedures().values(), key=lambda p: p.id)]


def _rule_brief(rule_id: str) -> RuleBrief:
    r = get_rule(rule_id)
    return RuleBrief(id=r.id, title=r.title, kind=r.kind, citation=r.citation,
                     confirmed=r.confirmed, flag="confirmed" if r.confirmed else "UNCONFIRMED")


def procedure_detail(procedure_id: str) -> ProcedureDetail:
    """Return a procedure with its stages, events and clocks, each rule cited and flagged."""
    p = get_procedure(procedure_id)
    book = bundled_rules()
    clocks = []
    for c in p.clocks:
        r = book.rules[c.rule]
        last = max(r.periods(), key=lambda x: x.start)
        clocks.append(ClockView.model_validate({
            "id": c.id, "title": c.title or r.title, "rule": _rule_brief(c.rule),
            "from": c.start, "combine": c.combine, "of": c.of, "value": last.value, "unit": r.unit,
            "basis": r.basis, "direction": r.direction, "relative": r.relative, "inverse": c.inverse,
            "roll": r.roll, "calendar": r.calendar, "satisfied_by": c.satisfied_by,
            "cancelled_by": c.cancelled_by, "only_if": c.only_if, "unless": c.unless,
            "anchor": c.anchor, "component": c.component,
        }))
    return ProcedureDetail(
        id=p.id, title=p.title, citation=p.citation, description=p.description,
        initial_stage=p.initial_stage,
        stages=[StageView(id=s.id, title=s.title, description=s.description,
                          rules=[_rule_brief(r) for r in s.rules]) for s in p.stages],
        events=[EventDefView(id=e.id, title=e.title, allowed_in=e.allowed_in, to_stage=e.to_stage,
                             requires=e.requires, repeatable=e.repeatable,
                             instance_field=e.instance_field,
                             rules=[_rule_brief(r) for r in e.rules]) for e in p.events],
        clocks=clocks,
    )


def rules(*, prefix: str | None = None, kind: str | None = None, q: str | None = None,
          confirmed: bool | None = None, on: str | None = None) -> list[RuleRow]:
    """Return rules (latest value, or the value ``on`` a date), filtered."""
    when = parse_date(on, field="on") if on else None
    kinds = get_args(RuleKind)
    if kind and kind not in kinds:
        raise InputError(f"Unknown rule kind {kind!r}.", field="kind",
                         expected="one of " + ", ".join(kinds), example="clock")
    book = bundled_rules()
    out = []
    for rv in list_rules(book):
        if prefix and not rv.rule_id.startswith(prefix):
            continue
        if kind and rv.kind != kind:
            continue
        if confirmed is not None and rv.confirmed != confirmed:
            continue
        if q and q.lower() not in f"{rv.rule_id} {rv.title} {rv.citation}".lower():
            continue
        if when is not None:
            try:
                rv = value_of(book.rules[rv.rule_id], when)
            except NotFoundError:  # not in force on that date
                continue
        out.append(RuleRow.of(rv, book.files[rv.rule_id]))
    return out


def rule_detail(rule_id: str, *, on: str | None = None) -> RuleDetail:
    """Return one rule: its value (today or ``on``), every dated period and the procedures using it."""
    r = get_rule(rule_id)
    book = bundled_rules()
    when = parse_date(on, field="on") if on else max(p.start for p in r.periods())
    rv = value_of(r, when)
    used = []
    for p in bundled_procedures().values():
        where = [s.id for s in p.stages if rule_id in s.rules] + \
                [c.id for c in p.clocks if c.rule == rule_id]
        if where:
            used.append(RuleUse.model_validate({"procedure": p.id, "in": where}))
    return RuleDetail.model_validate({
        **rv.to_dict(), "file": book.files[rule_id],
        "periods": [RulePeriod.model_validate({
            "from": p.start.isoformat(), "to": p.end.isoformat() if p.end else None,
            "value": p.value.isoformat() if isinstance(p.value, dt.date) else p.value,
            "confirmed": r.confirmed if p.confirmed is None else p.confirmed}) for p in r.periods()],
        "used_by": used})


def parse_event_spec(spec: str) -> tuple[str, dt.date, dict[str, str]]:
    """Parse ``NAME=DATE[,key=value...]`` (e.g. ``action_taken=2018-07-06,action=list1``)."""
    parts = [p.strip() for p in spec.split(",")]
    head = parts[0]
    if "=" not in head:
        raise InputError(f"Malformed event {spec!r}.", field="event",
                         expected="NAME=YYYY-MM-DD[,key=value...]",
                         example="petition_filed=2025-01-14")
    name, date = head.split("=", 1)
    payload = _pairs(parts[1:], spec, field="event", example="action_taken=2018-07-06,action=list1")
    return name.strip(), parse_date(date, field=f"event {name.strip()}"), payload


def _pairs(items: list[str], text: str, *, field: str, example: str) -> dict[str, str]:
    payload: dict[str, str] = {}
    for kv in items:
        if "=" not in kv or not kv.split("=", 1)[0].strip():
            raise InputError(f"Malformed payload item {kv!r} in {text!r}.", field=field,
                             expected="key=value pairs separated by commas", example=example)
        k, v = kv.split("=", 1)
        payload[k.strip()] = v.strip()
    return payload


def parse_payload(text: str | None) -> dict[str, str] | None:
    """Parse ``key=value[,key=value...]`` (the web form's details field); None when empty."""
    if text is None or not text.strip():
        return None
    return _pairs([p.strip() for p in text.split(",")], text, field="payload", example="action=list1")


def run_timeline(procedure_id: str, events: list[str], *, as_of: str | None = None) -> Timeline:
    """Stateless timeline: validate the events in order and return every clock they start."""
    proc = get_procedure(procedure_id)
    if not events:
        raise InputError("Give at least one event.", field="event",
                         expected="NAME=YYYY-MM-DD (repeat --event for more)",
                         example=f"{proc.events[0].id}=2025-01-14")
    parsed = [parse_event_spec(e) for e in events]
    when = parse_date(as_of, field="as_of") if as_of else None
    state = timeline(proc, parsed, as_of=when)
    return Timeline(
        procedure=proc.id, procedure_title=proc.title, as_of=state.as_of.isoformat(),
        stage=state.stage, stage_title=state.stage_title,
        events=[TimelineEvent(seq=e.seq, event=e.event, date=e.date.isoformat(), payload=_json(e.payload))
                for e in state.events],
        deadlines=[DeadlineView.of(d) for d in state.deadlines],
        allowed_events=list(state.allowed_events),
        law_version=law_version(),
    )


def _json(payload: object) -> JSONObject:
    """Return a stored or given payload as a JSON object (free-form details of an event)."""
    return dict(payload) if isinstance(payload, dict) else {}


def calendars() -> CalendarsView:
    """Return the calendars, closures, tolling periods and session-day coverage."""
    cals = bundled_calendars()
    d = describe(cals)
    return CalendarsView(
        version=d["version"], calendars=list(cals.defs.values()), closures=list(cals.closures),
        tolling=list(cals.tolling),
        sessions=[ChamberSessions(chamber=s["chamber"], title=s["title"],
                                  periods=[SessionPeriodView(**p) for p in s["periods"]])
                  for s in d["sessions"]])


def business_day(date: str, calendar: str = "commerce") -> BusinessDay:
    """Say whether ``date`` is a business day on ``calendar`` and where it rolls to."""
    d = parse_date(date)
    cals = bundled_calendars()
    reason = cals.holiday_name(d, calendar)
    rolled = cals.next_business_day(d, calendar)
    return BusinessDay(date=d.isoformat(), weekday=d.strftime("%A"), calendar=calendar,
                       business_day=reason is None, reason=reason, rolls_to=rolled.isoformat(),
                       calendar_confirmed=cals.defs[calendar].confirmed)


def annual(year: int) -> list[AnnualItem]:
    """Return the USTR annual calendar of ``year``."""
    if not 1995 <= year <= 2100:
        raise InputError(f"Year {year} out of range.", field="year", expected="1995..2100",
                         example="2026")
    return [AnnualItem.of(a) for a in annual_calendar(year)]


def upcoming_annual(*, within_days: int = 120, as_of: dt.date | None = None) -> list[UpcomingAnnualItem]:
    """Return the USTR annual-calendar deadlines due from ``as_of`` to ``as_of + within_days``.

    The annual calendar (fact sheet s.7.1, E16) is the office's own recurring work: on
    2026-11-30 the 2027 Trade Policy Agenda (March 1) is 91 days away even when no stored case
    has a pending clock. Each row keeps its flag and ``non_business_day`` (no roll, s.8.4).
    """
    when = as_of or dt.date.today()
    until = when + dt.timedelta(days=within_days)
    book = bundled_rules()
    out = []
    for year in range(when.year, until.year + 1):
        for a in annual_calendar(year):
            if book.rules[a.rule_id].direction == "not_applicable":
                continue  # a reference date (e.g. the TFA metric's 22 February), not a deadline
            if when <= a.due <= until:
                out.append(UpcomingAnnualItem.model_validate(
                    {**a.to_dict(), "year": year, "days_left": (a.due - when).days}))
    return sorted(out, key=lambda x: (x.due, x.rule_id))
