"""Interagency clearance of a restricted document: TPSC -> TPRG -> Cabinet level, positions, escalation.

A clearance is a record (label ``restricted``, scope ``clearance:ID``): only principals with a
grant for that scope read it, and each read is logged. Every position and escalation appends a
version, so the record's history is the audit trail of who said what, when.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradepolicy.coordination.clearance import (
    LEVEL_TITLES,
    LEVELS,
    POSITIONS,
    check_levels,
    evaluate,
)
from tradepolicy.errors import ConflictError, InputError, NotFoundError
from tradepolicy.platform.principal import Principal
from tradepolicy.services.records import (
    RecordView,
    get_record,
    list_records,
    put_record,
    record_history,
)
from tradepolicy.services.typed import DictMixin

KIND = "clearance"
KEY = re.compile(r"^CLR-\d{4}-\d{4}$")
MAX_DOC = 1_000_000


@dataclass(frozen=True, slots=True)
class ClearanceView:
    """A clearance as its reader sees it: levels, current level, agencies, positions, outcome."""

    id: str
    title: str
    status: str
    levels: tuple[str, ...]
    level: str
    level_title: str
    agencies: tuple[str, ...]
    due: str
    positions: tuple[dict[str, Any], ...]
    escalations: tuple[dict[str, Any], ...]
    outcome: str
    reason: str
    missing: tuple[str, ...]
    document_id: int | None
    version: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        d = asdict(self)
        for k in ("levels", "agencies", "positions", "escalations", "missing"):
            d[k] = list(d[k])
        return d


def agencies_registry() -> dict[str, str]:
    """Return the agencies that can take part in clearance (registry ``reference/agencies.yaml``)."""
    from tradepolicy.reference.loader import load_agencies

    return {a.id: a.name for a in load_agencies()[1] if a.kind in ("agency", "eop")}


def _check_agencies(agencies: list[str]) -> tuple[str, ...]:
    known = agencies_registry()
    out = tuple(dict.fromkeys(a.strip().lower() for a in agencies if a.strip()))
    if not out:
        raise InputError("A clearance names the agencies that must clear.", field="agencies",
                         expected="agency ids of the registry", example="commerce,state,usda")
    for a in out:
        if a not in known:
            raise InputError(f"Unknown agency {a!r}.", field="agencies", expected=" | ".join(sorted(known)),
                             example="commerce")
    return out


def _view(rec: RecordView, today: dt.date) -> ClearanceView:
    d = rec.data
    st = evaluate(tuple(d["levels"]), d["level"], tuple(d["agencies"]),
                  [(p["agency"], p["position"]) for p in d["positions"] if p["level"] == d["level"]],
                  due=dt.date.fromisoformat(d["due"]), today=today)
    outcome = rec.status if rec.status in ("cleared", "unresolved") else st.outcome
    return ClearanceView(rec.key, rec.title, rec.status, tuple(d["levels"]), d["level"], LEVEL_TITLES[d["level"]],
                         tuple(d["agencies"]), d["due"], tuple(d["positions"]), tuple(d["escalations"]),
                         outcome, st.reason, st.missing, d.get("document_id"), rec.version)


def _next_key(session: Session, year: int) -> str:
    from tradepolicy.store.models_platform import RecordRow

    keys = session.execute(select(RecordRow.key).where(RecordRow.kind == KIND, RecordRow.key.like(f"CLR-{year}-%"))).scalars().all()
    return f"CLR-{year}-{max((int(k[-4:]) for k in keys), default=0) + 1:04d}"


def start(session: Session, actor: Principal, *, title: str, levels: list[str], agencies: list[str], due: dt.date,
          content: bytes | None = None, filename: str = "", today: dt.date | None = None) -> ClearanceView:
    """Start clearing a restricted document at the first of ``levels``."""
    on = today or dt.date.today()
    try:
        lv = check_levels(levels)
    except ValueError as exc:
        raise InputError(f"Bad clearance levels {','.join(levels)!r} ({exc}).", field="levels",
                         expected="in order, from " + ",".join(LEVELS), example="tpsc,tprg") from None
    ag = _check_agencies(agencies)
    if not (title or "").strip() or len(title) > 300:
        raise InputError("A clearance needs the document's title (at most 300 characters).", field="title",
                         expected="a title", example="Draft U.S. proposal: digital trade chapter")
    if due < on:
        raise InputError(f"The due date {due} is before today ({on}).", field="due", expected=f"on or after {on}",
                         example=(on + dt.timedelta(days=5)).isoformat())
    key = _next_key(session, on.year)
    doc_id = None
    if content is not None:
        from tradepolicy.coordination.files import check_file
        from tradepolicy.services.dockets import _put_document

        f = check_file(content, filename or "document.txt", field="document")
        doc_id = _put_document(session, actor, f, content, label="restricted", scope=f"clearance:{key}", title=title)
    data = {"levels": list(lv), "level": lv[0], "agencies": list(ag), "due": due.isoformat(),
            "duration_days": (due - on).days, "started": on.isoformat(), "positions": [], "escalations": [],
            "document_id": doc_id}
    rec = put_record(session, actor, kind=KIND, key=key, data=data, label="restricted", scope=f"clearance:{key}",
                     status="pending", title=title.strip(), note=f"started at {lv[0]}", expected_version=0)
    return _view(rec, on)


def _get(session: Session, principal: Principal, key: str, where: str) -> RecordView:
    k = (key or "").strip().upper()
    if not KEY.match(k):
        raise InputError(f"Malformed clearance id {key!r}.", field="clearance_id", expected="CLR-YYYY-NNNN",
                         example="CLR-2026-0001")
    try:
        return get_record(session, principal, KIND, k, where=where)
    except NotFoundError:
        raise NotFoundError(f"No clearance {k!r} you may read.", field="clearance_id",
                            expected="an id and a grant for restricted in clearance:ID", example="CLR-2026-0001") from None


def _advance(session: Session, actor: Principal, rec: RecordView, data: dict[str, Any], on: dt.date, note: str) -> RecordView:
    st = evaluate(tuple(data["levels"]), data["level"], tuple(data["agencies"]),
                  [(p["agency"], p["position"]) for p in data["positions"] if p["level"] == data["level"]],
                  due=dt.date.fromisoformat(data["due"]), today=on)
    status = "pending"
    if st.outcome == "cleared":
        status = "cleared"
    elif st.outcome == "escalate" and st.next_level:
        data["escalations"].append({"from": data["level"], "to": st.next_level, "on": on.isoformat(), "reason": st.reason})
        data["level"] = st.next_level
        data["due"] = (on + dt.timedelta(days=max(1, int(data["duration_days"])))).isoformat()
        note += f"; escalated to {st.next_level}: {st.reason}"
    elif st.outcome == "unresolved":
        status = "unresolved"
        note += f"; unresolved at {data['level']}: {st.reason}"
    return put_record(session, actor, kind=KIND, key=rec.key, data=data, label="restricted", scope=rec.scope,
                      status=status, title=rec.title, note=note, expected_version=rec.version)


def position(session: Session, actor: Principal, clearance_id: str, *, agency: str, position: str,
             comment: str = "", on: dt.date | None = None, where: str = "") -> ClearanceView:
    """Record an agency's position at the current level; escalate on a non-concurrence."""
    when = on or dt.date.today()
    rec = _get(session, actor, clearance_id, where)
    if rec.status in ("cleared", "unresolved"):
        raise ConflictError(f"Clearance {rec.key} is {rec.status}.", field="clearance_id", expected="a pending clearance",
                            example=rec.key)
    pos = (position or "").strip().lower().replace("-", "_")
    if pos not in POSITIONS:
        raise InputError(f"Unknown position {position!r}.", field="position", expected=" | ".join(POSITIONS),
                         example="concur")
    data = dict(rec.data)
    ag = agency.strip().lower()
    if ag not in data["agencies"]:
        raise InputError(f"Agency {agency!r} is not a party to {rec.key}.", field="agency",
                         expected=" | ".join(data["agencies"]), example=data["agencies"][0])
    if len(comment) > 20000:
        raise InputError("The comment is over 20,000 characters.", field="comment", expected="at most 20,000", example="...")
    due = dt.date.fromisoformat(data["due"])
    data["positions"] = [*data["positions"], {"level": data["level"], "agency": ag, "position": pos,
                                              "comment": comment.strip(), "on": when.isoformat(),
                                              "late": when > due, "by": actor.name}]
    out = _advance(session, actor, rec, data, when, f"{ag}: {pos} at {data['level']}")
    return _view(out, when)


