"""USMCA enforcement: Chapter 31 disputes, RRM cases and statistics, the 2026 joint review.

Cases on ``usmca_ch31`` / ``usmca_rrm``; the joint review is a ``usmca_joint_review`` proceeding with
its clocks.

The cases are transcribed with citations in ``enforcement/data/usmca_cases.yaml``; ``load_cases`` stores
them in one transaction (idempotent). Each case carries its metadata (facility, sector, Mexico's response,
remediation, outcome, citations) under ``data["meta"]``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tradepolicy.enforcement.registry import usmca_cases
from tradepolicy.errors import TradePolicyError
from tradepolicy.law.case_meta import check_meta
from tradepolicy.law.procedures import Deadline, EventRecord, current_stage, derive, get_procedure
from tradepolicy.platform.principal import Principal, local_operator
from tradepolicy.services import proceedings as cases
from tradepolicy.store.db import read_session, transaction
from tradepolicy.store.models import Proceeding, ProceedingEvent

RRM, CH31, REVIEW = "usmca_rrm", "usmca_ch31", "usmca_joint_review"


@dataclass(frozen=True, slots=True)
class UsmcaLoadReport:
    """Cases inserted / already stored and events appended by ``load_cases``."""

    inserted: int
    unchanged: int
    events_added: int


def load_cases(*, actor: Principal | None = None) -> UsmcaLoadReport:
    """Store the transcribed Chapter 31 disputes, RRM cases and the joint review (one transaction)."""
    who = (actor or local_operator()).name
    ch31, rrm, jr = usmca_cases()
    todo: list[tuple[str, str, str, dict[str, Any], list[Any]]] = []
    for c in ch31:
        meta = check_meta({"country": c.respondent, "parties": {"complainant": [c.complainant],
                                                                  "respondent": [c.respondent]},
                           "sector": c.sector, "outcome": c.outcome, "confirmed": c.confirmed,
                           "citations": [x.model_dump() for x in c.citations]})
        todo.append((CH31, c.id, c.title, meta, list(c.events)))
    for r in rrm:
        extra = {"request_date": r.request_date.isoformat() if r.request_date else None,
                 "petition_date": r.petition_date.isoformat() if r.petition_date else None,
                 "panel_request_date": r.panel_request_date.isoformat() if r.panel_request_date else None,
                 "mexico_response": r.mexico_response, "remediation": r.remediation}
        meta = check_meta({"country": "MEX", "parties": {"facility": [r.facility]}, "sector": r.sector,
                           "outcome": r.outcome, "confirmed": r.confirmed,
                           "citations": [x.model_dump() for x in r.citations],
                           "notes": "; ".join(f"{k}: {v}" for k, v in extra.items() if v)})
        todo.append((RRM, r.id, f"RRM: {r.facility}", {**meta, "rrm": extra}, list(r.events)))
    todo.append((REVIEW, jr.id, jr.title, check_meta({"country": "USA; MEX; CAN", "notes": jr.notes,
                                                        "citations": [x.model_dump() for x in jr.citations]}),
                 list(jr.events)))
    inserted = unchanged = added = 0
    with transaction() as s:
        for proc, cid, title, meta, events in todo:
            if s.get(Proceeding, cid) is None:
                rrm_extra = meta.pop("rrm", None)
                cases.open_case(procedure=proc, case_id=cid, title=title, meta=meta,
                                data={"source": "transcribed", **({"rrm": rrm_extra} if rrm_extra else {})},
                                actor=who, session=s)
                inserted += 1
            else:
                unchanged += 1
            stored = {(e.event, e.date) for e in s.scalars(select(ProceedingEvent)
                                                            .where(ProceedingEvent.proceeding_id == cid))}
            for ev in events:
                if (ev.event, ev.date) not in stored:
                    cases.record_event(cid, ev.event, ev.date, payload={"source": ev.source, "confirmed": ev.confirmed},
                                       note=ev.note, actor=who, session=s)
                    added += 1
    return UsmcaLoadReport(inserted=inserted, unchanged=unchanged, events_added=added)


@dataclass(frozen=True, slots=True)
class RrmRow:
    """One RRM case for the views and the dashboard."""

    id: str
    facility: str
    sector: str
    request_date: dt.date | None
    mexico_response: str
    remediation: str
    outcome: str
    stage: str
    panel_requested: dt.date | None
    confirmed: bool
    citation: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe values."""
        return {"id": self.id, "facility": self.facility, "sector": self.sector,
                "request_date": self.request_date.isoformat() if self.request_date else None,
                "mexico_response": self.mexico_response, "remediation": self.remediation, "outcome": self.outcome,
                "stage": self.stage, "panel_requested": self.panel_requested.isoformat() if self.panel_requested else None,
                "confirmed": self.confirmed, "citation": self.citation}


