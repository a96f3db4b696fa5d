"""/api/tariffs routes: HTS lines, search, duty stacks, history, offers, indicators."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from tradepolicy.services import tariffs as svc

router = APIRouter(tags=["tariffs"])


@router.get("/tariffs/hts/{hts}")
def get_line(hts: str, edition: int = Query(2025, description="2024 | 2025")) -> dict[str, Any]:
    """One HTS code with its path, units, rates (printed and parsed) and children."""
    return {"ok": True, "line": svc.show(hts, edition=edition)}


@router.get("/tariffs/search")
def search(
    q: str = Query(..., max_length=200, description="code prefix or description words"),
    edition: int = Query(2025, description="2024 | 2025"),
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    """Search the HTS by code prefix or words."""
    rows = svc.search(q, edition=edition, limit=limit)
    return {"ok": True, "count": len(rows), "lines": rows}


@router.get("/tariffs/stack")
def stack(
    hts: str = Query(..., description="HTS8 or HTS10, e.g. 8412.21.00.75"),
    origin: str = Query(..., description="ISO3, e.g. CHN"),
    date: str = Query(..., description="entry date YYYY-MM-DD"),
    unit_value: float | None = Query(None, description="US$ per unit of quantity"),
    value_usd: float | None = Query(None, description="customs value of the entry, US$"),
    quantity: float | None = Query(None, description="quantity of the entry in the rate's unit"),
) -> dict[str, Any]:
    """Return the duty stack: layers (authority, rate, AVE, citation) and the total AVE."""
    return {"ok": True, "stack": svc.stack_dict(hts, origin, date, unit_value=unit_value,
                                                value_usd=value_usd, quantity=quantity)}


@router.get("/tariffs/history")
def history(
    hts: str = Query(...),
    origin: str = Query(...),
    start: str = Query("2017-01-01"),
    end: str | None = Query(None),
) -> dict[str, Any]:
    """Total AVE of a line from an origin on the first day of each quarter between two dates."""
    points = svc.history_range(hts, origin, start, end or dt.date.today().isoformat())
    return {"ok": True, "hts": hts, "origin": origin, "points": points}


@router.get("/tariffs/indicators")
def indicators(
    by: str = Query("section"), edition: int = Query(2025),
    weights: str = Query("none", description="none | baci-zaf-usa-2020"),
) -> dict[str, Any]:
    """Tariff indicators by HS section or chapter."""
    rows = svc.indicators_table(edition=edition, by=by, weights=weights)
    return {"ok": True, "by": by, "rows": rows}


@router.post("/tariffs/offer")
def offer(spec: Annotated[dict[str, Any], Body(description="the offer, as in an offer YAML file")]) -> dict[str, Any]:
    """Apply an offer (groups, formulas, staging) to the MFN schedule."""
    return {"ok": True, "offer": svc.offer_from_spec(spec, where="request body")}


@router.get("/tariffs/korus-check")
def korus_check(
    start_year: int = Query(2011, ge=1947, le=2100), kind: str = Query("equal", max_length=40),
    years: int = Query(10, ge=1, le=50, description="staging years (bounded: the work grows with it)"),
    check_year: int = Query(2017, ge=1947, le=2100),
) -> dict[str, Any]:
    """Compare a staging path with the KORUS rates of the 2017 database."""
    return {"ok": True, "check": svc.korus_check(start_year=start_year, kind=kind, years=years,
                                                 check_year=check_year),
            "inferred_staging": svc.korus_staging_inference(base_year=start_year, check_year=check_year)}


@router.get("/tariffs/parse-report")
def parse_report(edition: int = Query(2025)) -> dict[str, Any]:
    """Share of rate texts parsed and every form not parsed, with its reason."""
    return {"ok": True, "report": svc.parse_report(edition)}


@router.get("/tariffs/programs")
def programs() -> dict[str, Any]:
    """Preference programmes of the 2017 tariff database with symbols and line counts."""
    rows = svc.programs_2017()
    return {"ok": True, "count": len(rows), "programs": rows}
