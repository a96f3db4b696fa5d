"""Web pages of the economics domain: scenarios, runs, comparison and partner screening.

``/economics`` lists the example scenarios (each with a Run button that works without
JavaScript) and recent runs; ``/economics/examples/NAME`` shows a scenario file;
``/economics/runs/ID`` shows a run's results by country as a server-rendered SVG chart and
a table, with ``.json`` and ``.csv`` twins; ``/economics/compare?a=ID&b=ID`` puts two runs
side by side; ``/economics/screening`` ranks candidate partners (``.json`` / ``.csv``).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from tradepolicy.api.security import requires
from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.services import scenarios as svc
from tradepolicy.web.dashboard import register_panel
from tradepolicy.web.render import page_format, respond, split_format

router = APIRouter(include_in_schema=False)

BAR_H = 18
CHART_W = 720
LABEL_W = 90
VALUE_W = 110


def bar_geometry(labels: list[str], values: list[float], *, unit: str = "") -> dict[str, Any]:
    """Return the geometry of a horizontal bar chart (zero axis, one bar per label) for SVG."""
    vals = [float(v) if v is not None and math.isfinite(float(v)) else 0.0 for v in values]
    lo = min([0.0, *vals])
    hi = max([0.0, *vals])
    span = (hi - lo) or 1.0
    plot_w = CHART_W - LABEL_W - VALUE_W
    x0 = LABEL_W + plot_w * (0 - lo) / span
    bars = []
    for i, (lb, v) in enumerate(zip(labels, vals, strict=True)):
        x = LABEL_W + plot_w * (min(v, 0.0) - lo) / span
        w = max(plot_w * abs(v) / span, 0.5)
        text = f"{v:,.4f}" if abs(v) < 10 else f"{v:,.0f}"
        bars.append({"label": lb, "value": v, "x": round(x, 2), "y": i * BAR_H + 4, "w": round(w, 2),
                     "neg": v < 0, "text": text, "ty": i * BAR_H + 4 + BAR_H - 6})
    return {"bars": bars, "x0": round(x0, 2), "width": CHART_W, "height": len(bars) * BAR_H + 10,
            "value_x": CHART_W - VALUE_W + 6, "unit": unit}


@router.get("/economics{suffix:path}", dependencies=[requires("public.read")])
def economics_index(request: Request, suffix: str = "") -> Response:
    """List examples and recent runs (``/economics``, ``.json``, ``.csv``); route sub-pages."""
    for prefix, handler in (("/runs/", run_page), ("/examples/", example_page)):
        if suffix.startswith(prefix):
            return handler(request, suffix[len(prefix):])
    if suffix.startswith("/compare"):
        return compare_page(request, suffix[len("/compare"):])
    if suffix.startswith("/screening"):
        return screening_page(request, suffix[len("/screening"):])
    fmt = page_format("/economics", suffix)
    examples = [e.to_dict() for e in svc.list_examples()]
    runs = [r.to_dict() for r in svc.list_runs(30)]
    return respond(request, fmt, template="economics/index.html",
                   context={"title": "Economics", "examples": examples, "runs": runs},
                   rows=examples, json_body={"ok": True, "examples": examples, "runs": runs},
                   columns=["name", "model", "dataset", "title", "file"], filename="scenarios.csv")


def example_page(request: Request, rest: str) -> Response:
    """Show one example scenario: its YAML and a Run button."""
    name, fmt = split_format(rest)
    path = svc.example_path(name)
    sc = svc.load_scenario(path)
    info = {"name": sc.name, "title": sc.title, "model": sc.model, "description": sc.description,
            "yaml": path.read_text(encoding="utf-8")}
    return respond(request, fmt, template="economics/example.html", context={"title": sc.title, "sc": info},
                   rows=[info], json_body={"ok": True, "scenario": sc.to_dict()})


def run_page(request: Request, rest: str) -> Response:
    """Show a run's results: SVG chart and table by country, manifest, CSV twin."""
    ident, fmt = split_format(rest)
    if not ident.isdigit():
        raise NotFoundError(f"No run {ident!r}.", where=f"/economics/runs/{ident}", field="run_id",
                            expected="an integer run id", example="/economics/runs/1")
    run = svc.get_run(int(ident))
    res, man = run.split()
    chart = bar_geometry(res["chart"]["labels"], res["chart"]["values"], unit=res["chart"]["unit"])
    return respond(request, fmt, template="economics/run.html",
                   context={"title": res.get("title") or f"Run {ident}", "run": run, "res": res, "man": man,
                            "chart": chart},
                   rows=res["rows"], json_body={"ok": True, "id": run.id, **res, "manifest": man},
                   columns=res["columns"], filename=f"scenario-run-{ident}.csv")


@router.post("/economics/run", dependencies=[requires("runs.write")])
def run_form(example: Annotated[str, Form(max_length=120)]) -> Response:
    """Run an example scenario (form post) and go to its results."""
    out = svc.run_example(example)
    return RedirectResponse(f"/economics/runs/{out.id}", status_code=303)


def compare_page(request: Request, suffix: str) -> Response:
    """Show two runs side by side (``?a=ID&b=ID``)."""
    fmt = page_format("/economics/compare", suffix)
    a = request.query_params.get("a")
    b = request.query_params.get("b")
    for key, v in (("a", a), ("b", b)):
        if not v or not v.isdigit():
            raise InputError("Compare needs two stored run ids, ?a=ID&b=ID.", where="/economics/compare",
                                field=key, expected="an integer run id", example="/economics/compare?a=1&b=2")
    cmp = svc.compare(int(a or 0), int(b or 0)).to_dict()
    return respond(request, fmt, template="economics/compare.html", context={"title": "Compare runs", "cmp": cmp},
                   rows=cmp["rows"], json_body={"ok": True, **cmp}, columns=["iso3", "a", "b", "b_minus_a"],
                   filename="compare.csv")


def screening_page(request: Request, suffix: str) -> Response:
    """Show the partner screening (``?home=USA&dataset=agtpa&rank_by=home``): chart and table."""
    from tradepolicy.services.screening import screen

    fmt = page_format("/economics/screening", suffix)
    q = request.query_params
    home = (q.get("home") or "USA").upper()[:3]
    dataset = q.get("dataset") or "auto"
    as_of = q.get("as_of") or None
    rank_by = q.get("rank_by") or "home"
    products = q.get("products") or None
    rep = screen(home=home, dataset=dataset, rank_by=rank_by, product_dataset=products, as_of=as_of)
    top = rep.rows[:25]

    def num(v: float | str | None) -> float:  # None / "inf" (not computed, not finite) draw no bar
        return float(v) if isinstance(v, float | int) else math.nan

    chart = bar_geometry([r.iso3 for r in top], [num(r.home_welfare) for r in top], unit="percent")
    chart_p = bar_geometry([r.iso3 for r in top], [num(r.partner_welfare) for r in top], unit="percent")
    return respond(request, fmt, template="economics/screening.html",
                   context={"title": f"Partner screening: {home}", "rep": rep, "chart": chart, "chart_p": chart_p,
                            "query": {"home": home, "dataset": dataset, "rank_by": rank_by, "products": products or ""}},
                   rows=rep.rows, json_body={"ok": True, **rep.model_dump(mode="json")}, columns=rep.columns,
                   filename=f"screening-{home}.csv")


@register_panel
def economics_panel() -> dict[str, Any]:
    """Dashboard panel: latest scenario runs."""
    return {"title": "Economics: scenarios", "template": "economics/panel.html",
            "runs": [r.to_dict() for r in svc.list_runs(5)]}
