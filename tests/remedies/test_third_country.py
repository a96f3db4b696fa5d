"""Third-country comparison market when the home market is not viable (worked, invented example).

Rule (fact sheet §4.3, 19 U.S.C. 1677b(a)(1)(B)-(C), 19 CFR 351.404(b)): a comparison market is
viable if its quantity is at least 5 % of the U.S. quantity; below that the home market is
"insufficient" and Commerce uses a third country or constructed value.

Worked example (hand-computed, exact in binary):
* U.S.: 100 units of CONNUM A at 100 -> value 10,000.
* Home: 4 units at 130 -> 4 % of U.S. quantity < 5 %: not viable.
* Third country: 6 units at 120 and 4 units at 125 (COP 100, none below cost) -> 10 % >= 5 %:
  viable. NV = (6 x 120 + 4 x 125) / 10 = 122.
* A-A = A-T = (122 - 100) x 100 = 2,200 -> margin 2,200 / 10,000 = 22 %.
Without the third-country file NV is constructed value: COP 100 with no profit (no usable
comparison sale) -> no dumping at a U.S. price of 100 -> margin 0.
"""

import pandas as pd
import pytest

from tests.remedies.params import AD
from tradepolicy.remedies.programme import run_margin_programme


def _sales(rows, kind):
    n = len(rows)
    df = pd.DataFrame({"sale_id": [f"{kind}{i}" for i in range(n)], "connum": ["A"] * n,
                       "quantity": [r[0] for r in rows], "net_price": [r[1] for r in rows],
                       "customer": [f"C{i}" for i in range(n)], "period": ["P"] * n})
    if kind == "U":
        df["region"] = "R"
    else:
        df["affiliated"] = False
    return df


US = _sales([(100, 100.0)], "U")
HOME = _sales([(4, 130.0)], "H")
THIRD = _sales([(6, 120.0), (4, 125.0)], "T")
COST = pd.DataFrame({"connum": ["A"], "cost_of_production": [100.0]})


def _run(third=None, home=HOME):
    return run_margin_programme(US, home, COST, segment="investigation", params=AD, third_raw=third,
                                sources={"third": "third.csv"})


def test_viable_third_country_replaces_a_non_viable_home_market():
    r = _run(THIRD)
    assert r.comparison_market == "third_country"
    assert r.viability.ratio == pytest.approx(0.10, abs=1e-15) and r.viability.viable  # 10 / 100
    t = r.by_connum.iloc[0]
    assert t["nv"] == 122.0 and t["nv_basis"] == "identical"  # (6 x 120 + 4 x 125) / 10
    assert r.methods["A-A"].total_dumping == 2_200.0 and r.final.margin == 0.22  # 2,200 / 10,000
    assert {e["reason"]: (e["sales"], e["quantity"]) for e in r.exclusions} == {
        "home_market_not_viable_third_country_used": (1, 4.0)}
    assert any("third-country market (10.00%) is viable" in n for n in r.notes)


def test_without_a_viable_third_country_nv_is_constructed_value():
    r = _run(None)
    # the comparison market is labelled as what it is (issue 14): constructed value, not "home"
    assert r.comparison_market == "constructed_value" and not r.viability.viable
    assert r.by_connum.iloc[0]["nv_basis"] == "constructed_value" and r.final.margin == 0.0
    small = _sales([(3, 120.0)], "T")  # 3 % of U.S. quantity: not viable either
    r2 = _run(small)
    assert r2.comparison_market == "constructed_value" and r2.by_connum.iloc[0]["nv_basis"] == "constructed_value"
    assert {e["reason"] for e in r2.exclusions} == {"home_market_not_viable", "third_country_not_viable"}


def test_viable_home_market_keeps_third_country_unused_and_counted():
    home = _sales([(5, 130.0)], "H")  # exactly 5 % -> viable (>= 5 %)
    r = _run(THIRD, home=home)
    assert r.comparison_market == "home" and r.by_connum.iloc[0]["nv"] == 130.0
    assert {e["reason"]: e["sales"] for e in r.exclusions} == {"third_country_unused": 2}


def test_third_country_connum_without_cost_names_the_file_and_row():
    from tradepolicy.errors import InputError

    bad = THIRD.copy()
    bad.loc[1, "connum"] = "Z"
    with pytest.raises(InputError) as ei:
        _run(bad)
    assert ei.value.where == "third.csv, row 2 (CSV line 3)" and ei.value.field == "connum"


def test_third_country_through_the_cli_and_the_page(fresh_db, tmp_path):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from tradepolicy.api.app import create_app
    from tradepolicy.cli import app

    paths = {}
    for k, df in (("us", US), ("home", HOME), ("cost", COST), ("third", THIRD)):
        paths[k] = tmp_path / f"{k}.csv"
        df.to_csv(paths[k], index=False)
    res = CliRunner().invoke(app, ["remedies", "margin", "--us", str(paths["us"]), "--home", str(paths["home"]),
                                   "--cost", str(paths["cost"]), "--third-country", str(paths["third"]),
                                   "--segment", "investigation", "--json"])
    assert res.exit_code == 0, res.output
    import json

    run = json.loads(res.stdout)
    assert run["results"]["comparison_market"] == "third_country" and run["results"]["final_margin"] == 0.22
    assert set(run["inputs"]) == {"us", "home", "cost", "third"}
    from tradepolicy.services.remedies import rerun

    assert rerun(run["id"]).results == run["results"]  # the third-country file is kept and re-read
    page = TestClient(create_app()).get(f"/remedies/runs/{run['id']}").text
    assert "third-country" in page and "10.0%" in page
