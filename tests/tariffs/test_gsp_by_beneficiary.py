"""GSP dated per beneficiary (issue 13): removals, suspensions and the utilisation of GSP claims
during the lapse, each against the cited fact in ``tariffs/measures/preferences.yaml`` and
``utilisation.yaml``.

Hand checks (HTS 8516.71.00, electric coffee makers: general 3.7 %, special A; 4202.92.31,
travel bags of man-made fibres: general 17.6 %, free under GSP for Cambodia):
- Turkey: GSP to 2019-05-16, MFN 3.7 % from 2019-05-17 (Proclamation 9887, 84 FR 23425).
- Russia (removed 2014-10-03, Proclamation 9188) and Uruguay (graduated 2017-01-01,
  Proclamation 9333) pay MFN on 2018-06-01; Argentina (suspended 2012-05-28 to 2017-12-31)
  gets GSP on 2018-06-01 and not in 2015.
- Thailand from 2020-04-25 (Proclamation 9955, Annex 2) and Ukraine 2018-04-26 to
  2019-10-29: the product lists are not in our sources, so no line is barred and the stack
  says so in a note; nothing is guessed. Except what the sources state in words: "all Thai
  seafood" (chapter 03, headings 16.04-16.05) loses GSP from 2020-04-25 (1604.14.50.00, tuna:
  general 6 %).
- Cambodian travel bags (special A and A+; the batch claims A at the same free rate) entered
  2024-07-01 on the census basis at the documented default:
  17.6 % x (1 - 0.871) = 2.2704 % (0.871 = 1.35 / (1.35 + 0.20), Coalition for GSP figures of
  the 2021-2022 lapse); `all` 0, `none` 17.6 %, a user rate of 0.5 gives 8.8 %, the legal
  basis 17.6 %; before the lapse (2020-07-01) GSP applies in full (0).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tradepolicy.errors import RegistryError
from tradepolicy.services import tariff_effective as eff
from tradepolicy.services import tariffs as svc
from tradepolicy.tariffs.dated_measures import eligible_programs
from tradepolicy.tariffs.schema import validate_measures


def _gsp(origin: str, day: dt.date) -> bool:
    m = svc.measures()
    elig = eligible_programs(origin, day, m["preferences"]["programs"], [], {})
    return "A" in elig


@pytest.mark.parametrize(("origin", "day", "expect"), [
    ("TUR", dt.date(2019, 5, 16), True), ("TUR", dt.date(2019, 5, 17), False),
    ("IND", dt.date(2019, 6, 4), True), ("IND", dt.date(2019, 6, 5), False),
    ("RUS", dt.date(2014, 10, 2), True), ("RUS", dt.date(2014, 10, 3), False),
    ("SYC", dt.date(2016, 12, 31), True), ("SYC", dt.date(2017, 1, 1), False),
    ("URY", dt.date(2017, 1, 1), False), ("VEN", dt.date(2017, 1, 1), False),
    ("ARG", dt.date(2012, 5, 27), True), ("ARG", dt.date(2012, 5, 28), False),
    ("ARG", dt.date(2017, 12, 31), False), ("ARG", dt.date(2018, 1, 1), True),
    ("BOL", dt.date(2019, 10, 25), True), ("AZE", dt.date(2019, 10, 25), True),
    # partial suspensions without a product list bar nothing
    ("THA", dt.date(2020, 5, 1), True), ("UKR", dt.date(2019, 1, 1), True),
    # the lapse: 19 U.S.C. 2465
    ("KHM", dt.date(2020, 12, 31), True), ("KHM", dt.date(2021, 1, 1), False),
])
def test_gsp_eligibility_is_dated_per_beneficiary(origin: str, day: dt.date, expect: bool) -> None:
    assert _gsp(origin, day) is expect


def test_bolivia_lost_atpa_in_2008_not_gsp() -> None:
    m = svc.measures()
    before = eligible_programs("BOL", dt.date(2008, 12, 14), m["preferences"]["programs"], [], {})
    after = eligible_programs("BOL", dt.date(2008, 12, 15), m["preferences"]["programs"], [], {})
    assert "J" in before and "J" not in after  # Proclamation 8323, effective 2008-12-15
    assert "A" in before and "A" in after


def test_every_removal_and_suspension_is_cited() -> None:
    gsp = svc.measures()["preferences"]["programs"]["gsp"]
    assert set(gsp["removed"]) == set(gsp["removed_citations"])
    assert set(gsp["removed"]) <= set(gsp["origins"])  # the removal date is on record
    for x in gsp["suspensions"]:
        assert x["origin"] in gsp["origins"] and len(x["citation"]) > 40
    # the two Thai suspensions and their legal dates (Proclamations 9955 and 10107)
    tha = sorted(str(x["from"]) for x in gsp["suspensions"] if x["origin"] == "THA")
    assert tha == ["2020-04-25", "2020-12-30"]


def test_a_suspension_with_a_guessed_product_list_is_refused() -> None:
    bad = {"programs": {"gsp": {"symbols": ["A"], "name": "GSP", "citation": "c" * 10, "origins": ["THA"],
                                "suspensions": [{"origin": "THA", "from": "2020-04-25", "products": ["0306"],
                                                 "reason": "r", "confirmed": False, "citation": "c" * 10}]}}}
    with pytest.raises(RegistryError, match="suspensions"):
        validate_measures({"preferences": bad})


@requires_dataset("us-hts")
@pytest.mark.parametrize(("origin", "day", "total"), [
    ("TUR", "2019-05-16", 0.0), ("TUR", "2019-05-17", 0.037),
    ("RUS", "2018-06-01", 0.037), ("URY", "2018-06-01", 0.037), ("VEN", "2018-06-01", 0.037),
    ("ARG", "2018-06-01", 0.0), ("BOL", "2019-01-01", 0.0),
])
def test_a_removed_beneficiary_pays_mfn_after_its_date(origin: str, day: str, total: float) -> None:
    s = svc.stack_entry("8516.71.00.20", origin, day).to_dict()
    assert s["total_ave"] == pytest.approx(total, abs=1e-12)


@requires_dataset("us-hts")
@pytest.mark.parametrize(("origin", "day", "noted"), [
    ("THA", "2020-04-24", False), ("THA", "2020-05-01", True), ("THA", "2021-06-01", False),  # lapsed: no GSP
    ("KHM", "2020-05-01", False),
])
def test_a_partial_suspension_without_its_list_is_said_not_guessed(origin: str, day: str, noted: bool) -> None:
    s = svc.stack_entry("8516.71.00.20", origin, day).to_dict()
    notes = [n for n in s["notes"] if "product list is not encoded" in n]
    assert bool(notes) is noted
    if day < "2021-01-01":  # GSP in force: the line keeps its GSP rate (no line is guessed)
        assert s["total_ave"] == pytest.approx(0.0, abs=1e-12)


def test_the_lapse_utilisation_is_the_ratio_of_its_published_figures() -> None:
    lu = svc.measures()["utilisation"]["lapsed_utilisation"]
    share = lu["claimed_usd"] / (lu["claimed_usd"] + lu["not_claimed_usd"])  # 1.35 / 1.55
    assert lu["default_rate"] == pytest.approx(share, abs=5e-4)
    assert lu["confirmed"] is False and "renewgsptoday.com" in lu["citation"]


@requires_dataset("us-hts")
@requires_dataset("section232")
@requires_dataset("section301-china")
@pytest.mark.parametrize(("utilisation", "basis", "day", "rate"), [
    ("published", "census", "2024-07-01", 0.176 * (1 - 0.871)),
    ("all", "census", "2024-07-01", 0.0),
    ("none", "census", "2024-07-01", 0.176),
    ("published", "legal", "2024-07-01", 0.176),
    ("published", "census", "2020-07-01", 0.0),  # GSP in force: the lapse rate does not apply
])
def test_gsp_claims_during_the_lapse_at_the_published_utilisation(utilisation: str, basis: str, day: str,
                                                                  rate: float) -> None:
    frame = pd.DataFrame({"hts10": ["4202923120"], "partner": ["KHM"], "value": [1e6]})
    lines = eff.effective_on(frame, day, basis=basis, utilisation=utilisation)
    assert float(lines["rate"].iloc[0]) == pytest.approx(rate, abs=1e-12)


@requires_dataset("us-hts")
@requires_dataset("section232")
@requires_dataset("section301-china")
def test_an_explicit_utilisation_file_overrides_the_lapse_default(tmp_path: Path) -> None:
    f = tmp_path / "util.csv"
    f.write_text("partner,programme,rate\nKHM,A,0.5\nKHM,A+,0.5\n")
    frame = pd.DataFrame({"hts10": ["4202923120"], "partner": ["KHM"], "value": [1e6]})
    lines = eff.effective_on(frame, "2024-07-01", basis="census", utilisation=f)
    assert float(lines["rate"].iloc[0]) == pytest.approx(0.176 * 0.5, abs=1e-12)
    res = eff.effective(frame.assign(duties=0.0), date="2024-07-01", basis="census")
    assert "87.1%" in res.utilisation and any("lapse" in n and "87.1%" in n for n in res.notes)


@requires_dataset("us-hts")
@pytest.mark.parametrize(("code", "origin", "day", "total", "noted"), [
    # 9405.40.84 (lamps, 3.9 %, A): not among the 18 Ukrainian pairs known to stay excluded
    ("9405.40.84", "UKR", "2019-01-01", 0.0, True), ("9405.40.84", "UKR", "2019-11-01", 0.0, False),
    # 8516.71.00 is one of the 18 pairs still on General Note 4(d) after Revision 16 (2019-11-01)
    ("8516.71.00.20", "UKR", "2018-04-25", 0.0, False), ("8516.71.00.20", "UKR", "2019-01-01", 0.037, False),
    ("8516.71.00.20", "UKR", "2019-11-01", 0.037, False),
])
def test_ukraine_partial_suspension(code: str, origin: str, day: str, total: float, noted: bool) -> None:
    s = svc.stack_entry(code, origin, day).to_dict()
    assert s["total_ave"] == pytest.approx(total, abs=1e-12)
    assert any("product list is not encoded" in n for n in s["notes"]) is noted


@requires_dataset("us-hts")
@pytest.mark.parametrize(("code", "origin", "day", "total"), [
    # 2018 review (CNL, effective 2018-11-01): Brazilian granite 6802.99.00 (6.5 %)
    ("6802.99.00", "BRA", "2018-10-31", 0.0), ("6802.99.00", "BRA", "2018-11-01", 0.065),
    ("6802.99.00", "IDN", "2018-11-01", 0.0),  # only Brazil is excluded
    # 2019 review (2019-11-01): North Macedonian buses 8702.10.31 (2 %)
    ("8702.10.31", "MKD", "2019-10-31", 0.0), ("8702.10.31", "MKD", "2019-11-01", 0.02),
])
def test_review_exclusions_are_dated(code: str, origin: str, day: str, total: float) -> None:
    s = svc.stack_entry(code, origin, day).to_dict()
    assert s["total_ave"] == pytest.approx(total, abs=1e-12)


@requires_dataset("us-hts")
@pytest.mark.parametrize(("day", "total"), [("2019-06-01", 0.0), ("2020-10-31", 0.0), ("2020-11-01", 0.025)])
def test_a_dated_exclusion_applies_from_its_date_on_a_schedule_printed_before_it(day: str, total: float) -> None:
    # Brazil 8502.12.00 (generating sets, 2.5 %) excluded from 2020-11-01 (CNL; stacking.yaml):
    # the 2017 database in force then prints "A" for the pair, which the addition also bars.
    s = svc.stack_entry("8502.12.00", "BRA", day).to_dict()
    assert s["total_ave"] == pytest.approx(total, abs=1e-12)
    assert any("excluded from GSP" in n for n in s["notes"]) is (total > 0)


@requires_dataset("us-hts")
@requires_dataset("section232")
@requires_dataset("section301-china")
def test_the_batch_applies_the_dated_exclusions_like_the_stack() -> None:
    frame = pd.DataFrame({"hts10": ["8502120000", "8516710020", "9405408440"], "partner": ["BRA", "UKR", "UKR"],
                          "value": [1e6, 1e6, 1e6]})
    for day, rates in [("2019-06-01", [0.0, 0.037, 0.0]), ("2020-11-02", [0.025, 0.037, 0.0])]:
        lines = eff.effective_on(frame, day, basis="legal")
        assert lines["rate"].tolist() == [pytest.approx(r, abs=1e-12) for r in rates], day


def test_a_per_beneficiary_lapse_rate_replaces_the_overall_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # No per-beneficiary figure is published in our sources (rates: []); when one is added
    # it replaces the overall share for that partner only. Hand: KHM 0.75, IDN keeps 0.871.
    lu = svc.measures()["utilisation"]["lapsed_utilisation"]
    monkeypatch.setitem(lu, "rates", [{"partner": "KHM", "programme": "gsp", "rate": 0.75, "citation": "test"}])
    u, _ = eff.utilisation_matrix("published", ["IDN", "KHM"], ["A", "A+", "S"], lapsed_on=dt.date(2024, 7, 1),
                                  lapsed=("gsp", "gsp_ldbdc"))
    assert u.tolist() == [[0.871, 0.871, 1.0], [0.75, 0.871, 1.0]]


@requires_dataset("us-hts")
@requires_dataset("section232")
@requires_dataset("section301-china")
@pytest.mark.parametrize(("origin", "day", "total"), [
    ("THA", "2020-03-01", 0.0),   # before Proclamation 9955 took effect: GSP (A) free
    ("THA", "2020-06-01", 0.06),  # all Thai seafood barred from 2020-04-25: MFN 6 %
    ("IDN", "2020-06-01", 0.0),   # another beneficiary keeps GSP on the line
])
def test_thai_seafood_loses_gsp_from_2020_04_25(origin: str, day: str, total: float) -> None:
    # 1604.14.50.00 (tuna, other): general 6 %, special A* in HTS 2024, A in the 2017 database.
    s = svc.stack("1604.14.50.00", origin, day)
    assert s.total_ave == pytest.approx(total, abs=1e-12)


@requires_dataset("us-hts")
@requires_dataset("section232")
@requires_dataset("section301-china")
def test_thai_seafood_is_not_claimed_during_the_lapse_on_the_census_basis() -> None:
    # census basis 2024-07-01: Indonesian tuna claims GSP on 87.1 % of its value (6 % x 0.129);
    # Thai tuna is barred, so the full 6 %.
    frame = pd.DataFrame({"hts10": ["1604145000", "1604145000"], "partner": ["THA", "IDN"], "value": [1e6, 1e6]})
    lines = eff.effective_on(frame, "2024-07-01", basis="census", utilisation="published").set_index("partner")
    assert float(lines.loc["THA", "rate"]) == pytest.approx(0.06, abs=1e-12)
    assert float(lines.loc["IDN", "rate"]) == pytest.approx(0.06 * (1 - 0.871), abs=1e-12)


@requires_dataset("us-hts")
@requires_dataset("section232")
@requires_dataset("section301-china")
@pytest.mark.parametrize("day", ["2025-06-01", "2025-11-01", "2026-06-01"])
def test_agoa_runs_through_2026_after_its_retroactive_extension(day: str) -> None:
    # AGOA lapsed on 2025-09-30 and was extended retroactively through 2026-12-31 by the act
    # signed 2026-02-03 (Husch Blackwell, 2026-02): Kenyan coffee makers (8516.71.00.20,
    # general 3.7 %, special D) keep the AGOA rate through the lapse.
    s = svc.stack("8516.71.00.20", "KEN", day)
    (pref,) = [ly for ly in s.layers if ly.layer == "preference"]
    assert pref.authority.startswith("African Growth") and pref.ave == pytest.approx(0.0, abs=1e-12)
    assert svc.measures()["preferences"]["programs"]["agoa"]["to"] == dt.date(2026, 12, 31)
