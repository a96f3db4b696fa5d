"""The preference programmes YAML (marked unconfirmed) against what our data can check.

Only one fact of the beneficiary lists is checkable with the data we hold: the USITC 2017
tariff database names, on A* lines, the GSP beneficiaries excluded for that line
(gsp_ctry_excluded); a country excluded for a line must be a GSP beneficiary in 2017. The
AGOA, CBERA, CBTPA, Nepal and ATPA lists have no counterpart in the data and stay unconfirmed.
"""

from __future__ import annotations

import datetime as dt

from tests.helpers import requires_dataset
from tradepolicy.services import tariffs as svc
from tradepolicy.tariffs.dated_measures import eligible_programs

pytestmark = requires_dataset("us-hts")


def test_every_country_excluded_on_an_a_star_line_is_a_gsp_beneficiary_in_2017() -> None:
    excluded = {iso for pairs in svc.gsp_exclusions(dt.date(2017, 8, 1)).values() for _, iso in pairs}
    # 13 countries in the 2017 database (the dated additions of 2020-11-01 are not in force): BR, IN, TR, EC, TH, ID, JM, PH, KZ, GY, BA, BZ, JO
    assert len(excluded) == 13
    m = svc.measures()
    day = dt.date(2017, 8, 1)  # the database's sheet is "Tariff Database August" 2017
    for iso in sorted(excluded):
        elig = eligible_programs(iso, day, m["preferences"]["programs"], svc.agreements(),
                                 m["stacking"]["successor_symbols"]["value"])
        assert "A*" in elig, iso


def test_gsp_symbols_of_the_yaml_are_the_2017_database_indicators() -> None:
    # The 2017 database prints A, A* and A+ in gsp_indicator; the YAML splits them between
    # gsp (A, A*) and gsp_ldbdc (A+).
    progs = svc.measures()["preferences"]["programs"]
    db = set(svc.db2017()["gsp_indicator"].dropna().astype(str).str.strip()) - {""}
    assert db == set(progs["gsp"]["symbols"]) | set(progs["gsp_ldbdc"]["symbols"])


def test_gsp_exclusions_of_2020_11_01_are_dated() -> None:
    # stacking.yaml additions (2020 GSP review, CBP CSMS 2020-11-02): Brazil 8502.12.00 excluded
    # from 2020-11-01, not before; the 2017 list (Brazil 4011.10.10 tyres) holds on both dates.
    before = svc.gsp_exclusions(dt.date(2020, 10, 31))
    after = svc.gsp_exclusions(dt.date(2020, 11, 1))
    assert ("A*", "BRA") not in before.get("85021200", ())
    assert ("A*", "BRA") in after["85021200"]
    assert ("A*", "BRA") in before["40111010"] and ("A*", "BRA") in after["40111010"]