RRM_COLUMNS = ["id", "facility", "sector", "request_date", "mexico_response", "remediation", "outcome", "stage",
               "panel_requested", "confirmed", "citation"]


def _events(s: Any, procedure: str) -> tuple[list[Proceeding], dict[str, list[EventRecord]]]:
    procs = list(s.scalars(select(Proceeding).where(Proceeding.procedure == procedure).order_by(Proceeding.id)))
    q = (select(ProceedingEvent).join(Proceeding, Proceeding.id == ProceedingEvent.proceeding_id)
         .where(Proceeding.procedure == procedure).order_by(ProceedingEvent.proceeding_id, ProceedingEvent.seq))
    ev: dict[str, list[EventRecord]] = {}
    for e in s.scalars(q):
        if not (e.payload or {}).get("planned"):
            ev.setdefault(e.proceeding_id, []).append(EventRecord(seq=e.seq, event=e.event, date=e.date,
                                                                  payload=dict(e.payload or {})))
    return procs, ev


def rrm_cases() -> list[RrmRow]:
    """Return every RRM case (stored, transcribed or entered), by request date (unknown last)."""
    proc = get_procedure(RRM)
    with read_session() as s:
        procs, ev = _events(s, RRM)
    out = []
    for p in procs:
        meta = (p.data or {}).get("meta") or {}
        extra = (p.data or {}).get("rrm") or {}
        evs = ev.get(p.id, [])
        req = next((e.date for e in evs if e.event == "review_requested"), None)
        if req is None and extra.get("request_date"):
            req = dt.date.fromisoformat(extra["request_date"])
        cites = meta.get("citations") or []
        panel = next((e.date for e in evs if e.event == "panel_requested"), None)
        if panel is None and extra.get("panel_request_date"):
            panel = dt.date.fromisoformat(extra["panel_request_date"])
        out.append(RrmRow(
            id=p.id, facility=(meta.get("parties") or {}).get("facility", [p.title])[0], sector=meta.get("sector") or "",
            request_date=req, mexico_response=extra.get("mexico_response") or "", remediation=extra.get("remediation") or "",
            outcome=meta.get("outcome") or "", stage=current_stage(proc, evs),
            panel_requested=panel,
            confirmed=bool(meta.get("confirmed", True)), citation=cites[0].get("href") or cites[0]["title"] if cites else ""))
    out.sort(key=lambda r: (r.request_date is None, r.request_date or dt.date.max, r.id))
    return out


@dataclass(frozen=True, slots=True)
class RrmStats:
    """RRM statistics counted from the stored cases."""

    cases: int
    with_request_date: int
    by_year: dict[int, int]
    by_sector: dict[str, int]
    by_stage: dict[str, int]
    panels_requested: int
    closed: int
    unconfirmed: int


def rrm_stats(rows: list[RrmRow] | None = None) -> RrmStats:
    """Count RRM cases by request year, sector and stage; panels requested; closed; unconfirmed."""
    rows = rows if rows is not None else rrm_cases()
    years = Counter(r.request_date.year for r in rows if r.request_date)
    return RrmStats(cases=len(rows), with_request_date=sum(1 for r in rows if r.request_date),
                    by_year=dict(sorted(years.items())),
                    by_sector=dict(Counter(r.sector for r in rows).most_common()),
                    by_stage=dict(Counter(r.stage for r in rows).most_common()),
                    panels_requested=sum(1 for r in rows if r.panel_requested),
                    closed=sum(1 for r in rows if r.stage == "closed"),
                    unconfirmed=sum(1 for r in rows if not r.confirmed))


@dataclass(frozen=True, slots=True)
class Ch31Row:
    """One Chapter 31 dispute: parties, stage, dates and outcome."""

    id: str
    title: str
    complainant: str
    respondent: str
    sector: str | None
    stage: str
    consultations_requested: dt.date | None
    panel_requested: dt.date | None
    outcome: str | None
    confirmed: bool

    def to_dict(self) -> dict[str, str | bool | None]:
        """JSON-safe values (dates as ISO strings)."""
        return {"id": self.id, "title": self.title, "complainant": self.complainant, "respondent": self.respondent,
                "sector": self.sector, "stage": self.stage,
                "consultations_requested": _iso(self.consultations_requested),
                "panel_requested": _iso(self.panel_requested), "outcome": self.outcome, "confirmed": self.confirmed}


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def ch31_disputes() -> list[Ch31Row]:
    """Return the Chapter 31 disputes with parties, stage, dates and outcome."""
    proc = get_procedure(CH31)
    with read_session() as s:
        procs, ev = _events(s, CH31)
    out = []
    for p in procs:
        meta = (p.data or {}).get("meta") or {}
        evs = ev.get(p.id, [])
        parties = meta.get("parties") or {}
        out.append(Ch31Row(id=p.id, title=p.title, complainant="; ".join(parties.get("complainant", [])),
                           respondent="; ".join(parties.get("respondent", [])), sector=meta.get("sector"),
                           stage=current_stage(proc, evs),
                           consultations_requested=next((e.date for e in evs if e.event == "consultations_requested"),
                                                        None),
                           panel_requested=next((e.date for e in evs if e.event == "panel_requested"), None),
                           outcome=meta.get("outcome"), confirmed=bool(meta.get("confirmed", True))))
    return out


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    """A recorded event of the joint review with its source."""

    event: str
    date: dt.date
    source: str | None
    confirmed: bool


