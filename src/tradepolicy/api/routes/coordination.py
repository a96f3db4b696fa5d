"""/api routes of the coordination domain: dockets, comments, exclusions, clearance, Congress, committees.

Every route declares its permission with ``requires``; services decide what a principal may read
(``can_read``) and log confidential reads. Uploads are read with a size limit; the server never
reads a path a client names.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tradepolicy.api.schemas import (  # the one error shape (one OpenAPI component)
    ErrorOut,
)
from tradepolicy.api.security import requires
from tradepolicy.coordination.files import MAX_FILE_BYTES
from tradepolicy.errors import InputError
from tradepolicy.platform.principal import Principal
from tradepolicy.store.db import transaction

if TYPE_CHECKING:
    from tradepolicy.services.dockets import SubmissionResult

NEEDS_CLEARANCE_WRITE = requires("clearance.write")
NEEDS_COMMITTEES_WRITE = requires("committees.write")
NEEDS_CONGRESS_WRITE = requires("congress.write")
NEEDS_DOCKETS_MANAGE = requires("dockets.manage")
NEEDS_EXCLUSIONS_DECIDE = requires("exclusions.decide")
NEEDS_EXCLUSIONS_REQUEST = requires("exclusions.request")
NEEDS_PUBLIC_READ = requires("public.read")
NEEDS_PUBLIC_SUBMIT = requires("public.submit")

router = APIRouter(tags=["coordination"])


Responses = dict[int | str, dict[str, Any]]
E400: Responses = {400: {"model": ErrorOut}}
E404: Responses = {404: {"model": ErrorOut}}
E401_403: Responses = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}}
EALL: Responses = {**E400, **E404, **E401_403, 409: {"model": ErrorOut}}


class Envelope(BaseModel):
    """A successful answer: ``ok`` and the payload."""

    ok: bool = True


class DocketOut(Envelope):
    """One docket with its cited windows and counts."""

    docket: dict[str, Any]


class DocketsOut(Envelope):
    """Dockets the caller may read."""

    count: int
    dockets: list[dict[str, Any]]


class DocketPageOut(Envelope):
    """A page of a docket: counts, clusters, comments (public fields)."""

    page: dict[str, Any]


class CommentOut(Envelope):
    """A comment's public fields."""

    comment: dict[str, Any]


class SubmissionOut(Envelope):
    """What a submission stored (no BCI content)."""

    submission: dict[str, Any]


class SearchOut(Envelope):
    """Full-text search results."""

    result: dict[str, Any]


class ImportOut(Envelope):
    """Counts of an import."""

    imported: dict[str, int]


class ItemOut(Envelope):
    """One workflow item (exclusion, clearance, log, committee)."""

    item: dict[str, Any]


class ItemsOut(Envelope):
    """Workflow items."""

    count: int
    items: list[dict[str, Any]]


class OpenDocketIn(BaseModel):
    """Body of ``POST /api/dockets``."""

    docket_id: str = Field(max_length=40, examples=["USTR-2026-0001"])
    title: str = Field(max_length=500)
    procedure: str = Field(max_length=60, examples=["s301_review"])
    opens: dt.date
    hearing: dt.date | None = None
    notice_rules: dict[str, str] | None = Field(None, description="window -> date rule id taken from the notice")
    notice: str = Field("", max_length=2000)
    allow_public: bool = True


class StatusIn(BaseModel):
    """Body of ``POST /api/comments/{id}/status``."""

    status: str = Field(max_length=20, examples=["posted"])
    note: str | None = Field(None, max_length=2000)
    duplicate_of: str | None = Field(None, max_length=60)


class ExclusionIn(BaseModel):
    """Body of ``POST /api/exclusions``."""

    docket_id: str = Field(max_length=40)
    requester: str = Field(max_length=300)
    hts10: str = Field(max_length=16)
    product: str = Field(max_length=2000)
    rationale: str = Field(max_length=20000)
    bci_data: str = Field("", max_length=20000)
    requested_on: dt.date | None = None


class ResponseIn(BaseModel):
    """Body of ``POST /api/exclusions/{id}/responses``."""

    party: str = Field(max_length=300)
    position: str = Field(max_length=10, examples=["object"])
    text: str = Field(max_length=20000)
    filed_on: dt.date | None = None


