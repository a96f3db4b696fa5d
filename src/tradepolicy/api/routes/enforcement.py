"""/api routes of the enforcement desk: disputes, USMCA, Section 301 action design, priority dashboards."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from tradepolicy.api.schemas import ErrorOut  # the one error shape (one OpenAPI component)
from tradepolicy.api.security import requires
from tradepolicy.platform.principal import Principal
from tradepolicy.services import disputes as disputes_svc
from tradepolicy.services import priorities as prio
from tradepolicy.services import s301 as s301_svc
from tradepolicy.services import usmca as usmca_svc
from tradepolicy.web.render import jsonable

router = APIRouter(tags=["enforcement"])


class DisputesOut(BaseModel):
    """A list of registry disputes."""

    ok: bool = True
    count: int
    disputes: list[prio.DisputeView]


class DisputeOut(BaseModel):
    """One dispute."""

    ok: bool = True
    dispute: prio.DisputeView


class NewDispute(BaseModel):
    """Body of ``POST /api/disputes``: a later dispute with its source."""

    ds: str = Field(max_length=8, description="DS number, e.g. DS640")
    title: str = Field(min_length=3, max_length=400)
    complainants: list[str] = Field(min_length=1, max_length=50)
    respondent: str = Field(min_length=2, max_length=120)
    consultations_requested: str = Field(description="YYYY-MM-DD (not after today)")
    third_parties: list[str] = Field(default_factory=list, max_length=100)
    agreements_cited: list[str] = Field(default_factory=list, max_length=100)
    source: str = Field(min_length=3, max_length=1000)
    confirmed: bool = True


class RrmStatsOut(BaseModel):
    """RRM statistics counted from the stored cases (``usmca.RrmStats``)."""

    cases: int
    with_request_date: int
    by_year: dict[int, int]
    by_sector: dict[str, int]
    by_stage: dict[str, int]
    panels_requested: int
    closed: int
    unconfirmed: int


class RrmData(BaseModel):
    """RRM cases and their statistics."""

    cases: list[prio.RrmView]
    stats: RrmStatsOut


class RrmOut(BaseModel):
    """``GET /api/usmca/rrm``."""

    ok: bool = True
    data: RrmData


class JointReviewOut(BaseModel):
    """``GET /api/usmca/joint-review``: the review's stage, clocks and outcome paths."""

    ok: bool = True
    data: prio.JointReviewView


class ActionListData(BaseModel):
    """The designed list (``ActionList.to_dict``) and its annex rows."""

    model_config = ConfigDict(extra="allow")

    partner: str
    partner_name: str
    year: int
    target_usd: float
    coverage_usd: float
    status: str
    mip_gap: float | None
    lines: list[dict[str, str | float]]
    annex: list[dict[str, str | float]]


class ActionListOut(BaseModel):
    """``POST /api/s301/action-list``."""

    ok: bool = True
    data: ActionListData


class DashboardOut(BaseModel):
    """``GET /api/priorities/{name}``: one dashboard (its ``name`` says which)."""

    ok: bool = True
    data: Annotated[prio.Dashboard, Field(discriminator="name")]


class ActionListIn(BaseModel):
    """Body of ``POST /api/s301/action-list``."""

    partner: str = Field(max_length=3, description="ISO3, e.g. BRA")
    target_usd: float = Field(gt=0)
    year: int = 2024
    exclude_chapters: list[str] = Field(default_factory=list, max_length=99)
    max_consumer_share: float | None = Field(None, ge=0, le=1)
    max_supplier_share: float | None = Field(None, gt=0, le=1)
    overshoot: float = Field(0.05, ge=0, le=10)
    rate: float = Field(0.25, gt=0, le=10)


ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": ErrorOut}, 401: {"model": ErrorOut},
                                           403: {"model": ErrorOut}, 404: {"model": ErrorOut},
                                           409: {"model": ErrorOut}}


@router.get("/disputes", dependencies=[requires("public.read")], response_model=DisputesOut, responses=ERRORS)
def list_disputes(us: str | None = Query(None, max_length=20), agreement: str | None = Query(None, max_length=200),
                  status: str | None = Query(None, max_length=200)) -> DisputesOut:
    """List registry disputes (US as complainant / respondent, by agreement, by status)."""
    rows = [prio.DisputeView.model_validate(r.to_dict())
            for r in disputes_svc.list_disputes(us=us, agreement=agreement, status=status)]
    return DisputesOut(count=len(rows), disputes=rows)


@router.get("/disputes/{ds}", dependencies=[requires("public.read")], response_model=DisputeOut, responses=ERRORS)
def get_dispute(ds: str) -> DisputeOut:
    """One dispute (an unknown DS number is a 404 naming what the registry holds)."""
    return DisputeOut(dispute=prio.DisputeView.model_validate(disputes_svc.get_dispute(ds).to_dict()))


_WRITE_DISPUTES = requires("disputes.write")


@router.post("/disputes", status_code=201, response_model=DisputeOut, responses=ERRORS)
def add_dispute(body: NewDispute, principal: Principal = _WRITE_DISPUTES) -> DisputeOut:
    """Enter a later dispute with its consultation request and source."""
    row = disputes_svc.add_dispute(body.ds, title=body.title, complainants=body.complainants,
                                   respondent=body.respondent, consultations_requested=body.consultations_requested,
                                   third_parties=body.third_parties, agreements_cited=body.agreements_cited,
                                   source=body.source, confirmed=body.confirmed, actor=principal)
    return DisputeOut(dispute=prio.DisputeView.model_validate(row.to_dict()))


@router.get("/usmca/rrm", dependencies=[requires("public.read")], response_model=RrmOut, responses=ERRORS)
def rrm() -> RrmOut:
    """RRM cases and statistics."""
    rows = usmca_svc.rrm_cases()
    return RrmOut(data=RrmData(cases=[prio.RrmView.model_validate(r.to_dict()) for r in rows],
                               stats=RrmStatsOut.model_validate(dataclasses.asdict(usmca_svc.rrm_stats(rows)))))


@router.get("/usmca/joint-review", dependencies=[requires("public.read")], response_model=JointReviewOut,
            responses=ERRORS)
def joint_review() -> JointReviewOut:
    """Return the 2026 joint review: stage, clocks and outcome paths."""
    return JointReviewOut(data=prio.JointReviewView.model_validate(usmca_svc.joint_review_clock().to_dict()))


@router.post("/s301/action-list", dependencies=[requires("s301.design")], response_model=ActionListOut,
             responses=ERRORS)
def action_list(body: ActionListIn) -> ActionListOut:
    """Design a Section 301 action list (MILP) with coverage, shares and PE impact."""
    res = s301_svc.action_list(body.partner, body.target_usd, body.year, exclude_chapters=body.exclude_chapters,
                               max_consumer_share=body.max_consumer_share, max_supplier_share=body.max_supplier_share,
                               overshoot=body.overshoot, rate=body.rate)
    return ActionListOut(data=ActionListData.model_validate(
        jsonable({**res.to_dict(), "annex": [a.to_dict() for a in s301_svc.annex_rows(res)]})))


@router.get("/priorities/{name}", dependencies=[requires("public.read")], response_model=DashboardOut,
            responses=ERRORS)
def priority(name: str) -> DashboardOut:
    """Return a priority dashboard (china | usmca | wto-reform)."""
    return DashboardOut(data=prio.dashboard(name))
