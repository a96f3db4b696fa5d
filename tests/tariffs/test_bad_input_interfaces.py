"""The issue's bad inputs through every shell: CLI (exit 2), API (4xx, one error shape), pages.

Each case names the field at fault, the expected form and an example; none is a 500.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.helpers import requires_dataset
from tradepolicy.api.app import create_app
from tradepolicy.cli import app as cli_app

pytestmark = [requires_dataset("us-hts"), requires_dataset("section301-china"),
              requires_dataset("section232")]

# (query params of a stack, field at fault, text the message must contain)
STACK_CASES = [
    ({"hts": "84713O01", "origin": "CHN", "date": "2019-06-01"}, "hts", "Malformed HTS code"),
    ({"hts": "8471.30.01.99", "origin": "CHN", "date": "2019-06-01"}, "hts", "8471.30.01.00"),
    ({"hts": "8471.30.01.00", "origin": "XXX", "date": "2019-06-01"}, "origin", "Unknown origin"),
    ({"hts": "8471.30.01.00", "origin": "CHN", "date": "1988-12-31"}, "date", "1989-01-01"),
    ({"hts": "8471.30.01.00", "origin": "CHN", "date": "2019-13-01"}, "date", "Malformed date"),
]


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=False)


@pytest.mark.parametrize("params, field, text", STACK_CASES)
def test_cli_stack_bad_input_exits_2_with_the_field(params: dict[str, str], field: str, text: str) -> None:
    r = CliRunner().invoke(cli_app, ["tariff", "stack", params["hts"], "--origin", params["origin"],
                                     "--date", params["date"]])
    assert r.exit_code == 2, r.output
    flat = " ".join(r.output.split())
    assert f"field: {field}" in flat and "expected:" in flat and text in flat


@pytest.mark.parametrize("params, field, text", STACK_CASES)
def test_api_stack_bad_input_is_4xx_in_the_error_shape(client: TestClient, params: dict[str, str],
                                                         field: str, text: str) -> None:
    r = client.get("/api/tariffs/stack", params=params)
    body = r.json()
    assert 400 <= r.status_code < 500 and body["ok"] is False
    err = body["error"]
    assert err["field"] == field and err["expected"] and err["example"] and text in err["message"]


def test_api_code_not_in_revision_lists_nearest_and_range_is_given(client: TestClient) -> None:
    r = client.get("/api/tariffs/stack", params=STACK_CASES[1][0])
    assert r.status_code == 404 and "8471.30.01.00" in r.json()["error"]["details"]["nearest"]
    r = client.get("/api/tariffs/stack", params=STACK_CASES[3][0])
    assert r.json()["error"]["details"]["range"][0] == "1989-01-01"


def test_future_date_is_not_an_error_and_says_so(client: TestClient) -> None:
    r = client.get("/api/tariffs/stack", params={"hts": "8471.30.01.00", "origin": "CHN",
                                                 "date": "2099-01-01"})
    assert r.status_code == 200
    assert any("assumed to continue" in n for n in r.json()["stack"]["notes"])


@pytest.mark.parametrize("params, field, text", STACK_CASES)
def test_line_page_bad_input_renders_an_html_error(client: TestClient, params: dict[str, str],
                                                   field: str, text: str) -> None:
    r = client.get(f"/tariffs/line/{params['hts']}", params={"origin": params["origin"],
                                                             "date": params["date"]},
                   headers={"Accept": "text/html"})
    assert 400 <= r.status_code < 500 and r.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in r.text and f"<code>{field}</code>" in r.text


@pytest.mark.parametrize("url", ["/api/tariffs/search?q=horses&edition=2019",
                                 "/api/tariffs/parse-report?edition=2019",
                                 "/api/tariffs/indicators?edition=2019",
                                 "/api/tariffs/hts/0101?edition=2019",
                                 "/tariffs.json?q=horses&edition=2019"])
def test_unknown_edition_is_a_400_not_a_500(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 400 and r.json()["error"]["field"] == "edition", r.text


OFFER_CASES = [
    ({"groups": {"a": {"chapters": ["01-24"]}}, "formulas": [{"group": "a", "formula": "girard"}]},
     "formula"),
    ({"groups": {"a": {"chapters": ["01-24"]}},
      "formulas": [{"group": "industry", "formula": "swiss", "coefficient": 0.1}]}, "group"),
    ({"groups": {"a": {"chapters": ["1-X"]}},
      "formulas": [{"group": "a", "formula": "swiss", "coefficient": 0.1}]}, "chapters"),
    ({"groups": [{"chapters": ["01"]}], "formulas": []}, "id"),
    ({"groups": {"a": {"chapters": ["01-24"]}},
      "formulas": [{"group": "a", "formula": "swiss", "coefficient": "abc"}]}, "coefficient"),
    ({"groups": {"a": {"chapters": ["01-24"]}},
      "formulas": [{"group": "a", "formula": "cap", "cap": 0.1, "staging": {"kind": "weird"}}]},
     "staging"),
    ({"groups": {"a": {"chapters": ["01-24"]}},
      "formulas": [{"group": "a", "formula": "cap", "cap": 0.1, "staging": "equal"}]}, "staging"),
    ({"groups": {"a": {"hts": ["84x"]}},
      "formulas": [{"group": "a", "formula": "cap", "cap": 0.1}]}, "hts"),
    ({"edition": 2019}, "edition"),
    ({"formulas": "swiss"}, "formulas"),
    ({"korus_check": {"colour": "red"}}, "korus_check"),
    ({"base_date": "1980-01-01"}, "base_date"),
    ({"partners": ["XXX"]}, "origin"),
]


@pytest.mark.parametrize("spec, field", OFFER_CASES)
def test_api_offer_bad_spec_is_400_naming_the_field(client: TestClient, spec: dict[str, object],
                                                    field: str) -> None:
    r = client.post("/api/tariffs/offer", json=spec)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["field"] == field and err["where"].startswith("request body") and err["expected"]


def test_cli_offer_unknown_formula_and_group_exit_2(tmp_path: object) -> None:
    import yaml

    for spec, field in OFFER_CASES[:2]:
        f = f"{tmp_path}/offer-{field}.yaml"
        with open(f, "w", encoding="utf-8") as fh:
            yaml.safe_dump(spec, fh)
        r = CliRunner().invoke(cli_app, ["tariff", "offer", f])
        assert r.exit_code == 2 and f"field: {field}" in " ".join(r.output.split()), r.output


def test_line_page_before_2017_draws_the_chart_from_the_entry_date(client: TestClient) -> None:
    # The chart used to start at 2017-01-01 whatever the date, so an entry date in 2010 was a
    # 400 ("end date before start date"). It now runs from the entry date to today.
    r = client.get("/tariffs/line/0201.10.50.json", params={"origin": "CHN", "date": "2010-06-01"})
    assert r.status_code == 200
    hist = r.json()["history"]
    assert hist[0]["date"] == "2010-06-01" and hist[0]["source"].startswith("USITC tariff database 2017")
    page = client.get("/tariffs/line/0201.10.50", params={"origin": "CHN", "date": "2010-06-01"})
    assert page.status_code == 200 and "stroke-dasharray" in page.text  # the date mark


def test_line_page_of_a_code_new_since_2017_charts_only_where_it_exists(client: TestClient) -> None:
    # 8549.11.10.40 (HS 2022 e-waste heading 8549) is in HTS 2024/2025, not in the 2017
    # database: history points before 2024 have no total and say why; the page renders.
    r = client.get("/tariffs/line/8549.11.10.40.json", params={"origin": "CHN", "date": "2025-03-01"})
    assert r.status_code == 200, r.text
    hist = r.json()["history"]
    early = [p for p in hist if p["date"] < "2024-01-01"]
    assert early and all(p["total_ave"] is None and p["source"].startswith("not in") for p in early)
    assert any(p["total_ave"] is not None for p in hist if p["date"] >= "2024-01-01")


@pytest.mark.parametrize("extra, field", [({"unit_value": "0"}, "unit_value"),
                                          ({"unit_value": "-5"}, "unit_value"),
                                          ({"unit_value": "nan"}, "unit_value"),
                                          ({"value_usd": "inf", "quantity": "10"}, "value_usd"),
                                          ({"value_usd": "100", "quantity": "0"}, "quantity")])
def test_api_stack_rejects_non_positive_or_non_finite_values(client: TestClient, extra: dict[str, str],
                                                             field: str) -> None:
    # These used to give 'not statable', 'nan%' or silently drop the specific part.
    r = client.get("/api/tariffs/stack", params={"hts": "0402.29.50.00", "origin": "FRA",
                                                 "date": "2025-03-01", **extra})
    assert r.status_code == 400 and r.json()["error"]["field"] == field, r.text


def test_chapter99_provision_is_not_a_line_to_stack(client: TestClient) -> None:
    # 9903.88.03 ("The duty provided in the applicable subheading + 25%") used to be stacked
    # as if it were a product with a 25% base rate. The batch leaves chapter 99 out as well.
    from tradepolicy.services import tariffs as svc

    r = client.get("/api/tariffs/stack", params={"hts": "9903.88.03", "origin": "CHN", "date": "2025-03-01"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "hts"
    for day in ("2019-06-01", "2025-03-01"):  # the 2017 database and HTS 2025
        frame = svc.batch_frame(day, ["FRA"])
        assert not frame["hts"].astype(str).str.startswith("99").any(), day


def test_line_page_of_a_chapter99_heading_shows_the_heading_without_a_stack(client: TestClient) -> None:
    r = client.get("/tariffs/line/9903.88.03")
    assert r.status_code == 200 and "9903.88.03" in r.text and "Duty stack" not in r.text
