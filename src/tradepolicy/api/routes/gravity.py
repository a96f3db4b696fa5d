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
from pydantic import BaseModel, Field

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
    """One bilateral flow: exporter, importer (ISO3) and the value (>= 0)."""

    exporter: str = Field(max_length=12)
    importer: str = Field(max_length=12)
    trade: float | None = Field(description="Value of shipments, e.g. US$ million")


class SolveRequest(BaseModel):
    """A GE counterfactual: new RTAs on a dataset year or on your own flows."""

    rta: list[str] = Field(min_length=1, max_length=500, examples=[["USA:MEX"]])
    dataset: str = Field(default="wiod-zylkin", max_length=40)
    year: int | None = None
    flows: list[FlowRow] | None = Field(default=None, max_length=250_000)
    beta: float | None = Field(default=None, description="RTA partial effect (log points)")
    sigma: float = 5.0
    reference: str = Field(default="USA", max_length=12)
    imbalance: str = Field(default="multiplicative", max_length=20)
    full_algorithm: str = Field(default="exact_hat", max_length=20)


class MonteCarloRequest(BaseModel):
    """A Monte Carlo GE of new PTAs on the gegravity sample."""

    pta: list[str] = Field(min_length=1, max_length=100, examples=[["CAN:JPN"]])
    draws: int = 200
    seed: int = 0
    sigma: float = 5.0
    sigma_sd: float = 0.0
    reference: str = Field(default="USA", max_length=12)
    imbalance: str = Field(default="multiplicative", max_length=20)
    executor: str | None = Field(default=None, max_length=20)


@router.get("/economics/gravity/presets", dependencies=[requires("public.read")])
def presets() -> dict[str, Any]:
    """List the PPML presets with their published figures."""
    rows = svc.list_presets()
    return {"ok": True, "count": len(rows), "presets": rows}


@router.post("/economics/gravity/estimate", dependencies=[requires("runs.write")])
def estimate(req: EstimateRequest) -> dict[str, Any]:
    """Estimate a preset; the response has coefficients beside the published ones."""
    return {"ok": True, **svc.run_gravity_preset(req.preset, store=req.store)}


@router.post("/economics/ge/solve", dependencies=[requires("public.read")])
def ge_solve(req: SolveRequest) -> dict[str, Any]:
    """Solve the exact conditional and full-endowment GE; rows by ISO3."""
    frame = None
    if req.flows is not None:
        import pandas as pd

        frame = pd.DataFrame([r.model_dump() for r in req.flows],
                             columns=["exporter", "importer", "trade"])
    out = svc.solve_ge_counterfactual(
        dataset=req.dataset, year=req.year, flows=frame, rta=req.rta, beta=req.beta,
        sigma=req.sigma, reference=req.reference, imbalance=req.imbalance,
        full_algorithm=req.full_algorithm,
    )
    return {"ok": True, **out}


@router.post("/economics/ge/montecarlo", dependencies=[requires("public.read")])
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
        pta=req.pta, draws=req.draws, seed=req.seed, sigma=req.sigma, sigma_sd=req.sigma_sd,
        reference=req.reference, imbalance=req.imbalance, executor=req.executor,
    )
    return {"ok": True, **out}
