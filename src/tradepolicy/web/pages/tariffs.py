"""Web pages of the tariffs domain: HTS search, a line's duty stack by origin and its history.

``/tariffs`` (search by code or text), ``/tariffs/line/CODE`` (the line, its duty stack for
an origin and date, stacks for common origins, and an SVG chart of the total duty over
time), ``/tariffs/indicators``; each with ``.json`` and ``.csv`` twins. No JavaScript.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tradepolicy.api.security import requires
from tradepolicy.errors import NotFoundError, TradePolicyError
from tradepolicy.services import tariffs as svc
from tradepolicy.web.dashboard import register_panel
from tradepolicy.web.render import respond, split_format

router = APIRouter(include_in_schema=False)
@register_panel
def chapter99_panel() -> dict[str, Any]:
    """Dashboard panel: Chapter 99 measures (s.301, s.232) and their rates today."""
    rows = [r.to_dict() for r in svc.chapter99_in_force() if r.status == "in force"]
    return {"title": "Chapter 99 duties in force", "template": "tariffs/panel.html", "rows": rows}


COMMON_ORIGINS = ["CHN", "MEX", "CAN", "JPN", "KOR", "DEU", "GBR", "VNM", "IND", "AUS", "CUB"]
SEARCH_COLUMNS = ["hts", "level", "description", "general", "units"]
HISTORY_FROM = "2017-01-01"
SEARCH_LIMIT = 200


@router.get("/tariffs{suffix:path}", dependencies=[requires("public.read")])
def tariffs_pages(
    request: Request,
    suffix: str = "",
    q: str | None = Query(None, max_length=200),
    edition: int = Query(2025),
    origin: str = Query("CHN", max_length=3),
    date: str | None = Query(None, max_length=10),
    by: str = Query("section"),
    weights: str = Query("none", max_length=40),
    utilisation: str = Query("published", max_length=20),
    basis: str | None = Query(None, max_length=10),
) -> Response:
    """Dispatch ``/tariffs``, ``/tariffs/line/CODE`` and ``/tariffs/indicators`` (+ twins)."""
    if suffix in ("", ".json", ".csv"):
        return _search(request, split_format("tariffs" + suffix)[1], q, edition)
    if suffix.startswith("/line/"):
        code, fmt = split_format(suffix[len("/line/"):])
        return _line(request, fmt, code, edition, origin, date)
    if suffix.startswith("/effective"):
        return _effective(request, split_format(suffix[1:])[1], date or "2024-07-01", utilisation, basis)
    if suffix.startswith("/indicators"):
        fmt = split_format(suffix[1:])[1]
        rows = [r.to_dict() for r in svc.indicators_table(edition=edition, by=by, weights=weights)]
        return respond(request, fmt, template="tariffs/indicators.html",
                       context={"title": "Tariff indicators", "rows": rows, "by": by,
                                "edition": edition, "weights": weights},
                       rows=rows, json_body={"ok": True, "by": by, "rows": rows},
                       filename=f"tariff-indicators-{by}.csv")
    raise NotFoundError(f"No page {'/tariffs' + suffix!r}.", where="/tariffs" + suffix,
                        expected="/tariffs, /tariffs/line/CODE, /tariffs/indicators or /tariffs/effective",
                        example="/tariffs/line/0101.30.00.00")


EFFECTIVE_COLUMNS = ["partner", "value", "predicted_duty", "predicted_rate", "observed_duty",
                     "observed_rate", "difference_pp"]


def _effective(request: Request, fmt: str, date: str, utilisation: str, basis: str | None) -> Response:
    """Predicted vs observed duty of the 2024 Census imports (us-customs-duties) on a date."""
    from tradepolicy.services import tariff_effective as eff

    res = eff.census_2024(date, utilisation=utilisation, basis=basis)
    body = {"ok": True, **res.to_dict()}
    return respond(request, fmt, template="tariffs/effective.html",
                   context={"title": "Effective tariff rates", "res": res, "date": date,
                            "utilisation": utilisation, "modes": eff.UTILISATION_MODES},
                   rows=res.by_partner, json_body=body, columns=EFFECTIVE_COLUMNS,
                   filename=f"effective-{date}.csv")


def _search(request: Request, fmt: str, q: str | None, edition: int) -> Response:
    rows = [r.to_dict() for r in svc.search(q or "", edition=edition, limit=SEARCH_LIMIT)] if q else []
    return respond(request, fmt, template="tariffs/search.html",
                   context={"title": "Tariff schedule", "q": q or "", "rows": rows, "edition": edition,
                            "limit": SEARCH_LIMIT},
                   rows=rows, json_body={"ok": True, "q": q, "count": len(rows), "lines": rows},
                   columns=SEARCH_COLUMNS, filename="hts-search.csv")


def _chart(points: list[dict[str, Any]], width: int = 640, height: int = 220,
           mark: str | None = None) -> dict[str, Any]:
    """Return SVG geometry (step line) for (date, total AVE) points; ``mark`` a date to flag."""
    pts = [p for p in points if p["total_ave"] is not None]
    if not pts:
        return {"path": "", "width": width, "height": height, "ticks": [], "yticks": [],
                "mark": None}
    d0 = dt.date.fromisoformat(pts[0]["date"]).toordinal()
    d1 = max(dt.date.fromisoformat(pts[-1]["date"]).toordinal(), d0 + 1)
    top = max(0.05, max(p["total_ave"] for p in pts) * 1.05)
    step = next(st for st in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0) if top / st <= 5)
    ymax = -(-top // step) * step  # round the axis up to a whole step
    pad = 40

    def x(d: str) -> float:
        return pad + (dt.date.fromisoformat(d).toordinal() - d0) / (d1 - d0) * (width - 2 * pad)

    def y(v: float) -> float:
        return height - pad - v / ymax * (height - 2 * pad)

    seg = [f"M{x(pts[0]['date']):.1f},{y(pts[0]['total_ave']):.1f}"]
    for _a, b in itertools.pairwise(pts):
        seg.append(f"H{x(b['date']):.1f}V{y(b['total_ave']):.1f}")
    years = sorted({p["date"][:4] for p in pts})
    every = max(1, -(-len(years) // 12))  # at most ~12 year labels
    years = years[::every]
    ticks = [{"x": x(f"{yr}-01-01"), "label": yr} for yr in years
             if d0 <= dt.date(int(yr), 1, 1).toordinal() <= d1]
    yticks = [{"y": y(k * step), "label": f"{k * step:.0%}"} for k in range(round(ymax / step) + 1)]
    mark_x = x(mark) if mark and pts[0]["date"] <= mark <= pts[-1]["date"] else None
    return {"path": "".join(seg), "width": width, "height": height, "ticks": ticks, "yticks": yticks,
            "mark": None if mark_x is None else {"x": mark_x, "label": mark}}


def _line(request: Request, fmt: str, code: str, edition: int, origin: str, date: str | None) -> Response:
    line = svc.show(code, edition=edition).to_dict()
    day = date or dt.date.today().isoformat()
    product_line = line["level"] in ("hts8", "hts10") and not line["hts"].startswith("99")
    stack = svc.stack_entry(code, origin, day).to_dict() if product_line else None  # ch.99: a measure
    by_origin: list[dict[str, Any]] = []
    points: list[dict[str, Any]] = []
    if stack is not None:
        for o in COMMON_ORIGINS:
            try:
                s = svc.stack(code, o, day)
            except TradePolicyError:
                continue
            by_origin.append({"origin": o, "total_ave": s.total_ave,
                              "layers": "; ".join(f"{ly.authority} {ly.rate_text}" for ly in s.layers)})
        # The chart runs from 2017 (or the entry date, when earlier) to today; a vertical
        # mark shows the entry date asked for.
        start = min(HISTORY_FROM, stack["date"])
        points = [p.to_dict() for p in svc.history_range(code, origin, start, dt.date.today().isoformat())]
    body = {"ok": True, "line": line, "stack": stack, "by_origin": by_origin, "history": points}
    rows = stack["layers"] if stack else []
    return respond(request, fmt, template="tariffs/line.html",
                   context={"title": f"HTS {line['hts']}", "line": line, "stack": stack,
                            "by_origin": by_origin,
                            "chart": _chart(points, mark=stack["date"] if stack else None),
                            "points": points,
                            "origin": origin.upper(), "date": day, "edition": edition},
                   rows=rows, json_body=body,
                   columns=["layer", "authority", "heading", "rate_text", "ave", "citation", "note"],
                   filename=f"stack-{line['hts']}-{origin}-{day}.csv")
