"""Issue 12 item 4: each priority dashboard's figures against a direct computation."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from tests.helpers import requires_dataset
from tradepolicy.api.app import create_app
from tradepolicy.services import disputes, priorities, usmca


@pytest.fixture
def loaded(fresh_db: str) -> str:
    disputes.load_registry(include_dataset=False)
    usmca.load_cases()
    return fresh_db


@requires_dataset("section301-china")
def test_china_dashboard_against_direct_computation(loaded: str) -> None:
    import pandas as pd

    from tradepolicy.datasets.readers.section301 import (
        read_china_trade_naics3_monthly,
        read_exclusions,
        read_phase_one_goals,
    )

    d = priorities.dashboard("china").json_dict()  # the JSON of the page, API and CLI
    g = read_phase_one_goals().dropna()
    target = (g["value_2017"] + g["goal_2020_increase"]).sum()
    assert d["phase_one"]["attained"] == pytest.approx(g["value_2020"].sum() / target)
    # manufactured goods: 2017 50.15 bn + 32.9 bn goal = 83.05 bn committed, 52.30 bn bought (63%)
    man = next(p for p in d["phase_one"]["categories"] if p["category"] == "Manufactured Goods")
    assert man["commitment_2020_usd"] == pytest.approx(50151478524.0 + 32.9e9)
    imp = read_china_trade_naics3_monthly("imports")
    y19 = imp[pd.to_datetime(imp["time"]).dt.year == 2019]
    row = next(r for r in d["coverage_by_year"] if r["year"] == 2019)
    assert row["imports_from_china_usd"] == pytest.approx(y19["china_trade"].sum())
    assert row["trade_weighted_tariff_pct"] == pytest.approx(
        (y19["tariff_trd_w_avg"] * y19["china_trade"]).sum() / y19["china_trade"].sum())
    assert row["lists_in_force_by_year_end"] == ["List 1", "List 2", "List 3", "List 4A"]
    assert d["exclusions"]["hts10_lines"] == len(read_exclusions())
    rows = disputes.list_disputes()
    direct = [r for r in rows if {r.respondent, *r.complainants} >= {"China", "United States"}]
    assert d["disputes"]["count"] == len(direct)


def test_usmca_dashboard_against_the_registry(loaded: str) -> None:
    d = priorities.dashboard("usmca", as_of=dt.date(2026, 5, 1)).json_dict()
    rrm = usmca.rrm_cases()
    assert d["rrm"]["stats"]["cases"] == len(rrm)
    assert d["rrm"]["stats"]["panels_requested"] == sum(1 for r in rrm if r.panel_requested)
    assert d["joint_review"]["review_date"] == "2026-07-01" and d["joint_review"]["days_to_review"] == 61
    assert len(d["ch31"]) == 2


def test_wto_reform_dashboard_against_the_registry(loaded: str) -> None:
    d = priorities.dashboard("wto-reform", as_of=dt.date(2026, 12, 6)).json_dict()
    rows = disputes.list_disputes()
    direct = [r.ds for r in rows if r.appealed_on and r.appealed_on >= dt.date(2019, 12, 11)]
    assert [r["ds"] for r in d["appeals_into_void"]["rows"]] == direct
    assert d["days_without_ab"] == 2552 and d["mpia"]["participants"] >= 19


def test_dashboard_pages_twins_and_pdf(loaded: str) -> None:
    c = TestClient(create_app())
    for name in ("usmca", "wto-reform"):
        assert c.get(f"/priorities/{name}").status_code == 200
        j = c.get(f"/priorities/{name}.json").json()
        assert j["ok"] and j["dashboard"]["name"] == name
        assert c.get(f"/priorities/{name}.csv").text.startswith("section,item,value")
    pdf = c.get("/priorities/wto-reform.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert c.get("/priorities/nope").status_code == 404
    r = c.get("/disputes.json", params={"us": "respondent"}).json()
    assert r["count"] == len(disputes.list_disputes(us="respondent"))
    assert c.get("/api/disputes/DS9999").status_code == 404
