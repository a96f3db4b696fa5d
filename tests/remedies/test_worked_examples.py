"""Fact sheet worked examples E6 (dumping margin), E7 (all-others) and E8 (CVD), exactly.

Source: /work/shared/reference/law-factsheet.md, E6-E8 (invented data; rules confirmed against
Commerce's me-macros.sas for E6). Tolerance: the fact sheet prints rounded figures; sums of
money are compared to 1e-9 (exact in binary for these inputs), printed percentages to the
printed precision (half a unit of the last printed digit).
"""

import numpy as np
import pytest

from tests.remedies.fixtures import e6_cost, e6_home, e6_us
from tests.remedies.params import AD, CVD
from tradepolicy.remedies.all_others import Respondent, all_others_rate
from tradepolicy.remedies.cvd import Grant, Loan, cvd_rate, expensed, grant_allocation
from tradepolicy.remedies.programme import run_margin_programme

MONEY = 1e-9


@pytest.fixture(scope="module")
def e6():
    return run_margin_programme(e6_us(), e6_home(), e6_cost(), segment="investigation", params=AD)


def test_e6_cost_test_and_normal_value(e6):
    t = e6.by_connum.set_index("connum")
    # E6: A below-cost share 100/300 = 33.3 % -> dropped; B 20/320 = 6.25 % -> kept.
    assert t.loc["A", "below_cost_share"] == pytest.approx(100 / 300, abs=MONEY)
    assert bool(t.loc["A", "cost_test_applied"]) is True
    assert t.loc["B", "below_cost_share"] == pytest.approx(20 / 320, abs=MONEY)
    assert bool(t.loc["B", "cost_test_applied"]) is False
    # E6: NV_A = 107.50, NV_B = 40,860/320 = 127.6875.
    assert t.loc["A", "nv"] == pytest.approx(107.50, abs=MONEY)
    assert t.loc["B", "nv"] == pytest.approx(127.6875, abs=MONEY)
    assert e6.exclusions == [{"reason": "below_cost", "description": e6.exclusions[0]["description"],
                              "sales": 2, "quantity": 100.0}]
    # E6: viability 620 / 900 = 68.9 % >= 5 %.
    assert e6.viability.ratio == pytest.approx(620 / 900, abs=MONEY)
    assert e6.viability.viable


def test_e6_methods(e6):
    aa, at, mx = e6.methods["A-A"], e6.methods["A-T"], e6.methods["mixed"]
    assert aa.total_value == pytest.approx(103_400, abs=MONEY)  # E6: total U.S. value
    assert aa.total_dumping == pytest.approx(1_425, abs=MONEY)  # E6: 250 + 1,175
    assert round(aa.margin * 100, 3) == 1.378  # E6: 1.378 %
    assert at.total_dumping == pytest.approx(2_837.5, abs=MONEY)  # E6: positives only
    assert round(at.margin * 100, 3) == 2.744  # E6: 2.744 %
    assert mx.total_dumping == pytest.approx(2_475, abs=MONEY)  # E6: 1,300 + 1,175
    assert round(mx.margin * 100, 3) == 2.394  # E6: 2.394 %
    t = e6.by_connum.set_index("connum")
    assert t.loc["A", "aa_result"] == pytest.approx(250, abs=MONEY)
    assert t.loc["B", "aa_result"] == pytest.approx(1_175, abs=MONEY)


def test_e6_per_sale_results(e6):
    us = e6_us()
    e = us["quantity"].to_numpy() * (e6.sale_nv - us["net_price"].to_numpy())
    # E6: +750, +550, -450, -250, -350, +1,537.5, -231.25, -131.25
    assert np.allclose(e, [750, 550, -450, -250, -350, 1537.5, -231.25, -131.25], atol=MONEY)


def test_e6_cohens_d(e6):
    g = e6.dimension_tables["region"].set_index(["connum", "group"])
    # E6: A East: mean 101, sd 1.0; base West mean 111, sd 0.8165; d = 10.95 (2 decimals).
    east = g.loc[("A", "East")]
    assert east["mean_test"] == pytest.approx(101, abs=MONEY)
    assert east["sd_test"] == pytest.approx(1.0, abs=MONEY)
    assert east["mean_base"] == pytest.approx(111, abs=MONEY)
    assert round(east["sd_base"], 4) == 0.8165
    assert round(east["d"], 2) == 10.95
    assert east["base_share"] == pytest.approx(0.60, abs=MONEY)
    assert bool(east["passes"])
    assert round(g.loc[("A", "West")]["d"], 2) == -10.95 and bool(g.loc[("A", "West")]["passes"])
    # E6: B East has 1 observation; B West's base has 1 observation: neither eligible.
    assert not bool(g.loc[("B", "East")]["eligible"]) and not bool(g.loc[("B", "West")]["eligible"])
    assert e6.differential.value_share_passing == pytest.approx(53_500 / 103_400, abs=MONEY)  # 51.7 %
    assert e6.differential.ratio_outcome == "consider_mixed"