@dataclass(frozen=True, slots=True)
class PathDeadline:
    """A date on one outcome path of the joint review (computed on a hypothetical log)."""

    clock_id: str
    title: str
    due_date: dt.date | None
    citation: str
    confirmed: bool


@dataclass(frozen=True, slots=True)
class JointReviewClock:
    """The joint review's stage, its deadlines (law engine, cited) and the outcome paths' dates."""

    case_id: str
    stored: bool
    as_of: dt.date
    stage: str
    stage_title: str
    review_date: dt.date | None
    days_to_review: int | None
    events: tuple[ReviewEvent, ...]
    deadlines: tuple[Deadline, ...]
    outcome_paths: dict[str, tuple[PathDeadline, ...]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (the keys of ``usmca joint-review --json`` and ``/api/usmca/joint-review``)."""
        return {"case_id": self.case_id, "stored": self.stored, "as_of": self.as_of.isoformat(), "stage": self.stage,
                "stage_title": self.stage_title, "review_date": _iso(self.review_date),
                "days_to_review": self.days_to_review,
                "events": [{"event": e.event, "date": e.date.isoformat(), "source": e.source,
                            "confirmed": e.confirmed} for e in self.events],
                "deadlines": [d.to_dict() for d in self.deadlines],
                "outcome_paths": {k: [{"clock_id": d.clock_id, "title": d.title, "due_date": _iso(d.due_date),
                                       "citation": d.citation, "confirmed": d.confirmed} for d in v]
                                  for k, v in self.outcome_paths.items()}}


def joint_review_clock(*, as_of: dt.date | None = None, case_id: str = "usmca-joint-review-2026") -> JointReviewClock:
    """Return the joint review's stage, its deadlines (with citations) and the outcome paths' dates."""
    when = as_of or dt.date.today()
    with read_session() as s:
        case = s.get(Proceeding, case_id)
        evs = [] if case is None else [EventRecord(seq=e.seq, event=e.event, date=e.date, payload=dict(e.payload or {}))
                                       for e in s.scalars(select(ProceedingEvent)
                                                          .where(ProceedingEvent.proceeding_id == case_id)
                                                          .order_by(ProceedingEvent.seq))
                                       if not (e.payload or {}).get("planned")]
    proc = get_procedure(REVIEW)
    state = derive(proc, evs, as_of=when)
    review = next((d for d in state.deadlines if d.clock_id == "joint_review_date"), None)
    # Outcome paths, each computed by the engine on a hypothetical log (a timeline, nothing stored).
    paths: dict[str, tuple[PathDeadline, ...]] = {}
    if review is not None and review.due_date is not None:
        base = [(e.event, e.date, e.payload) for e in evs]
        if not any(e.event == "joint_review_held" for e in evs):
            base.append(("joint_review_held", review.due_date, {}))
        from tradepolicy.law.procedures import timeline

        for path in ("all_confirmed", "not_all_confirmed"):
            try:
                st = timeline(proc, [*base, (path, review.due_date, {})], as_of=when)
            except TradePolicyError:  # a path no longer open (already recorded) is skipped
                continue
            paths[path] = tuple(PathDeadline(clock_id=d.clock_id, title=d.title, due_date=d.due_date,
                                             citation=d.citation, confirmed=d.confirmed)
                                for d in st.deadlines if d.status != "cancelled" and d.clock_id in (
                                    "renewed_term_end", "next_review_after_confirmation", "next_annual_review",
                                    "term_end"))
    return JointReviewClock(
        case_id=case_id, stored=case is not None, as_of=when, stage=state.stage, stage_title=state.stage_title,
        review_date=review.due_date if review else None,
        days_to_review=(review.due_date - when).days if review and review.due_date else None,
        events=tuple(ReviewEvent(event=e.event, date=e.date, source=e.payload.get("source"),
                                 confirmed=bool(e.payload.get("confirmed", True))) for e in evs),
        deadlines=tuple(state.deadlines), outcome_paths=paths)
