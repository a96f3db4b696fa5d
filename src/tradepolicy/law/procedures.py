"""Procedures as data, and the proceedings engine that derives a case from its event log.

A procedure (``law/data/procedures/<id>.yaml``) lists its **stages** (each documented by at
least one rule), its **events** (the stages in which each is allowed, the stage it leads to,
the events it depends on) and its **clocks** (a rule started by an event or by another
clock, satisfied or cancelled by later events). A case is nothing but its event log:
``derive()`` replays the log and returns the stage, every deadline with its computed due
date beside the actual date, and what is overdue. ``check_event()`` validates a new event
against the log and raises an error naming the allowed events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from tradepolicy.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    RegistryError,
    TradePolicyError,
)
from tradepolicy.law._yaml import data_dir, read_mapping, validate_items
from tradepolicy.law.calendars import Calendars, bundled_calendars
from tradepolicy.law.clocks import due_date, rolls
from tradepolicy.law.rules import RuleBook, bundled_rules, value_of
from tradepolicy.yaml_registry import StrictModel as _Strict

PROC_EXAMPLE = (
    "procedure:\n"
    "  id: section301\n"
    "  title: Section 301 investigation\n"
    "  citation: 19 U.S.C. 2411-2420\n"
    "  initial_stage: petition\n"
    "  stages:\n"
    "    - {id: petition, title: Petition review, rules: [s301.initiation_decision]}\n"
    "  events:\n"
    "    - {id: petition_filed, title: Petition received, allowed_in: [petition]}\n"
    "  clocks:\n"
    "    - {id: initiation_due, rule: s301.initiation_decision, from: petition_filed, satisfied_by: [initiated]}"
)
ANY_STAGE = "*"


class StageDef(_Strict):
    """A stage of a procedure, documented by the rules that govern it."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    rules: list[str] = Field(min_length=1)
    description: str | None = None


class StageByDate(_Strict):
    """Enter ``stage`` instead when the event is dated on or after the date rule ``rule``."""

    rule: str
    stage: str


class EventDef(_Strict):
    """An event of a procedure: where it is allowed, where it leads, what it depends on."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    allowed_in: list[str] = Field(min_length=1)
    to_stage: str | None = None
    stage_on_or_after: StageByDate | None = None
    requires: list[str] = Field(default_factory=list)
    repeatable: bool = False
    instance_field: str | None = None
    rules: list[str] = Field(default_factory=list)


class ExtendBy(_Strict):
    """Extend a clock by the days between two recorded events, when ``only_if`` is recorded.

    E.g. 19 U.S.C. 2413(b)(1): a delayed consultation request extends the s.304 deadlines by
    the days of the delay (from ``initiated`` to ``consultations_requested``).
    """

    start: str = Field(alias="from")
    to: str
    only_if: str | None = None


class ClockDef(_Strict):
    """A clock: ``rule`` counted from event or clock ``from``, or a later/earlier-of composite."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    rule: str
    title: str | None = None
    start: str | None = Field(default=None, alias="from")
    combine: Literal["later_of", "earlier_of"] | None = None
    of: list[str] = Field(default_factory=list)
    satisfied_by: list[str] = Field(default_factory=list)
    cancelled_by: list[str] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    only_if: list[str] = Field(default_factory=list)
    lapses_on: list[str] = Field(default_factory=list)
    anchor: Literal["none", "end_of_month"] = "none"
    finish: Literal["none", "end_of_month"] = "none"
    inverse: bool = False
    component: bool = False
    moot_on_or_after: str | None = None
    extended_by: ExtendBy | None = None

    @model_validator(mode="after")
    def _shape(self) -> ClockDef:
        if (self.start is None) == (self.combine is None):
            raise ValueError("give either 'from' (an event or clock) or 'combine' with 'of'")
        if self.combine and len(self.of) < 2:
            raise ValueError("'combine' needs at least two clocks in 'of'")
        return self


