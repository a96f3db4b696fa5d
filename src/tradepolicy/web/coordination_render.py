"""Rendering helpers of the coordination domain: safe CSV text and the docket summary report.

CSV cells that a spreadsheet would read as a formula (``= + - @`` or a tab/CR first) are
prefixed with an apostrophe (OWASP CSV injection). The report is one Jinja template rendered to
HTML, or to PDF by WeasyPrint; ``reports.render_report`` replaces this once the platform's
reports module is merged.
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
    """Render the comments summary report of a docket as HTML or PDF bytes."""
    from tradepolicy.web.render import env

    html = env().get_template("coordination/report.html").render(s=summary.to_dict(), standalone=True)
    if fmt == "html":
        return html.encode("utf-8")
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())
