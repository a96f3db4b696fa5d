"""Dated measures (pure engine over the cited YAML): preferences, column 2, s.232 rules."""

from __future__ import annotations

import datetime as dt

import pytest

from tradepolicy.services.tariffs import agreements, measures
from tradepolicy.tariffs.dated_measures import (
    column2_applies,
    eligible_programs,
    rate_on,
    section232_duties,
)

D = dt.date


def test_rate_on_takes_latest_entry_not_after_the_date() -> None:
    entries = measures()["section301_china"]["headings"]["9903.88.03"]["rates"]
    assert rate_on(entries, D(2018, 9, 23)) is None
    assert rate_on(entries, D(2019, 5, 9))[0] == 0.10  # type: ignore[index]
    assert rate_on(entries, D(2019, 5, 10))[0] == 0.25  # type: ignore[index]


def test_gsp_dates_and_removals() -> None:
    # preferences.yaml: GSP authorisation expired 2020-12-31 (law factsheet, confirmed);
    # India removed 2019-06-05.
    progs = measures()["preferences"]["programs"]
    assert "A" in eligible_programs("IND", D(2019, 6, 4), progs, ())
    assert "A" not in eligible_programs("IND", D(2019, 6, 5), progs, ())
    assert "A" in eligible_programs("THA", D(2020, 12, 31), progs, ())
    assert "A" not in eligible_programs("THA", D(2021, 1, 1), progs, ())
    assert "A+" in eligible_programs("HTI", D(2019, 1, 1), progs, ())


def test_fta_symbols_come_from_the_agreements_registry() -> None:
    progs = measures()["preferences"]["programs"]
    kor = eligible_programs("KOR", D(2019, 1, 1), progs, agreements())
    assert "KR" in kor and "registry" in kor["KR"].citation
    assert "KR" not in eligible_programs("KOR", D(2011, 1, 1), progs, agreements())  # before 2012-03-15
    mex = eligible_programs("MEX", D(2021, 1, 1), progs, agreements())
    assert "S" in mex and "MX" not in mex  # USMCA replaced NAFTA on 2020-07-01


def test_column2_countries() -> None:
    c2 = measures()["column2"]
    assert column2_applies("CUB", D(2000, 1, 1), c2)
    assert column2_applies("RUS", D(2021, 1, 1), c2) is None
    assert column2_applies("RUS", D(2023, 1, 1), c2)


@pytest.mark.parametrize("origin, expected", [("MEX", 0.0), ("KOR", 0.15), ("DEU", 0.25)])
def test_232_autos_usmca_exemption_and_country_rates(origin: str, expected: float) -> None:
    # An invented auto line under a list row with usmca_exempt and a KOR override of 15%
    # (as in the Dec-2025 list): MEX (USMCA) 0; KOR 15%; DEU the default 25%.
    products = {"8703": [{"program": "automobiles_passenger_and_light_trucks", "default_rate": 0.25,
                          "country_overrides": {"KOR": 0.15}, "usmca_exempt": True}]}
    duties, _ = section232_duties("8703230190", origin, D(2025, 12, 1), measures()["section232"], products)
    assert duties[0].rate == pytest.approx(expected) and duties[0].authority == "Section 232"
    before, _ = section232_duties("8703230190", origin, D(2025, 1, 1), measures()["section232"], products)
    assert before == []  # autos programme from 2025-04-03