class DecisionIn(BaseModel):
    """Body of ``POST /api/exclusions/{id}/decision``."""

    decision: str = Field(max_length=10, examples=["granted"])
    published: dt.date
    notice: str = Field(max_length=500)
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    reason: str = Field("", max_length=5000)


class ClearanceIn(BaseModel):
    """Body of ``POST /api/clearances``."""

    title: str = Field(max_length=300)
    levels: list[str] = Field(max_length=3, examples=[["tpsc", "tprg"]])
    agencies: list[str] = Field(max_length=40)
    due: dt.date
    text: str | None = Field(None, max_length=1_000_000, description="the restricted document's text")


class PositionIn(BaseModel):
    """Body of ``POST /api/clearances/{id}/positions``."""

    agency: str = Field(max_length=60)
    position: str = Field(max_length=20, examples=["non_concur"])
    comment: str = Field("", max_length=20000)
    on: dt.date | None = None


class CongressIn(BaseModel):
    """Body of ``POST /api/cases/{id}/congress``."""

    entry: str = Field(max_length=60, examples=["notice_of_intent_to_enter"])
    date: dt.date
    committee: str | None = Field(None, max_length=60)
    note: str = Field("", max_length=5000)


class MemberIn(BaseModel):
    """Body of ``POST /api/committees/{id}/members``."""

    name: str = Field(max_length=200)
    organization: str = Field("", max_length=300)
    cleared: bool = False


class MeetingIn(BaseModel):
    """Body of ``POST /api/committees/{id}/meetings``."""

    date: dt.date
    notice: str = Field(max_length=1000)
    minutes: str = Field("", max_length=100_000)


class ReportIn(BaseModel):
    """Body of ``POST /api/committees/{id}/reports``."""

    case_id: str = Field(max_length=120)
    date: dt.date
    title: str = Field(max_length=500)


def _where(request: Request) -> str:
    return request.client.host if request.client else ""


async def _upload(f: UploadFile | None, field: str, label: str = "public") -> Any:
    from tradepolicy.services.dockets import Upload

    if f is None or not f.filename:
        return None
    content = await f.read(MAX_FILE_BYTES + 1)
    if len(content) > MAX_FILE_BYTES:
        raise InputError(f"File {f.filename!r} is over the limit of {MAX_FILE_BYTES:,} bytes.", field=field,
                         expected=f"at most {MAX_FILE_BYTES:,} bytes", example="split the exhibits")
    return Upload(f.filename, content, label)


@dataclass
class SubmissionForm:
    """The docket submission form, declared once (multipart, with its size limits).

    ``POST /api/dockets/{id}/comments`` and the page's ``POST /dockets/{id}/submit`` both take it
    (``Annotated[SubmissionForm, Depends()]``) and store it with :meth:`submit`: the page's form
    shows the common fields; ``title``, ``window`` and ``bci_attachments`` keep their defaults there.
    """

    commenter: Annotated[str, Form(max_length=200)]
    commenter_type: Annotated[str, Form(max_length=20)] = "individual"
    organization: Annotated[str, Form(max_length=300)] = ""
    title: Annotated[str, Form(max_length=500)] = ""
    text: Annotated[str, Form(max_length=200_000)] = ""
    hts: Annotated[str, Form(max_length=2000)] = ""
    countries: Annotated[str, Form(max_length=500)] = ""
    window: Annotated[str, Form(max_length=30)] = "comments"
    file: Annotated[UploadFile | None, File()] = None
    bci_file: Annotated[UploadFile | None, File()] = None
    attachments: Annotated[list[UploadFile] | None, File()] = None
    bci_attachments: Annotated[list[UploadFile] | None, File()] = None

    async def submit(self, principal: Principal, docket_id: str, *, where: str) -> SubmissionResult:
        """Read the uploads (size-limited) and store the submission in one transaction (``dockets.submit``)."""
        from tradepolicy.services import dockets as svc

        atts = [a for a in [await _upload(f, "attachments") for f in self.attachments or []]
                + [await _upload(f, "bci_attachments", "bci") for f in self.bci_attachments or []] if a]
        with transaction() as s:
            return svc.submit(s, principal, docket_id=docket_id, commenter_name=self.commenter,
                              commenter_type=self.commenter_type, organization=self.organization, title=self.title,
                              text_body=self.text or None, file=await _upload(self.file, "file"),
                              bci_file=await _upload(self.bci_file, "bci_file"), attachments=atts,
                              hts=self.hts.split(","), countries=self.countries.split(","), window=self.window,
                              where=where)


