"""/api/barriers, /api/nte, /api/special301, /api/tfa: the promote workflows over HTTP.

Every route declares its permission with ``requires`` and parses, calls a service in one
transaction, and returns JSON (or a report's bytes). Confidential reads are logged by the
services with the client address.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from tradepolicy.api.schemas import (  # the one error shape (one OpenAPI component)
    ErrorOut,
)
from tradepolicy.api.security import current_principal, requires
from tradepolicy.platform.principal import Principal
from tradepolicy.store.db import transaction

barriers_router = APIRouter(tags=["barriers"])
nte_router = APIRouter(tags=["nte"])
special301_router = APIRouter(tags=["special301"])
tfa_router = APIRouter(tags=["tfa"])


ERR: dict[int | str, dict[str, Any]] = {400: {"model": ErrorOut}, 401: {"model": ErrorOut}, 403: {"model": ErrorOut},
                                         404: {"model": ErrorOut}, 409: {"model": ErrorOut}}
MAX_UPLOAD = 20_000_000


def _where(request: Request) -> str:
    return request.client.host if request.client else ""


class Commitment(BaseModel):
    """The commitment a barrier breaches."""

    kind: Literal["agreement", "dispute", "other"]
    ref: str = Field(max_length=300, examples=["wto-sps", "DS517"])
    provision: str = Field(default="", max_length=500)


class ActionStep(BaseModel):
    """One step of an action plan."""

    action: str = Field(max_length=1000)
    owner: str = Field(max_length=200)
    due: dt.date | None = None
    done: bool = False


class BarrierIn(BaseModel):
    """A new barrier."""

    partner: str = Field(max_length=3, examples=["CHN"])
    title: str = Field(max_length=300)
    nte_category: str = Field(max_length=60, examples=["sps"])
    description: str = Field(default="", max_length=20_000)
    hs_codes: list[str] = Field(default_factory=list, max_length=500)
    sectors: list[str] = Field(default_factory=list, max_length=50)
    commitment: Commitment | None = None
    priority: Literal["low", "medium", "high", "top"] = "medium"
    action_plan: list[ActionStep] = Field(default_factory=list, max_length=100)
    internal_notes: str = Field(default="", max_length=20_000)
    ave: float | None = Field(default=None, ge=0, le=10)
    elasticity: float | None = Field(default=None, gt=0, le=50)
    allow_duplicate: bool = False


class BarrierUpdate(BaseModel):
    """Fields to change (only those given)."""

    changes: dict[str, Any]


class StatusIn(BaseModel):
    """A lifecycle move."""

    status: str = Field(max_length=30, examples=["resolved"])
    waiting_on: str | None = Field(default=None, max_length=30)
    reason: str | None = Field(default=None, max_length=1000)


class PublicDraftIn(BaseModel):
    """The text of the public version."""

    summary: str = Field(max_length=20_000)


class CoverageModel(BaseModel):
    """Measured US exports of the barrier's products to the partner (``services.barriers.coverage``)."""

    model_config = ConfigDict(extra="allow")

    status: str | None = Field(default=None, examples=["measured", "partial", "partner_total", "unknown"])
    value_usd: float | None = None
    year: int | None = None
    source: str | None = None
    label: str | None = Field(default=None, examples=["US$1.2 million", "coverage unknown"])
    method: str | None = None


class CitationModel(BaseModel):
    """Where a barrier's text comes from (NTE edition, section, page when confirmed, source read)."""

    model_config = ConfigDict(extra="allow")

    document: str
    edition: int | None = None
    section: str = ""
    page: int | None = None
    page_confirmed: bool = False
    source_url: str = ""
    confirmed: bool = False


class CommitmentModel(BaseModel):
    """The commitment a barrier breaches, as stored."""

    kind: str = Field(examples=["agreement", "dispute", "other"])
    ref: str
    provision: str = ""


class ActionStepModel(BaseModel):
    """One step of a barrier's action plan, as stored."""

    action: str
    owner: str
    due: str | None = None
    done: bool = False


class BarrierModel(BaseModel):
    """A barrier as ``services.barriers.BarrierView.to_dict`` gives it.

    Restricted fields are null when the caller may not read them, and named in ``redacted_fields``.
    """

    model_config = ConfigDict(extra="allow")

    id: str
    partner: str
    partner_name: str
    title: str
    status: str
    waiting_on: str
    label: str
    version: int
    nte_category: str
    nte_category_title: str | None = None
    hs_codes: list[str]
    sectors: list[str]
    commitment: CommitmentModel | None = None
    priority: str | None = None
    public_summary: str
    public_state: str
    citation: CitationModel | None = None
    description: str | None = None
    internal_notes: str | None = None
    action_plan: list[ActionStepModel] | None = None
    redacted_fields: list[str]
    coverage: CoverageModel
    estimated_value: dict[str, Any] | None = None
    updated_at: str
    updated_by: str


