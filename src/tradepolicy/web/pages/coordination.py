"""Web pages of the coordination domain (readable without JavaScript, each with .json and .csv twins).

``/dockets``, ``/dockets/{id}`` (regulations.gov-like: windows, counts, clusters, filters,
comments; twins export public fields only), ``/dockets/{id}/submit`` (form), ``/comments/{id}``,
``/exclusions``, ``/clearance`` and ``/clearance/{id}`` (restricted: grant holders only),
``/congress/{case_id}``, ``/committees`` and ``/committees/{id}``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from tradepolicy.api.routes.coordination import SubmissionForm
from tradepolicy.api.security import requires
from tradepolicy.platform.principal import Principal
from tradepolicy.store.db import transaction
from tradepolicy.web.coordination_render import csv_text
from tradepolicy.web.render import page_format, render_html, respond, split_format

NEEDS_PUBLIC_READ = requires("public.read")
NEEDS_PUBLIC_SUBMIT = requires("public.submit")

router = APIRouter(include_in_schema=False)


def _safe_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Neutralise formula starts in every CSV cell (the CSV twin goes through ``respond``)."""
    from tradepolicy.web.coordination_render import safe_cell

    return [{k: safe_cell(v) for k, v in r.items()} for r in rows]


@router.get("/dockets{suffix:path}")
def dockets_pages(request: Request, suffix: str = "",
                  status: Annotated[str | None, Query(max_length=20)] = None,
                  commenter_type: Annotated[str | None, Query(max_length=20)] = None,
                  chapter: Annotated[str | None, Query(max_length=2)] = None,
                  country: Annotated[str | None, Query(max_length=3)] = None,
                  q: Annotated[str | None, Query(max_length=500)] = None,
                  page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                  principal: Principal = NEEDS_PUBLIC_READ) -> Response:
    """Dispatch ``/dockets`` (+ twins), ``/dockets/ID`` (+ twins) and ``/dockets/ID/submit``."""
    from tradepolicy.services import dockets as svc

    if suffix in ("", ".json", ".csv"):
        fmt = page_format("/dockets", suffix)
        with transaction() as s:
            rows = [d.to_dict() for d in svc.list_dockets(s, principal)]
        flat = [{"id": r["id"], "title": r["title"], "procedure": r["procedure"], "opens": r["opens"],
                 "comments": sum(r["counts"].values()), "is_example": r["is_example"]} for r in rows]
        return respond(request, fmt, template="coordination/dockets.html", context={"title": "Dockets", "dockets": rows},
                       rows=_safe_rows(flat), json_body={"ok": True, "count": len(rows), "dockets": rows},
                       filename="dockets.csv")
    rest = suffix.lstrip("/")
    if rest.endswith("/submit"):
        did = rest[: -len("/submit")]
        with transaction() as s:
            d = svc.get_docket(s, principal, did)
        return render_html(request, "coordination/submit.html", {"title": f"Submit to {d.id}", "d": d.to_dict(),
                                                                  "types": svc.COMMENTER_TYPES, "error": None})
    did, fmt = split_format(rest)
    filters = {"status": status or None, "commenter_type": commenter_type or None, "chapter": chapter or None,
               "country": country or None}
    with transaction() as s:
        if fmt == "html":
            p = svc.docket_page(s, principal, did, q=q or None, page=page, status=filters["status"],
                                commenter_type=filters["commenter_type"], chapter=filters["chapter"],
                                country=filters["country"])
            return render_html(request, "coordination/docket.html",
                               {"title": p.docket.id, "p": p.to_dict(), "types": svc.COMMENTER_TYPES,
                                "statuses": svc.STATUSES, "can_manage": _can(principal, "dockets.manage")})
        rows = [v.public_row() for v in svc.export_rows(s, principal, did, **filters)]
    if fmt == "json":
        return respond(request, fmt, template="", context={}, rows=rows,
                       json_body={"ok": True, "docket_id": did.upper(), "count": len(rows), "comments": rows})
    return Response(csv_text(rows, svc.PUBLIC_FIELDS), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{did}-comments.csv"'})


def _can(principal: Principal, perm: str) -> bool:
    from tradepolicy.platform.policy import can

    return can(principal, perm) and not principal.is_anonymous


@router.post("/dockets/{docket_id}/submit")
async def submit_form(request: Request, docket_id: str, form: Annotated[SubmissionForm, Depends()],
                      principal: Principal = NEEDS_PUBLIC_SUBMIT) -> Response:
    """Receive the submission form; a refused one re-renders the form with the error (nothing stored)."""
    from tradepolicy.errors import TradePolicyError
    from tradepolicy.services import dockets as svc

    try:
        res = await form.submit(principal, docket_id, where=request.client.host if request.client else "")
    except TradePolicyError as exc:
        with transaction() as s:
            d = svc.get_docket(s, principal, docket_id)
        return render_html(request, "coordination/submit.html",
                           {"title": f"Submit to {d.id}", "d": d.to_dict(), "types": svc.COMMENTER_TYPES,
                            "error": exc.to_dict(), "form": {"commenter": form.commenter,
                                                             "organization": form.organization, "text": form.text,
                                                             "hts": form.hts, "countries": form.countries}},
                           status=exc.status)
    return render_html(request, "coordination/received.html", {"title": "Received", "r": res.to_dict()})


@router.get("/comments/{comment_id}")
def comment_page(request: Request, comment_id: str, principal: Principal = NEEDS_PUBLIC_READ) -> Response:
    """One comment: public fields, attachments, status history (``.json`` twin)."""
    from tradepolicy.services import dockets as svc

    cid, fmt = split_format(comment_id)
    with transaction() as s:
        v = svc.get_comment(s, principal, cid).to_dict()
        hist = [e.to_dict() for e in svc.comment_history(s, principal, cid)]
    public = {k: v[k] for k in svc.PUBLIC_FIELDS if k in v}
    return respond(request, fmt, template="coordination/comment.html", context={"title": cid, "c": v, "history": hist},
                   rows=_safe_rows([{**public, "hts_codes": ";".join(v["hts_codes"]), "countries": ";".join(v["countries"]),
                                     "attachments": ";".join(a["filename"] for a in v["attachments"])}]),
                   json_body={"ok": True, "comment": v, "history": hist}, filename=f"{cid}.csv")


@router.get("/exclusions{suffix:path}")
def exclusions_page(request: Request, suffix: str = "", principal: Principal = NEEDS_PUBLIC_READ) -> Response:
    """Exclusion requests and decisions (BCI data only with a grant)."""
    from tradepolicy.services import exclusions as svc

    fmt = page_format("/exclusions", suffix)
    with transaction() as s:
        rows = [v.to_dict() for v in svc.list_exclusions(s, principal)]
    flat = [{k: r[k] for k in ("id", "status", "docket_id", "requester", "hts10", "product", "requested_on", "response_due")}
            | {"decision": (r["decision"] or {}).get("decision"), "start": (r["decision"] or {}).get("start"),
               "end": (r["decision"] or {}).get("end")} for r in rows]
    return respond(request, fmt, template="coordination/exclusions.html", context={"title": "Section 301 exclusions",
                                                                                   "rows": rows},
                   rows=_safe_rows(flat), json_body={"ok": True, "count": len(rows), "exclusions": rows},
                   filename="exclusions.csv")


@router.get("/clearance{suffix:path}")
def clearance_pages(request: Request, suffix: str = "", principal: Principal = NEEDS_PUBLIC_READ) -> Response:
    """Clearances the viewer holds a grant for (restricted); ``/clearance/ID`` shows positions and the trail."""
    from tradepolicy.services import clearance as svc

    where = request.client.host if request.client else ""
    if suffix in ("", ".json", ".csv"):
        fmt = page_format("/clearance", suffix)
        with transaction() as s:
            rows = [v.to_dict() for v in svc.list_clearances(s, principal, where=where)]
        flat = [{k: r[k] for k in ("id", "title", "level", "outcome", "due")} for r in rows]
        return respond(request, fmt, template="coordination/clearances.html",
                       context={"title": "Interagency clearance", "rows": rows}, rows=_safe_rows(flat),
                       json_body={"ok": True, "count": len(rows), "clearances": rows}, filename="clearances.csv")
    cid, fmt = split_format(suffix.lstrip("/"))
    with transaction() as s:
        v = svc.status(s, principal, cid, where=where).to_dict()
        trail = [t.to_dict() for t in svc.history(s, principal, cid, where=where)]
    return respond(request, fmt, template="coordination/clearance.html", context={"title": cid, "c": v, "trail": trail},
                   rows=_safe_rows(list(v["positions"])), json_body={"ok": True, "clearance": v, "history": trail},
                   filename=f"{cid}-positions.csv")


@router.get("/congress/{case_id}")
def congress_page(request: Request, case_id: str, principal: Principal = NEEDS_PUBLIC_READ) -> Response:
    """Return a negotiation case's congressional record beside the law engine's deadlines (``.json``/``.csv`` twins)."""
    from tradepolicy.services import congress as svc

    cid, fmt = split_format(case_id)
    with transaction() as s:
        log = svc.congress_log(s, principal, cid).to_dict()
    return respond(request, fmt, template="coordination/congress.html", context={"title": f"Congress: {log['title']}",
                                                                                 "log": log},
                   rows=_safe_rows(list(log["deadlines"])), json_body={"ok": True, "congress": log},
                   filename=f"{cid}-congress.csv")


@router.get("/committees{suffix:path}")
def committees_pages(request: Request, suffix: str = "", case: Annotated[str | None, Query(max_length=120)] = None,
                     principal: Principal = NEEDS_PUBLIC_READ) -> Response:
    """Return the advisory committees; ``/committees/ID`` with members, meetings, reports and the report due date."""
    from tradepolicy.services import committees as svc

    if suffix in ("", ".json", ".csv"):
        fmt = page_format("/committees", suffix)
        rows = [c.to_dict() for c in svc.committees().values()]
        return respond(request, fmt, template="coordination/committees.html", context={"title": "Advisory committees",
                                                                                       "rows": rows},
                       rows=_safe_rows(rows), json_body={"ok": True, "count": len(rows), "committees": rows},
                       filename="committees.csv")
    cid, fmt = split_format(suffix.lstrip("/"))
    with transaction() as s:
        v = svc.get_committee(s, principal, cid, case_id=case).to_dict()
    return respond(request, fmt, template="coordination/committee.html", context={"title": v["name"], "c": v},
                   rows=_safe_rows([{k: m[k] for k in ("name", "organization", "cleared", "cleared_on")} for m in v["members"]]),
                   json_body={"ok": True, "committee": v}, filename=f"{cid}-members.csv")