# --------------------------------------------------------------------------- dockets


@router.get("/dockets", response_model=DocketsOut, responses=E400)
def dockets(principal: Principal = NEEDS_PUBLIC_READ) -> DocketsOut:
    """List the dockets the caller may read, with comment counts."""
    from tradepolicy.services import dockets as svc

    with transaction() as s:
        rows = [d.to_dict() for d in svc.list_dockets(s, principal)]
    return DocketsOut(count=len(rows), dockets=rows)


@router.post("/dockets", response_model=DocketOut, responses=EALL)
def open_docket(body: OpenDocketIn, principal: Principal = NEEDS_DOCKETS_MANAGE) -> DocketOut:
    """Open a docket; its windows come from the procedure's cited rules or the notice's date rules."""
    from tradepolicy.services import dockets as svc

    with transaction() as s:
        info = svc.open_docket(s, principal, docket_id=body.docket_id, title=body.title, procedure=body.procedure,
                               opens=body.opens, hearing=body.hearing, notice_rules=body.notice_rules,
                               notice=body.notice, allow_public=body.allow_public)
    return DocketOut(docket=info.to_dict())


@router.post("/dockets/import", response_model=ImportOut, responses=EALL)
def import_v4(payload: dict[str, Any], principal: Principal = NEEDS_DOCKETS_MANAGE) -> ImportOut:
    """Import a regulations.gov v4 response (``/dockets``, ``/documents`` or ``/comments`` shape)."""
    from tradepolicy.services import dockets as svc

    if len(json.dumps(payload)) > 50_000_000:
        raise InputError("The payload is over 50 MB.", field="payload", expected="at most 50 MB", example="one page")
    with transaction() as s:
        out = svc.import_v4(s, principal, payload)
    return ImportOut(imported=out.to_dict())


@router.get("/dockets/{docket_id}", response_model=DocketPageOut, responses={**E400, **E404})
def docket(docket_id: str, status: Annotated[str | None, Query(max_length=20)] = None,
           commenter_type: Annotated[str | None, Query(max_length=20)] = None,
           chapter: Annotated[str | None, Query(max_length=2)] = None,
           country: Annotated[str | None, Query(max_length=3)] = None,
           q: Annotated[str | None, Query(max_length=500)] = None,
           page: Annotated[int, Query(ge=1, le=100_000)] = 1, per_page: Annotated[int, Query(ge=1, le=200)] = 25,
           principal: Principal = NEEDS_PUBLIC_READ) -> DocketPageOut:
    """Return a page of a docket: windows, counts, form-letter clusters, filtered comments (public fields)."""
    from tradepolicy.services import dockets as svc

    with transaction() as s:
        p = svc.docket_page(s, principal, docket_id, status=status, commenter_type=commenter_type, chapter=chapter,
                            country=country, q=q, page=page, per_page=per_page)
    return DocketPageOut(page=p.to_dict())


@router.post("/dockets/{docket_id}/comments", response_model=SubmissionOut, responses=EALL)
async def submit(request: Request, docket_id: str, form: Annotated[SubmissionForm, Depends()],
                 principal: Principal = NEEDS_PUBLIC_SUBMIT) -> SubmissionOut:
    """Submit a comment: public version (file or text), optional BCI version and attachments."""
    res = await form.submit(principal, docket_id, where=_where(request))
    return SubmissionOut(submission=res.to_dict())


@router.get("/dockets/{docket_id}/search", response_model=SearchOut, responses={**E400, **E404})
def search(docket_id: str, q: Annotated[str, Query(max_length=500)],
           status: Annotated[str | None, Query(max_length=20)] = None,
           commenter_type: Annotated[str | None, Query(max_length=20)] = None,
           limit: Annotated[int, Query(ge=1, le=200)] = 50,
           principal: Principal = NEEDS_PUBLIC_READ) -> SearchOut:
    """Full-text search over comments and public attachments."""
    from tradepolicy.services import dockets as svc

    with transaction() as s:
        r = svc.search(s, principal, docket_id, q, status=status, commenter_type=commenter_type, limit=limit)
    return SearchOut(result=r.to_dict())


