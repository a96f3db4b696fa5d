"""HTML and PDF reports of the promote domains (NTE, Special 301 history, TFA readiness).

Each report is a body template (``web/templates/<domain>/*report.html``) rendered by the
platform's ``tradepolicy.reports.render_report``: stand-alone HTML or a WeasyPrint PDF with page
numbers, a table of contents with page numbers, and the confidentiality banner on every page
of a non-public edition. Charts are inline SVG drawn here (no JavaScript, no network).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from tradepolicy.reports import build_manifest
from tradepolicy.reports import render_report as _render


def render_report(template: str, context: dict[str, Any], *, title: str, label: str = "public",
                  fmt: str = "html", manifest: dict[str, Any] | None = None) -> bytes:
    """Render ``template`` to HTML or PDF bytes (``tradepolicy.reports.render_report``)."""
    return _render(template, context, title=title, label=label, fmt=fmt, manifest=manifest)


def bar_chart(series: Sequence[tuple[str, Sequence[float | None]]], categories: Sequence[str], *,
              title: str, unit: str = "", width: int = 520, height: int = 180) -> str:
    """Return an inline SVG grouped bar chart (series x categories); missing values are skipped."""
    colours = ("#1f4e79", "#c55a11", "#548235", "#7f6000")
    vals = [v for _, vs in series for v in vs if v is not None]
    top = max([abs(v) for v in vals] + [1.0])
    left, bottom, plot_h = 60, 30, height - 60
    n = max(len(categories), 1)
    group_w = (width - left - 10) / n
    bar_w = group_w * 0.8 / max(len(series), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{html.escape(title)}"><title>{html.escape(title)}</title>',
             f'<text x="{left}" y="14" font-size="12" font-family="sans-serif">{html.escape(title)}</text>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#444"/>']
    for j, cat in enumerate(categories):
        x0 = left + j * group_w
        parts.append(f'<text x="{x0 + group_w / 2:.1f}" y="{height - bottom + 14}" font-size="10" '
                     f'text-anchor="middle" font-family="sans-serif">{html.escape(str(cat))}</text>')
        for i, (_, vs) in enumerate(series):
            v = vs[j] if j < len(vs) else None
            if v is None:
                continue
            h = abs(v) / top * plot_h
            x = x0 + group_w * 0.1 + i * bar_w
            parts.append(f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{colours[i % len(colours)]}"><title>{html.escape(str(cat))}: {v:,.0f}</title></rect>')
    for i, (name, _) in enumerate(series):
        parts.append(f'<rect x="{left + i * 130}" y="{height - 12}" width="10" height="10" fill="{colours[i % len(colours)]}"/>'
                     f'<text x="{left + i * 130 + 14}" y="{height - 3}" font-size="10" font-family="sans-serif">'
                     f'{html.escape(name)}{" (" + unit + ")" if unit else ""}</text>')
    parts.append(f'<text x="4" y="{height - bottom - plot_h + 4}" font-size="9" font-family="sans-serif">{top:,.0f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def step_chart(points: Sequence[tuple[int, int, str]], *, title: str, levels: dict[int, str],
               width: int = 560, height: int = 200) -> str:
    """Return an inline SVG of a level per year (e.g. a Special 301 history: 0 = off the lists .. 4 = PFC)."""
    if not points:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="40"><text x="4" y="20">No placements</text></svg>'
    years = [p[0] for p in points]
    y0, y1 = min(years), max(years)
    left, right, top, bottom = 130, 10, 20, 30
    span = max(y1 - y0, 1)
    lv = max(levels) or 1

    def xy(year: int, level: int) -> tuple[float, float]:
        return (left + (year - y0) / span * (width - left - right),
                top + (lv - level) / lv * (height - top - bottom))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="{html.escape(title)}"><title>{html.escape(title)}</title>']
    for level, name in levels.items():
        _, y = xy(y0, level)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="4" y="{y + 3:.1f}" font-size="10" font-family="sans-serif">{html.escape(name)}</text>')
    pts = " ".join(f"{xy(y, lvl)[0]:.1f},{xy(y, lvl)[1]:.1f}" for y, lvl, _ in points)
    parts.append(f'<polyline points="{pts}" fill="none" stroke="#1f4e79" stroke-width="2"/>')
    for y, lvl, status in points:
        x, yy = xy(y, lvl)
        parts.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3.5" fill="#c55a11"><title>{y}: {html.escape(status)}</title></circle>')
    for y in range(y0, y1 + 1, max(1, span // 8)):
        x, _ = xy(y, 0)
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" font-size="10" text-anchor="middle" font-family="sans-serif">{y}</text>')
    parts.append("</svg>")
    return "".join(parts)


def nte_render(report: Any, fmt: str) -> bytes:
    """Render an NTE edition (shared by the CLI, the API and the pages)."""
    charts = {}
    for ch in report.chapters:
        s = ch.trade.series
        charts[ch.partner] = bar_chart([("US exports", [e for _, e, _ in s]), ("US imports", [i for _, _, i in s])],
                                       [str(y) for y, _, _ in s], title=f"US goods trade with {ch.name}", unit="US$")
    summary = bar_chart([("barriers", [float(n) for _, n in report.category_counts])],
                        [c.split()[0] for c, _ in report.category_counts], title="Barriers by category")
    edition = "internal draft" if report.label != "public" else "public edition"
    manifest = build_manifest(datasets=("us-trade-by-partner",), parameters={"edition": report.year,
                              "label": report.label, "previous_edition": report.previous_edition})
    cites = sorted({(b.citation.document, b.citation.source_url, b.citation.page is not None)
                    for ch in report.chapters for _, items in ch.by_category for b in items if b.citation})
    citations = [{"title": doc, "href": url, "note": "barrier text as reported there" + (
                  "" if paged else "; NTE page unconfirmed")} for doc, url, paged in cites] + [{"title": "US goods trade by partner: USITC DataWeb / Census",
                                            "note": "dataset us-trade-by-partner"}]
    return _render("nte/report.html", {"r": report, "charts": charts, "summary_chart": summary},
                   title=f"{report.year} National Trade Estimate Report on Foreign Trade Barriers ({edition})",
                   label=report.label, fmt=fmt, manifest=manifest, citations=citations)


def special301_render(hist: Any, fmt: str) -> bytes:
    """Render a country's Special 301 history (CLI, API, pages)."""
    from tradepolicy.promote.special301 import LISTS, SEVERITY

    levels = {v: k for k, v in SEVERITY.items() if k in ("removed", "Monitoring", "WL", "PWL", "PFC")}
    names = {lvl: ("off the lists" if code == "removed" else code) for lvl, code in levels.items()}
    chart = step_chart(list(hist.points), title=f"Special 301 history: {hist.name}", levels=names)
    return render_report("special301/history_report.html", {"h": hist, "chart": chart, "lists": LISTS},
                         title=f"Special 301 history: {hist.name}", fmt=fmt)


def tfa_render(rd: Any, fmt: str) -> bytes:
    """Render a Member's readiness report."""
    chart = bar_chart([("rate %", [round(r.rate * 100, 1) for r in rd.series])], [str(r.on.year) for r in rd.series],
                      title=f"Rate of implementation commitments, {rd.name}", unit="%")
    return render_report("tfa/readiness_report.html", {"rd": rd, "chart": chart},
                         title=f"TFA readiness: {rd.name}", fmt=fmt)
