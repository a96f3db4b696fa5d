"""/api/tariffs routes: HTS lines, search, duty stacks, history, offers, indicators."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from tradepolicy.api import tariffs_schemas as ts
from tradepolicy.api.schemas import (  # the one error shape (one OpenAPI component)
    ErrorOut,
)
from tradepolicy.api.security import requires
from tradepolicy.services import tariffs as svc
from tradepolicy.services.warmup import tables_warm

# Every tariff read is public (docs/platform.md: public tariff reads use `public.read`).
router = APIRouter(tags=["tariffs"], dependencies=[requires("public.read")])


ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": ErrorOut}, 401: {"model": ErrorOut},
                                           403: {"model": ErrorOut}, 404: {"model": ErrorOut}}
MAX_EFFECTIVE_ROWS = 50_000


class ImportRow(BaseModel):
    """One HTS10 x partner row of an imports file."""

    hts10: str = Field(..., min_length=10, max_length=13, description="ten digits (dots allowed)")
    partner: str = Field(..., min_length=3, max_length=3, description="ISO3")
    value: float = Field(..., ge=0, description="customs value, US$")
    duties: float | None = Field(None, ge=0, description="observed duties, US$ (optional)")


class EffectiveIn(BaseModel):
    """A request for effective tariff rates: rows and a date or a range of dates."""

    rows: list[ImportRow] = Field(..., min_length=1, max_length=MAX_EFFECTIVE_ROWS)
    date: str | None = Field(None, max_length=10, description="one date YYYY-MM-DD")
    start: str | None = Field(None, max_length=10, description="first date of a range")
    end: str | None = Field(None, max_length=10, description="last date of a range")
    step: str = Field("month", max_length=10, description="day | month | quarter | year")
    utilisation: str = Field("published", max_length=20, description="published | all | none")
    basis: str | None = Field(None, max_length=10, description="legal | census")
    metal_share: float | None = Field(None, ge=0.0, le=1.0, description="steel/aluminium/copper content share of "
                                      "the value for 2025 derivatives taxed on metal content (default: stated share)")


class EffectiveOut(BaseModel):
    """Predicted (and observed) duty by partner, chapter, authority and date."""

    ok: bool = True
    dates: list[str]
    utilisation: str
    basis: str
    layout: str
    rows: int
    total_value: float
    predicted_duty: float
    predicted_rate: float
    observed_duty: float | None
    observed_rate: float | None
    coverage: dict[str, float]
    by_partner: list[dict[str, Any]]
    by_chapter: list[dict[str, Any]]
    by_authority: list[dict[str, Any]]
    by_date: list[dict[str, Any]]
    notes: list[str]


@router.get("/tariffs/hts/{hts}", dependencies=[requires("public.read")], response_model=ts.HtsLineEnvelope,
            responses=ts.errors(400, 404, 503))
def get_line(hts: str, edition: int = Query(2025, description="2024 | 2025")) -> dict[str, Any]:
    """One HTS code with its path, units, rates (printed and parsed) and children."""
    return {"ok": True, "line": svc.show(hts, edition=edition).to_dict()}


@router.get("/tariffs/search", dependencies=[requires("public.read")], response_model=ts.HtsSearchOut,
            responses=ts.errors(400, 503))
def search(
    q: str = Query(..., max_length=200, description="code prefix or description words"),
    edition: int = Query(2025, description="2024 | 2025"),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    """Search the HTS by code prefix or words."""
    rows = svc.search(q, edition=edition, limit=limit)
    return {"ok": True, "count": len(rows), "lines": [r.to_dict() for r in rows]}


@router.get("/tariffs/stack", dependencies=[requires("public.read")], response_model=ts.StackEnvelope,
            responses=ts.errors(400, 404, 503))
async def stack(
    hts: str = Query(..., description="HTS8 or HTS10, e.g. 8412.21.00.75"),
    origin: str = Query(..., description="ISO3, e.g. CHN"),
    date: str = Query(..., description="entry date YYYY-MM-DD"),
    unit_value: float | None = Query(None, description="US$ per unit of quantity"),
    value_usd: float | None = Query(None, description="customs value of the entry, US$"),
    quantity: float | None = Query(None, description="quantity of the entry in the rate's unit"),
    map_parent: bool = Query(False, description="stack a code of a later HTS revision on its parent line"),
    over_quota: bool = Query(False, description="over a Section 232 tariff-rate quota (default in quota)"),
    metal_share: float | None = Query(None, ge=0.0, le=1.0, description="steel/aluminium/copper content share "
                                      "of the value, for 2025 derivatives taxed on metal content (default: the "
                                      "stated share, section232.yaml metal_content)"),
) -> dict[str, Any]:
    """Return the duty stack: layers (authority, rate, AVE, citation) and the total AVE."""

    def answer() -> dict[str, Any]:
        return {"ok": True, "stack": svc.stack_entry(hts, origin, date, unit_value=unit_value,
                                                     value_usd=value_usd, quantity=quantity,
                                                     map_parent=map_parent, over_quota=over_quota,
                                                     metal_share=metal_share).to_dict()}

    # Warm tables answer in well under a millisecond: on the event loop, without a thread hop.
    # Before warm-up (tables still to load, seconds) the work goes to a worker thread.
    return answer() if tables_warm() else await run_in_threadpool(answer)


@router.get("/tariffs/history", dependencies=[requires("public.read")], response_model=ts.HistoryOut,
            responses=ts.errors(400, 404, 503))
def history(
    hts: str = Query(...),
    origin: str = Query(...),
    start: str = Query("2017-01-01"),
    end: str | None = Query(None),
) -> dict[str, Any]:
    """Total AVE of a line from an origin on the first day of each quarter between two dates."""
    points = svc.history_range(hts, origin, start, end or dt.date.today().isoformat())
    return {"ok": True, "hts": hts, "origin": origin, "points": [p.to_dict() for p in points]}


@router.get("/tariffs/indicators", dependencies=[requires("public.read")], response_model=ts.IndicatorsOut,
            responses=ts.errors(400, 503))
def indicators(
    by: str = Query("section"), edition: int = Query(2025),
    weights: str = Query("none", description="none | baci-zaf-usa-2020"),
) -> dict[str, Any]:
    """Tariff indicators by HS section or chapter."""
    rows = svc.indicators_table(edition=edition, by=by, weights=weights)
    return {"ok": True, "by": by, "rows": [r.to_dict() for r in rows]}


@router.post("/tariffs/offer", dependencies=[requires("public.read")], response_model=ts.OfferOut,
             responses=ts.errors(400, 404, 503))
def offer(spec: Annotated[dict[str, Any], Body(description="the offer, as in an offer YAML file")]) -> dict[str, Any]:
    """Apply an offer (groups, formulas, staging) to the MFN schedule."""
    return {"ok": True, "offer": svc.offer_from_spec(spec, where="request body").to_dict()}


@router.get("/tariffs/korus-check", dependencies=[requires("public.read")], response_model=ts.KorusCheckOut,
            responses=ts.errors(400, 503))
def korus_check(
    start_year: int = Query(2011, ge=1947, le=2100), kind: str = Query("equal", max_length=40),
    years: int = Query(10, ge=1, le=50, description="staging years (bounded: the work grows with it)"),
    check_year: int = Query(2017, ge=1947, le=2100),
) -> dict[str, Any]:
    """Compare a staging path with the KORUS rates of the 2017 database."""
    return {"ok": True, "check": svc.korus_check(start_year=start_year, kind=kind, years=years,
                                                 check_year=check_year).to_dict(),
            "inferred_staging": svc.korus_staging_inference(base_year=start_year,
                                                            check_year=check_year).to_dict()}


@router.get("/tariffs/parse-report", dependencies=[requires("public.read")], response_model=ts.ParseReportOut,
            responses=ts.errors(400, 503))
def parse_report(edition: int = Query(2025)) -> dict[str, Any]:
    """Share of rate texts parsed and every form not parsed, with its reason."""
    return {"ok": True, "report": svc.parse_report(edition).to_dict()}


@router.get("/tariffs/programs", dependencies=[requires("public.read")], response_model=ts.ProgramsOut,
            responses=ts.errors(503))
def programs() -> dict[str, Any]:
    """Preference programmes of the 2017 tariff database with symbols and line counts."""
    rows = svc.programs_2017()
    return {"ok": True, "count": len(rows), "programs": [r.to_dict() for r in rows]}


@router.post("/tariffs/effective", response_model=EffectiveOut, responses=ERRORS)
def effective(body: EffectiveIn) -> EffectiveOut:
    """Effective tariff rates of the rows given (at most 50,000): predicted vs observed duty."""
    import pandas as pd

    from tradepolicy.errors import InputError
    from tradepolicy.services import tariff_effective as eff

    if body.utilisation not in eff.UTILISATION_MODES:  # the server never reads a path a client names
        raise InputError(f"Unknown utilisation {body.utilisation!r}.", field="utilisation",
                         expected=" | ".join(eff.UTILISATION_MODES), example="published")
    raw = pd.DataFrame([r.model_dump() for r in body.rows])
    if raw["duties"].isna().all():
        raw = raw.drop(columns="duties")
    frame, layout = eff.normalise_imports(raw.astype({"value": float}), where="request body: rows")
    res = eff.effective(frame, layout=layout, date=body.date, start=body.start, end=body.end,
                        step=body.step, utilisation=body.utilisation, basis=body.basis,
                        metal_share=body.metal_share)
    return EffectiveOut(**res.to_dict())


@router.get("/tariffs/effective/census-2024", response_model=EffectiveOut, responses=ERRORS)
def effective_census_2024(
    date: str = Query("2024-07-01", max_length=10, description="entry date YYYY-MM-DD"),
    utilisation: str = Query("published", max_length=20, description="published | all | none"),
    basis: str | None = Query(None, max_length=10, description="legal | census (default census)"),
) -> EffectiveOut:
    """Return the stack weighted by 2024 US imports of us-customs-duties (25 partners) against Census duties."""
    from tradepolicy.services import tariff_effective as eff

    return EffectiveOut(**eff.census_2024(date, utilisation=utilisation, basis=basis).to_dict())
