"""/api routes of the enforcement desk: disputes, USMCA, Section 301 action design, priority dashboards."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

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
    disputes: list[dict[str, Any]]


class DisputeOut(BaseModel):
    """One dispute."""

    ok: bool = True
    dispute: dict[str, Any]


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


class PayloadOut(BaseModel):
    """A JSON document answer."""

    ok: bool = True
    data: dict[str, Any]


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
    rows = [r.to_dict() for r in disputes_svc.list_disputes(us=us, agreement=agreement, status=status)]
    return DisputesOut(count=len(rows), disputes=rows)


@router.get("/disputes/{ds}", dependencies=[requires("public.read")], response_model=DisputeOut, responses=ERRORS)
def get_dispute(ds: str) -> DisputeOut:
    """One dispute (an unknown DS number is a 404 naming what the registry holds)."""
    return DisputeOut(dispute=disputes_svc.get_dispute(ds).to_dict())


_WRITE_DISPUTES = requires("disputes.write")


@router.post("/disputes", status_code=201, response_model=DisputeOut, responses=ERRORS)
def add_dispute(body: NewDispute, principal: Principal = _WRITE_DISPUTES) -> DisputeOut:
    """Enter a later dispute with its consultation request and source."""
    row = disputes_svc.add_dispute(body.ds, title=body.title, complainants=body.complainants,
                                   respondent=body.respondent, consultations_requested=body.consultations_requested,
                                   third_parties=body.third_parties, agreements_cited=body.agreements_cited,
                                   source=body.source, confirmed=body.confirmed, actor=principal)
    return DisputeOut(dispute=row.to_dict())


@router.get("/usmca/rrm", dependencies=[requires("public.read")], response_model=PayloadOut, responses=ERRORS)
def rrm() -> PayloadOut:
    """RRM cases and statistics."""
    rows = usmca_svc.rrm_cases()
    return PayloadOut(data={"cases": [r.to_dict() for r in rows],
                            "stats": jsonable(dataclasses.asdict(usmca_svc.rrm_stats(rows)))})


@router.get("/usmca/joint-review", dependencies=[requires("public.read")], response_model=PayloadOut,
            responses=ERRORS)
def joint_review() -> PayloadOut:
    """Return the 2026 joint review: stage, clocks and outcome paths."""
    return PayloadOut(data=usmca_svc.joint_review_clock())


@router.post("/s301/action-list", dependencies=[requires("s301.design")], response_model=PayloadOut,
             responses=ERRORS)
def action_list(body: ActionListIn) -> PayloadOut:
    """Design a Section 301 action list (MILP) with coverage, shares and PE impact."""
    res = s301_svc.action_list(body.partner, body.target_usd, body.year, exclude_chapters=body.exclude_chapters,
                               max_consumer_share=body.max_consumer_share, max_supplier_share=body.max_supplier_share,
                               overshoot=body.overshoot, rate=body.rate)
    return PayloadOut(data=jsonable({**res.to_dict(), "annex": s301_svc.annex_rows(res)}))


@router.get("/priorities/{name}", dependencies=[requires("public.read")], response_model=PayloadOut,
            responses=ERRORS)
def priority(name: str) -> PayloadOut:
    """Return a priority dashboard (china | usmca | wto-reform)."""
    return PayloadOut(data=jsonable(prio.dashboard(name)))
