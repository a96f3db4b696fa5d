"""/api/economics: scenarios (run, list, show, compare) and partner screening.

Every route parses, calls ``tradepolicy.services.scenarios`` / ``services.screening`` and
returns JSON. Results list per-country rows by ISO3 and state their sign convention.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from tradepolicy.api.economics_schemas import (
    CompareOut,
    ExamplesOut,
    RunDetailOut,
    RunsOut,
    ScenarioRunOut,
    ScreeningOut,
    errors,
)
from tradepolicy.api.security import requires
from tradepolicy.errors import InputError
from tradepolicy.services import scenarios as svc

router = APIRouter(tags=["economics"])


class RunRequest(BaseModel):
    """Run an example by name or a scenario given as YAML text (exactly one of the two)."""

    example: str | None = Field(default=None, max_length=120, examples=["shrimp-preference-smart"])
    yaml: str | None = Field(default=None, max_length=200_000, description="A scenario file's text")
    store: bool = True


@router.get("/economics/examples", dependencies=[requires("public.read")], response_model=ExamplesOut, responses=errors())
def examples() -> dict[str, Any]:
    """List the example scenarios."""
    rows = svc.list_examples()
    return {"ok": True, "count": len(rows), "examples": [r.to_dict() for r in rows]}


@router.post("/economics/scenarios/run", dependencies=[requires("runs.write")], response_model=ScenarioRunOut, responses=errors(400, 404, 413, 503))
def run(req: RunRequest) -> dict[str, Any]:
    """Run a scenario; the response has summary, rows by ISO3, chart, tables and manifest."""
    if (req.example is None) == (req.yaml is None):
        raise InputError("Give exactly one of 'example' and 'yaml'.", field="example",
                         expected="{example: NAME} or {yaml: TEXT}", example='{"example": "shrimp-preference-smart"}')
    out = (svc.run_example(req.example, store=req.store) if req.example is not None
           else svc.run_scenario_text(req.yaml or "", store=req.store))
    return {"ok": True, **out.body()}


@router.get("/economics/runs", dependencies=[requires("public.read")], response_model=RunsOut, responses=errors())
def runs(limit: int = Query(50, ge=1, le=1000)) -> dict[str, Any]:
    """List stored scenario runs, newest first."""
    rows = svc.list_runs(limit)
    return {"ok": True, "count": len(rows), "runs": [r.to_dict() for r in rows]}


@router.get("/economics/runs/{run_id}", dependencies=[requires("public.read")], response_model=RunDetailOut, responses=errors(404))
def run_detail(run_id: int) -> dict[str, Any]:
    """Return one stored run with its manifest."""
    return {"ok": True, **svc.get_run(run_id).body()}


@router.get("/economics/compare", dependencies=[requires("public.read")], response_model=CompareOut, responses=errors(400, 404))
def compare(a: int = Query(..., ge=1), b: int = Query(..., ge=1)) -> dict[str, Any]:
    """Compare two stored runs side by side (B minus A)."""
    return {"ok": True, **svc.compare(a, b).to_dict()}


@router.get("/economics/screening", dependencies=[requires("public.read")], response_model=ScreeningOut,
            responses=errors(400, 401, 403, 503))
def screening(
    home: str = Query("USA", min_length=3, max_length=3),
    dataset: str = Query("auto", max_length=20),
    year: int | None = Query(None),
    as_of: str | None = Query(None, max_length=10, description="YYYY-MM-DD (default today)"),
    draws: int = Query(200, ge=0, le=2000, description="Monte Carlo draws of the band"),
    seed: int = Query(0),
    candidates: str | None = Query(None, max_length=2000, description="Comma-separated ISO3"),
    rank_by: str = Query("home"),
    products: str | None = Query(None, description="baci-shrimp-2018 for complementarity/RCA"),
) -> dict[str, Any]:
    """Rank candidate partners by the GE welfare gain for home and partner."""
    from tradepolicy.services.screening import screen

    cands = [c.strip().upper() for c in candidates.split(",") if c.strip()] if candidates else None
    report = screen(home=home, dataset=dataset, year=year, candidates=cands, rank_by=rank_by,
                    product_dataset=products, as_of=as_of, draws=draws, seed=seed)
    return {"ok": True, **report.model_dump(mode="json")}