class Procedure(_Strict):
    """A procedure of the office, as data."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    citation: str = Field(min_length=3)
    description: str
    initial_stage: str
    stages: list[StageDef] = Field(min_length=1)
    events: list[EventDef] = Field(min_length=1)
    clocks: list[ClockDef] = Field(default_factory=list)
    _events: dict[str, EventDef] = PrivateAttr(default_factory=dict)
    _clocks: dict[str, ClockDef] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        """Index events and clocks by id."""
        self._events = {e.id: e for e in self.events}
        self._clocks = {c.id: c for c in self.clocks}

    # The indexes are read straight from ``__pydantic_private__``: ``self._events`` goes through
    # BaseModel.__getattr__ (~3 us a lookup), and deriving a case looks events up hundreds of times.
    def clock(self, clock_id: str) -> ClockDef | None:
        """Return the clock ``clock_id`` (None if there is none)."""
        clocks: dict[str, ClockDef] = self.__pydantic_private__["_clocks"]  # type: ignore[index]
        return clocks.get(clock_id)

    def stage(self, stage_id: str) -> StageDef:
        """Return the stage ``stage_id``."""
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise NotFoundError(f"Unknown stage {stage_id!r} in {self.id}.", field="stage")

    def event(self, event_id: str) -> EventDef:
        """Return the event ``event_id`` or raise ``InputError`` listing the known events."""
        events: dict[str, EventDef] = self.__pydantic_private__["_events"]  # type: ignore[index]
        found = events.get(event_id)
        if found is not None:
            return found
        raise InputError(
            f"Unknown event {event_id!r} for procedure {self.id!r}.", field="event",
            expected="one of " + ", ".join(e.id for e in self.events),
            example=self.events[0].id,
        )


# --------------------------------------------------------------------------- loading

def _check_refs(proc: Procedure, path: Path, book: RuleBook) -> None:
    """Check every cross-reference of a procedure; raise a RegistryError naming the key."""
    stages = {s.id for s in proc.stages}
    events = {e.id for e in proc.events}
    clocks = {c.id for c in proc.clocks}

    def fail(msg: str, key: str, expected: str) -> None:
        raise RegistryError(msg, where=f"{path}: procedure {proc.id}", field=key,
                            expected=expected, example=PROC_EXAMPLE)

    if proc.initial_stage not in stages:
        fail(f"initial_stage {proc.initial_stage!r} is not a stage.", "initial_stage",
             "one of " + ", ".join(sorted(stages)))
    for i, s in enumerate(proc.stages):
        for r in s.rules:
            if r not in book.rules:
                fail(f"Stage {s.id!r} cites unknown rule {r!r}.", f"stages[{i}].rules",
                     "rule ids defined in law/data/rules/*.yaml")
    for i, e in enumerate(proc.events):
        for st in [*e.allowed_in, *([e.to_stage] if e.to_stage else [])]:
            if st != ANY_STAGE and st not in stages:
                fail(f"Event {e.id!r} names unknown stage {st!r}.", f"events[{i}]",
                     "one of " + ", ".join(sorted(stages)))
        for dep in e.requires:
            if dep not in events:
                fail(f"Event {e.id!r} requires unknown event {dep!r}.", f"events[{i}].requires",
                     "event ids of this procedure")
        for r in e.rules:
            if r not in book.rules:
                fail(f"Event {e.id!r} cites unknown rule {r!r}.", f"events[{i}].rules",
                     "rule ids defined in law/data/rules/*.yaml")
        if e.stage_on_or_after is not None:
            if e.stage_on_or_after.rule not in book.rules:
                fail(f"Event {e.id!r} names unknown rule {e.stage_on_or_after.rule!r}.",
                     f"events[{i}].stage_on_or_after", "a rule of kind 'date'")
            if e.stage_on_or_after.stage not in stages:
                fail(f"Event {e.id!r} names unknown stage {e.stage_on_or_after.stage!r}.",
                     f"events[{i}].stage_on_or_after", "a stage id")
    for i, c in enumerate(proc.clocks):
        if c.rule not in book.rules:
            fail(f"Clock {c.id!r} uses unknown rule {c.rule!r}.", f"clocks[{i}].rule",
                 "rule ids defined in law/data/rules/*.yaml")
        rk = book.rules[c.rule].kind
        if c.start is not None and rk != "clock":
            fail(f"Clock {c.id!r} uses rule {c.rule!r} of kind {rk!r}.", f"clocks[{i}].rule",
                 "a rule of kind 'clock'")
        if c.start is not None and c.start not in events | clocks:
            fail(f"Clock {c.id!r} starts from unknown {c.start!r}.", f"clocks[{i}].from",
                 "an event or clock id of this procedure")
        ext = c.extended_by
        ext_refs = [ext.start, ext.to, *([ext.only_if] if ext.only_if else [])] if ext else []
        for ref in [*c.satisfied_by, *c.cancelled_by, *c.unless, *c.only_if, *c.lapses_on, *ext_refs]:
            if ref not in events:
                fail(f"Clock {c.id!r} names unknown event {ref!r}.", f"clocks[{i}]",
                     "event ids of this procedure")
        for ref in c.of:
            if ref not in clocks:
                fail(f"Clock {c.id!r} combines unknown clock {ref!r}.", f"clocks[{i}].of",
                     "clock ids of this procedure")
        if c.moot_on_or_after and c.moot_on_or_after not in book.rules:
            fail(f"Clock {c.id!r} names unknown rule {c.moot_on_or_after!r}.",
                 f"clocks[{i}].moot_on_or_after", "a rule of kind 'date'")


def load_procedure_file(path: Path | str, book: RuleBook | None = None) -> Procedure:
    """Load and validate one procedure file against the rule book."""
    p = Path(path)
    raw = read_mapping(p, top_key="procedure", example=PROC_EXAMPLE)
    (proc,) = validate_items(Procedure, [raw["procedure"]], path=p, top_key="procedure",
                             example=PROC_EXAMPLE)
    _check_refs(proc, p, book or bundled_rules())
    return proc


def load_procedures(paths: list[Path] | None = None, book: RuleBook | None = None) -> dict[str, Procedure]:
    """Load every procedure file (the bundled ones by default), keyed by id."""
    files = paths if paths is not None else sorted(data_dir("procedures").glob("*.yaml"))
    out: dict[str, Procedure] = {}
    for f in files:
        proc = load_procedure_file(f, book)
        if proc.id in out:
            raise RegistryError(f"Duplicate procedure id {proc.id!r}.", where=str(f), field="id",
                                expected="one file per procedure id", example=PROC_EXAMPLE)
        out[proc.id] = proc
    return out


@lru_cache(maxsize=1)
def bundled_procedures() -> dict[str, Procedure]:
    """Return the bundled procedures (loaded once)."""
    return load_procedures()


def get_procedure(procedure_id: str) -> Procedure:
    """Return a bundled procedure or raise ``NotFoundError`` listing the known ids."""
    procs = bundled_procedures()
    if procedure_id not in procs:
        raise NotFoundError(f"Unknown procedure {procedure_id!r}.", field="procedure",
                            expected="one of " + ", ".join(sorted(procs)), example="section301")
    return procs[procedure_id]


# --------------------------------------------------------------------------- the event log

@dataclass(frozen=True, slots=True)
class EventRecord:
    """One entry of a case's event log (``corrects`` names the seq it corrects)."""

    seq: int
    event: str
    date: dt.date
    payload: dict[str, Any] = field(default_factory=dict)
    corrects: int | None = None
    note: str | None = None


