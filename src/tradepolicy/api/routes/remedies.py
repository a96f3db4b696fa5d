"""/api/remedies: margin, CVD and all-others runs; run listing, re-run, attachment; shrimp.

Every route parses, calls ``tradepolicy.services.remedies`` and returns JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import BaseModel, Field

from tradepolicy.api import tariffs_schemas as ts
from tradepolicy.api.security import requires
from tradepolicy.services import remedies as svc

router = APIRouter(tags=["remedies"])

Row = dict[str, Any]


class MarginRequest(BaseModel):
    """Sales tables as lists of row objects (columns as in the documented schemas)."""

    segment: str = Field(description="investigation | review", examples=["investigation"])
    us: list[Row] = Field(description="U.S. sales rows: sale_id, connum, quantity, net_price, customer, region, period")
    home: list[Row] = Field(description="Home-market rows: sale_id, connum, quantity, net_price, customer, affiliated, period")
    cost: list[Row] = Field(description="Cost rows: connum, cost_of_production [, period, vcom, tcom, constructed_value]")
    similar: list[Row] | None = Field(default=None, description="Similar merchandise: us_connum, hm_connum, rank")
    third_country: list[Row] | None = Field(
        default=None, description="Third-country sales (home-market columns): the comparison market if the "
                                  "home market is not viable and this one is")
    as_of: dt.date | None = Field(default=None, description="Law in force on this date (default today)")
    include_tt: bool = True
    store: bool = True


class CVDRequest(BaseModel):
    """CVD spec: grants, loans, period_year, sales_denominator, segment, developing."""

    spec: dict[str, Any]
    as_of: dt.date | None = None
    store: bool = True


class AllOthersRequest(BaseModel):
    """Respondents: name, margin (decimal), us_value, facts_available."""

    segment: str = "investigation"
    respondents: list[Row]
    as_of: dt.date | None = None
    store: bool = True


class RerunRequest(BaseModel):
    """Re-run under the law in force on ``as_of`` (default: the original run's law date)."""

    as_of: dt.date | None = None


class AttachRequest(BaseModel):
    """The proceeding to attach a run to."""

    case_id: str = Field(examples=["A-533-840"])


@router.post("/remedies/margin", dependencies=[requires("runs.write")], response_model=ts.RemediesRunEnvelope,
             responses=ts.errors(400, 401, 403, 503))
def margin(req: MarginRequest) -> dict[str, Any]:
    """Compute a dumping margin from JSON rows; the run is stored unless ``store`` is false."""
    tables = {"us": req.us, "home": req.home, "cost": req.cost, **({"similar": req.similar} if req.similar else {}),
              **({"third": req.third_country} if req.third_country else {})}
    files = {k: (svc.rows_to_csv_bytes(v, f"{k} (JSON)"), ".csv", f"{k}{svc.JSON_ROWS_SUFFIX}")
             for k, v in tables.items()}
    return {"ok": True, "run": svc.compute_margin(files, segment=req.segment, as_of=req.as_of,
                                                  include_tt=req.include_tt, store=req.store).to_dict()}


@router.post("/remedies/margin/upload", dependencies=[requires("runs.write")], response_model=ts.RemediesRunEnvelope,
             responses=ts.errors(400, 401, 403, 503))
def margin_upload(
    segment: Annotated[str, Form(description="investigation | review")],
    us: Annotated[UploadFile, File()],
    home: Annotated[UploadFile, File()],
    cost: Annotated[UploadFile, File()],
    similar: Annotated[UploadFile | None, File()] = None,
    third_country: Annotated[UploadFile | None, File()] = None,
) -> dict[str, Any]:
    """Compute a dumping margin from uploaded CSV/Parquet files (multipart form).

    A plain ``def``: FastAPI runs it in the threadpool, so the calculation never blocks
    the event loop (other requests are served meanwhile).
    """
    files = {}
    for k, f in (("us", us), ("home", home), ("cost", cost), ("similar", similar), ("third", third_country)):
        if f is None or not f.filename:
            continue
        files[k] = (f.file.read(), svc.file_suffix(f.filename), f.filename)
    return {"ok": True, "run": svc.compute_margin(files, segment=segment).to_dict()}


@router.post("/remedies/cvd", dependencies=[requires("runs.write")], response_model=ts.RemediesRunEnvelope,
             responses=ts.errors(400, 401, 403))
def cvd(req: CVDRequest) -> dict[str, Any]:
    """Compute CVD programme rates, the total and the de minimis test."""
    return {"ok": True, "run": svc.compute_cvd(req.spec, as_of=req.as_of, store=req.store).to_dict()}


@router.post("/remedies/all-others", dependencies=[requires("runs.write")], response_model=ts.RemediesRunEnvelope,
             responses=ts.errors(400, 401, 403))
def all_others(req: AllOthersRequest) -> dict[str, Any]:
    """Compute the all-others rate."""
    data = svc.rows_to_csv_bytes(req.respondents, "respondents (JSON)")
    return {"ok": True, "run": svc.compute_all_others(data, ".csv", f"respondents{svc.JSON_ROWS_SUFFIX}",
                                                      segment=req.segment, as_of=req.as_of,
                                                      store=req.store).to_dict()}


@router.get("/remedies/runs", dependencies=[requires("public.read")], response_model=ts.RemediesRunsOut,
            responses=ts.errors(400))
def runs(kind: str | None = Query(None, description="remedies.ad_margin | remedies.cvd | remedies.all_others")
         ) -> dict[str, Any]:
    """List stored remedies runs, newest first."""
    rows = svc.list_runs(kind)
    return {"ok": True, "count": len(rows), "runs": [r.to_dict() for r in rows]}


@router.get("/remedies/runs/{run_id}", dependencies=[requires("public.read")], response_model=ts.RemediesRunEnvelope,
            responses=ts.errors(404))
def run(run_id: int) -> dict[str, Any]:
    """One run: inputs' sha256, parameters with citations, law/code versions, results."""
    return {"ok": True, "run": svc.get_run(run_id).to_dict()}


@router.post("/remedies/runs/{run_id}/rerun", dependencies=[requires("runs.write")], response_model=ts.RemediesRunEnvelope,
             responses=ts.errors(400, 401, 403, 404, 409))
def rerun(run_id: int, req: RerunRequest | None = None) -> dict[str, Any]:
    """Re-run from the kept inputs; a new run whose parent_id is ``run_id``."""
    return {"ok": True, "run": svc.rerun(run_id, as_of=req.as_of if req else None).to_dict()}


@router.post("/remedies/runs/{run_id}/attach", dependencies=[requires("runs.write")], response_model=ts.AttachmentOut,
             responses=ts.errors(400, 401, 403, 404, 409))
def attach(run_id: int, req: AttachRequest) -> dict[str, Any]:
    """Attach a run to an AD/CVD proceeding."""
    return {"ok": True, "attachment": svc.attach_run(run_id, req.case_id).to_dict()}


@router.get("/remedies/shrimp-coverage", dependencies=[requires("public.read")], response_model=ts.ShrimpCoverageOut,
            responses=ts.errors(503))
def shrimp_coverage() -> dict[str, Any]:
    """Share of 2018 US shrimp imports covered by each frozen warmwater shrimp AD order."""
    return {"ok": True, **svc.shrimp_coverage().to_dict()}


@router.get("/remedies/negligibility", dependencies=[requires("public.read")], response_model=ts.NegligibilityOut,
            responses=ts.errors(400, 503))
def negligibility(
    country: Annotated[list[str] | None, Query(description="Subject ISO3; suffix ':dev' for developing")] = None,
    case: Annotated[str, Query(description="ad | cvd")] = "cvd",
) -> dict[str, Any]:
    """Negligibility of subject countries in 2018 US shrimp imports (scope lines, value)."""
    subj = {c.split(":")[0].upper(): c.lower().endswith(":dev") for c in country} if country else None
    return {"ok": True, **svc.shrimp_negligibility(subj, case=case).to_dict()}


@router.get("/remedies/cases/{case_id}/runs", dependencies=[requires("public.read")], response_model=ts.CaseRunsOut,
            responses=ts.errors(404))
def case_runs(case_id: str) -> dict[str, Any]:
    """Remedies runs attached to one AD/CVD proceeding."""
    rows = svc.runs_of_case(case_id)
    return {"ok": True, "case_id": case_id, "count": len(rows), "runs": [r.to_dict() for r in rows]}