def status(session: Session, actor: Principal, clearance_id: str, *, today: dt.date | None = None,
           where: str = "") -> ClearanceView:
    """Return a clearance; a due date missed at the current level escalates it (appended)."""
    on = today or dt.date.today()
    rec = _get(session, actor, clearance_id, where)
    if rec.status == "pending":
        view = _view(rec, on)
        if view.outcome in ("escalate", "unresolved"):
            rec = _advance(session, actor, rec, dict(rec.data), on, "due date check")
    return _view(rec, on)


@dataclass(frozen=True, slots=True)
class ClearanceVersion(DictMixin):
    """One version of a clearance's audit trail: who changed it, when, to what status and level, and why."""

    version: int
    at: str
    by: str
    status: str
    level: str
    note: str | None


def history(session: Session, principal: Principal, clearance_id: str, *, where: str = "") -> list[ClearanceVersion]:
    """Return the audit trail: every version with its actor, time, status and note."""
    rec = _get(session, principal, clearance_id, where)
    return [ClearanceVersion(v.version, v.updated_at.isoformat(), v.updated_by, v.status, str(v.data["level"]), v.note)
            for v in record_history(session, principal, KIND, rec.key, where=where)]


def list_clearances(session: Session, principal: Principal, *, today: dt.date | None = None, where: str = "") -> list[ClearanceView]:
    """Return every clearance the principal may read (others are neither shown nor counted)."""
    on = today or dt.date.today()
    return [_view(r, on) for r in list_records(session, principal, KIND, where=where)]
