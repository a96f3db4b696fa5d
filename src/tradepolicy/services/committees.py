"""Trade advisory committees (19 U.S.C. 2155): charter, members (cleared status), meetings, reports.

Committees are cited YAML (``coordination/data/committees.yaml``); members, meetings and reports
are records. Report due dates come from the law engine: the committees report no later than 30
days after the notice of intent to enter into an agreement (rule ``tpa.advisory_reports``,
clock ``advisory_reports_due`` of the case). A cleared member reads a restricted negotiating
text only with a grant for its agreement scope, and each read is logged.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from sqlalchemy.orm import Session

from tradepolicy.errors import ConflictError, InputError, NotFoundError
from tradepolicy.platform.principal import Principal
from tradepolicy.services import proceedings
from tradepolicy.services.records import get_record, list_records, put_record
from tradepolicy.services.typed import DictMixin

KIND_MEMBER = "committee_member"
KIND_MEETING = "committee_meeting"
KIND_REPORT = "committee_report"
KIND_TEXT = "negotiating_text"
SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Committee(DictMixin):
    """An advisory committee of the cited YAML: statutory basis, charter, source."""

    id: str
    name: str
    tier: str
    charter: str
    citation: str
    source: str
    confirmed: bool

    @property
    def flag(self) -> str:
        """Return ``confirmed`` or ``UNCONFIRMED``."""
        return "confirmed" if self.confirmed else "UNCONFIRMED"


@dataclass(frozen=True, slots=True)
class MemberView(DictMixin):
    """A committee member (cleared status with its date)."""

    key: str
    committee: str
    name: str
    organization: str
    cleared: bool
    cleared_on: str | None


@dataclass(frozen=True, slots=True)
class MeetingView(DictMixin):
    """A committee meeting: its notice (citation) and minutes."""

    key: str
    committee: str
    date: str
    notice: str
    minutes: str


@dataclass(frozen=True, slots=True)
class ReportView(DictMixin):
    """A committee's report on an agreement, late or on time against the law engine's due date."""

    key: str
    committee: str
    case_id: str
    date: str
    title: str
    due_date: str | None
    late: bool


@dataclass(frozen=True, slots=True)
class ReportDue(DictMixin):
    """The law engine's ``advisory_reports_due`` deadline of a negotiation case."""

    case_id: str
    due_date: str | None
    trigger_date: str | None
    rule_id: str
    citation: str
    confirmed: bool
    status: str
    projected: bool


@dataclass(frozen=True, slots=True)
class TextInfo:
    """A restricted negotiating text; ``body``, ``member`` and ``committee`` only when read by a member."""

    key: str
    title: str
    label: str
    scope: str
    body: str | None = None
    member: str | None = None
    committee: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (the body and reader only when read)."""
        d = asdict(self)
        return {k: v for k, v in d.items() if v is not None or k not in ("body", "member", "committee")}


def _fields(cls: Any, key: str, data: dict[str, Any]) -> dict[str, Any]:
    names = cls.__dataclass_fields__
    return {"key": key, **{k: v for k, v in data.items() if k in names and k != "key"}}


@lru_cache(maxsize=1)
def committees() -> dict[str, Committee]:
    """Return the committees by id (cited; ``confirmed: false`` where the fact sheet does not confirm)."""
    raw = yaml.safe_load(resources.files("tradepolicy.coordination").joinpath("data/committees.yaml").read_text())
    return {c["id"]: Committee(str(c["id"]), str(c["name"]), str(c["tier"]), str(c["charter"]), str(c["citation"]),
                               str(c["source"]), bool(c["confirmed"])) for c in raw["committees"]}


def check_committee(committee_id: str) -> Committee:
    """Return a committee or raise naming the field."""
    c = committees().get((committee_id or "").strip().lower())
    if c is None:
        raise InputError(f"Unknown committee {committee_id!r}.", field="committee", expected=" | ".join(committees()),
                         example="actpn")
    return c


@dataclass(frozen=True, slots=True)
class CommitteeView:
    """A committee with its members, meetings, reports and the report due date for a case."""

    id: str
    name: str
    tier: str
    charter: str
    citation: str
    source: str
    confirmed: bool
    members: tuple[MemberView, ...]
    meetings: tuple[MeetingView, ...]
    reports: tuple[ReportView, ...]
    report_due: ReportDue | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        d = asdict(self)
        for k in ("members", "meetings", "reports"):
            d[k] = list(d[k])
        return d


def add_member(session: Session, actor: Principal, committee_id: str, *, name: str, organization: str = "",
               cleared: bool = False, cleared_on: dt.date | None = None) -> MemberView:
    """Appoint a member (cleared status recorded with its date)."""
    c = check_committee(committee_id)
    if not name.strip() or len(name) > 200:
        raise InputError("A member needs a name (at most 200 characters).", field="name", expected="a name",
                         example="Jane Doe")
    key = f"{c.id}:{SLUG.sub('-', name.strip().lower()).strip('-')}"
    rec = put_record(session, actor, kind=KIND_MEMBER, key=key, label="public", scope=f"committee:{c.id}",
                     status="cleared" if cleared else "not_cleared", title=name.strip(),
                     data={"committee": c.id, "name": name.strip(), "organization": organization.strip()[:300],
                           "cleared": cleared, "cleared_on": (cleared_on or dt.date.today()).isoformat() if cleared else None})
    return MemberView(**_fields(MemberView, rec.key, rec.data))


def add_meeting(session: Session, actor: Principal, committee_id: str, *, date: dt.date, notice: str,
                minutes: str = "") -> MeetingView:
    """Record a meeting with its notice (citation) and minutes."""
    c = check_committee(committee_id)
    if not notice.strip() or len(notice) > 1000 or len(minutes) > 100_000:
        raise InputError("A meeting cites its notice (at most 1,000 characters; minutes at most 100,000).",
                         field="notice", expected="a notice citation", example="91 FR 1234 (2026-02-01)")
    n = len(list_records(session, actor, KIND_MEETING, scope=f"committee:{c.id}")) + 1
    rec = put_record(session, actor, kind=KIND_MEETING, key=f"{c.id}:{date.isoformat()}:{n}", label="public",
                     scope=f"committee:{c.id}", status="held", title=f"{c.id.upper()} meeting {date.isoformat()}",
                     data={"committee": c.id, "date": date.isoformat(), "notice": notice.strip(), "minutes": minutes.strip()})
    return MeetingView(**_fields(MeetingView, rec.key, rec.data))


def report_due(session: Session, case_id: str) -> ReportDue | None:
    """Return the law engine's ``advisory_reports_due`` deadline of a negotiation case (or None)."""
    case = proceedings.get_case(case_id, session=session)
    for d in case.deadlines:
        if d.clock_id == "advisory_reports_due":
            return ReportDue(case_id, d.due_date, d.trigger_date, d.rule_id, d.citation,
                             d.confirmed, d.status, d.projected)
    return None