def effective_events(records: list[EventRecord]) -> list[EventRecord]:
    """Apply corrections: a correcting event replaces the one it corrects, in place.

    A correction may itself be corrected; the latest one wins. The effective record keeps
    the original ``seq`` and names the correcting seq in ``corrects``.
    """
    ordered = sorted(records, key=lambda r: r.seq)
    parent = {r.seq: r.corrects for r in ordered}

    def root(seq: int) -> int:
        seen = set()
        while parent.get(seq) is not None and seq not in seen:
            seen.add(seq)
            seq = parent[seq]  # type: ignore[assignment]
        return seq

    out: dict[int, EventRecord] = {}
    for r in ordered:
        if r.corrects is None:
            out[r.seq] = r
            continue
        base = root(r.seq)
        if base in out:
            out[base] = EventRecord(seq=base, event=r.event, date=r.date, payload=r.payload,
                                    corrects=r.seq, note=r.note)
    return [out[k] for k in sorted(out)]


def _instance(proc: Procedure, rec: EventRecord) -> str | None:
    ev = proc.event(rec.event)
    if ev.instance_field is None:
        return None
    return str(rec.payload.get(ev.instance_field, ""))


def _date_limit(book: RuleBook, rule_id: str, on: dt.date) -> dt.date | None:
    """Return the date rule ``rule_id`` sets on ``on``, or None where it does not hold."""
    try:
        limit = value_of(book.rules[rule_id], on).value
    except NotFoundError:  # e.g. a date before the rule's first period: no such limit yet
        return None
    return limit if isinstance(limit, dt.date) else None


def current_stage(proc: Procedure, events: list[EventRecord], book: RuleBook | None = None) -> str:
    """Return the stage reached after replaying ``events`` (effective, in seq order)."""
    book = book or bundled_rules()
    stage = proc.initial_stage
    for rec in events:
        ev = proc.event(rec.event)
        if ev.to_stage:
            stage = ev.to_stage
        if ev.stage_on_or_after is not None:
            limit = _date_limit(book, ev.stage_on_or_after.rule, rec.date)
            if limit is not None and rec.date >= limit:
                stage = ev.stage_on_or_after.stage
    return stage