class BarrierOut(BaseModel):
    """One barrier as the caller may see it (restricted fields removed and named in redacted_fields)."""

    ok: bool = True
    barrier: BarrierModel


def _out(view: Any) -> BarrierOut:
    """Wrap a ``BarrierView`` (its ``to_dict()``) in the response model."""
    return BarrierOut(barrier=BarrierModel.model_validate(view.to_dict()))


class BarrierListOut(BaseModel):
    """Barriers the caller may read."""

    ok: bool = True
    count: int
    barriers: list[BarrierModel]


@barriers_router.get("/barriers", response_model=BarrierListOut, responses=ERR, dependencies=[requires("public.read")])
def api_list_barriers(request: Request, principal: Annotated[Principal, Depends(current_principal)],
                      partner: Annotated[str | None, Query(max_length=3)] = None,
                      status: Annotated[str | None, Query(max_length=30)] = None,
                      category: Annotated[str | None, Query(max_length=60)] = None) -> BarrierListOut:
    """List the barriers the caller may read (public ones for anonymous visitors)."""
    from tradepolicy.services import barriers as svc

    with transaction() as s:
        rows = [BarrierModel.model_validate(b.to_dict())
                for b in svc.list_barriers(s, principal, partner=partner, status=status, category=category,
                                           where=_where(request))]
    return BarrierListOut(count=len(rows), barriers=rows)


@barriers_router.get("/barriers/{barrier_id}", response_model=BarrierOut, responses=ERR,
                     dependencies=[requires("public.read")])
def api_get_barrier(barrier_id: str, request: Request,
                    principal: Annotated[Principal, Depends(current_principal)]) -> BarrierOut:
    """Return one barrier (404 when it does not exist or the caller may not read it)."""
    from tradepolicy.services import barriers as svc

    with transaction() as s:
        return _out(svc.get_barrier(s, principal, barrier_id, where=_where(request)))


@barriers_router.post("/barriers", response_model=BarrierOut, status_code=201, responses=ERR)
def api_add_barrier(body: BarrierIn, request: Request,
                    principal: Annotated[Principal, requires("barriers.write")]) -> BarrierOut:
    """Enter a barrier (restricted until published); 409 for a likely duplicate."""
    from tradepolicy.services import barriers as svc

    with transaction() as s:
        b = svc.add_barrier(s, principal, partner=body.partner, title=body.title, description=body.description,
                            nte_category=body.nte_category, hs_codes=body.hs_codes, sectors=body.sectors,
                            commitment=body.commitment.model_dump() if body.commitment else None,
                            priority=body.priority, action_plan=[a.model_dump(mode="json") for a in body.action_plan],
                            internal_notes=body.internal_notes, ave=body.ave, elasticity=body.elasticity,
                            allow_duplicate=body.allow_duplicate, where=_where(request))
        return _out(b)


@barriers_router.patch("/barriers/{barrier_id}", response_model=BarrierOut, responses=ERR)
def api_update_barrier(barrier_id: str, body: BarrierUpdate, request: Request,
                       principal: Annotated[Principal, requires("barriers.write")]) -> BarrierOut:
    """Change fields of a barrier."""
    from tradepolicy.services import barriers as svc

    with transaction() as s:
        return _out(svc.update_barrier(s, principal, barrier_id, body.changes, where=_where(request)))


@barriers_router.post("/barriers/{barrier_id}/status", response_model=BarrierOut, responses=ERR)
def api_barrier_status(barrier_id: str, body: StatusIn, request: Request,
                       principal: Annotated[Principal, requires("barriers.write")]) -> BarrierOut:
    """Move a barrier along its lifecycle (400 naming the allowed moves otherwise)."""
    from tradepolicy.services import barriers as svc

    with transaction() as s:
        return _out(svc.change_status(s, principal, barrier_id, body.status, waiting_on=body.waiting_on,
                                      reason=body.reason, where=_where(request)))