@router.get("/dockets/{docket_id}/export", responses={**E400, **E404, 200: {"content": {"text/csv": {}}}},
            response_model=None)
def export(docket_id: str, format: Annotated[str, Query(pattern="^(csv|json)$")] = "csv",
           principal: Principal = NEEDS_PUBLIC_READ) -> Response:
    """Export the public fields of the visible comments (CSV or JSON)."""
    from tradepolicy.services import dockets as svc
    from tradepolicy.web.coordination_render import csv_text

    with transaction() as s:
        rows = [v.public_row() for v in svc.export_rows(s, principal, docket_id)]
    if format == "json":
        return Response(json.dumps({"ok": True, "count": len(rows), "comments": rows}), media_type="application/json")
    return Response(csv_text(rows, svc.PUBLIC_FIELDS), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{docket_id}-comments.csv"'})


@router.get("/dockets/{docket_id}/report", responses={**E400, **E404, 200: {"content": {"application/pdf": {}}}},
            response_model=None)
def report(docket_id: str, format: Annotated[str, Query(pattern="^(html|pdf)$")] = "html",
           principal: Principal = NEEDS_PUBLIC_READ) -> Response:
    """Return the comments summary report (HTML or PDF)."""
    from tradepolicy.services import dockets as svc
    from tradepolicy.web.coordination_render import docket_report

    with transaction() as s:
        summ = svc.summary(s, principal, docket_id)
    return Response(docket_report(summ, format), media_type="application/pdf" if format == "pdf" else "text/html")


@router.get("/comments/{comment_id}", response_model=CommentOut, responses={**E400, **E404})
def comment(comment_id: str, principal: Principal = NEEDS_PUBLIC_READ) -> CommentOut:
    """Return a comment's public fields with its status history."""
    from tradepolicy.services import dockets as svc

    with transaction() as s:
        v = svc.get_comment(s, principal, comment_id)
        hist = [e.to_dict() for e in svc.comment_history(s, principal, comment_id)]
    return CommentOut(comment={**v.to_dict(), "history": hist})


@router.post("/comments/{comment_id}/status", response_model=CommentOut, responses=EALL)
def set_status(comment_id: str, body: StatusIn, principal: Principal = NEEDS_DOCKETS_MANAGE) -> CommentOut:
    """Screen, post, withdraw or mark a comment duplicate."""
    from tradepolicy.services import dockets as svc

    with transaction() as s:
        v = svc.set_status(s, principal, comment_id, body.status, note=body.note, duplicate_of=body.duplicate_of)
    return CommentOut(comment=v.to_dict())


@router.get("/comments/{comment_id}/bci", response_model=None,
            responses={**E404, **E401_403, 200: {"content": {"application/octet-stream": {}}}})
def bci_version(request: Request, comment_id: str, principal: Principal = NEEDS_PUBLIC_READ) -> Response:
    """Return the BCI version of a comment: only with a grant for ``bci`` in ``docket:ID``; the read is logged."""
    from tradepolicy.services import dockets as svc

    with transaction() as s:
        name, media, content = svc.get_bci(s, principal, comment_id, where=_where(request))
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                        "Cache-Control": "no-store"})


# --------------------------------------------------------------------------- exclusions


@router.get("/exclusions", response_model=ItemsOut, responses=E400)
def exclusions(status: Annotated[str | None, Query(max_length=20)] = None,
               principal: Principal = NEEDS_PUBLIC_READ) -> ItemsOut:
    """Exclusion requests (BCI data only with a grant)."""
    from tradepolicy.services import exclusions as svc

    with transaction() as s:
        rows = [v.to_dict() for v in svc.list_exclusions(s, principal, status=status)]
    return ItemsOut(count=len(rows), items=rows)