def allowed_events(proc: Procedure, events: list[EventRecord], stage: str | None = None) -> list[str]:
    """Return the events that may be recorded next (in the current stage, not exhausted)."""
    stage = stage or current_stage(proc, events)
    seen = {r.event for r in events}
    out = []
    for e in proc.events:
        if ANY_STAGE not in e.allowed_in and stage not in e.allowed_in:
            continue
        if e.id in seen and not e.repeatable:
            continue
        if any(dep not in seen for dep in e.requires):
            continue
        out.append(e.id)
    return out


def check_event(
    proc: Procedure,
    records: list[EventRecord],
    event: str,
    date: dt.date,
    *,
    payload: dict[str, Any] | None = None,
    corrects: int | None = None,
) -> None:
    """Validate a new event against the log; raise an error that says what is allowed.

    Raises
    ------
    InputError
        Unknown event.
    ConflictError
        Not allowed in the current stage, already recorded, dated before an event it depends
        on, or a correction of an unknown or different event.
    """
    ev = proc.event(event)
    payload = payload or {}
    effective = effective_events(records)
    if corrects is not None:
        root = corrects
        by_seq = {r.seq: r for r in records}
        while root in by_seq and by_seq[root].corrects is not None:
            root = by_seq[root].corrects  # type: ignore[assignment]
        target = next((r for r in effective if r.seq == root), None)
        if target is None:
            raise ConflictError(f"No event with seq {corrects} to correct.", field="corrects",
                                expected="the seq of an event of this case",
                                example=str(effective[0].seq) if effective else "1")
        if target.event != event:
            raise ConflictError(
                f"Seq {corrects} is {target.event!r}, not {event!r}; a correction keeps the event name.",
                field="event", expected=target.event, example=target.event)
        others = [r for r in effective if r.seq != target.seq]
        _check_dependencies(proc, ev, others, date, payload)
        # The corrected date must also stay on or before every recorded event that depends on it.
        fixed = [*others, replace(target, date=date, payload=payload or target.payload)]
        for r in others:
            if event not in proc.event(r.event).requires:
                continue
            try:
                _check_dependencies(proc, proc.event(r.event), fixed, r.date, r.payload)
            except ConflictError:
                raise ConflictError(
                    f"Correcting {event!r} to {date.isoformat()} would put it after {r.event!r} "
                    f"(seq {r.seq}, {r.date.isoformat()}), which depends on it.",
                    field="date", expected=f"a date on or before {r.date.isoformat()}, or correct "
                    f"{r.event!r} first", example=r.date.isoformat()) from None
        return
    stage = current_stage(proc, effective)
    allowed = allowed_events(proc, effective, stage)
    if ANY_STAGE not in ev.allowed_in and stage not in ev.allowed_in:
        raise ConflictError(
            f"Event {event!r} is not allowed in stage {stage!r} of {proc.id}.", field="event",
            expected="one of " + (", ".join(allowed) or "(none: the case is closed)"),
            example=allowed[0] if allowed else event,
            details={"stage": stage, "allowed": allowed, "allowed_in": ev.allowed_in},
        )
    if not ev.repeatable and any(r.event == event for r in effective):
        raise ConflictError(
            f"Event {event!r} is already recorded; record a correction instead.", field="event",
            expected="--corrects SEQ to correct it, or one of " + (", ".join(allowed) or "(none)"),
            example=allowed[0] if allowed else event,
        )
    if ev.instance_field and not payload.get(ev.instance_field):
        raise InputError(f"Event {event!r} needs payload field {ev.instance_field!r}.",
                         field=f"payload.{ev.instance_field}", expected="a short key naming the instance",
                         example=f'{{"{ev.instance_field}": "list1"}}')
    _check_dependencies(proc, ev, effective, date, payload)


def _check_dependencies(proc: Procedure, ev: EventDef, effective: list[EventRecord], date: dt.date,
                        payload: dict[str, Any]) -> None:
    for dep in ev.requires:
        dep_def = proc.event(dep)
        cands = [r for r in effective if r.event == dep]
        if dep_def.instance_field and ev.instance_field == dep_def.instance_field:
            cands = [r for r in cands if str(r.payload.get(dep_def.instance_field, "")) ==
                     str(payload.get(ev.instance_field, ""))]
        if not cands:
            raise ConflictError(f"Event {ev.id!r} depends on {dep!r}, which is not recorded.",
                                field="event", expected=f"record {dep!r} first", example=dep)
        first = min(r.date for r in cands)
        if date < first:
            raise ConflictError(
                f"Event {ev.id!r} dated {date.isoformat()} is before {dep!r} "
                f"({first.isoformat()}), on which it depends.",
                field="date", expected=f"a date on or after {first.isoformat()}",
                example=first.isoformat(),
            )