def file_report(session: Session, actor: Principal, committee_id: str, *, case_id: str, date: dt.date,
                title: str) -> ReportView:
    """File a committee's report on an agreement; late reports are marked against the law engine's due date."""
    c = check_committee(committee_id)
    due = report_due(session, case_id)
    if not title.strip() or len(title) > 500:
        raise InputError("A report needs a title (at most 500 characters).", field="title", expected="a title",
                         example="Report of the ACTPN on the agreement")
    late = bool(due and due.due_date and date.isoformat() > due.due_date)
    rec = put_record(session, actor, kind=KIND_REPORT, key=f"{c.id}:{case_id}", label="public",
                     scope=f"committee:{c.id}", status="late" if late else "on_time", title=title.strip(),
                     data={"committee": c.id, "case_id": case_id, "date": date.isoformat(), "title": title.strip(),
                           "due_date": due.due_date if due else None, "late": late})
    return ReportView(**_fields(ReportView, rec.key, rec.data))


def get_committee(session: Session, principal: Principal, committee_id: str, *, case_id: str | None = None) -> CommitteeView:
    """Return a committee with its members, meetings, reports, and the report due date for ``case_id``."""
    c = check_committee(committee_id)
    scope = f"committee:{c.id}"
    members = tuple(MemberView(**_fields(MemberView, r.key, r.data))
                    for r in list_records(session, principal, KIND_MEMBER, scope=scope))
    meetings = tuple(MeetingView(**_fields(MeetingView, r.key, r.data))
                     for r in list_records(session, principal, KIND_MEETING, scope=scope))
    reports = tuple(ReportView(**_fields(ReportView, r.key, r.data))
                    for r in list_records(session, principal, KIND_REPORT, scope=scope))
    return CommitteeView(c.id, c.name, c.tier, c.charter, c.citation, c.source, c.confirmed,
                         members, meetings, reports, report_due(session, case_id) if case_id else None)


def put_text(session: Session, actor: Principal, *, agreement: str, key: str, title: str, body: str) -> TextInfo:
    """Store a restricted negotiating text (scope ``agreement:ID``)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,80}", agreement or "") or not re.fullmatch(r"[A-Za-z0-9_.-]{1,80}", key or ""):
        raise InputError("Malformed agreement or text id.", field="agreement", expected="lower-case id",
                         example="usmca")
    if not body.strip() or len(body) > 1_000_000:
        raise InputError("A negotiating text needs its body (at most 1,000,000 characters).", field="body",
                         expected="text", example="Article 1 ...")
    rec = put_record(session, actor, kind=KIND_TEXT, key=f"{agreement}:{key}", label="restricted",
                     scope=f"agreement:{agreement}", status="draft", title=title.strip()[:500],
                     data={"agreement": agreement, "title": title.strip()[:500], "body": body})
    return TextInfo(rec.key, rec.title, rec.label, rec.scope or "")


def read_text(session: Session, principal: Principal, committee_id: str, member: str, text_key: str, *,
              where: str = "") -> TextInfo:
    """Return a restricted negotiating text to a cleared committee member with a grant (the read is logged)."""
    c = check_committee(committee_id)
    try:
        m = get_record(session, principal, KIND_MEMBER, f"{c.id}:{SLUG.sub('-', member.strip().lower()).strip('-')}")
    except NotFoundError:
        raise NotFoundError(f"No member {member!r} of {c.id}.", field="member", example="jane-doe") from None
    if not m.data.get("cleared"):
        raise ConflictError(f"{m.data['name']} is not cleared to read negotiating texts.", field="member",
                            expected="a cleared member", example=m.key)
    try:
        rec = get_record(session, principal, KIND_TEXT, text_key, where=where)
    except NotFoundError:
        raise NotFoundError(f"No negotiating text {text_key!r} you may read.", field="text",
                            expected="a text id and a grant for restricted in agreement:ID", example="usmca:chapter-19") from None
    return TextInfo(rec.key, rec.title, rec.label, rec.scope or "", str(rec.data["body"]), str(m.data["name"]), c.id)