@barriers_router.post("/barriers/{barrier_id}/public-draft", response_model=BarrierOut, responses=ERR)
def api_barrier_draft(barrier_id: str, body: PublicDraftIn, request: Request,
                      principal: Annotated[Principal, requires("barriers.write")]) -> BarrierOut:
    """Submit the public version's text for approval."""
    from tradepolicy.services import barriers as svc

    with transaction() as s:
        return _out(svc.draft_public(s, principal, barrier_id, body.summary, where=_where(request)))


@barriers_router.post("/barriers/{barrier_id}/approve", response_model=BarrierOut, responses=ERR)
def api_barrier_approve(barrier_id: str, request: Request,
                        principal: Annotated[Principal, requires("barriers.publish")]) -> BarrierOut:
    """Approve the drafted public version."""
    from tradepolicy.services import barriers as svc

    with transaction() as s:
        return _out(svc.approve_public(s, principal, barrier_id, where=_where(request)))


@barriers_router.post("/barriers/{barrier_id}/publish", response_model=BarrierOut, responses=ERR)
def api_barrier_publish(barrier_id: str, request: Request,
                        principal: Annotated[Principal, requires("barriers.publish")]) -> BarrierOut:
    """Publish the approved public version (409 when not approved)."""
    from tradepolicy.services import barriers as svc

    with transaction() as s:
        return _out(svc.publish(s, principal, barrier_id, where=_where(request)))


# ------------------------------------------------------------------------------------------ NTE
class NteOut(BaseModel):
    """An NTE edition as data."""

    ok: bool = True
    report: dict[str, Any]


@nte_router.get("/nte/{year}", response_model=NteOut, responses=ERR, dependencies=[requires("public.read")])
def api_nte(year: int, request: Request, principal: Annotated[Principal, Depends(current_principal)],
            label: Annotated[Literal["public", "restricted"], Query()] = "public") -> NteOut:
    """Return edition ``year`` as JSON (chapters, trade, changes)."""
    from tradepolicy.services import nte

    with transaction() as s:
        return NteOut(report=nte.build_report(s, principal, year, label=label, where=_where(request)).to_dict())


@nte_router.get("/nte/{year}/report", responses={**ERR, 200: {"content": {"text/html": {}, "application/pdf": {}}}},
                dependencies=[requires("public.read")], response_class=Response)
def api_nte_report(year: int, request: Request, principal: Annotated[Principal, Depends(current_principal)],
                   format: Annotated[Literal["html", "pdf"], Query()] = "html",
                   label: Annotated[Literal["public", "restricted"], Query()] = "public") -> Response:
    """Return edition ``year`` rendered as HTML or PDF."""
    from tradepolicy.services import nte
    from tradepolicy.web.promote_reports import nte_render

    with transaction() as s:
        report = nte.build_report(s, principal, year, label=label, where=_where(request))
    return Response(nte_render(report, format), media_type="application/pdf" if format == "pdf" else "text/html")


class EditionOut(BaseModel):
    """A closed edition."""

    ok: bool = True
    year: int
    barriers: int


@nte_router.post("/nte/{year}/close", response_model=EditionOut, responses=ERR)
def api_nte_close(year: int, principal: Annotated[Principal, requires("nte.publish")]) -> EditionOut:
    """Close edition ``year`` (store the list it reports)."""
    from tradepolicy.services import nte

    with transaction() as s:
        data = nte.close_edition(s, principal, year)
    return EditionOut(year=year, barriers=len(data.barriers))


# ------------------------------------------------------------------------------------ Special 301
class PlacementModel(BaseModel):
    """One country on one Special 301 list in one year, with its source and citation."""

    country: str
    iso3: str | None
    year: int
    status: str = Field(examples=["PWL"])
    list: str = Field(examples=["Priority Watch List"])
    source: str = Field(examples=["dataset", "transcribed", "recorded"])
    citation: str
    confirmed: bool


class PlacementsOut(BaseModel):
    """Special 301 placements."""

    ok: bool = True
    count: int
    placements: list[PlacementModel]
    notes: list[str]


@special301_router.get("/special301/placements", response_model=PlacementsOut, responses=ERR,
                       dependencies=[requires("public.read")])
def api_placements(principal: Annotated[Principal, Depends(current_principal)],
                   country: Annotated[str | None, Query(max_length=3)] = None,
                   year: Annotated[int | None, Query(ge=1989, le=2100)] = None) -> PlacementsOut:
    """Return placements filtered by ISO3 country and year."""
    from tradepolicy.services import special301 as svc

    with transaction() as s:
        res = svc.placements(s, principal, country=country, year=year).to_dict()
    return PlacementsOut(**res)


