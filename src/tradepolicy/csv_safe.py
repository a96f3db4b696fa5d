"""The project's CSV writer: every cell a spreadsheet could run as a formula is neutralised.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``=cmd|...``): CSV
injection (OWASP, "CSV Injection"). Such a text cell is written with a leading apostrophe,
which spreadsheets show as text. Numbers, and text that is exactly a plain number such as
``-0.25``, are written unchanged (they cannot be formulas), so figures stay figures.

Every CSV the project writes (page twins, exports, reports) goes through :func:`safe_csv_cell`
or :func:`write_csv`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def safe_csv_cell(value: Any) -> Any:
    """Return ``value`` ready for a CSV cell; text that could run as a formula gets a ``'``.

    >>> safe_csv_cell("=HYPERLINK(A1)")
    "'=HYPERLINK(A1)"
    >>> safe_csv_cell("-0.25"), safe_csv_cell(-3), safe_csv_cell("@SUM(A1)")
    ('-0.25', -3, "'@SUM(A1)")
    >>> safe_csv_cell(None), safe_csv_cell({"a": 1})
    ('', '{"a": 1}')
    """
    if value is None:
        return ""
    if isinstance(value, list | tuple | dict):
        value = json.dumps(value, default=str)
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def write_csv(rows: Iterable[Sequence[Any]], header: Sequence[str] | None = None) -> str:
    """Return CSV text of ``rows`` (and a header), every cell through :func:`safe_csv_cell`."""
    buf = io.StringIO()
    w = csv.writer(buf)
    if header is not None:
        w.writerow([safe_csv_cell(h) for h in header])
    for row in rows:
        w.writerow([safe_csv_cell(v) for v in row])
    return buf.getvalue()
