"""/api/agreements and /api/agencies."""

from __future__ import annotations

from fastapi import APIRouter, Query

from tradepolicy.api.schemas import (
    AgencyEnvelope,
    AgencyList,
    AgreementEnvelope,
    AgreementList,
    errors,
)
from tradepolicy.api.security import requires
from tradepolicy.services import agreements as svc

router = APIRouter(tags=["agreements"])


@router.get("/agreements", dependencies=[requires("public.read")], response_model=AgreementList, responses=errors(400))
def list_agreements(
    status: str | None = Query(None, description="in_force | signed | terminated | superseded | under_negotiation"),
    party: str | None = Query(None, description="ISO3 code of a party, e.g. MEX"),
    in_force_on: str | None = Query(None, description="YYYY-MM-DD"),
    q: str | None = Query(None, max_length=200, description="text filter"),
) -> AgreementList:
    """List agreements of the registry."""
    rows = svc.list_agreements(status=status, party=party, in_force_on=in_force_on, q=q)
    return AgreementList(count=len(rows), agreements=rows)


@router.get("/agreements/{agreement_id}", dependencies=[requires("public.read")], response_model=AgreementEnvelope, responses=errors(404))
def get_agreement(agreement_id: str) -> AgreementEnvelope:
    """One agreement with provisions and citations."""
    return AgreementEnvelope(agreement=svc.get_agreement(agreement_id))


@router.get("/agencies", dependencies=[requires("public.read")], response_model=AgencyList, responses=errors())
def list_agencies() -> AgencyList:
    """Agencies, committees and bodies the office works with."""
    rows = svc.list_agencies()
    return AgencyList(count=len(rows), agencies=rows)


@router.get("/agencies/{agency_id}", dependencies=[requires("public.read")], response_model=AgencyEnvelope, responses=errors(404))
def get_agency(agency_id: str) -> AgencyEnvelope:
    """One agency."""
    return AgencyEnvelope(agency=svc.get_agency(agency_id))
