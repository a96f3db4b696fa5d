"""Section 232: the cited YAML (tariffs/measures/section232.yaml) against the data's own list.

The section232 dataset (Budget Lab list "as of 2025-12-04", see its PROVENANCE.md) states,
for every product prefix, the programme, the default additional rate, the country
overrides (Census codes, decoded to ISO3) and a USMCA-exemption flag. Many YAML citations
are marked "unconfirmed" (proclamation texts not checked); this test at least makes the
YAML and the engine agree with the data on the list's own date. Exact equality of decimal
rates (tolerance 1e-12): both sides are the same printed decimals.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import requires_dataset
from tradepolicy.services import tariffs as svc
from tradepolicy.tariffs.dated_measures import rate_on, section232_duties

pytestmark = requires_dataset("section232")

AS_OF = dt.date(2025, 12, 4)  # the list's date (PROVENANCE.md: "12-4" = policy as of 4 Dec 2025)
TOL = 1e-12
PLAIN = "IND"
# Country rates the list does not carry as overrides: Russia's 200% aluminium rate (Proc.
# 10522, 88 FR 13267) is in the Budget Lab's policy_params.yaml `country_surcharges`, not in
# the product list.
LIST_LACKS = {"RUS"}  # an origin with no override and no USMCA status in the list or the YAML


def _rows() -> list[dict[str, object]]:
    from tradepolicy.datasets.readers.section232 import read_s232_products

    return svc._records(read_s232_products())


def test_every_programme_of_the_list_is_in_the_yaml_and_vice_versa() -> None:
    # Programmes with their own `scope:` (2018 articles, 2020 derivatives) are transcribed
    # from the proclamations; every other YAML programme takes its scope from the list.
    cfg = svc.measures()["section232"]
    listed = {k for k, p in cfg["programs"].items() if not p.get("scope")}
    assert {str(r["program"]) for r in _rows()} == listed


def test_yaml_default_rates_on_the_list_date_agree_with_the_list() -> None:
    # A YAML programme either defers to the list (rate: list) or states a rate; a stated
    # rate in force on 2025-12-04 must be the list's default_rate for every prefix.
    cfg = svc.measures()["section232"]
    for r in _rows():
        found = rate_on(cfg["programs"][r["program"]]["rates"], AS_OF)
        assert found is not None and found[0] is not None, r["program"]
        if found[0] != "list":
            assert float(found[0]) == pytest.approx(float(r["default_rate"]), abs=TOL), r


def test_yaml_country_rates_in_force_on_the_list_date_agree_with_the_overrides() -> None:
    cfg = svc.measures()["section232"]
    eu = set(cfg["eu_members"])
    for r in _rows():
        prog = cfg["programs"][r["program"]]
        overrides: dict[str, float] = r["country_overrides"]  # type: ignore[assignment]
        for key, entries in (prog.get("country_rates") or {}).items():
            if key in LIST_LACKS:
                continue
            found = rate_on(entries, AS_OF)
            if found is None or found[0] is None:
                continue  # no YAML country rate in force: the list's own override decides
            for iso in sorted(eu) if key == "EU" else [key]:
                expect = overrides.get(iso, float(r["default_rate"]))
                assert float(found[0]) == pytest.approx(expect, abs=TOL), (r["program"], iso)


def test_engine_reproduces_rates_overrides_and_usmca_flag_of_every_prefix() -> None:
    cfg = svc.measures()["section232"]
    products = svc.s232_products()
    usmca = set(cfg["usmca_origins"])
    checked = 0
    for r in _rows():
        code, prog = str(r["hts_code"]), cfg["programs"][r["program"]]
        overrides: dict[str, float] = r["country_overrides"]  # type: ignore[assignment]
        cases = {PLAIN: float(r["default_rate"]), **overrides}
        for iso in usmca:
            cases[iso] = 0.0 if r["usmca_exempt"] else overrides.get(iso, float(r["default_rate"]))
        for origin, expect in cases.items():
            # metal share 1: the list states the rate on the metal content; a derivative
            # outside the metal's chapters pays it on the content share (tested apart)
            duties, _ = section232_duties(code, origin, AS_OF, cfg, products, metal_share=1.0)
            mine = [d for d in duties if d.heading == prog["heading"]
                    and d.label == str(r["program"]).replace("_", " ")]
            assert len(mine) == 1, (code, r["program"], origin)
            assert mine[0].rate == pytest.approx(expect, abs=TOL), (code, r["program"], origin)
            checked += 1
    # 787 prefixes (PROVENANCE.md) x (IND, CAN, MEX + overrides): every row was checked
    assert checked >= 787 * 3


def test_census_codes_of_the_overrides_all_decode() -> None:
    # An override whose Census code does not decode would be silently dropped by the reader.
    import pandas as pd

    from tradepolicy.datasets import dataset_path
    from tradepolicy.datasets.readers.section232 import read_census_iso3

    raw = pd.read_csv(dataset_path("section232", "s232_product_lists_budgetlab_2025-12-04.csv"),
                      dtype=str, keep_default_na=False)
    census = read_census_iso3()
    codes = {item.split("=")[0].strip() for s in raw["country_rate_overrides"]
             for item in s.replace(";", ",").split(",") if "=" in item}
    assert codes and codes <= set(census), sorted(codes - set(census))


# --- the 2018 programmes against the HTS 2024/2025 heading texts -------------------------------

# Country names as the heading texts print them ("except products of Australia, of ...").
NAMES = {"Australia": "AUS", "Argentina": "ARG", "Brazil": "BRA", "Canada": "CAN", "Mexico": "MEX",
         "South Korea": "KOR", "Japan": "JPN", "the United Kingdom": "GBR", "Ukraine": "UKR",
         "member countries of the European Union": "EU"}
# (programme, heading, a prefix of the programme in the list, a date inside each edition)
# The 2018 scope: 7208.51 is a Proc. 9705 steel article (HS6 range 7206.10-7216.50), 7601.10
# a Proc. 9704 aluminium article. (7301.20, used here before, is outside the 2018 scope.)
HEADINGS = [("steel_articles", "9903.80.01", "72085100"), ("aluminum_articles", "9903.85.01", "760110")]
EDITIONS = [(2024, dt.date(2024, 6, 1)), (2025, dt.date(2025, 1, 15))]


@pytest.mark.parametrize("edition, day", EDITIONS)
@pytest.mark.parametrize("program, heading, prefix", HEADINGS)
def test_2018_programmes_agree_with_the_hts_heading_texts(edition: int, day: dt.date, program: str,
                                                          heading: str, prefix: str) -> None:
    # PROVENANCE (section232): the 2018 steel/aluminum coverage is HTS ch.99 notes 16/19,
    # headings 9903.80.01 / 9903.85.01. On a date inside each edition: (1) the YAML rate is
    # the "+ N%" of the heading's general column; (2) the countries the heading text excepts
    # are exactly those with a YAML country rate of 0 then; (3) the engine gives them 0 and
    # gives a non-excepted origin (IND) the heading's rate. Exact (tolerance 1e-12).
    import re

    from tradepolicy.datasets.readers.hts import read_hts_edition

    hts = read_hts_edition(edition)
    row = hts.loc[hts["hts"] == heading.replace(".", "")].iloc[0]
    m = re.search(r"\+ ?(\d+(?:\.\d+)?)%", str(row["general"]))
    assert m, row["general"]
    printed = float(m.group(1)) / 100
    cfg = svc.measures()["section232"]
    prog = cfg["programs"][program]
    found = rate_on(prog["rates"], day)
    assert found is not None and float(found[0]) == pytest.approx(printed, abs=TOL)
    text = str(row["description"])
    excepted = {iso for name, iso in NAMES.items() if f"of {name}" in text}
    # The UK aluminium tariff-rate quota (from 2022-06-01) is carved out of 9903.85.01 by
    # subheading, not by name: "subheadings 9903.85.50 through 9903.85.66", whose first heading
    # reads "Aluminum products of the United Kingdom" (HTS 2024 and 2025 texts).
    uk = hts.loc[hts["hts"] == "99038550"]
    if "9903.85.50 through 9903.85.66" in text and len(uk) and "United Kingdom" in str(uk.iloc[0]["description"]):
        excepted.add("GBR")
    zero = {k for k, entries in (prog.get("country_rates") or {}).items()
            if (c := rate_on(entries, day)) is not None and c[0] is not None and float(c[0]) == 0.0}
    assert excepted == zero, (heading, edition, sorted(excepted ^ zero))
    products = svc.s232_products()
    origins = [o for k in excepted for o in (sorted(cfg["eu_members"])[:2] if k == "EU" else [k])]
    for origin in origins:
        duties, _ = section232_duties(prefix, origin, day, cfg, products)
        assert [d.rate for d in duties if d.heading == prog["heading"]] == [0.0], origin
    duties, _ = section232_duties(prefix, PLAIN, day, cfg, products)
    assert [d.rate for d in duties if d.heading == prog["heading"]] == [pytest.approx(printed, abs=TOL)]
