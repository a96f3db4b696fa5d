"""Web pages of the promote domains, each with JSON and CSV twins.

``/barriers`` (filterable list) and ``/barriers/ID``; ``/nte?year=Y`` (the edition's chapters);
``/special301`` (placements) and ``/special301/ISO3`` (history chart); ``/tfa`` and
``/tfa/MEMBER`` (readiness). Pages read through the services as the request's principal, so a
visitor sees only what they may read.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from tradepolicy.api.security import current_principal, requires
from tradepolicy.platform.principal import Principal
from tradepolicy.store.db import transaction
from tradepolicy.web.render import page_format, respond, split_format

router = APIRouter(include_in_schema=False)
Who = Annotated[Principal, Depends(current_principal)]

BARRIER_CSV = ["id", "partner", "partner_name", "title", "status", "waiting_on", "nte_category", "mast_chapter",
               "gta_type", "hs_codes", "sectors", "public_summary", "coverage_usd", "coverage_year", "coverage_status",
               "coverage_source"]


def _where(request: Request) -> str:
    return request.client.host if request.client else ""


def _year(value: str | None) -> int | None:
    """Return a year typed in a form (empty = none), or raise naming the field."""
    from tradepolicy.errors import InputError

    v = (value or "").strip()
    if not v:
        return None
    if not v.isdigit() or not 1985 <= int(v) <= 2100:
        raise InputError(f"Year {value!r} is not a year.", field="year", expected="a year such as 2025", example="2025")
    return int(v)


def _flat(b: dict[str, Any]) -> dict[str, Any]:
    cov = b.get("coverage") or {}
    return {**b, "coverage_usd": cov.get("value_usd"), "coverage_year": cov.get("year"),
            "coverage_status": cov.get("status"), "coverage_source": cov.get("source")}


@router.get("/barriers{suffix:path}", dependencies=[requires("public.read")])
def barriers_page(request: Request, principal: Who, suffix: str = "",
                  partner: Annotated[str | None, Query(max_length=3)] = None,
                  status: Annotated[str | None, Query(max_length=30)] = None,
                  category: Annotated[str | None, Query(max_length=60)] = None) -> Response:
    """Show the barrier list (``/barriers``, ``.json``, ``.csv``) or one barrier (``/barriers/ID``)."""
    from tradepolicy.promote.barriers import STATUSES, categories
    from tradepolicy.services import barriers as svc

    if suffix.startswith("/"):
        return barrier_page(request, principal, suffix[1:])
    fmt = page_format("/barriers", suffix)
    partner, status, category = (partner or None), (status or None), (category or None)
    with transaction() as s:
        rows = [b.to_dict() for b in svc.list_barriers(s, principal, partner=partner, status=status,
                                                         category=category, where=_where(request))]
    q = {k: v for k, v in (("partner", partner), ("status", status), ("category", category)) if v}
    return respond(request, fmt, template="barriers/index.html",
                   context={"title": "Barrier registry", "barriers": rows, "partner": partner, "status": status,
                            "category": category, "statuses": STATUSES, "categories": list(categories().values()),
                            "query": ("?" + urlencode(q)) if q else ""},
                   rows=[_flat(r) for r in rows], json_body={"ok": True, "count": len(rows), "barriers": rows},
                   columns=BARRIER_CSV, filename="barriers.csv")


def barrier_page(request: Request, principal: Principal, ident: str) -> Response:
    """Show one barrier: html, .json or .csv (its status history)."""
    from tradepolicy.services import barriers as svc

    key, fmt = split_format(ident)
    with transaction() as s:
        view = svc.get_barrier(s, principal, key, where=_where(request))
    b = view.to_dict()
    return respond(request, fmt, template="barriers/show.html",
                   context={"title": b["title"], "b": b, "history": b.get("history", [])},
                   rows=b["status_history"], json_body={"ok": True, "barrier": b},
                   columns=["at", "status", "waiting_on", "by", "reason"], filename=f"barrier-{key}.csv")


@router.get("/nte{suffix:path}", dependencies=[requires("public.read")])
def nte_page(request: Request, principal: Who, suffix: str = "",
             year: Annotated[str | None, Query(max_length=4, description="edition year")] = None) -> Response:
    """Show the NTE edition ``year`` (default: next year's edition once this year's is past due)."""
    from tradepolicy.services import nte

    fmt = page_format("/nte", suffix)
    y = _year(year) or (dt.date.today().year + (1 if dt.date.today().month > 3 else 0))
    with transaction() as s:
        r = nte.build_report(s, principal, y, where=_where(request))
    rows = [{"partner": c.partner, "name": c.name, "barriers": sum(len(b) for _, b in c.by_category),
             "trade_year": c.trade.year, "exports_usd": c.trade.exports_usd, "imports_usd": c.trade.imports_usd,
             "balance_usd": c.trade.balance_usd, "new": len(c.new), "resolved": len(c.resolved),
             "status_changes": len(c.status_changes)} for c in r.chapters]
    return respond(request, fmt, template="nte/index.html",
                   context={"title": f"NTE {y}", "r": r, "year": y, "rows": rows},
                   rows=rows, json_body={"ok": True, "report": r.to_dict()}, filename=f"nte-{y}.csv")


@router.get("/special301{suffix:path}", dependencies=[requires("public.read")])
def special301_page(request: Request, principal: Who, suffix: str = "",
                    country: Annotated[str | None, Query(max_length=3)] = None,
                    year: Annotated[str | None, Query(max_length=4, description="report year (empty: all)")] = None,
                    ) -> Response:
    """Show placements (filter by country and year), or ``/special301/ISO3`` for a country's history."""
    from tradepolicy.services import special301 as svc

    if suffix.startswith("/"):
        return special301_country(request, principal, suffix[1:])
    fmt = page_format("/special301", suffix)
    country = country.upper() if country else None
    year_n = _year(year)
    with transaction() as s:
        res = svc.placements(s, principal, country=country, year=year_n).to_dict()
    q = {k: v for k, v in (("country", country), ("year", year_n)) if v}
    return respond(request, fmt, template="special301/index.html",
                   context={"title": "Special 301", "res": res, "country": country, "year": year_n,
                            "query": ("?" + urlencode(q)) if q else ""},
                   rows=res["placements"], json_body={"ok": True, **res},
                   columns=["year", "country", "iso3", "status", "list", "source", "citation", "confirmed"],
                   filename="special301.csv")


