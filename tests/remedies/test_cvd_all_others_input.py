"""Bad CVD specs and respondent files are refused with a clear error, never silently read.

Before these checks a typo'd key (``grant:``) gave a 0 % "de minimis" CVD rate, and the JSON
string ``"false"`` for ``developing`` was read as True (threshold 2 % instead of 1 %).
"""

import pytest

from tradepolicy.errors import InputError
from tradepolicy.services import remedies as svc

LOAN = {"principal": 5_000_000, "rate_paid": 0.02, "benchmark_rate": 0.065}
BASE = {"period_year": 3, "sales_denominator": 40_000_000, "loans": [LOAN]}


@pytest.mark.parametrize(("spec", "field"), [
    ({"period_year": 3, "sales_denominator": 40_000_000, "grant": [{"amount": 1}]}, "grant"),
    ({**BASE, "loans": [{**LOAN, "benchmark": 0.065}]}, "benchmark"),
    ({**BASE, "developing": "maybe"}, "developing"),
    ({**BASE, "loans": [{**LOAN, "principal": -5_000_000}]}, "principal"),
    ({**BASE, "loans": [{**LOAN, "rate_paid": "2%"}]}, "rate_paid"),
    ({**BASE, "period_year": 3.7}, "period_year"),
    ({**BASE, "sales_denominator": 0}, "sales_denominator"),
    ({**BASE, "loans": {"principal": 1}}, "loans"),
    ({"period_year": 3, "sales_denominator": 40_000_000}, "grants"),
    ({**BASE, "grants": [{"amount": 1_000_000, "year_received": 1, "sales_in_approval_year": 50_000_000,
                          "aul_years": 0, "discount_rate": 0.08}]}, "aul_years"),
])
def test_bad_cvd_spec_is_refused(spec, field):
    with pytest.raises(InputError) as ei:
        svc.compute_cvd(spec, store=False)
    assert ei.value.field == field


@pytest.mark.parametrize(("developing", "threshold"), [("false", 0.01), ("true", 0.02), (False, 0.01),
                                                        ("no", 0.01)])
def test_developing_flag_strings_are_read_as_written(developing, threshold):
    # Fact sheet §4.3: CVD de minimis 1 %, 2 % for a USTR-designated developing country.
    out = svc.compute_cvd({**BASE, "developing": developing}, store=False)
    assert out.results["de_minimis"] == threshold


def test_cvd_api_bad_spec_error_shape(fresh_db, client_as):
    r = client_as("analyst").post("/api/remedies/cvd", json={"spec": {**BASE, "developing": "maybe"}})
    assert r.status_code == 400 and r.json()["error"]["field"] == "developing"
    assert svc.list_runs() == []


@pytest.mark.parametrize(("row", "field", "line"), [
    ("W,abc,800,false", "margin", 3), ("W,0.011,,false", "us_value", 3), ("W,0.011,800,maybe", "facts_available", 3),
    ("W,nan,800,false", "margin", 3),
])
def test_bad_respondent_row_is_refused(row, field, line):
    data = f"name,margin,us_value,facts_available\nX,0.125,1000,false\n{row}\n".encode()
    with pytest.raises(InputError) as ei:
        svc.compute_all_others(data, ".csv", "resp.csv", store=False)
    assert ei.value.field == field and ei.value.where == f"resp.csv, row {line - 1} (CSV line {line})"


def test_empty_facts_available_means_false():
    # E7 figures (fact sheet): X 12.5 % on 1,000 and Y 4.2 % on 3,000 -> 6.275 %; exact to 1e-12.
    data = b"name,margin,us_value,facts_available\nX,0.125,1000,\nY,0.042,3000,no\n"
    out = svc.compute_all_others(data, ".csv", "resp.csv", store=False)
    assert out.results["rate"] == pytest.approx(0.06275, abs=1e-12)