def test_e6_decision_investigation(e6):
    # E6: standard 1.378 % < 2 % <= mixed 2.394 %: meaningful; final 2.39 %, above de minimis.
    assert e6.method_chosen == "mixed"
    assert e6.meaningful is not None and e6.meaningful.crosses_de_minimis
    assert round(e6.final.margin * 100, 2) == 2.39
    assert e6.above_de_minimis
    assert e6.cash_deposit_ad_valorem == pytest.approx(2_475 / 103_400, abs=MONEY)
    assert e6.cash_deposit_per_unit == pytest.approx(2_475 / 900, abs=MONEY)
    assert not (e6.methods["A-A"].margin > AD.de_minimis_investigation)  # A-A alone is de minimis


def test_e6_review():
    r = run_margin_programme(e6_us(), e6_home(), e6_cost(), segment="review", params=AD)
    # E6: in a review both are above 0.5 %; relative change 73.7 % >= 25 %: meaningful.
    assert r.meaningful is not None and not r.meaningful.crosses_de_minimis
    assert round(r.meaningful.relative_change * 100, 1) == 73.7
    assert r.method_chosen == "mixed" and r.above_de_minimis


def test_e7_all_others():
    res = all_others_rate([
        Respondent("X", 0.125, 1_000), Respondent("Y", 0.042, 3_000), Respondent("Z", 0.0, 500),
        Respondent("W", 0.011, 800), Respondent("V", 0.45, 200, facts_available=True),
    ], de_minimis=AD.de_minimis_investigation)
    # E7: (12.50 x 1,000 + 4.20 x 3,000) / 4,000 = 6.275 %.
    assert res.rate == pytest.approx(0.06275, abs=1e-12)
    reasons = {r["name"]: r["reason"] for r in res.included}
    assert reasons == {"X": "included", "Y": "included", "Z": "excluded: zero",
                       "W": "excluded: de minimis", "V": "excluded: entirely facts available"}


def test_e7_all_excluded_gives_no_rate():
    res = all_others_rate([Respondent("Z", 0.0, 1.0), Respondent("V", 0.3, 1.0, True)], de_minimis=0.02)
    assert res.rate is None and "any reasonable method" in res.method


def test_e8_grant_allocation_table():
    a = grant_allocation(1_000_000, 10, 0.08)
    # E8 table, printed to the cent.
    expected = [174_074.07, 166_666.67, 159_259.26, 151_851.85, 144_444.44,
                137_037.04, 129_629.63, 122_222.22, 114_814.81, 107_407.41]
    assert np.round(a, 2).tolist() == expected
    assert round(float(a.sum()), 2) == 1_407_407.41  # E8: the sum exceeds y
    assert not expensed(1_000_000, 50_000_000, threshold=CVD.expensing_threshold)  # E8: 2 % > 0.5 %


def test_e8_rates_and_de_minimis():
    grant = Grant("grant", 1_000_000, 1, 50_000_000, 10, 0.08)
    loan = Loan("loan", 5_000_000, 0.02, 0.065)
    res = cvd_rate([grant], [loan], period_year=3, sales_denominator=40_000_000,
                   segment="investigation", developing=False, params=CVD)
    g, ln = res.programmes
    assert round(g.rate * 100, 3) == 0.398  # E8: 159,259.26 / 40,000,000 = 0.398 %
    assert ln.benefit == pytest.approx(225_000, abs=MONEY)  # E8
    assert ln.rate == pytest.approx(0.005625, abs=1e-15)  # E8: 0.5625 %
    assert round(res.total_rate * 100, 2) == 0.96  # E8: 0.96 %
    assert res.is_de_minimis and res.de_minimis == 0.01
    dev = cvd_rate([grant], [loan], period_year=3, sales_denominator=40_000_000,
                   segment="investigation", developing=True, params=CVD)
    assert dev.is_de_minimis and dev.de_minimis == 0.02  # E8: also de minimis at 2 %


def test_export_subsidy_uses_export_sales_and_expensed_grant():
    # Invented: a 100,000 grant approved when sales were 50,000,000 (0.2 % < 0.5 %) is expensed in
    # the year received; attributed to export sales of 10,000,000 -> 1 % (351.524(b)(2), 351.525(b)).
    g = Grant("export grant", 100_000, 3, 50_000_000, 10, 0.08, attribution="export")
    res = cvd_rate([g], [], period_year=3, sales_denominator=40_000_000, export_sales=10_000_000,
                   segment="investigation", developing=False, params=CVD)
    p = res.programmes[0]
    assert p.treatment == "expensed" and p.benefit == 100_000 and p.rate == pytest.approx(0.01, abs=1e-15)
    assert not res.is_de_minimis  # exactly 1 % is not "less than 1 %"
    nxt = cvd_rate([g], [], period_year=4, sales_denominator=40_000_000, export_sales=10_000_000,
                   segment="investigation", developing=False, params=CVD)
    assert nxt.programmes[0].benefit == 0.0
