"""Dashboard, agreements, agencies, guide and datasets pages, with JSON/CSV twins."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tradepolicy.api.security import requires
from tradepolicy.services import agreements as agreements_svc
from tradepolicy.services import datasets as datasets_svc
from tradepolicy.services import guide as guide_svc
from tradepolicy.web.dashboard import panels
from tradepolicy.web.render import jsonable, page_format, respond, split_format

router = APIRouter(include_in_schema=False)

AGREEMENT_COLUMNS = ["id", "short_name", "name", "kind", "status", "signed", "in_force",
                     "implemented", "parties", "key_provisions", "implementation_status"]


@router.get("/", dependencies=[requires("public.read")])
def dashboard(request: Request) -> Response:
    """Show the dashboard: agreements in force, the guide, datasets and each domain's panels."""
    return dashboard_twin(request, "")


@router.get("/dashboard{suffix:path}", dependencies=[requires("public.read")])
def dashboard_twin(request: Request, suffix: str = "") -> Response:
    """Serve the dashboard at ``/dashboard`` and its ``.json`` / ``.csv`` twins."""
    fmt = page_format("/dashboard", suffix)
    agreements = agreements_svc.list_agreements()
    datasets = datasets_svc.list_datasets()
    dash_panels = panels()
    summary = [
        {"id": a.id, "short_name": a.short_name, "status": a.status, "in_force": a.in_force}
        for a in agreements
    ]
    body = {
        "ok": True,
        "agreements": {"count": len(agreements), "in_force": sum(a.status == "in_force" for a in agreements),
                       "rows": summary},
        "datasets": [{"id": d.id, "status": d.status} for d in datasets],
        "panels": [{k: v for k, v in p.items() if k != "template"} for p in dash_panels],
    }
    return respond(
        request, fmt, template="dashboard.html",
        context={"title": "Dashboard", "agreements": agreements, "datasets": datasets, "panels": dash_panels},
        rows=summary, json_body=jsonable(body), columns=["id", "short_name", "status", "in_force"],
        filename="dashboard-agreements.csv",
    )


@router.get("/agreements{suffix:path}", dependencies=[requires("public.read")])
def agreements(
    request: Request,
    suffix: str = "",
    status: str | None = Query(None),
    party: str | None = Query(None),
    in_force_on: str | None = Query(None),
    q: str | None = Query(None, max_length=200),
) -> Response:
    """Agreements list (``/agreements``, ``.json``, ``.csv``) and detail (``/agreements/ID``)."""
    if suffix.startswith("/") and len(suffix) > 1:
        ident, fmt = split_format(suffix[1:])
        a = agreements_svc.get_agreement(ident)
        return respond(
            request, fmt, template="agreement.html", context={"title": a.short_name, "a": a},
            rows=a.provisions, json_body={"ok": True, "agreement": a},
            columns=["area", "chapter", "title", "summary"], filename=f"{ident}-provisions.csv",
        )
    fmt = page_format("/agreements", suffix)
    rows = agreements_svc.list_agreements(status=status, party=party, in_force_on=in_force_on, q=q)
    return respond(
        request, fmt, template="agreements.html",
        context={"title": "Agreements", "agreements": rows,
                 "filters": {"status": status, "party": party, "in_force_on": in_force_on, "q": q}},
        rows=rows, json_body={"ok": True, "count": len(rows), "agreements": rows},
        columns=AGREEMENT_COLUMNS, filename="agreements.csv",
    )


@router.get("/agencies{suffix:path}", dependencies=[requires("public.read")])
def agencies(request: Request, suffix: str = "") -> Response:
    """Agencies, committees and bodies, and their roles."""
    fmt = page_format("/agencies", suffix)
    rows = agreements_svc.list_agencies()
    return respond(request, fmt, template="agencies.html", context={"title": "Agencies", "agencies": rows},
                   rows=rows, json_body={"ok": True, "count": len(rows), "agencies": rows},
                   columns=["id", "kind", "name", "role"], filename="agencies.csv")


@router.get("/guide{suffix:path}", dependencies=[requires("public.read")])
def guide(request: Request, suffix: str = "", q: str | None = Query(None, max_length=500)) -> Response:
    """Answer a question with ranked, cited guide entries."""
    fmt = page_format("/guide", suffix)
    ans = guide_svc.answer(q) if q else None
    results = ans.results if ans else []
    entries = guide_svc.list_entries() if not q else []
    rows = results or entries
    not_covered = ans.not_covered if ans else None
    return respond(request, fmt, template="guide.html",
                   context={"title": "Guide", "q": q or "", "results": results, "entries": entries,
                            "not_covered": not_covered},
                   rows=rows, json_body={"ok": True, "q": q, "count": len(rows), "results": rows,
                                         "covered": ans.covered if ans else None, "not_covered": not_covered},
                   columns=["id", "title", "score", "body"], filename="guide.csv")


@router.get("/datasets{suffix:path}", dependencies=[requires("public.read")])
def datasets(request: Request, suffix: str = "") -> Response:
    """List the registered datasets with their status."""
    fmt = page_format("/datasets", suffix)
    rows = datasets_svc.list_datasets()
    return respond(request, fmt, template="datasets.html", context={"title": "Datasets", "datasets": rows},
                   rows=rows, json_body={"ok": True, "count": len(rows), "datasets": rows},
                   columns=["id", "status", "files", "bytes", "licence", "upstream", "citation", "title"],
                   filename="datasets.csv")
