"""Web pages of the law domain: procedures, rules (with citations), cases with a timeline view.

Every page has JSON and CSV twins; the dashboard gets an "Upcoming deadlines" panel.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tradepolicy.api.security import current_principal, requires
from tradepolicy.errors import NotFoundError
from tradepolicy.law.procedures import bundled_procedures
from tradepolicy.platform.policy import can
from tradepolicy.platform.principal import Principal
from tradepolicy.services import law as law_svc
from tradepolicy.services import proceedings as cases_svc
from tradepolicy.web.dashboard import register_panel
from tradepolicy.web.render import page_format, respond, split_format

router = APIRouter(include_in_schema=False)

CASE_COLUMNS = ["id", "procedure", "title", "stage", "stage_title", "events", "overdue", "outside",
                "next_deadline", "next_deadline_title", "next_deadline_flag"]


@router.get("/law", dependencies=[requires("public.read")])
@router.get("/law{suffix}", dependencies=[requires("public.read")])
def law_index(request: Request, suffix: str = "") -> Response:
    """Law home: the procedures, a stateless timeline form."""
    fmt = page_format("/law", suffix)
    rows = law_svc.list_procedures()
    return respond(request, fmt, template="law/index.html",
                   context={"title": "Law", "procedures": rows, "law_version": law_svc.law_version(),
                            "year": dt.date.today().year},
                   rows=rows, json_body={"ok": True, "count": len(rows), "procedures": rows,
                                         "law_version": law_svc.law_version()},
                   columns=["id", "title", "stages", "events", "clocks", "citation"],
                   filename="procedures.csv")


@router.get("/law/procedures/{name}", dependencies=[requires("public.read")])
def law_procedure(request: Request, name: str) -> Response:
    """One procedure: stages with their rules, events, clocks."""
    ident, fmt = split_format(name)
    p = law_svc.procedure_detail(ident)
    rows = [{"clock": c.id, "rule": c.rule.id, "from": c.from_, "value": c.value,
             "unit": c.unit, "basis": c.basis, "direction": c.direction, "roll": c.roll,
             "citation": c.rule.citation, "flag": c.rule.flag} for c in p.clocks]
    return respond(request, fmt, template="law/procedure.html", context={"title": p.title, "p": p},
                   rows=rows, json_body={"ok": True, "procedure": p}, filename=f"{ident}-clocks.csv")


@router.get("/law/rules{suffix:path}", dependencies=[requires("public.read")])
def law_rules(
    request: Request,
    suffix: str = "",
    prefix: str | None = Query(None, max_length=80),
    kind: str | None = Query(None, max_length=20),
    q: str | None = Query(None, max_length=200),
    on: str | None = Query(None, max_length=10),
) -> Response:
    """Rules with value, counting basis, validity, citation and flag (and one rule per page)."""
    if suffix.startswith("/") and len(suffix) > 1:
        ident, fmt = split_format(suffix[1:])
        r = law_svc.rule_detail(ident, on=on)
        return respond(request, fmt, template="law/rule.html", context={"title": ident, "r": r},
                       rows=r.periods, json_body={"ok": True, "rule": r}, filename=f"{ident}.csv")
    fmt = page_format("/law/rules", suffix)
    rows = law_svc.rules(prefix=prefix or None, kind=kind or None, q=q or None, on=on or None)
    return respond(request, fmt, template="law/rules.html",
                   context={"title": "Rules", "rules": rows,
                            "filters": {"prefix": prefix, "kind": kind, "q": q, "on": on}},
                   rows=rows, json_body={"ok": True, "count": len(rows), "rules": rows},
                   columns=law_svc.RULE_COLUMNS, filename="rules.csv")


@router.get("/law/timeline", dependencies=[requires("public.read")])
@router.get("/law/timeline{suffix}", dependencies=[requires("public.read")])
def law_timeline(request: Request, procedure: Annotated[str, Query()],
                 event: Annotated[list[str] | None, Query()] = None,
                 as_of: str | None = Query(None), suffix: str = "") -> Response:
    """Stateless timeline from the form on /law (nothing stored); .json / .csv twins."""
    fmt = page_format("/law/timeline", suffix)
    events = [e for e in (event or []) if e.strip()]
    t = law_svc.run_timeline(procedure, events, as_of=as_of or None)
    return respond(request, fmt, template="law/timeline.html", context={"title": "Timeline", "t": t},
                   rows=t.deadlines, json_body={"ok": True, "timeline": t},
                   columns=law_svc.DEADLINE_COLUMNS, filename=f"{t.procedure}-timeline.csv")


@router.get("/law/calendar/{name}", dependencies=[requires("public.read")])
def law_calendar(request: Request, name: str) -> Response:
    """Show the USTR annual calendar of a year."""
    ident, fmt = split_format(name)
    if not ident.isdigit():
        raise NotFoundError(f"No calendar {name!r}.", where=f"/law/calendar/{name}",
                            expected="/law/calendar/YEAR", example="/law/calendar/2026")
    year = int(ident)
    rows = law_svc.annual(year)
    return respond(request, fmt, template="law/calendar.html",
                   context={"title": f"USTR calendar {year}", "rows": rows, "year": year},
                   rows=rows, json_body={"ok": True, "year": year, "deadlines": rows},
                   filename=f"ustr-calendar-{year}.csv")


@router.get("/cases{suffix:path}", dependencies=[requires("public.read")])
def cases(request: Request, principal: Annotated[Principal, Depends(current_principal)], suffix: str = "",
          procedure: str | None = Query(None)) -> Response:
    """Cases list (``/cases``), one case with its timeline and documents (``/cases/ID``), its report."""
    report = re.fullmatch(r"/([A-Za-z0-9][A-Za-z0-9._-]{0,119})/report\.(html|pdf)", suffix)
    if report:
        from tradepolicy.web.pages.documents import case_report_response

        return case_report_response(request, report.group(1), report.group(2), principal)
    if suffix.startswith("/") and len(suffix) > 1:
        ident, fmt = split_format(suffix[1:])
        c = cases_svc.get_case(ident)
        from tradepolicy.services import documents as docs_svc
        from tradepolicy.services.remedies import runs_of_case

        runs = runs_of_case(ident)  # calculation runs attached to this proceeding (remedies)
        docs = docs_svc.case_documents(ident, principal, where=request.client.host if request.client else "")
        return respond(request, fmt, template="law/case.html",
                       context={"title": ident, "c": c, "runs": runs, "documents": docs,
                                "can_file": can(principal, "documents.write"),
                                "max_upload": docs_svc.max_upload_bytes()},
                       rows=c.deadlines,
                       json_body={"ok": True, "case": c, "documents": [d.to_dict() for d in docs]},
                       columns=law_svc.DEADLINE_COLUMNS, filename=f"{ident}-deadlines.csv")
    fmt = page_format("/cases", suffix)
    rows = cases_svc.list_cases(procedure or None)
    procs = sorted(((p.id, p.title) for p in bundled_procedures().values()), key=lambda x: x[1])
    return respond(request, fmt, template="law/cases.html",
                   context={"title": "Cases", "cases": rows, "procedures": procs},
                   rows=rows, json_body={"ok": True, "count": len(rows), "cases": rows},
                   columns=CASE_COLUMNS, filename="cases.csv")


def _split(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").replace(";", ",").split(",") if x.strip()]


@router.post("/cases/new", dependencies=[requires("cases.write")])
def case_new_form(procedure: str = Form(...), case_id: str = Form(...), title: str = Form(...),
                  country: str | None = Form(None), product: str | None = Form(None),
                  commerce_cases: str | None = Form(None), itc_cases: str | None = Form(None),
                  wto_ds: str | None = Form(None), hts_scope: str | None = Form(None)) -> Response:
    """Open a case of any procedure from the cases page (metadata fields optional), then show it."""
    meta = {"country": country or None, "product": product or None, "commerce_cases": _split(commerce_cases),
            "itc_cases": _split(itc_cases), "wto_ds": (wto_ds or "").strip() or None, "hts_scope": _split(hts_scope)}
    cases_svc.open_case(procedure=procedure, case_id=case_id.strip(), title=title,
                        meta={k: v for k, v in meta.items() if v})
    return RedirectResponse(f"/cases/{case_id.strip()}", status_code=303)


@router.post("/cases/{case_id}/events/batch", dependencies=[requires("cases.write")])
def case_events_form(case_id: str, events: str = Form(..., max_length=20_000),
                     planned: str | None = Form(None)) -> Response:
    """Record any number of events (one ``event YYYY-MM-DD [note]`` per line) in one transaction."""
    cases_svc.record_events(case_id, cases_svc.parse_event_lines(events), planned=bool(planned))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/events", dependencies=[requires("cases.write")])
def case_event_form(case_id: str, event: str = Form(...), date: str = Form(...),
                    note: str | None = Form(None), payload: str | None = Form(None),
                    planned: str | None = Form(None)) -> Response:
    """Record an event from the case page's form (details as key=value,...), then show the case."""
    cases_svc.record_event(case_id, event, date, payload=law_svc.parse_payload(payload),
                           note=note or None, planned=bool(planned))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@register_panel
def upcoming_deadlines_panel() -> dict[str, Any]:
    """Dashboard panel: overdue and upcoming deadlines of every case, and of the USTR annual calendar."""
    within = 120
    return {"title": "Upcoming deadlines", "template": "law/_upcoming_panel.html",
            "rows": cases_svc.upcoming_deadlines(within_days=within, limit=10), "within_days": within,
            "annual": law_svc.upcoming_annual(within_days=within)}
