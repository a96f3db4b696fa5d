"""Typed results of the law and proceedings services (the JSON users see, field for field).

Each model's fields are in the order of the former dicts, so ``model_dump(mode="json")`` is
the JSON the CLI, the API and the page twins printed before. Callers read them by attribute.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from tradepolicy.law.annual import AnnualDeadline
from tradepolicy.law.calendars import CalendarDef, ClosureDef, TollingDef
from tradepolicy.law.procedures import Deadline
from tradepolicy.law.rules import RuleValue
from tradepolicy.services.typed import JSONObject, ServiceModel

# A rule's value: a count (days, months), a share, a date (ISO or a date), or none.
RuleScalar = str | int | float | bool | dt.date | None


# ---------------------------------------------------------------- rules and procedures
class RuleBrief(ServiceModel):
    """A rule named beside a stage, event or clock, with its citation and flag."""

    id: str
    title: str
    kind: str
    citation: str
    confirmed: bool
    flag: str


class RuleRow(ServiceModel):
    """A rule's value (latest, or on a date) with how it applies, its citation and flag."""

    rule_id: str
    title: str
    kind: str
    value: RuleScalar
    unit: str
    basis: str
    direction: str
    relative: str
    roll: str
    calendar: str
    rounding: str
    comparison: str
    tolling: list[str]
    period_includes_trigger: bool
    valid_from: str | None
    valid_to: str | None
    citation: str
    source: str | None
    confirmed: bool
    note: str | None
    flag: str
    file: str

    @classmethod
    def of(cls, rv: RuleValue, file: str) -> RuleRow:
        """Build from the engine's value (the former ``{**rv.to_dict(), "file": ...}``)."""
        return cls.model_validate({**rv.to_dict(), "file": file})


class RulePeriod(ServiceModel):
    """One dated value of a rule (``to`` exclusive, None = open)."""

    from_: str = Field(alias="from")
    to: str | None
    value: RuleScalar
    confirmed: bool


class RuleUse(ServiceModel):
    """A procedure using a rule, and where (stage or clock ids)."""

    procedure: str
    in_: list[str] = Field(alias="in")


class RuleDetail(RuleRow):
    """One rule: its value, every dated period and the procedures using it."""

    periods: list[RulePeriod]
    used_by: list[RuleUse]


class ProcedureSummary(ServiceModel):
    """A procedure of the office with its size."""

    id: str
    title: str
    citation: str
    description: str
    stages: int
    events: int
    clocks: int


class StageView(ServiceModel):
    """A stage of a procedure with the rules that apply in it."""

    id: str
    title: str
    description: str | None
    rules: list[RuleBrief]


class EventDefView(ServiceModel):
    """An event a procedure allows: where, what it leads to, what it requires."""

    id: str
    title: str
    allowed_in: list[str]
    to_stage: str | None
    requires: list[str]
    repeatable: bool
    instance_field: str | None
    rules: list[RuleBrief]


class ClockView(ServiceModel):
    """A clock of a procedure: what starts it and the rule that sets its length."""

    id: str
    title: str
    rule: RuleBrief
    from_: str | None = Field(alias="from")
    combine: str | None
    of: list[str]
    value: RuleScalar
    unit: str
    basis: str
    direction: str
    relative: str
    inverse: bool
    roll: str
    calendar: str
    satisfied_by: list[str]
    cancelled_by: list[str]
    only_if: list[str]
    unless: list[str]
    anchor: str
    component: bool


class ProcedureDetail(ServiceModel):
    """A procedure with its stages, events and clocks, each rule cited and flagged."""

    id: str
    title: str
    citation: str
    description: str
    initial_stage: str
    stages: list[StageView]
    events: list[EventDefView]
    clocks: list[ClockView]


# ---------------------------------------------------------------- deadlines and timelines
class DeadlineView(ServiceModel):
    """A computed deadline beside the actual date, with its citation and flag (dates ISO)."""

    clock_id: str
    title: str
    rule_id: str
    instance: str | None
    trigger: str
    trigger_date: str | None
    projected: bool
    value: RuleScalar
    unit: str
    basis: str
    direction: str
    roll: str
    calendar: str
    raw_date: str | None
    tolled_days: int
    due_date: str | None
    rolled: bool
    non_business_day: bool
    actual_event: str | None
    actual_date: str | None
    days_from_due: int | None
    status: str
    citation: str
    source: str | None
    confirmed: bool
    message: str | None
    unconfirmed: list[str]
    flag: str
    outside: bool

    @classmethod
    def of(cls, d: Deadline) -> DeadlineView:
        """Build from the engine's deadline."""
        return cls.model_validate(d.to_dict())


