"""`tariff effective` on small hand-made files: hand checks and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import requires_dataset
from tradepolicy.errors import InputError
from tradepolicy.services import tariff_effective as eff

pytestmark = [requires_dataset("us-hts"), requires_dataset("section232"), requires_dataset("section301-china")]


def _csv(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "imports.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_hand_check_two_lines(tmp_path: Path) -> None:
    # 7208.51.00.30 from CHN on 2019-06-01: MFN free + 25% (Proc. 9705) -> 250 on 1,000.
    # 0201.10.50 line from CHN on 2020-06-01 is checked in test_duty_stack; here a second
    # line: 8471.30.01.00 from CHN on 2019-06-01: free, List 4A not yet (2019-09-01) -> 0.
    p = _csv(tmp_path, "hts10,partner,value,duties\n7208510030,CHN,1000,250\n8471300100,CHN,3000,0\n")
    frame, layout = eff.read_imports(p)
    res = eff.effective(frame, layout=layout, date="2019-06-01", utilisation="all")
    assert res.predicted_duty == pytest.approx(250.0, abs=1e-6)
    assert res.predicted_rate == pytest.approx(250 / 4000, abs=1e-12)
    assert res.by_partner[0]["difference_pp"] == pytest.approx(0.0, abs=1e-9)
    (s232,) = [a for a in res.by_authority if a["authority"] == "section232"]
    assert s232["duty"] == pytest.approx(250.0, abs=1e-6)


def test_code_of_a_later_revision_maps_to_its_parent(tmp_path: Path) -> None:
    # 7208.51.00.99 is not in HTS 2024: mapped to the first line of HTS8 7208.51.00, counted.
    # From India on 2024-07-01: MFN free + 25% (Proc. 9705) -> 250 on 1,000.
    p = _csv(tmp_path, "hts10,partner,value\n7208510099,IND,1000\n")
    frame, layout = eff.read_imports(p)
    res = eff.effective(frame, layout=layout, date="2024-07-01")
    assert res.coverage["hts8_parent"] == pytest.approx(1.0)
    assert res.predicted_duty == pytest.approx(250.0, abs=1e-6)


def test_range_of_dates_steps_by_month(tmp_path: Path) -> None:
    # 0201.10.50 (beef) from CHN: MFN 26.4% (2017 database) + List 4A 15% from 2019-09-01,
    # 7.5% from 2020-02-14 (section301_china.yaml; same line as test_duty_stack's hand check).
    p = _csv(tmp_path, "hts10,partner,value\n0201105010,CHN,1000\n")
    frame, layout = eff.read_imports(p)
    res = eff.effective(frame, layout=layout, start="2019-08-01", end="2020-03-01", step="month")
    rates = [r["predicted_rate"] for r in res.by_date]
    assert len(rates) == 8
    assert rates[0] == pytest.approx(0.264) and rates[1] == pytest.approx(0.414)
    assert rates[-1] == pytest.approx(0.339)


def test_unknown_columns_name_the_expected_layouts(tmp_path: Path) -> None:
    p = _csv(tmp_path, "code,country,usd\n7208510030,CHN,1000\n")
    with pytest.raises(InputError) as e:
        eff.read_imports(p)
    assert e.value.field == "columns" and "hts10,partner,value" in (e.value.expected or "")


def test_unknown_partner_gives_nearest(tmp_path: Path) -> None:
    p = _csv(tmp_path, "hts10,partner,value\n7208510030,CHX,1000\n")
    with pytest.raises(InputError) as e:
        eff.read_imports(p)
    assert "CHN" in e.value.details["nearest"]["CHX"]


def test_cli_writes_csv_and_rejects_both_date_forms(tmp_path: Path) -> None:
    from tradepolicy.cli import app as cli_app

    p = _csv(tmp_path, "hts10,partner,value,duties\n7208510030,CHN,1000,250\n")
    out = tmp_path / "eff.csv"
    r = CliRunner().invoke(cli_app, ["tariff", "effective", "--imports", str(p), "--date", "2019-06-01",
                                     "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "partner,CHN" in out.read_text()
    r = CliRunner().invoke(cli_app, ["tariff", "effective", "--imports", str(p), "--date", "2019-06-01",
                                     "--from", "2019-01-01", "--to", "2019-02-01"])
    assert r.exit_code == 2


def test_api_effective_and_its_error_shape() -> None:
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app

    client = TestClient(create_app())
    body = {"rows": [{"hts10": "7208510030", "partner": "CHN", "value": 1000, "duties": 250}],
            "date": "2019-06-01"}
    r = client.post("/api/tariffs/effective", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["predicted_duty"] == pytest.approx(250.0, abs=1e-6)
    bad = client.post("/api/tariffs/effective", json={**body, "utilisation": "/etc/passwd"})
    assert bad.status_code == 400 and bad.json()["ok"] is False and bad.json()["error"]["field"] == "utilisation"
    spec = client.get("/openapi.json").json()["paths"]["/api/tariffs/effective"]["post"]
    assert "400" in spec["responses"] and "EffectiveOut" in str(spec["responses"]["200"])
    # every tariff API route declares public.read (docs/platform.md)
    from tradepolicy.api.routes.tariffs import router
    from tradepolicy.api.security import route_permission

    assert {route_permission(r) for r in router.routes} == {"public.read"}  # type: ignore[arg-type]


@requires_dataset("us-customs-duties")
def test_effective_page_and_twins() -> None:
    from fastapi.testclient import TestClient

    from tradepolicy.api.app import create_app

    client = TestClient(create_app())
    html = client.get("/tariffs/effective?date=2024-07-01")
    assert html.status_code == 200 and "Effective tariff rates" in html.text and "VNM" in html.text
    js = client.get("/tariffs/effective.json?date=2024-07-01").json()
    assert js["ok"] and len(js["by_partner"]) == 25
    csv = client.get("/tariffs/effective.csv?date=2024-07-01").text
    assert csv.splitlines()[0].startswith("partner,value,predicted_duty")


def test_date_before_the_measures_is_refused_with_the_nearest_valid(tmp_path: Path) -> None:
    p = _csv(tmp_path, "hts10,partner,value\n7208510030,CHN,1000\n")
    frame, layout = eff.read_imports(p)
    with pytest.raises(InputError) as e:
        eff.effective(frame, layout=layout, date="2015-06-01")
    assert e.value.details["nearest"] == ["2018-01-01"] and e.value.field == "date"
    with pytest.raises(InputError) as e2:
        eff.effective(frame, layout=layout, start="2017-01-01", end="2018-06-01")
    assert e2.value.field == "from"