# --------------------------------------------------------------------------- deadlines

Status = Literal["pending", "overdue", "met", "missed", "early", "cancelled", "moot", "info",
                 "component", "not_recorded", "error"]


@dataclass(frozen=True, slots=True)
class Deadline:
    """A clock of a case: computed due date beside the actual date, with its law.

    Attributes
    ----------
    clock_id, title, rule_id, instance
        The procedure's clock, its rule and (for repeated events) the instance key.
    trigger, trigger_date, projected
        What started the clock and when; ``projected`` when the trigger has not happened
        and its own projected due date was used.
    value, unit, basis, direction, roll, calendar
        The rule as applied (``direction`` after any inversion).
    raw_date, tolled_days, due_date, rolled, non_business_day
        The count, tolling and roll (see ``clocks.due_date``).
    actual_event, actual_date, days_from_due
        The satisfying event, its date and ``actual - due`` in calendar days.
    status
        pending | overdue | met | missed | early | cancelled | moot | info | component |
        not_recorded (the case moved on without the event being recorded) | error.
    citation, source, confirmed
        The rule's citation and whether the law applied is confirmed: the rule's value, the
        roll practice of its calendar (when it rolled) and every tolling period applied.
    message
        Why a clock could not be computed, or a note.
    unconfirmed
        Each unconfirmed input, named: the rule, a roll practice, a tolling period, or a
        trigger / actual date that the seed marks unconfirmed. Show it wherever used.
    """

    clock_id: str
    title: str
    rule_id: str
    instance: str | None
    trigger: str
    trigger_date: dt.date | None
    projected: bool
    value: Any
    unit: str
    basis: str
    direction: str
    roll: str
    calendar: str
    raw_date: dt.date | None
    tolled_days: int
    due_date: dt.date | None
    rolled: bool
    non_business_day: bool
    actual_event: str | None
    actual_date: dt.date | None
    days_from_due: int | None
    status: str
    citation: str
    source: str | None
    confirmed: bool
    message: str | None = None
    unconfirmed: tuple[str, ...] = ()

    @property
    def outside(self) -> bool:
        """True when the actual date fell outside the computed one (missed or early)."""
        return self.status in ("missed", "early")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (dates as ISO strings, plus the display flag)."""
        out: dict[str, Any] = {}
        for k in self.__slots__:
            v = getattr(self, k)
            out[k] = v.isoformat() if isinstance(v, dt.date) else v
        out["unconfirmed"] = list(self.unconfirmed)
        out["flag"] = "confirmed" if self.confirmed else "UNCONFIRMED"
        out["outside"] = self.outside
        return out


@dataclass(frozen=True, slots=True)
class CaseState:
    """A case's state derived from its log: stage, deadlines, overdue, what may come next."""

    procedure: str
    stage: str
    stage_title: str
    events: tuple[EventRecord, ...]
    deadlines: tuple[Deadline, ...]
    allowed_events: tuple[str, ...]
    as_of: dt.date

    @property
    def overdue(self) -> tuple[Deadline, ...]:
        """Deadlines that have passed with no satisfying event."""
        return tuple(d for d in self.deadlines if d.status == "overdue")

    @property
    def outside(self) -> tuple[Deadline, ...]:
        """Deadlines whose actual date fell outside the computed one."""
        return tuple(d for d in self.deadlines if d.outside)

    def upcoming(self, within_days: int | None = None) -> tuple[Deadline, ...]:
        """Pending deadlines on or after ``as_of`` (within ``within_days`` if given), by date."""
        out = [d for d in self.deadlines if d.status == "pending" and d.due_date is not None
               and d.due_date >= self.as_of
               and (within_days is None or (d.due_date - self.as_of).days <= within_days)]
        return tuple(sorted(out, key=lambda d: d.due_date or dt.date.max))


