"""Web pages of the enforcement desk: the dispute registry and the three priority dashboards.

Every page has ``.json`` and ``.csv`` twins; dashboards also have a ``.pdf`` (``reports.render_report``). Pages only parse, call a service and render.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tradepolicy.api.security import requires
from tradepolicy.errors import NotFoundError
from tradepolicy.services import disputes as disputes_svc
from tradepolicy.services import priorities as prio
from tradepolicy.web.render import page_format, respond

router = APIRouter(include_in_schema=False)


@router.get("/disputes", dependencies=[requires("public.read")])
@router.get("/disputes{suffix}", dependencies=[requires("public.read")])
def disputes_page(request: Request, suffix: str = "", us: str | None = Query(None, max_length=20),
                  agreement: str | None = Query(None, max_length=200),
                  status: str | None = Query(None, max_length=200)) -> Response:
    """Show the WTO dispute registry with its views (US role, agreement, status)."""
    fmt = page_format("/disputes", suffix)
    rows = disputes_svc.list_disputes(us=us or None, agreement=agreement or None, status=status or None)
    data = [r.to_dict() for r in rows]
    ctx = {"title": "WTO disputes", "rows": data, "us": us, "agreement": agreement, "status": status,
           "by_agreement": disputes_svc.by_agreement(rows)[:15], "by_status": disputes_svc.by_status(rows)}
    return respond(request, fmt, template="enforcement/disputes.html", context=ctx, rows=data,
                   json_body={"ok": True, "count": len(data), "disputes": data}, columns=disputes_svc.COLUMNS,
                   filename="wto-disputes.csv")


def _split(name: str) -> tuple[str, str]:
    for fmt in ("json", "csv", "pdf"):
        if name.endswith("." + fmt):
            return name[: -len(fmt) - 1], fmt
    return name, "html"


def dashboard_pdf(name: str) -> bytes:
    """Render a dashboard as a PDF report (``reports.render_report``, the same figures as the page)."""
    from tradepolicy.reports.render import render_report

    d = prio.dashboard(name)
    return render_report("enforcement/priority.html", {"d": d.json_dict()}, title=d.title, fmt="pdf",
                         subtitle="Enforcement priority dashboard", toc=False)


@router.get("/priorities", dependencies=[requires("public.read")])
def priorities_index(request: Request) -> Response:
    """List the three priority dashboards."""
    return respond(request, "html", template="enforcement/priorities.html",
                   context={"title": "Priorities", "names": [(n, prio.TITLES[n]) for n in prio.NAMES]},
                   rows=[])


@router.get("/priorities/{name}", dependencies=[requires("public.read")])
def priority_page(request: Request, name: str) -> Response:
    """Show a priority dashboard (``/priorities/china``, ``.json``, ``.csv``, ``.pdf``)."""
    ident, fmt = _split(name)
    if ident not in prio.NAMES:
        raise NotFoundError(f"No dashboard {ident!r}.", field="name", expected=" | ".join(prio.NAMES),
                            example="china")
    if fmt == "pdf":
        return Response(dashboard_pdf(ident), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="priority-{ident}.pdf"'})
    model = prio.dashboard(ident)
    d = model.json_dict()
    return respond(request, fmt, template="enforcement/priority.html", context={"title": model.title, "d": d},
                   rows=lambda: prio.rows(model), json_body={"ok": True, "dashboard": d},
                   columns=["section", "item", "value"], filename=f"priority-{ident}.csv")
