"""Proceedings (cases): open a case, record events, derive state, deadlines and calendars.

A case is its append-only event log in ``proceeding_events``; its stage, deadlines and
overdue items are derived by the law engine (``tradepolicy.law.procedures``) on every read.
Every write happens in one transaction with an audit entry; a rejected event changes
nothing stored. When a ``session`` is given, functions work inside it (seeders use this).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from tradepolicy.config import get_settings
from tradepolicy.errors import ConflictError, InputError, NotFoundError
from tradepolicy.law.case_meta import check_meta
from tradepolicy.law.dates import parse_date
from tradepolicy.law.procedures import (
    CaseState,
    EventRecord,
    Procedure,
    check_event,
    derive,
    get_procedure,
)
from tradepolicy.law.seeds import SeedCase, load_seeds
from tradepolicy.once import once
from tradepolicy.platform.principal import acting_name
from tradepolicy.services.law_types import (
    CaseDeadline,
    CaseEventView,
    CaseLogEntry,
    CaseRecord,
    CaseSummary,
    CaseView,
    RecordedEvent,
)
from tradepolicy.services.typed import JSONObject, frozen_json
from tradepolicy.store import audit
from tradepolicy.store.db import read_session, transaction
from tradepolicy.store.group_commit import run_grouped
from tradepolicy.store.models import Proceeding, ProceedingEvent, utcnow

CASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
TITLE_MAX = 400  # proceedings.title is VARCHAR(400)


@contextmanager
def _writing(session: Session | None) -> Iterator[Session]:
    if session is not None:
        yield session
        return
    with transaction() as s:
        yield s


@contextmanager
def _reading(session: Session | None) -> Iterator[Session]:
    if session is not None:
        yield session
        return
    with read_session() as s:
        yield s


def _actor(actor: str | None) -> str:
    return actor or acting_name()


def _as_date(value: str | dt.date, field: str = "date") -> dt.date:
    return parse_date(value, field=field)


def _event_rows(session: Session, case_id: str) -> Sequence[ProceedingEvent]:
    return session.scalars(select(ProceedingEvent).where(ProceedingEvent.proceeding_id == case_id)
                           .order_by(ProceedingEvent.seq)).all()


def _record(r: ProceedingEvent) -> EventRecord:
    return EventRecord(seq=r.seq, event=r.event, date=r.date, payload=dict(r.payload or {}),
                       corrects=r.corrects, note=r.note)


def _records(session: Session, case_id: str) -> list[EventRecord]:
    return [_record(r) for r in _event_rows(session, case_id)]


# A case's committed log, cached per process. Events are append-only (triggers refuse UPDATE and
# DELETE), so a committed row never changes: a write or a read fetches only the rows after the
# cached ones (the unique (case, seq) index), after checking that the last cached row is still
# the stored one (a restored backup, another database). Only rows known to be committed enter it.
_LOG_COLUMNS = (ProceedingEvent.id, ProceedingEvent.seq, ProceedingEvent.event, ProceedingEvent.date,
                ProceedingEvent.payload, ProceedingEvent.corrects, ProceedingEvent.note,
                ProceedingEvent.recorded_by, ProceedingEvent.recorded_at)
# The columns of an event row in table order (the audit entry's snapshot, as audit.snapshot writes it).
_EVENT_COLUMNS = tuple(c.key for c in ProceedingEvent.__mapper__.column_attrs)
_INSERT_EVENT = insert(ProceedingEvent).returning(*_LOG_COLUMNS)  # run on the Connection: Core, the row as stored
_LOG_CACHE: dict[tuple[str, str], tuple[_Logged, ...]] = {}
_M = TypeVar("_M", CaseLogEntry, CaseEventView)
_LOG_LOCK = threading.Lock()
_LOG_CACHE_CASES = 4096


@dataclass(frozen=True, slots=True)
class _Logged:
    """One stored event: its row id, the engine's record and its validated log entry.

    A stored event never changes (the log is append-only), so its answer models are built once
    per process and reused by every answer that shows it (``view`` eagerly; the event view, which
    needs the procedure's event title, on first use in ``memo``). Models are frozen; their
    payload dicts are copies made by validation, never the record's own dict.
    """

    id: int
    record: EventRecord
    view: CaseLogEntry
    memo: dict[str, CaseEventView] = field(default_factory=dict, compare=False)

    @property
    def entry(self) -> dict[str, Any]:
        """The log entry as plain data (JSON names)."""
        return self.view.model_dump(mode="json")

    def event_view(self, proc: Procedure) -> CaseEventView:
        """Return the record as a :class:`CaseEventView` of ``proc`` (validated once)."""
        hit = self.memo.get(proc.id)
        if hit is None:
            hit = self.memo[proc.id] = _shared(_event_view(proc, self.record))
        return hit


def _shared(model: _M) -> _M:
    """Return ``model`` with its payload made read-only: the model is kept and shared by answers."""
    return type(model).model_construct(**{**model.__dict__, "payload": frozen_json(model.payload)})  # type: ignore[attr-defined]


def _logged(r: Any) -> _Logged:
    payload = dict(r.payload or {})
    return _Logged(r.id, EventRecord(seq=r.seq, event=r.event, date=r.date, payload=payload,
                                     corrects=r.corrects, note=r.note),
                   _shared(CaseLogEntry.model_validate(
                       {"seq": r.seq, "event": r.event, "date": r.date.isoformat(), "payload": payload,
                        "corrects": r.corrects, "note": r.note, "recorded_by": r.recorded_by,
                        "recorded_at": r.recorded_at.isoformat() if r.recorded_at else None})))


# The hot statements of the write path, built once with bound parameters: SQLAlchemy then
# reuses their compiled form instead of rebuilding and re-keying a statement per write.
_LOG_ALL = (select(*_LOG_COLUMNS).where(ProceedingEvent.proceeding_id == bindparam("case_id"))
            .order_by(ProceedingEvent.seq))
_LOG_FROM = _LOG_ALL.where(ProceedingEvent.seq >= bindparam("seq"))


def _log(s: Session, case_id: str) -> list[_Logged]:
    """Return the case's log in seq order: the cached committed rows and those stored after them."""
    key = (get_settings().database_url, case_id)
    cached = _LOG_CACHE.get(key)
    conn = s.connection()
    if cached:
        last = cached[-1]
        rows = conn.execute(_LOG_FROM, {"case_id": case_id, "seq": last.record.seq}).all()
        if rows and rows[0].id == last.id and (rows[0].recorded_at.isoformat() if rows[0].recorded_at
                                                else None) == last.view.recorded_at:
            return [*cached, *(_logged(r) for r in rows[1:])]
    return [_logged(r) for r in conn.execute(_LOG_ALL, {"case_id": case_id}).all()]


def _remember_log(case_id: str, log: Sequence[_Logged]) -> None:
    """Cache a case's log; call only with rows read after their commit."""
    key = (get_settings().database_url, case_id)
    with _LOG_LOCK:
        have = _LOG_CACHE.get(key)
        if have is not None and len(have) > len(log):
            return
        if have is None and len(_LOG_CACHE) >= _LOG_CACHE_CASES:
            _LOG_CACHE.clear()
        _LOG_CACHE[key] = tuple(log)


def _actual(records: list[EventRecord]) -> list[EventRecord]:
    """Return the events that happened (planned ones, ``payload.planned``, are not in the state)."""
    return [r for r in records if not r.payload.get("planned")]


class _CaseRow(Protocol):
    """The columns of a case row that answers read (an ORM row or a plain result row)."""

    id: str
    procedure: str
    title: str
    created_at: dt.datetime
    created_by: str
    data: dict[str, Any]


_CASE_COLUMNS = (Proceeding.id, Proceeding.procedure, Proceeding.title, Proceeding.created_at,
                 Proceeding.created_by, Proceeding.data)
_CASE = select(*_CASE_COLUMNS).where(Proceeding.id == bindparam("case_id"))
_CASE_LOCKED = _CASE.with_for_update()


def _load_case(session: Session, case_id: str, *, lock: bool = False) -> _CaseRow:
    # lock: SELECT ... FOR UPDATE on PostgreSQL, so writers to one case queue on its row
    # (SQLite's write transactions already hold the database lock: BEGIN IMMEDIATE).
    # A plain row of the columns, not an ORM object: nothing here changes the case.
    case = session.connection().execute(_CASE_LOCKED if lock else _CASE, {"case_id": case_id}).one_or_none()
    if case is None:
        known = session.scalars(select(Proceeding.id).order_by(Proceeding.id).limit(20)).all()
        raise NotFoundError(f"Unknown case {case_id!r}.", field="case_id",
                            expected="an id from `tradepolicy case list`" +
                            (f", e.g. {', '.join(known)}" if known else ""),
                            example=known[0] if known else "usmca-negotiation")
    return case  # type: ignore[return-value]  # a Row has the columns as attributes


def open_case(
    *,
    procedure: str,
    case_id: str,
    title: str,
    data: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    actor: str | None = None,
    session: Session | None = None,
) -> CaseView:
    """Open a new case of ``procedure`` with id ``case_id``; return it.

    ``meta`` is the case's metadata (country, parties, product, HTS scope, agency case numbers;
    see ``law/case_meta.py``), validated and stored under ``data["meta"]``.
    """
    proc = get_procedure(procedure)
    checked_meta = check_meta(meta)
    if not CASE_ID.match(case_id or ""):
        raise InputError(f"Malformed case id {case_id!r}.", field="case_id",
                         expected="letters, digits, '.', '_' or '-', at most 120 characters",
                         example="A-570-893")
    if not title or not title.strip():
        raise InputError("A case needs a title.", field="title", expected="a short title",
                         example="Frozen warmwater shrimp from China")
    if len(title.strip()) > TITLE_MAX:
        raise InputError(f"The case title is too long ({len(title.strip())} characters).", field="title",
                         expected=f"at most {TITLE_MAX} characters", example="Frozen warmwater shrimp from China")
    who = _actor(actor)
    with _writing(session) as s:
        if s.get(Proceeding, case_id) is not None:
            raise ConflictError(f"Case {case_id!r} already exists.", field="case_id",
                                expected="a new id", example=f"{case_id}-2")
        row = Proceeding(id=case_id, procedure=proc.id, title=title.strip(), created_by=who,
                         data={**dict(data or {}), **({"meta": checked_meta} if checked_meta else {})})
        s.add(row)
        s.flush()
        audit.record(s, actor=who, action="insert", entity="proceedings", entity_id=case_id,
                     before=None, after=audit.snapshot(row))
        return _case_view(s, row, None, logged=[])


def record_event(
    case_id: str,
    event: str,
    date: str | dt.date,
    *,
    payload: dict[str, Any] | None = None,
    note: str | None = None,
    corrects: int | None = None,
    planned: bool = False,
    actor: str | None = None,
    session: Session | None = None,
    today: dt.date | None = None,
) -> CaseView:
    """Append an event (or a correction of an earlier one) after validating it.

    An event dated after ``today`` (default: the system date) is refused unless ``planned``;
    a planned event is kept in the log (``payload.planned``) but not in the derived state.

    Raises ``InputError`` (unknown event, malformed date), ``NotFoundError`` (unknown case)
    or ``ConflictError`` (not allowed in the stage, before its dependency); nothing is
    stored then. Returns the case with its derived state.
    """
    case, log = _append(case_id, event, date, payload=payload, note=note, corrects=corrects, planned=planned,
                        actor=actor, session=session, today=today)
    return _case_view(session, case, None, logged=log)


def record_event_brief(
    case_id: str,
    event: str,
    date: str | dt.date,
    *,
    payload: dict[str, Any] | None = None,
    note: str | None = None,
    corrects: int | None = None,
    planned: bool = False,
    actor: str | None = None,
    today: dt.date | None = None,
) -> RecordedEvent:
    """Append an event exactly as :func:`record_event` does; return only what the write changed.

    The answer of ``Prefer: return=minimal`` (RFC 7240) on ``POST /api/cases/{id}/events``:
    the event as stored, the case's stage after it and its next deadlines (pending, due on or
    after today, soonest first), without the case's whole log, events and deadlines.
    """
    case, log = _append(case_id, event, date, payload=payload, note=note, corrects=corrects, planned=planned,
                        actor=actor, session=None, today=today)
    proc = get_procedure(case.procedure)
    state = derive(proc, _actual([x.record for x in log]))
    return RecordedEvent.model_validate({
        "case_id": case.id, "event": log[-1].view, "as_of": state.as_of.isoformat(), "stage": state.stage,
        "stage_title": state.stage_title, "next_deadlines": [d.to_dict() for d in state.upcoming()]})


def _append(
    case_id: str,
    event: str,
    date: str | dt.date,
    *,
    payload: dict[str, Any] | None,
    note: str | None,
    corrects: int | None,
    planned: bool,
    actor: str | None,
    session: Session | None,
    today: dt.date | None,
) -> tuple[_CaseRow, list[_Logged]]:
    """Validate and store an event; return the case row and its log with the new event last."""
    when = _as_date(date)
    if payload is not None and not isinstance(payload, dict):
        raise InputError("The payload must be a JSON object.", field="payload",
                         expected="a JSON object", example='{"action": "list1"}')
    now = today or dt.date.today()
    if planned:
        payload = {**(payload or {}), "planned": True}
    elif when > now:
        raise InputError(f"Event {event!r} is dated {when.isoformat()}, after today ({now.isoformat()}).",
                         field="date", expected="a date on or before today, or the event entered as planned "
                         "(--planned / \"planned\": true)", example=now.isoformat())
    who = _actor(actor)

    def write(s: Session) -> tuple[_CaseRow, list[_Logged], Any]:
        # The minimum under the write lock: the case row (locked), its log (cached committed rows
        # plus any stored after them; the check and the next seq come from it), the insert (its
        # row as stored comes back from RETURNING) and the audit entry.
        case = _load_case(s, case_id, lock=True)
        proc = get_procedure(case.procedure)
        log = _log(s, case_id)
        check_event(proc, _actual([x.record for x in log]), event, when, payload=payload, corrects=corrects)
        seq = (log[-1].record.seq if log else 0) + 1
        values = {"proceeding_id": case_id, "seq": seq, "event": event, "date": when,
                  "payload": dict(payload or {}), "corrects": corrects, "note": note,
                  "recorded_by": who, "recorded_at": utcnow()}
        stored = s.connection().execute(_INSERT_EVENT, values).one()
        audit.append(s, actor=who, action="correct" if corrects else "event",
                     entity="proceeding_events", entity_id=f"{case_id}#{seq}", before=None,
                     after={c: stored.id if c == "id" else values[c] for c in _EVENT_COLUMNS})
        return case, log, stored

    if session is not None:
        case, log, stored = write(session)
        return case, [*log, _logged(stored)]
    # Concurrent writers share a commit (one fsync for many events; see store/group_commit.py),
    # and the answer is derived after the commit, outside the write lock.
    case, log, stored = run_grouped(write)
    log = [*log, _logged(stored)]
    _remember_log(case_id, log)  # committed: the round that held every row of it has committed
    return case, log


MAX_EVENTS_PER_REQUEST = 200


def record_events(case_id: str, events: Sequence[tuple[str, str | dt.date, dict[str, Any] | None, str | None]], *,
                  planned: bool = False, actor: str | None = None) -> CaseView:
    """Record several events ``(event, date, payload, note)`` in order, in one transaction.

    All or nothing: the first refused event raises and nothing is stored. Returns the case.
    """
    if not events:
        raise InputError("Give at least one event.", field="events", expected="one 'event date' per line",
                         example="consultations_requested 2018-04-04")
    if len(events) > MAX_EVENTS_PER_REQUEST:
        raise InputError(f"{len(events)} events in one request; the limit is {MAX_EVENTS_PER_REQUEST}.",
                         field="events", expected=f"at most {MAX_EVENTS_PER_REQUEST}", example="split the list")
    out: CaseView | None = None
    with transaction() as s:
        for event, date, payload, note in events:
            out = record_event(case_id, event, date, payload=payload, note=note, planned=planned,
                               actor=actor, session=s)
    assert out is not None  # events is not empty
    return out


def parse_event_lines(text: str) -> list[tuple[str, str, JSONObject | None, str | None]]:
    """Parse the web form's events box: one ``event YYYY-MM-DD [note]`` per line (blank lines skipped)."""
    out: list[tuple[str, str, JSONObject | None, str | None]] = []
    for i, line in enumerate(text.splitlines(), start=1):
        parts = line.strip().split(None, 2)
        if not parts:
            continue
        if len(parts) < 2:
            raise InputError(f"Line {i} of the events box has no date: {line.strip()!r}.", where=f"events line {i}",
                             field="events", expected="event YYYY-MM-DD [note]",
                             example="consultations_requested 2018-04-04 WT/DS543/1")
        out.append((parts[0], parts[1], None, parts[2] if len(parts) > 2 else None))
    return out


def get_case(case_id: str, *, as_of: str | dt.date | None = None,
             session: Session | None = None) -> CaseView:
    """Return a case: procedure, stage, events, deadlines with due dates, overdue items."""
    when = _as_date(as_of, "as_of") if as_of else None
    with _reading(session) as s:
        case = _load_case(s, case_id)
        log = _log(s, case_id)
        if session is None:
            _remember_log(case_id, log)
        return _case_view(s, case, when, logged=log)


def case_state(case_id: str, *, as_of: dt.date | None = None) -> tuple[CaseRecord, CaseState]:
    """Return (the case row and its recorded events, derived engine state) for renderers such as the .ics export."""
    with read_session() as s:
        case = _load_case(s, case_id)
        proc = get_procedure(case.procedure)
        records = _records(s, case_id)
        state = derive(proc, _actual(records), as_of=as_of)
        return CaseRecord(id=case.id, title=case.title, procedure=case.procedure,
                          recorded=[_event_view(proc, r) for r in records]), state


def _events_version(s: Session) -> tuple[Any, ...]:
    """Return what identifies the stored cases and events; it changes with every write.

    Cases are never edited and events are append-only, so counts, the newest id and the
    newest timestamps identify the content (a restored backup differs in its timestamps).
    Two aggregate queries; the derived lists below are cached by this version.
    """
    n_cases, newest_case = s.execute(select(func.count(), func.max(Proceeding.created_at))).one()
    n_events, last, newest = s.execute(select(func.count(), func.max(ProceedingEvent.id),
                                              func.max(ProceedingEvent.recorded_at))).one()
    return int(n_cases or 0), str(newest_case), int(n_events or 0), int(last or 0), str(newest)


def _all_states(s: Session, procedure: str | None = None) -> list[tuple[Proceeding, list[EventRecord]]]:
    q = select(Proceeding).order_by(Proceeding.procedure, Proceeding.id)
    if procedure:
        q = q.where(Proceeding.procedure == procedure)
    rows = s.scalars(q).all()
    eq = select(ProceedingEvent).order_by(ProceedingEvent.proceeding_id, ProceedingEvent.seq)
    if procedure:
        eq = eq.where(ProceedingEvent.proceeding_id.in_(select(Proceeding.id).where(Proceeding.procedure == procedure)))
    by_case: dict[str, list[EventRecord]] = {}
    for e in s.scalars(eq).all():
        by_case.setdefault(e.proceeding_id, []).append(EventRecord(
            seq=e.seq, event=e.event, date=e.date, payload=dict(e.payload or {}),
            corrects=e.corrects, note=e.note))
    return [(r, by_case.get(r.id, [])) for r in rows]


def list_cases(procedure: str | None = None, *, as_of: str | dt.date | None = None) -> list[CaseSummary]:
    """Return every case (optionally of one procedure) with stage and deadline counts."""
    if procedure is not None:
        get_procedure(procedure)
    when = _as_date(as_of, "as_of") if as_of else dt.date.today()
    with read_session() as s:
        version = _events_version(s)
    return list(_list_cases_cached(get_settings().database_url, version, procedure or None, when))


@once(maxsize=16)
def _list_cases_cached(url: str, version: tuple[Any, ...], procedure: str | None,
                       when: dt.date) -> tuple[CaseSummary, ...]:
    with read_session() as s:
        cases = _all_states(s, procedure)
    out = []
    for r, events in cases:
        proc = get_procedure(r.procedure)
        state = derive(proc, _actual(events), as_of=when)
        nxt = state.upcoming()
        out.append(CaseSummary(
            id=r.id, procedure=r.procedure, title=r.title, stage=state.stage,
            stage_title=state.stage_title, events=len(state.events),
            overdue=len(state.overdue), outside=len(state.outside),
            next_deadline=nxt[0].due_date.isoformat() if nxt and nxt[0].due_date else None,
            next_deadline_title=nxt[0].title if nxt else None,
            next_deadline_flag=(("confirmed" if nxt[0].confirmed else "UNCONFIRMED") if nxt else None),
            created_by=r.created_by,
        ))
    return tuple(out)


def upcoming_deadlines(*, within_days: int = 120, as_of: dt.date | None = None,
                       limit: int = 20) -> list[CaseDeadline]:
    """Return pending and overdue deadlines of every case, soonest first (for the dashboard).

    Deriving every case is CPU work (0.8 s at 5,000 events): the result is cached per process
    by the store's events version (:func:`_events_version`), so concurrent dashboard requests
    derive once and any write is seen by the next request.
    """
    when = as_of or dt.date.today()
    with read_session() as s:
        version = _events_version(s)
    return list(_upcoming_cached(get_settings().database_url, version, within_days, when, limit))


@once(maxsize=16)
def _upcoming_cached(url: str, version: tuple[Any, ...], within_days: int, when: dt.date,
                     limit: int) -> tuple[CaseDeadline, ...]:
    with read_session() as s:
        cases = _all_states(s)
    out = []
    for r, events in cases:
        state = derive(get_procedure(r.procedure), _actual(events), as_of=when)
        for d in state.deadlines:
            if d.due_date is None or d.projected:
                continue
            if d.status == "overdue" or (d.status == "pending" and (d.due_date - when).days <= within_days):
                out.append(CaseDeadline.model_validate({"case_id": r.id, "case_title": r.title, **d.to_dict()}))
    out.sort(key=lambda x: (x.status != "overdue", x.due_date or ""))
    return tuple(out[:limit])


def _case_view(s: Session | None, case: _CaseRow, as_of: dt.date | None, *,
               logged: Sequence[_Logged] | None = None) -> CaseView:
    """Derive the case from its log (``logged``, or read with ``s``) and build its answer.

    The log rows and the events that no correction replaced reuse their validated models
    (:class:`_Logged`), so an answer validates only what it computes anew: the deadlines.
    """
    proc = get_procedure(case.procedure)
    if logged is None:
        assert s is not None
        logged = [_logged(r) for r in _event_rows(s, case.id)]
    records = [x.record for x in logged]
    state = derive(proc, _actual(records), as_of=as_of)
    by_record = {id(x.record): x for x in logged}

    def event_view(e: EventRecord) -> CaseEventView:
        x = by_record.get(id(e))
        # The same object as a stored record: its cached view; a corrected (effective) record is new.
        return x.event_view(proc) if x is not None and x.record is e else _event_view(proc, e)

    data = dict(case.data or {})
    deadlines = [(d, d.to_dict()) for d in state.deadlines]
    return CaseView.model_validate({
        "id": case.id,
        "procedure": proc.id,
        "procedure_title": proc.title,
        "title": case.title,
        "created_at": case.created_at.isoformat() if case.created_at else None,
        "created_by": case.created_by,
        "data": data,
        "meta": data.get("meta", {}),
        "planned": [event_view(r) for r in records if r.payload.get("planned")],
        "as_of": state.as_of.isoformat(),
        "stage": state.stage,
        "stage_title": state.stage_title,
        "allowed_events": list(state.allowed_events),
        "events": [event_view(e) for e in state.events],
        "log": [x.view for x in logged],
        "deadlines": [x for _, x in deadlines],
        "overdue": [x for d, x in deadlines if d.status == "overdue"],  # as CaseState.overdue
        "outside": [x for d, x in deadlines if d.outside],  # as CaseState.outside
        "unconfirmed_rules": sorted({d.rule_id for d in state.deadlines if not d.confirmed}),
    })


def _event_dict(proc: Procedure, e: EventRecord) -> dict[str, Any]:
    """Return the fields of a :class:`CaseEventView` of ``e`` (validated by the caller's model)."""
    return {"seq": e.seq, "event": e.event, "title": proc.event(e.event).title, "date": e.date.isoformat(),
            "payload": e.payload, "note": e.note, "corrected_by": e.corrects}


def _event_view(proc: Procedure, e: EventRecord) -> CaseEventView:
    return CaseEventView.model_validate(_event_dict(proc, e))


# --------------------------------------------------------------------------- seeding

def seed_proceedings(session: Session, actor: str) -> dict[str, int]:
    """Load the bundled, cited real proceedings (idempotent: new events are appended).

    A seeded case that exists gains only the seed events beyond those it already has; a
    stored event never changes. Returns ``{"inserted", "updated", "unchanged"}`` counts.
    """
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    for seed in load_seeds():
        counts[_seed_one(session, seed, actor)] += 1
    return counts


def _seed_one(session: Session, seed: SeedCase, actor: str) -> str:
    existing = session.get(Proceeding, seed.id)
    if existing is None:
        open_case(procedure=seed.procedure, case_id=seed.id, title=seed.title,
                  data=seed.data(), actor=actor, session=session)
        outcome = "inserted"
    else:
        outcome = "unchanged"
    # A seed event is new when no stored row has its event, date and payload: events a user
    # added to a seeded case (or corrections) neither hide nor duplicate later seed events.
    have = {_seed_key(r.event, r.date, r.payload) for r in _records(session, seed.id)}
    for ev in seed.events:
        payload = ev.payload_with_source()
        if _seed_key(ev.event, ev.date, payload) in have:
            continue
        record_event(seed.id, ev.event, ev.date, payload=payload, note=ev.note,
                     actor=actor, session=session)
        if outcome == "unchanged":
            outcome = "updated"
    return outcome


def _seed_key(event: str, date: dt.date, payload: dict[str, Any]) -> tuple[str, dt.date, str]:
    return event, date, json.dumps(payload, sort_keys=True, default=str)
