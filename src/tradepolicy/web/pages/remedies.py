"""Web pages of the remedies domain: runs list, one run, shrimp coverage; JSON/CSV twins.

``/remedies`` lists runs (with an upload form that works without JavaScript) and the
shrimp-order coverage table; ``/remedies/runs/ID`` shows one run (method choice, table by
CONNUM, Cohen's d by dimension, exclusions, thresholds with citations);
``/remedies/shrimp`` the coverage table alone.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from tradepolicy.api.security import requires
from tradepolicy.errors import NotFoundError, TradePolicyError
from tradepolicy.services import remedies as svc
from tradepolicy.web.dashboard import register_panel
from tradepolicy.web.render import page_format, respond, split_format

router = APIRouter(include_in_schema=False)

RUN_COLUMNS = ["id", "kind", "created_at", "created_by", "segment", "method", "rate", "above_de_minimis",
               "parent_id", "law_version", "proceedings"]
COVERAGE_COLUMNS = ["case", "country", "status", "in_force_2018", "imports_scope_kusd", "share_scope",
                    "imports_all_shrimp_kusd", "share_all_shrimp"]
CONNUM_COLUMNS = ["connum", "us_sales", "us_quantity", "us_value", "us_avg_price", "nv", "nv_basis",
                  "matched_connum", "difmer", "home_quantity_used", "cop", "constructed_value",
                  "below_cost_share", "cost_test_applied", "aa_result", "at_positive", "value_share_passing"]
DIM_ROWS_SHOWN = 200


def _coverage() -> dict[str, Any] | None:
    try:
        return svc.shrimp_coverage().to_dict()
    except TradePolicyError as exc:  # the dataset may be absent: show why, keep the page
        return {"error": exc.to_dict()}


@router.get("/remedies{suffix:path}", dependencies=[requires("public.read")])
def remedies_index(request: Request, suffix: str = "",
                   case: Annotated[str | None, Query(description="only runs attached to this proceeding")] = None,
                   ) -> Response:
    """Show the runs list (html/json/csv; ``?case=ID`` for one proceeding's runs) and the shrimp coverage."""
    if suffix.startswith("/runs/"):
        return run_page(request, suffix[len("/runs/"):])
    if suffix.startswith("/shrimp"):
        return shrimp_page(request, suffix[len("/shrimp"):])
    fmt = page_format("/remedies", suffix)
    case = case.strip() if case and case.strip() else None
    runs = [r.to_dict() for r in (svc.runs_of_case(case) if case else svc.list_runs())]
    return respond(request, fmt, template="remedies/index.html",
                   context={"title": "Trade remedies", "runs": runs, "coverage": _coverage(), "case": case},
                   rows=runs, json_body={"ok": True, "case_id": case, "count": len(runs), "runs": runs},
                   columns=RUN_COLUMNS, filename="remedies-runs.csv")


def shrimp_page(request: Request, suffix: str) -> Response:
    """Show the shrimp AD orders' share of 2018 US shrimp imports."""
    fmt = page_format("/remedies/shrimp", suffix)
    cov = svc.shrimp_coverage().to_dict()
    return respond(request, fmt, template="remedies/shrimp.html",
                   context={"title": "Shrimp AD orders: import coverage", "coverage": cov},
                   rows=cov["orders"], json_body={"ok": True, **cov}, columns=COVERAGE_COLUMNS,
                   filename="shrimp-coverage.csv")


def run_page(request: Request, ident: str) -> Response:
    """One run: html, .json (the full run) or .csv (the table by CONNUM)."""
    base, fmt = split_format(ident)
    if not base.isdigit():
        raise NotFoundError(f"No run {base!r}.", where=f"/remedies/runs/{ident}", field="run_id",
                            expected="a run id", example="/remedies/runs/1")
    run = svc.get_run(int(base))
    res = run.results
    rows = res.get("by_connum") or res.get("programmes") or res.get("respondents") or []
    return respond(request, fmt, template="remedies/run.html",
                   context={"title": f"Run {run.id}", "run": run, "r": res, "dim_rows": DIM_ROWS_SHOWN,
                            "connum_columns": CONNUM_COLUMNS, "vs_parent": svc.compare_with_parent(run),
                            "law_date": svc.run_law_date(run).isoformat()},
                   rows=rows, json_body={"ok": True, "run": run.to_dict()},
                   columns=CONNUM_COLUMNS if run.kind == svc.KIND_MARGIN else None,
                   filename=f"remedies-run-{run.id}.csv")


@router.post("/remedies/margin", dependencies=[requires("runs.write")])
def margin_form(
    segment: Annotated[str, Form()],
    us: Annotated[UploadFile, File()],
    home: Annotated[UploadFile, File()],
    cost: Annotated[UploadFile, File()],
    similar: Annotated[UploadFile | None, File()] = None,
    third_country: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Upload form target: compute, store, and redirect to the run's page (threadpool, not the event loop)."""
    files = {}
    for k, f in (("us", us), ("home", home), ("cost", cost), ("similar", similar), ("third", third_country)):
        if f is None or not f.filename:
            continue
        files[k] = (f.file.read(), svc.file_suffix(f.filename), f.filename)
    run = svc.compute_margin(files, segment=segment)
    return RedirectResponse(f"/remedies/runs/{run.id}", status_code=303)


@router.post("/remedies/runs/{run_id}/attach", dependencies=[requires("runs.write")])
def attach_form(run_id: int, case_id: Annotated[str, Form()]) -> Response:
    """Attach form target: attach and redirect back to the run."""
    svc.attach_run(run_id, case_id.strip())
    return RedirectResponse(f"/remedies/runs/{run_id}", status_code=303)


@router.post("/remedies/runs/{run_id}/rerun", dependencies=[requires("runs.write")])
def rerun_form(run_id: int, as_of: Annotated[str | None, Form()] = None) -> Response:
    """Re-run form target: store a new run (law of the original run's date unless ``as_of``) and show it."""
    from tradepolicy.services.agreements import parse_date

    date = parse_date(as_of.strip(), field="as_of") if as_of and as_of.strip() else None
    run = svc.rerun(run_id, as_of=date)
    return RedirectResponse(f"/remedies/runs/{run.id}", status_code=303)


@register_panel
def remedies_panel() -> dict[str, Any]:
    """Dashboard panel: latest remedies runs."""
    return {"title": "Trade remedies", "template": "remedies/panel.html",
            "runs": [r.to_dict() for r in svc.list_runs(limit=5)]}
