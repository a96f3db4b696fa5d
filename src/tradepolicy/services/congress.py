"""Congress: the consultation and notification log of a negotiation case (TPA-2015).

Each notification is an event of the case (procedure ``tpa_negotiation``), so its clock comes
from the law engine; consultations name the committee (Finance, Ways and Means, HAGON, SAGON...).
The log shows the congressional record beside the deadlines the law engine computes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from tradepolicy.errors import InputError
from tradepolicy.platform.principal import Principal
from tradepolicy.services import proceedings
from tradepolicy.services.records import list_records, put_record
from tradepolicy.services.typed import DictMixin

KIND = "congress_entry"
# log entry -> tpa_negotiation event
ENTRY_EVENTS = {
    "notice_of_intent_to_initiate": "negotiation_notice_sent",
    "committee_consultation": "committees_consulted",
    "objectives_published": "objectives_published",
    "trade_remedy_report": "trade_remedy_report_sent",
    "notice_of_intent_to_enter": "intent_to_sign_notified",
    "usitc_request": "itc_request_sent",
    "advisory_committee_reports": "advisory_reports_submitted",
    "changes_to_law": "changes_to_law_submitted",
    "usitc_report": "itc_report_published",
    "final_text_and_saa": "final_text_saa_submitted",
    "implementing_bill_submitted": "bill_submitted",
    "house_committee_reported": "house_committee_reported",
    "house_passed": "house_passed",
    "senate_committee_reported": "senate_committee_reported",
    "senate_passed": "senate_passed",
}
EVENT_ENTRIES = {v: k for k, v in ENTRY_EVENTS.items()}
COMMITTEES = ("senate-finance", "house-ways-and-means", "hagon", "sagon", "other")
# the clocks of tpa_negotiation that concern Congress
CONGRESS_CLOCKS = ("earliest_negotiation_start", "objectives_due", "trade_remedy_report_due", "earliest_signing",
                   "intent_notice_due", "itc_request_due", "advisory_reports_due", "changes_to_law_due",
                   "itc_report_due", "final_text_saa_due", "house_discharge_due", "house_vote_due",
                   "senate_discharge_due", "senate_vote_due")


@dataclass(frozen=True, slots=True)
class CongressEntry(DictMixin):
    """One notification or consultation of the record (a case event, with the log's committee and note)."""

    date: str
    entry: str
    event: str
    title: str
    committee: str | None
    note: str


@dataclass(frozen=True, slots=True)
class CongressDeadline(DictMixin):
    """A congressional clock of the case as the law engine computes it (cited; UNCONFIRMED flagged)."""

    clock_id: str
    title: str | None
    rule_id: str | None
    due_date: str | None
    trigger_date: str | None
    status: str | None
    actual_date: str | None
    citation: str | None
    confirmed: bool | None
    projected: bool | None


@dataclass(frozen=True, slots=True)
class CongressLog:
    """The congressional record of a case beside its deadlines."""

    case_id: str
    title: str
    procedure: str
    entries: tuple[CongressEntry, ...]
    deadlines: tuple[CongressDeadline, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        d = asdict(self)
        d["entries"], d["deadlines"] = list(d["entries"]), list(d["deadlines"])
        return d


def log_entry(session: Session, actor: Principal, case_id: str, *, entry: str, date: dt.date,
              committee: str | None = None, note: str = "", label: str = "public") -> CongressLog:
    """Record a notification or consultation: the case event (checked by the law engine) and the log entry."""
    if entry not in ENTRY_EVENTS:
        raise InputError(f"Unknown congressional entry {entry!r}.", field="entry", expected=" | ".join(ENTRY_EVENTS),
                         example="notice_of_intent_to_enter")
    if entry == "committee_consultation" and committee not in COMMITTEES:
        raise InputError(f"A consultation names the committee (got {committee!r}).", field="committee",
                         expected=" | ".join(COMMITTEES), example="senate-finance")
    if len(note) > 5000:
        raise InputError("The note is over 5,000 characters.", field="note", expected="at most 5,000", example="...")
    case = proceedings.get_case(case_id, session=session)
    if case.procedure != "tpa_negotiation":
        raise InputError(f"Case {case_id} follows {case.procedure}, not tpa_negotiation.", field="case_id",
                         expected="a TPA negotiation case", example="usmca-negotiation")
    payload = {"committee": committee} if committee else None
    proceedings.record_event(case_id, ENTRY_EVENTS[entry], date, payload=payload, note=note or None,
                             actor=actor.name, session=session)
    n = len(list_records(session, actor, KIND, scope=f"case:{case_id}")) + 1
    put_record(session, actor, kind=KIND, key=f"{case_id}:{n:03d}", label=label, scope=f"case:{case_id}",
               status=entry, title=f"{entry} {date.isoformat()}",
               data={"case_id": case_id, "entry": entry, "event": ENTRY_EVENTS[entry], "date": date.isoformat(),
                     "committee": committee, "note": note}, expected_version=0)
    return congress_log(session, actor, case_id)


def congress_log(session: Session, principal: Principal, case_id: str, *, as_of: dt.date | None = None) -> CongressLog:
    """Return the case's congressional entries (events + log notes) and the law engine's congressional deadlines."""
    case = proceedings.get_case(case_id, as_of=as_of, session=session)
    notes = {(r.data["event"], r.data["date"]): r.data for r in list_records(session, principal, KIND, scope=f"case:{case_id}")}
    entries = []
    for e in case.events:
        if e.event not in EVENT_ENTRIES:
            continue
        extra = notes.get((e.event, e.date), {})
        committee = extra.get("committee") or e.payload.get("committee")
        entries.append(CongressEntry(e.date, EVENT_ENTRIES[e.event], e.event, e.title,
                                     None if committee is None else str(committee),
                                     extra.get("note") or e.note or ""))
    deadlines = []
    for d in case.deadlines:
        if d.clock_id not in CONGRESS_CLOCKS:
            continue
        deadlines.append(CongressDeadline(**{k: getattr(d, k) for k in CongressDeadline.__dataclass_fields__}))
    return CongressLog(case.id, case.title, case.procedure, tuple(entries), tuple(deadlines))
