"""Rendering helpers of the coordination domain: safe CSV text and the docket summary report.

CSV cells that a spreadsheet would read as a formula (``= + - @`` or a tab/CR first) are
prefixed with an apostrophe (OWASP CSV injection). The report is
``reports/templates/coordination/docket_summary.html`` through ``reports.render_report``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """Return a CSV cell as text, neutralising formula starts.

    >>> safe_cell("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> safe_cell(3)
    '3'
    """
    if value is None:
        return ""
    text = json.dumps(value, default=str) if isinstance(value, list | dict) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Return rows as CSV text with a header (cells through :func:`safe_cell`)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    for r in rows:
        w.writerow([safe_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def docket_report(summary: Any, fmt: str = "html") -> bytes:
    """Render the comments summary report of a docket (``reports.render_report``: HTML or PDF)."""
    from tradepolicy.reports import render_report

    d = summary.to_dict()
    cites = [{"title": f"{w['rule_id']}: {w['citation']}" + ("" if w["confirmed"] else " (UNCONFIRMED)")}
             for w in d["docket"]["windows"]]
    if d["docket"]["notice"]:
        cites.insert(0, {"title": d["docket"]["notice"]})
    return render_report("coordination/docket_summary.html", {"s": d}, title=f"Comments summary: {d['docket']['id']}",
                         label="public", fmt=fmt, citations=cites,
                         manifest={"docket": d["docket"]["id"], "generated": d["generated"], "comments": d["total"]})
