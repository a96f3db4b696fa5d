"""`tradepolicy pe smart` (no scenario file) and the dashboard panel."""

from __future__ import annotations

import json

import pytest

from tests.helpers import requires_dataset


@requires_dataset("baci-shrimp-2018")
def test_pe_smart_json_matches_the_closed_form() -> None:
    from typer.testing import CliRunner

    from tradepolicy.cli import app

    r = CliRunner().invoke(app, ["pe", "smart", "--importer", "USA", "--product", "030617", "--formula", "increase",
                                 "--value", "0.25", "--partner", "IND", "--json"])
    assert r.exit_code == 0, r.output
    body = json.loads(r.stdout)
    ind = next(x for x in body["rows"] if x["iso3"] == "IND")
    # TC = M ε (t0 - t1)/(1 + t0) with ε = 1.2 (default), t0 = 0, t1 = 0.25 (closed form, 1e-9).
    assert ind["trade_creation"] == pytest.approx(ind["imports_base"] * 1.2 * -0.25, rel=1e-9)
    assert body["id"] is None            # not stored unless --store
    bad = CliRunner().invoke(app, ["pe", "smart", "--importer", "USA", "--formula", "swiss", "--value", "0"])
    assert bad.exit_code == 2


def test_dashboard_shows_the_economics_panel(fresh_db: str) -> None:
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app

    page = TestClient(create_app()).get("/")
    assert page.status_code == 200 and "Economics: scenarios" in page.text and 'href="/economics"' in page.text
