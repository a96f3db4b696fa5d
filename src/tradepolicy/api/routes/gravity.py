"""/api routes of gravity estimation and GE (issue 5, part A).

- ``GET  /api/economics/gravity/presets``: the named PPML specifications;
- ``POST /api/economics/gravity/estimate``: estimate a preset (coefficients, SEs, N, dropped
  rows by reason, published figures beside them);
- ``POST /api/economics/ge/solve``: exact conditional and full-endowment GE of new RTAs;
- ``POST /api/economics/ge/montecarlo``: Monte Carlo GE bands.

Each route parses, calls ``tradepolicy.services.gravity`` and returns JSON; bad input is
the one error shape (``{"ok": false, "error": {...}, "status": N}``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from tradepolicy.api.economics_schemas import (
    EstimateOut,
    GEMonteCarloOut,
    GESolveOut,
    PresetsOut,
    errors,
)
from tradepolicy.api.security import requires
from tradepolicy.services import gravity as svc

router = APIRouter(tags=["economics"])

# a request runs in a server thread: 1,000 draws on the 30-country sample took ~2 s here
API_MAX_DRAWS = 10_000


class EstimateRequest(BaseModel):
    """Estimate a named preset."""

    preset: str = Field(max_length=120, examples=["gegravity_sample"])
    store: bool = False


class FlowRow(BaseModel):
    """One bilateral flow: exporter, importer (ISO3), optional sector, and the value (>= 0)."""

    exporter: str = Field(max_length=12)
    importer: str = Field(max_length=12)
    sector: str | None = Field(default=None, max_length=40)
    trade: float | None = Field(description="Value of shipments, e.g. US$ million")


class SolveRequest(BaseModel):
    """A GE counterfactual: new agreements on a dataset year or on your own flows."""

    model_config = ConfigDict(populate_by_name=True)

    rta: list[str] = Field(min_length=1, max_length=500, examples=[["USA:GBR"]],
                           validation_alias=AliasChoices("rta", "pta"))
    dataset: str = Field(default="wiod-zylkin", max_length=40)
    year: int | None = None
    flows: list[FlowRow] | None = Field(default=None, max_length=250_000)
    beta: float | None = Field(default=None, description="RTA partial effect (log points)")
    sigma: float | None = Field(default=None, description="default: the dataset's (stated)")
    reference: str = Field(default="USA", max_length=12)
    imbalance: str = Field(default="multiplicative", max_length=20)
    numeraire: str = Field(default="reference", max_length=20)
    full_algorithm: str = Field(default="exact_hat", max_length=20)
    model: str = Field(default="onesector", max_length=20,
                       description="onesector | ge_ppml | multisector (flows with a sector)")
    stopping: str = Field(default="book", max_length=10)


class MonteCarloRequest(BaseModel):
    """A Monte Carlo GE: the solve question (same names and defaults) with bands."""

    model_config = ConfigDict(populate_by_name=True)

    rta: list[str] = Field(min_length=1, max_length=100, examples=[["USA:GBR"]],
                           validation_alias=AliasChoices("rta", "pta"))
    dataset: str = Field(default="wiod-zylkin", max_length=40)
    year: int | None = None
    flows: list[FlowRow] | None = Field(default=None, max_length=250_000)
    beta: float | None = None
    beta_se: float | None = None
    draws: int = 200
    seed: int = 0
    sigma: float | None = None
    sigma_sd: float = 0.0
    reference: str = Field(default="USA", max_length=12)
    imbalance: str = Field(default="multiplicative", max_length=20)
    numeraire: str = Field(default="reference", max_length=20)
    method: str = Field(default="exact_hat", max_length=20)
    executor: str | None = Field(default=None, max_length=20)


def _frame(rows: list[FlowRow] | None) -> Any:
    if rows is None:
        return None
    import pandas as pd

    cols = ["exporter", "importer", "trade"]
    if any(r.sector is not None for r in rows):
        cols = ["exporter", "importer", "sector", "trade"]
    return pd.DataFrame([r.model_dump() for r in rows], columns=cols)


@router.get("/economics/gravity/presets", dependencies=[requires("public.read")], response_model=PresetsOut, responses=errors())
def presets() -> dict[str, Any]:
    """List the PPML presets with their published figures."""
    rows = svc.list_presets()
    return {"ok": True, "count": len(rows), "presets": [r.to_dict() for r in rows]}


@router.post("/economics/gravity/estimate", dependencies=[requires("runs.write")], response_model=EstimateOut, responses=errors(400, 404, 503))
def estimate(req: EstimateRequest) -> dict[str, Any]:
    """Estimate a preset; the response has coefficients beside the published ones."""
    return {"ok": True, **svc.run_gravity_preset(req.preset, store=req.store).to_dict()}


@router.post("/economics/ge/solve", dependencies=[requires("public.read")], response_model=GESolveOut,
             responses=errors(400, 401, 403, 404, 413, 503))
def ge_solve(req: SolveRequest) -> dict[str, Any]:
    """Solve the exact conditional and full-endowment GE; rows by ISO3."""
    out = svc.solve_ge_counterfactual(
        dataset=req.dataset, year=req.year, flows=_frame(req.flows), rta=req.rta, beta=req.beta,
        sigma=req.sigma, reference=req.reference, imbalance=req.imbalance,
        numeraire=req.numeraire, full_algorithm=req.full_algorithm, model=req.model,
        stopping=req.stopping,
    )
    return {"ok": True, **out.to_dict()}


@router.post("/economics/ge/montecarlo", dependencies=[requires("public.read")], response_model=GEMonteCarloOut,
             responses=errors(400, 401, 403, 404, 413, 503))
def ge_montecarlo(req: MonteCarloRequest) -> dict[str, Any]:
    """Run a Monte Carlo GE; bands (mean, sd, quantiles) per measure and ISO3."""
    if req.draws > API_MAX_DRAWS:
        from tradepolicy.errors import InputError

        raise InputError(
            f"at most {API_MAX_DRAWS:,} draws per API request; got {req.draws:,}",
            field="draws",
            expected=f"1 <= draws <= {API_MAX_DRAWS:,} (the CLI allows more)",
            example="1000",
        )
    out = svc.run_ge_montecarlo(
        rta=req.rta, dataset=req.dataset, year=req.year, flows=_frame(req.flows), beta=req.beta,
        beta_se=req.beta_se, draws=req.draws, seed=req.seed, sigma=req.sigma,
        sigma_sd=req.sigma_sd, reference=req.reference, imbalance=req.imbalance,
        numeraire=req.numeraire, method=req.method, executor=req.executor,
    )
    return {"ok": True, **out.to_dict()}