class TimelineEvent(ServiceModel):
    """An event of a stateless timeline."""

    seq: int
    event: str
    date: str
    payload: JSONObject  # the event's free-form details (key=value pairs), as given


class Timeline(ServiceModel):
    """A stateless timeline: the stage the events lead to and every clock they start."""

    procedure: str
    procedure_title: str
    as_of: str
    stage: str
    stage_title: str
    events: list[TimelineEvent]
    deadlines: list[DeadlineView]
    allowed_events: list[str]
    law_version: str


# ---------------------------------------------------------------- calendars
class SessionPeriodView(ServiceModel):
    """A period of a chamber's session-day calendar and how many days it lists."""

    id: str
    covers_from: str
    covers_to: str
    days: int
    citation: str
    source: str | None
    confirmed: bool
    note: str | None


class ChamberSessions(ServiceModel):
    """A chamber of Congress and the session-day periods the calendar covers."""

    chamber: str
    title: str
    periods: list[SessionPeriodView]


class CalendarsView(ServiceModel):
    """The calendars, ad hoc closures, tolling periods and session-day coverage."""

    version: str
    calendars: list[CalendarDef]
    closures: list[ClosureDef]
    tolling: list[TollingDef]
    sessions: list[ChamberSessions]


class BusinessDay(ServiceModel):
    """Whether a date is a business day on a calendar and where a deadline on it rolls."""

    date: str
    weekday: str
    calendar: str
    business_day: bool
    reason: str | None
    rolls_to: str
    calendar_confirmed: bool


class AnnualItem(ServiceModel):
    """A deadline of the USTR annual calendar (flagged, not moved, on a non-business day)."""

    rule_id: str
    title: str
    due: str
    non_business_day: bool
    reason: str | None
    citation: str
    source: str | None
    confirmed: bool
    flag: str

    @classmethod
    def of(cls, a: AnnualDeadline) -> AnnualItem:
        """Build from the engine's annual deadline."""
        return cls.model_validate(a.to_dict())


class UpcomingAnnualItem(AnnualItem):
    """An annual-calendar deadline due soon: its year and the days left."""

    year: int
    days_left: int


# ---------------------------------------------------------------- cases (proceedings)
class CaseEventView(ServiceModel):
    """An event of a case, with its title (``corrected_by``: the seq it corrects)."""

    seq: int
    event: str
    title: str
    date: str
    payload: JSONObject  # the event's free-form details (source, action, rate changes...)
    note: str | None
    corrected_by: int | None


class CaseLogEntry(ServiceModel):
    """A row of a case's append-only event log, as stored."""

    seq: int
    event: str
    date: str
    payload: JSONObject  # as stored: free-form details of the event
    corrects: int | None
    note: str | None
    recorded_by: str | None
    recorded_at: str | None


class CaseView(ServiceModel):
    """A case: procedure, derived stage, events, the event log, deadlines, overdue items."""

    id: str
    procedure: str
    procedure_title: str
    title: str
    created_at: str | None
    created_by: str | None
    data: JSONObject  # the case's stored data (seed provenance, metadata under "meta")
    meta: JSONObject  # the validated metadata (law/case_meta.py): country, parties, product...
    planned: list[CaseEventView]
    as_of: str
    stage: str
    stage_title: str
    allowed_events: list[str]
    events: list[CaseEventView]
    log: list[CaseLogEntry]
    deadlines: list[DeadlineView]
    overdue: list[DeadlineView]
    outside: list[DeadlineView]
    unconfirmed_rules: list[str]


class RecordedEvent(ServiceModel):
    """What a write changed (``Prefer: return=minimal``): the stored event, the new stage, the next deadlines."""

    case_id: str
    event: CaseLogEntry  # the event as stored (its seq, event, date, payload, note, who and when)
    as_of: str  # the day "next" is counted from (today)
    stage: str
    stage_title: str
    next_deadlines: list[DeadlineView]  # pending, due on or after as_of, soonest first


class CaseSummary(ServiceModel):
    """A case in a list: stage, counts and the next deadline."""

    id: str
    procedure: str
    title: str
    stage: str
    stage_title: str
    events: int
    overdue: int
    outside: int
    next_deadline: str | None
    next_deadline_title: str | None
    next_deadline_flag: str | None
    created_by: str | None


class CaseRef(ServiceModel):
    """The case a deadline belongs to."""

    case_id: str
    case_title: str


class CaseDeadline(DeadlineView, CaseRef):
    """A pending or overdue deadline of a stored case (the case's id and title first)."""


class CaseRecord(ServiceModel):
    """A case row and its recorded events, for renderers such as the .ics export."""

    id: str
    title: str
    procedure: str
    recorded: list[CaseEventView]
