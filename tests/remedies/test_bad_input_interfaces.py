"""Every bad input of the issue through the user's interfaces: CLI exit 2 and the API error shape.

Each case edits one cell or column of the (invented) fact sheet E6 tables and checks that the
CLI exits with code 2 naming the file, row and column, that the API answers 400 in the one
error shape with the same location, and that nothing is stored.
"""

import json
import warnings

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.remedies.fixtures import e6_cost, e6_home, e6_us
from tradepolicy.services import remedies as svc

warnings.filterwarnings("ignore", category=DeprecationWarning)
runner = CliRunner()


def _missing_column(t):
    t["us"] = t["us"].drop(columns=["region"])
    return "us", None, "region"


def _extra_column(t):
    t["home"] = t["home"].assign(colour="red")
    return "home", None, "colour"


def _zero_quantity(t):
    t["us"].loc[2, "quantity"] = 0
    return "us", 3, "quantity"


def _negative_quantity(t):
    t["home"].loc[4, "quantity"] = -20
    return "home", 5, "quantity"


def _non_numeric_price(t):
    t["us"] = t["us"].astype({"net_price": object})
    t["us"].loc[5, "net_price"] = "12O.00"
    return "us", 6, "net_price"


def _duplicate_sale_id(t):
    t["home"].loc[6, "sale_id"] = "H1"
    return "home", 7, "sale_id"


def _connum_without_cost(t):
    t["us"].loc[7, "connum"] = "Z"
    return "us", 8, "connum"


CASES = {
    "missing column": _missing_column,
    "extra column": _extra_column,
    "zero quantity": _zero_quantity,
    "negative quantity": _negative_quantity,
    "non-numeric price": _non_numeric_price,
    "duplicate sale_id": _duplicate_sale_id,
    "CONNUM with no cost": _connum_without_cost,
}


def _tables() -> dict[str, pd.DataFrame]:
    return {"us": e6_us(), "home": e6_home(), "cost": e6_cost()}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_cli_exit_2_names_file_row_column(fresh_db, tmp_path, case):
    from tradepolicy.cli import app

    tables = _tables()
    kind, row, field = CASES[case](tables)
    loc = "header" if row is None else f"row {row} (CSV line {row + 1})"
    paths = {}
    for k, df in tables.items():
        paths[k] = tmp_path / f"{k}_sales.csv"
        df.to_csv(paths[k], index=False)
    res = runner.invoke(app, ["remedies", "margin", "--us", str(paths["us"]), "--home", str(paths["home"]),
                              "--cost", str(paths["cost"]), "--segment", "investigation"])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert f"where: {kind}_sales.csv, {loc}" in res.output and f"field: {field}" in res.output
    assert svc.list_runs() == []  # a rejected request stores nothing


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_api_error_shape_names_row_column(fresh_db, case, client_as):
    tables = _tables()
    kind, row, field = CASES[case](tables)
    # The API names the JSON item: row n is JSON index n - 1 (a "CSV line" would mislead here).
    loc = "header" if row is None else f"row {row} (JSON index {row - 1})"
    body = {"segment": "investigation", **{k: json.loads(df.to_json(orient="records")) for k, df in tables.items()}}
    r = client_as("analyst").post("/api/remedies/margin", json=body)
    assert r.status_code == 400, r.text
    out = r.json()
    assert out["ok"] is False and out["status"] == 400
    err = out["error"]
    assert err["type"] == "bad_input" and err["field"] == field and err["where"] == f"{kind}.json-rows, {loc}"
    assert err["message"] and err["expected"] and err["example"]
    assert "np.float64" not in err["message"]
    assert svc.list_runs() == []


def test_unknown_segment_cli_and_api(fresh_db, tmp_path, client_as):
    from tradepolicy.cli import app

    paths = {}
    for k, df in _tables().items():
        paths[k] = tmp_path / f"{k}.csv"
        df.to_csv(paths[k], index=False)
    res = runner.invoke(app, ["remedies", "margin", "--us", str(paths["us"]), "--home", str(paths["home"]),
                              "--cost", str(paths["cost"]), "--segment", "final"])
    assert res.exit_code == 2 and "field: segment" in res.output and "investigation | review" in res.output
    body = {"segment": "final", **{k: json.loads(df.to_json(orient="records")) for k, df in _tables().items()}}
    r = client_as("analyst").post("/api/remedies/margin", json=body)
    assert r.status_code == 400 and r.json()["error"]["field"] == "segment"
    assert svc.list_runs() == []


def test_header_names_are_read_without_surrounding_spaces():
    # E6 tables with "sale_id " and " net_price" in the U.S. header: same margin (E6 mixed 2,475 exactly).
    us = e6_us().to_csv(index=False).replace("sale_id,", "sale_id ,", 1).replace(",net_price", ", net_price ", 1)
    files = {"us": (us.encode(), ".csv", "us.csv"), "home": (e6_home().to_csv(index=False).encode(), ".csv", "h.csv"),
             "cost": (e6_cost().to_csv(index=False).encode(), ".csv", "c.csv")}
    out = svc.compute_margin(files, segment="investigation", store=False)
    assert out.results["methods"]["mixed"]["total_dumping"] == 2_475