class PlacementIn(BaseModel):
    """A placement from a published report."""

    country: str = Field(max_length=3)
    year: int = Field(ge=1989, le=2100)
    list: str = Field(max_length=40, examples=["PWL"])
    citation: str = Field(max_length=1000)


class RecordedPlacementModel(BaseModel):
    """A placement the office recorded (``services.special301.RecordedPlacement``)."""

    country: str
    iso3: str
    year: int
    status: str
    citation: str
    confirmed: bool


class PlacementOut(BaseModel):
    """The stored placement."""

    ok: bool = True
    placement: RecordedPlacementModel


@special301_router.post("/special301/placements", response_model=PlacementOut, status_code=201, responses=ERR)
def api_place(body: PlacementIn, principal: Annotated[Principal, requires("special301.write")]) -> PlacementOut:
    """Record a placement (with its citation)."""
    from tradepolicy.services import special301 as svc

    with transaction() as s:
        placed = svc.record_placement(s, principal, country=body.country, year=body.year, status=body.list,
                                      citation=body.citation)
    return PlacementOut(placement=RecordedPlacementModel.model_validate(placed.to_dict()))


@special301_router.get("/special301/history/{iso3}", responses={**ERR, 200: {"content": {"text/html": {}, "application/pdf": {}}}},
                       dependencies=[requires("public.read")], response_class=Response)
def api_history(iso3: str, principal: Annotated[Principal, Depends(current_principal)],
                format: Annotated[Literal["html", "pdf"], Query()] = "html") -> Response:
    """Return a country's history (chart and table) as HTML or PDF."""
    from tradepolicy.services import special301 as svc
    from tradepolicy.web.promote_reports import special301_render

    with transaction() as s:
        hist = svc.history(s, principal, iso3)
    return Response(special301_render(hist, format), media_type="application/pdf" if format == "pdf" else "text/html")


# ------------------------------------------------------------------------------------------ TFA
class ImportOut(BaseModel):
    """What an import stored."""

    ok: bool = True
    filename: str
    members: int
    commitments: int


@tfa_router.post("/tfa/import", response_model=ImportOut, responses=ERR)
async def api_tfa_import(file: Annotated[UploadFile, File()],
                         principal: Annotated[Principal, requires("tfa.write")]) -> ImportOut:
    """Import a TFA Database spreadsheet (xlsx or csv); all rows or none."""
    from tradepolicy.errors import InputError
    from tradepolicy.services import tfa

    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise InputError(f"The upload exceeds {MAX_UPLOAD:,} bytes.", field="file", expected=f"<= {MAX_UPLOAD:,} bytes",
                         example="tfa.xlsx")
    with transaction() as s:
        res = tfa.import_file(s, principal, content, file.filename or "upload.csv")
    return ImportOut(**res.to_dict())


class RateModel(BaseModel):
    """A Member's rate of implementation commitments (``promote.tfa.MemberRate``)."""

    model_config = ConfigDict(extra="allow")

    member: str
    on: str
    ratified: str
    rate: float
    committed_items: int
    total_items: int
    method: str
    by_item: list[dict[str, Any]]


class RateOut(BaseModel):
    """A Member's rate."""

    ok: bool = True
    rate: RateModel


@tfa_router.get("/tfa/{member}/rate", response_model=RateOut, responses=ERR, dependencies=[requires("public.read")])
def api_tfa_rate(member: str, principal: Annotated[Principal, Depends(current_principal)],
                 as_of: Annotated[dt.date | None, Query()] = None) -> RateOut:
    """Return a Member's rate of implementation commitments on ``as_of`` (default: the latest 22 February)."""
    from tradepolicy.services import tfa

    with transaction() as s:
        return RateOut(rate=RateModel.model_validate(tfa.rate(s, principal, member, as_of=as_of).to_dict()))


@tfa_router.get("/tfa/{member}/report", responses={**ERR, 200: {"content": {"text/html": {}, "application/pdf": {}}}},
                dependencies=[requires("public.read")], response_class=Response)
def api_tfa_report(member: str, principal: Annotated[Principal, Depends(current_principal)],
                   format: Annotated[Literal["html", "pdf"], Query()] = "html",
                   as_of: Annotated[dt.date | None, Query()] = None) -> Response:
    """Return a Member's readiness report as HTML or PDF."""
    from tradepolicy.services import tfa
    from tradepolicy.web.promote_reports import tfa_render

    with transaction() as s:
        rd = tfa.readiness(s, principal, member, as_of=as_of)
    return Response(tfa_render(rd, format), media_type="application/pdf" if format == "pdf" else "text/html")