@router.get("/exclusions/{request_id}", response_model=ItemOut, responses={**E400, **E404})
def exclusion(request: Request, request_id: str, principal: Principal = NEEDS_PUBLIC_READ) -> ItemOut:
    """One exclusion request with its responses and decision."""
    from tradepolicy.services import exclusions as svc

    with transaction() as s:
        v = svc.get_exclusion(s, principal, request_id, where=_where(request))
    return ItemOut(item=v.to_dict())


@router.post("/exclusions", response_model=ItemOut, responses=EALL)
def request_exclusion(body: ExclusionIn, principal: Principal = NEEDS_EXCLUSIONS_REQUEST) -> ItemOut:
    """File an exclusion request."""
    from tradepolicy.services import exclusions as svc

    with transaction() as s:
        v = svc.request_exclusion(s, principal, docket_id=body.docket_id, requester=body.requester, hts10=body.hts10,
                                  product=body.product, rationale=body.rationale, bci_data=body.bci_data,
                                  requested_on=body.requested_on)
    return ItemOut(item=v.to_dict())


@router.post("/exclusions/{request_id}/responses", response_model=ItemOut, responses=EALL)
def respond(request_id: str, body: ResponseIn, principal: Principal = NEEDS_EXCLUSIONS_REQUEST) -> ItemOut:
    """File an objection or a statement of support."""
    from tradepolicy.services import exclusions as svc

    with transaction() as s:
        v = svc.respond(s, principal, request_id, party=body.party, position=body.position, text=body.text,
                        filed_on=body.filed_on)
    return ItemOut(item=v.to_dict())


@router.post("/exclusions/{request_id}/decision", response_model=ItemOut, responses=EALL)
def decide(request_id: str, body: DecisionIn, principal: Principal = NEEDS_EXCLUSIONS_DECIDE) -> ItemOut:
    """Grant or deny; a grant enters the duty stack inside its window."""
    from tradepolicy.services import exclusions as svc

    with transaction() as s:
        v = svc.decide(s, principal, request_id, decision=body.decision, published=body.published, notice=body.notice,
                       effective_from=body.effective_from, effective_until=body.effective_until, reason=body.reason)
    return ItemOut(item=v.to_dict())


# --------------------------------------------------------------------------- clearance


@router.get("/clearances", response_model=ItemsOut, responses=E401_403)
def clearances(request: Request, principal: Principal = NEEDS_PUBLIC_READ) -> ItemsOut:
    """Clearances the caller holds a grant for (others are neither listed nor counted)."""
    from tradepolicy.services import clearance as svc

    with transaction() as s:
        rows = [v.to_dict() for v in svc.list_clearances(s, principal, where=_where(request))]
    return ItemsOut(count=len(rows), items=rows)


@router.post("/clearances", response_model=ItemOut, responses=EALL)
def start_clearance(body: ClearanceIn, principal: Principal = NEEDS_CLEARANCE_WRITE) -> ItemOut:
    """Start clearing a restricted document at the first level."""
    from tradepolicy.services import clearance as svc

    with transaction() as s:
        v = svc.start(s, principal, title=body.title, levels=body.levels, agencies=body.agencies, due=body.due,
                      content=body.text.encode() if body.text else None, filename="document.txt")
    return ItemOut(item=v.to_dict())


@router.get("/clearances/{clearance_id}", response_model=ItemOut, responses={**E400, **E404, **E401_403})
def clearance(request: Request, clearance_id: str, on: dt.date | None = None,
              principal: Principal = NEEDS_PUBLIC_READ) -> ItemOut:
    """Return a clearance with its positions and audit trail (a missed due date escalates it)."""
    from tradepolicy.services import clearance as svc

    with transaction() as s:
        v = svc.status(s, principal, clearance_id, today=on, where=_where(request))
        trail = [t.to_dict() for t in svc.history(s, principal, clearance_id, where=_where(request))]
    return ItemOut(item={**v.to_dict(), "history": trail})


@router.post("/clearances/{clearance_id}/positions", response_model=ItemOut, responses=EALL)
def clearance_position(request: Request, clearance_id: str, body: PositionIn,
                       principal: Principal = NEEDS_CLEARANCE_WRITE) -> ItemOut:
    """Record an agency's position (a non-concurrence escalates)."""
    from tradepolicy.services import clearance as svc

    with transaction() as s:
        v = svc.position(s, principal, clearance_id, agency=body.agency, position=body.position, comment=body.comment,
                         on=body.on, where=_where(request))
    return ItemOut(item=v.to_dict())