def special301_country(request: Request, principal: Principal, ident: str) -> Response:
    """Show a country's history: chart, table; .json and .csv twins."""
    from tradepolicy.promote.special301 import SEVERITY
    from tradepolicy.services import special301 as svc
    from tradepolicy.web.promote_reports import step_chart

    iso, fmt = split_format(ident)
    with transaction() as s:
        h = svc.history(s, principal, iso)
    levels = {v: ("off the lists" if k == "removed" else k) for k, v in SEVERITY.items() if k != "Pending"}
    chart = step_chart(list(h.points), title=f"Special 301 history: {h.name}", levels=levels)
    d = h.to_dict()
    return respond(request, fmt, template="special301/country.html",
                   context={"title": f"Special 301: {h.name}", "h": h, "chart": chart},
                   rows=d["placements"], json_body={"ok": True, **d},
                   columns=["year", "country", "status", "list", "source", "citation"], filename=f"special301-{iso}.csv")


@router.get("/tfa{suffix:path}", dependencies=[requires("public.read")])
def tfa_page(request: Request, principal: Who, suffix: str = "") -> Response:
    """Show TFA Members with their rates, or ``/tfa/MEMBER`` for one Member's readiness."""
    from tradepolicy.services import tfa

    if suffix.startswith("/"):
        return tfa_member(request, principal, suffix[1:])
    fmt = page_format("/tfa", suffix)
    on = tfa.default_as_of()
    with transaction() as s:
        members = [m.to_dict() for m in tfa.member_rates(s, principal, as_of=on)]
    return respond(request, fmt, template="tfa/index.html", context={"title": "TFA", "members": members, "on": on},
                   rows=members, json_body={"ok": True, "on": on.isoformat(), "members": members},
                   columns=["member", "name", "group", "ratified", "rate", "illustrative"], filename="tfa.csv")


def tfa_member(request: Request, principal: Principal, ident: str) -> Response:
    """Show one Member's readiness page."""
    from tradepolicy.services import tfa
    from tradepolicy.web.promote_reports import bar_chart

    code, fmt = split_format(ident)
    with transaction() as s:
        rd = tfa.readiness(s, principal, code)
    chart = bar_chart([("rate %", [round(r.rate * 100, 1) for r in rd.series])], [str(r.on.year) for r in rd.series],
                      title="Rate of implementation commitments", unit="%")
    d = rd.to_dict()
    return respond(request, fmt, template="tfa/member.html", context={"title": f"TFA: {rd.name}", "rd": rd, "chart": chart},
                   rows=d["rate"]["by_item"], json_body={"ok": True, **d},
                   columns=["measure", "category", "items", "date_used", "date_kind", "committed"],
                   filename=f"tfa-{code}.csv")