@dataclass
class _Ctx:
    proc: Procedure
    events: list[EventRecord]
    book: RuleBook
    cals: Calendars
    as_of: dt.date
    memo: dict[tuple[str, str | None], list[Deadline]] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)
    by_event: dict[str, list[EventRecord]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The records of each event, in log order: clocks ask for them many times a derivation.
        for r in self.events:
            self.by_event.setdefault(r.event, []).append(r)


def _occurrences(ctx: _Ctx, event_id: str, instance: str | None = None) -> list[EventRecord]:
    ev = ctx.proc.event(event_id)
    out = ctx.by_event.get(event_id, [])
    if instance is not None and ev.instance_field is not None:
        out = [r for r in out if str(r.payload.get(ev.instance_field, "")) == instance]
    return out


def _clock(ctx: _Ctx, clock_id: str) -> ClockDef:
    c = ctx.proc.clock(clock_id)
    assert c is not None
    return c


def _triggers(ctx: _Ctx, c: ClockDef) -> list[tuple[dt.date, str | None, bool, str]]:
    """Return (date, instance, projected, trigger name) for each start of clock ``c``."""
    assert c.start is not None
    if ctx.proc.clock(c.start) is not None:
        return [(d.due_date, d.instance, d.projected, c.start)
                for d in _compute(ctx, _clock(ctx, c.start)) if d.due_date is not None
                and d.status != "error"]
    ev = ctx.proc.event(c.start)
    occ = _occurrences(ctx, c.start)
    if occ:
        if ev.instance_field:
            return [(r.date, str(r.payload.get(ev.instance_field, "")), False, c.start) for r in occ]
        pick = occ[-1] if ev.repeatable else occ[0]
        return [(pick.date, None, False, c.start)]
    if ev.instance_field:
        return []
    # Not yet happened: project it from the first live clock it would satisfy.
    for other in ctx.proc.clocks:
        if (c.start not in other.satisfied_by or other.component or other.id == c.id
                or other.id in ctx.active or not _is_forward(ctx, other)):
            continue
        for d in _compute(ctx, other):
            if d.due_date is not None and d.status in ("pending", "overdue", "info"):
                return [(d.due_date, None, True, c.start)]
    return []


def _is_forward(ctx: _Ctx, c: ClockDef) -> bool:
    """Return True when the clock counts forward from its trigger (usable for projection)."""
    if c.combine:
        return True
    return (ctx.book.rules[c.rule].relative == "after") != c.inverse


def _compute(ctx: _Ctx, c: ClockDef) -> list[Deadline]:
    """Compute every deadline of clock ``c`` (one per trigger instance); memoised."""
    key = (c.id, None)
    if key in ctx.memo:
        return ctx.memo[key]
    if c.id in ctx.active:
        raise RegistryError(f"Clock {c.id!r} depends on itself.", where=f"procedure {ctx.proc.id}",
                            field="clocks", expected="clocks that form no cycle", example=PROC_EXAMPLE)
    ctx.active.add(c.id)
    try:
        out = _compute_combined(ctx, c) if c.combine else _compute_simple(ctx, c)
    finally:
        ctx.active.discard(c.id)
    ctx.memo[key] = out
    return out


def _status(ctx: _Ctx, c: ClockDef, due: dt.date, direction: str, instance: str | None,
            trigger_date: dt.date, forward: bool = True, projected: bool = True,
            ) -> tuple[str, str | None, dt.date | None, int | None]:
    for ev in c.cancelled_by + c.unless:
        if _occurrences(ctx, ev, instance):
            return "cancelled", ev, None, None
    if c.component:
        return "component", None, None, None
    if not c.satisfied_by:
        return "info", None, None, None
    sats = [r for ev in c.satisfied_by for r in _occurrences(ctx, ev, instance)]
    if forward:
        sats = [r for r in sats if r.date >= trigger_date]
    if sats:
        hit = min(sats, key=lambda r: r.date)
        diff = (hit.date - due).days
        if direction == "no_later_than":
            st = "met" if diff <= 0 else "missed"
        elif direction == "no_earlier_than":
            st = "met" if diff >= 0 else "early"
        else:
            st = "met" if diff == 0 else "missed"
        return st, hit.event, hit.date, diff
    for ev in c.lapses_on:
        if _occurrences(ctx, ev, instance):
            return "not_recorded", ev, None, None
    if not forward and not projected:
        # "X at least N days before Y" and Y has happened: X should be in the log already.
        return "not_recorded", None, None, None
    if direction == "no_later_than" and ctx.as_of > due:
        return "overdue", None, None, None
    return "pending", None, None, None


def _compute_simple(ctx: _Ctx, c: ClockDef) -> list[Deadline]:
    rule = ctx.book.rules[c.rule]
    if any(not _occurrences(ctx, ev) for ev in c.only_if):
        return []
    forward = (rule.relative == "after") != c.inverse
    out = []
    for trig_date, instance, projected, trig_name in _triggers(ctx, c):
        base: dict[str, Any] = dict(
            clock_id=c.id, title=c.title or rule.title, rule_id=rule.id, instance=instance,
            trigger=trig_name, trigger_date=trig_date, projected=projected,
            citation=rule.citation, source=rule.source,
            confirmed=rule.confirmed and all(ctx.book.rules[d].confirmed for d in rule.rests_on))
        try:
            rv = value_of(rule, trig_date)
            dd = due_date(trig_date, rv, ctx.cals, anchor=c.anchor, inverse=c.inverse,
                          finish=c.finish)
        except TradePolicyError as exc:
            err_status: Status = "error"
            err_message = exc.message
            gate = c.moot_on_or_after
            limit = _date_limit(ctx.book, gate, trig_date) if gate else None
            if gate and limit is not None and trig_date >= limit:  # the clock does not run at all
                err_status = "moot"
                err_message = f"moot: {ctx.book.rules[gate].title} ({limit.isoformat()})"
            out.append(Deadline(**base, value=None, unit=rule.unit, basis=rule.basis,
                                direction=rule.direction, roll=rule.roll, calendar=rule.calendar,
                                raw_date=None, tolled_days=0, due_date=None, rolled=False,
                                non_business_day=False, actual_event=None, actual_date=None,
                                days_from_due=None, status=err_status, message=err_message))
            continue
        extension = _extension_days(ctx, c)
        if extension:  # shift the counted date, then re-apply the roll and the flag
            raw = dd.raw + dt.timedelta(days=extension)
            before_roll = raw + dt.timedelta(days=dd.tolled_days)
            due = before_roll
            if rolls(rv, dd.direction):
                due = ctx.cals.next_business_day(before_roll, rv.calendar)
            cal = rv.calendar if rv.calendar != "none" else "us_federal"
            dd = replace(dd, raw=raw, due=due, rolled=due != before_roll,
                         non_business_day=not ctx.cals.is_business_day(due, cal))
        status, act_ev, act_date, diff = _status(ctx, c, dd.due, dd.direction, instance, trig_date,
                                                 forward, projected)
        message = None
        if extension:
            message = f"extended {extension} days ({c.extended_by.start} to {c.extended_by.to})"  # type: ignore[union-attr]
        if c.moot_on_or_after:
            limit = _date_limit(ctx.book, c.moot_on_or_after, trig_date)
            if limit is not None and trig_date >= limit and status in (
                    "pending", "overdue", "missed", "not_recorded"):
                status = "moot"
                message = f"moot: {ctx.book.rules[c.moot_on_or_after].title} ({limit.isoformat()})"
        if dd.tolled_days:
            message = f"tolled {dd.tolled_days} days ({', '.join(dd.tolling_ids)})"
        if projected and status == "overdue":
            status = "pending"
        notes = _unconfirmed_inputs(ctx, rv.confirmed, rule.id, rv.calendar if dd.rolled else None,
                                    dd.tolling_ids, trig_name, trig_date, act_ev, act_date)
        base["confirmed"] = not any(n.startswith(("rule", "roll", "tolling")) for n in notes)
        out.append(Deadline(**base, unconfirmed=notes, value=rv.value, unit=rv.unit, basis=rv.basis,
                            direction=dd.direction, roll=rv.roll, calendar=rv.calendar,
                            raw_date=dd.raw, tolled_days=dd.tolled_days, due_date=dd.due,
                            rolled=dd.rolled, non_business_day=dd.non_business_day,
                            actual_event=act_ev, actual_date=act_date, days_from_due=diff,
                            status=status, message=message))
    return out


def _extension_days(ctx: _Ctx, c: ClockDef) -> int:
    """Days a clock is extended by (``extended_by``), 0 when its events are not recorded."""
    ext = c.extended_by
    if ext is None or (ext.only_if and not _occurrences(ctx, ext.only_if)):
        return 0
    a, b = _occurrences(ctx, ext.start), _occurrences(ctx, ext.to)
    if not a or not b:
        return 0
    return max(0, (b[0].date - a[0].date).days)


def _unconfirmed_inputs(ctx: _Ctx, rule_confirmed: bool, rule_id: str, rolled_on: str | None,
                        tolling_ids: tuple[str, ...], trigger: str, trigger_date: dt.date,
                        actual_event: str | None, actual_date: dt.date | None) -> tuple[str, ...]:
    """Name every unconfirmed input of a deadline."""
    out = []
    if not rule_confirmed:
        out.append(f"rule {rule_id}")
    for dep in ctx.book.rules[rule_id].rests_on:
        if not ctx.book.rules[dep].confirmed:
            out.append(f"rule {dep} (counting basis)")
    if rolled_on and not ctx.cals.defs[rolled_on].confirmed:
        out.append(f"roll practice of the {rolled_on} calendar")
    for t in ctx.cals.tolling:
        if t.id in tolling_ids and not t.confirmed:
            out.append(f"tolling {t.id}")
    for name, when in ((trigger, trigger_date), (actual_event, actual_date)):
        if name and when and any(r.event == name and r.date == when and r.payload.get("confirmed") is False
                                 for r in ctx.events):
            out.append(f"date of {name} ({when.isoformat()})")
    return tuple(out)


def _compute_combined(ctx: _Ctx, c: ClockDef) -> list[Deadline]:
    rule = ctx.book.rules[c.rule]
    parts = [d for ref in c.of for d in _compute(ctx, _clock(ctx, ref))
             if d.due_date is not None and d.status not in ("cancelled", "error", "moot")]
    if not parts or any(not _occurrences(ctx, ev) for ev in c.only_if):
        return []
    pick = max if c.combine == "later_of" else min
    chosen = pick(parts, key=lambda d: d.due_date or dt.date.min)
    assert chosen.due_date is not None
    status, act_ev, act_date, diff = _status(ctx, c, chosen.due_date, chosen.direction, None,
                                             chosen.trigger_date or chosen.due_date)
    if any(p.projected for p in parts) and status == "overdue":
        status = "pending"
    confirmed = rule.confirmed and all(p.confirmed for p in parts)
    notes = tuple(dict.fromkeys(n for p in parts for n in p.unconfirmed))
    if not rule.confirmed:
        notes = (f"rule {rule.id}", *notes)
    return [Deadline(unconfirmed=notes,
        clock_id=c.id, title=c.title or rule.title, rule_id=rule.id, instance=None,
        trigger=f"{c.combine}({', '.join(c.of)})", trigger_date=chosen.trigger_date,
        projected=any(p.projected for p in parts), value=chosen.value, unit=chosen.unit,
        basis=chosen.basis, direction=chosen.direction, roll=chosen.roll, calendar=chosen.calendar,
        raw_date=chosen.raw_date, tolled_days=chosen.tolled_days, due_date=chosen.due_date,
        rolled=chosen.rolled, non_business_day=chosen.non_business_day, actual_event=act_ev,
        actual_date=act_date, days_from_due=diff, status=status,
        citation=rule.citation + " (via " + chosen.rule_id + ")", source=rule.source,
        confirmed=confirmed, message=f"{(c.combine or '').replace('_', ' ')}: {chosen.clock_id}",
    )]


def compute_deadlines(proc: Procedure, events: list[EventRecord], *, as_of: dt.date,
                      book: RuleBook | None = None, cals: Calendars | None = None) -> list[Deadline]:
    """Return every computable deadline of the case, in procedure order."""
    ctx = _Ctx(proc=proc, events=events, book=book or bundled_rules(),
               cals=cals or bundled_calendars(), as_of=as_of)
    out: list[Deadline] = []
    for c in proc.clocks:
        out.extend(_compute(ctx, c))
    return out


def derive(proc: Procedure, records: list[EventRecord], *, as_of: dt.date | None = None,
           book: RuleBook | None = None, cals: Calendars | None = None) -> CaseState:
    """Derive a case's state from its event log (corrections applied)."""
    book = book or bundled_rules()
    effective = effective_events(records)
    stage = current_stage(proc, effective, book)
    when = as_of or dt.date.today()
    deadlines = compute_deadlines(proc, effective, as_of=when, book=book, cals=cals)
    return CaseState(procedure=proc.id, stage=stage, stage_title=proc.stage(stage).title,
                     events=tuple(effective), deadlines=tuple(deadlines),
                     allowed_events=tuple(allowed_events(proc, effective, stage)), as_of=when)


def timeline(proc: Procedure, events: list[tuple[str, dt.date, dict[str, Any]]], *,
             as_of: dt.date | None = None) -> CaseState:
    """Stateless: validate ``events`` in order as a new case would, then derive its state."""
    records: list[EventRecord] = []
    for i, (name, date, payload) in enumerate(events, start=1):
        check_event(proc, records, name, date, payload=payload)
        records.append(EventRecord(seq=i, event=name, date=date, payload=payload))
    return derive(proc, records, as_of=as_of)