# --------------------------------------------------------------------------- congress, committees


@router.get("/cases/{case_id}/congress", response_model=ItemOut, responses={**E400, **E404})
def congress(case_id: str, principal: Principal = NEEDS_PUBLIC_READ) -> ItemOut:
    """Return a negotiation case's congressional record beside the law engine's deadlines."""
    from tradepolicy.services import congress as svc

    with transaction() as s:
        log = svc.congress_log(s, principal, case_id)
    return ItemOut(item=log.to_dict())


@router.post("/cases/{case_id}/congress", response_model=ItemOut, responses=EALL)
def congress_record(case_id: str, body: CongressIn, principal: Principal = NEEDS_CONGRESS_WRITE) -> ItemOut:
    """Record a notification or consultation (an event of the case)."""
    from tradepolicy.services import congress as svc

    with transaction() as s:
        log = svc.log_entry(s, principal, case_id, entry=body.entry, date=body.date, committee=body.committee,
                            note=body.note)
    return ItemOut(item=log.to_dict())


@router.get("/committees", response_model=ItemsOut, responses=E400)
def committees(principal: Principal = NEEDS_PUBLIC_READ) -> ItemsOut:
    """Return the advisory committees with their statutory basis."""
    from tradepolicy.services import committees as svc

    rows = [c.to_dict() for c in svc.committees().values()]
    return ItemsOut(count=len(rows), items=rows)


@router.get("/committees/{committee_id}", response_model=ItemOut, responses={**E400, **E404})
def committee(committee_id: str, case: Annotated[str | None, Query(max_length=120)] = None,
              principal: Principal = NEEDS_PUBLIC_READ) -> ItemOut:
    """Return a committee: charter, members, meetings, reports, the report due date for a case."""
    from tradepolicy.services import committees as svc

    with transaction() as s:
        v = svc.get_committee(s, principal, committee_id, case_id=case)
    return ItemOut(item=v.to_dict())


@router.post("/committees/{committee_id}/members", response_model=ItemOut, responses=EALL)
def committee_member(committee_id: str, body: MemberIn, principal: Principal = NEEDS_COMMITTEES_WRITE) -> ItemOut:
    """Appoint a member (cleared status)."""
    from tradepolicy.services import committees as svc

    with transaction() as s:
        out = svc.add_member(s, principal, committee_id, name=body.name, organization=body.organization, cleared=body.cleared)
    return ItemOut(item=out.to_dict())


@router.post("/committees/{committee_id}/meetings", response_model=ItemOut, responses=EALL)
def committee_meeting(committee_id: str, body: MeetingIn, principal: Principal = NEEDS_COMMITTEES_WRITE) -> ItemOut:
    """Record a meeting."""
    from tradepolicy.services import committees as svc

    with transaction() as s:
        out = svc.add_meeting(s, principal, committee_id, date=body.date, notice=body.notice, minutes=body.minutes)
    return ItemOut(item=out.to_dict())


@router.post("/committees/{committee_id}/reports", response_model=ItemOut, responses=EALL)
def committee_report(committee_id: str, body: ReportIn, principal: Principal = NEEDS_COMMITTEES_WRITE) -> ItemOut:
    """File a committee report (late against the law engine's due date is marked)."""
    from tradepolicy.services import committees as svc

    with transaction() as s:
        out = svc.file_report(s, principal, committee_id, case_id=body.case_id, date=body.date, title=body.title)
    return ItemOut(item=out.to_dict())


@router.get("/committees/{committee_id}/texts/{text_key}", response_model=ItemOut, responses={**E404, **E401_403, 409: {"model": ErrorOut}})
def negotiating_text(request: Request, committee_id: str, text_key: str, member: Annotated[str, Query(max_length=200)],
                     principal: Principal = NEEDS_PUBLIC_READ) -> ItemOut:
    """Return a restricted negotiating text for a cleared member with a grant (the read is logged)."""
    from tradepolicy.services import committees as svc

    with transaction() as s:
        out = svc.read_text(s, principal, committee_id, member, text_key, where=_where(request))
    return ItemOut(item=out.to_dict())
