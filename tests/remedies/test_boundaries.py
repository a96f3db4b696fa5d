"""Boundary cases of every threshold, with the semantics stated next to each test.

Source of the semantics: fact sheet §4.3-4.5 and E6 "Boundary tests to add" (me-macros.sas:
``GE 0.8``, ``QTY_RATIO GE 0.05``, ``RELATIVE_CHANGE GE 25``, ``PCTQABOV LE 80``,
``98 LE CUSRATIO LE 102``, ``0.20 GE COSTDIFF``, ``WTAVGPCT GT DE_MINIMIS``), and 351.404(b)
(viability ``>= 5 %``). Tolerance: exact; the inputs are chosen so that the boundary value
is exact in binary or within the documented 12-decimal rounding.
"""

import numpy as np
import pandas as pd
import pytest

from tests.remedies.params import AD
from tradepolicy.remedies.differential_pricing import differential_pricing, ratio_outcome
from tradepolicy.remedies.margins import above_de_minimis, meaningful_difference
from tradepolicy.remedies.matching import difmer_allowed
from tradepolicy.remedies.normal_value import viability
from tradepolicy.remedies.programme import run_margin_programme


def _us(rows, *, customer=None, region=None):
    n = len(rows)
    return pd.DataFrame({
        "sale_id": [f"U{i}" for i in range(n)], "connum": [r[0] for r in rows],
        "quantity": [r[1] for r in rows], "net_price": [r[2] for r in rows],
        "customer": customer or ["K"] * n, "region": region or ["R"] * n, "period": ["P"] * n,
    })


def _home(rows):
    n = len(rows)
    return pd.DataFrame({
        "sale_id": [f"H{i}" for i in range(n)], "connum": [r[0] for r in rows],
        "quantity": [r[1] for r in rows], "net_price": [r[2] for r in rows],
        "customer": [r[3] if len(r) > 3 else f"C{i}" for i, r in enumerate(rows)],
        "affiliated": [r[4] if len(r) > 4 else False for r in rows], "period": ["P"] * n,
    })


def _dp(prices, qty, customers):
    c = np.zeros(len(prices), dtype=np.int64)
    cust = pd.factorize(pd.Series(customers))[0].astype(np.int64)
    return differential_pricing(c, np.asarray(qty, float), np.asarray(prices, float), {"customer": cust},
                                n_connum=1, params=AD)


@pytest.mark.parametrize(("base_prices", "passes"), [((98, 118), True), ((97.9, 117.9), False)])
def test_cohens_d_exactly_0_8_passes(base_prices, passes):
    # Test group 90/110 (mean 100, sd 10); base 98/118 (mean 108, sd 10): d = 8/10 = 0.8 exactly -> pass (GE).
    r = _dp([90, 110, *base_prices], [1, 1, 1, 1], ["T", "T", "B", "B"])
    g = r.dimensions[0].groups
    assert abs(g["d"].iloc[0]) == pytest.approx(0.8 if passes else 0.79, abs=1e-12)
    assert g["passes"].tolist() == [passes, passes]


@pytest.mark.parametrize(("base_qty", "eligible"), [(5.0, True), (4.9, False)])
def test_base_share_exactly_5_percent_is_eligible(base_qty, eligible):
    # Test customer T holds 100 - base_qty; base B holds base_qty: base share 5 % exactly -> eligible (GE).
    tq = 100.0 - base_qty
    r = _dp([100, 120, 50, 60], [tq / 2, tq / 2, base_qty / 2, base_qty / 2], ["T", "T", "B", "B"])
    g = r.dimensions[0].groups
    assert g["base_share"].iloc[0] == pytest.approx(base_qty / 100, abs=1e-15)
    assert bool(g["eligible"].iloc[0]) is eligible


def test_pooled_sd_zero_with_different_means_passes():
    # Fact sheet §4.5: pooled sd 0 and the means differ -> the group passes.
    r = _dp([100, 100, 90, 90], [1, 1, 1, 1], ["T", "T", "B", "B"])
    assert r.dimensions[0].groups["passes"].all()
    same = _dp([100, 100, 100, 100], [1, 1, 1, 1], ["T", "T", "B", "B"])
    assert not same.dimensions[0].groups["passes"].any()


@pytest.mark.parametrize(("alt", "meaningful"), [(0.05, True), (0.0499, False)])
def test_relative_change_exactly_25_percent_is_meaningful(alt, meaningful):
    # A-A 4 %, alternative 5 %: relative change (5 - 4) / 4 = 25 % exactly -> meaningful (GE).
    md = meaningful_difference(0.04, alt, de_minimis=AD.de_minimis_investigation,
                               relative_change_min=AD.relative_change_min)
    assert md.meaningful is meaningful and not md.crosses_de_minimis


def test_alternative_exactly_at_de_minimis_crosses():
    # me-macros.sas US-17: standard LT de minimis and alternative GE de minimis -> crosses.
    assert meaningful_difference(0.019, 0.02, de_minimis=0.02, relative_change_min=0.25).crosses_de_minimis


@pytest.mark.parametrize(("share", "outcome"), [(0.33, "a_a_only"), (0.3301, "consider_mixed"),
                                                 (0.6599, "consider_mixed"), (0.66, "consider_a_t")])
def test_ratio_test_cut_offs(share, outcome):
    # Fact sheet §4.5: <= 33 % A-A only; > 33 % and < 66 % mixed; >= 66 % A-T.
    assert ratio_outcome(share, lower=AD.ratio_lower, upper=AD.ratio_upper) == outcome


@pytest.mark.parametrize(("below_qty", "dropped"), [(20, True), (19, False)])
def test_below_cost_share_exactly_20_percent_drops(below_qty, dropped):
    # COP 95; below-cost sales at 90 (no recovery). 20/100 below cost -> dropped (PCTQABOV = 80, LE 80).
    home = _home([("A", 100 - below_qty, 110), ("A", below_qty, 90)])
    r = run_margin_programme(_us([("A", 10, 100)]), home, pd.DataFrame({"connum": ["A"], "cost_of_production": [95]}),
                             segment="investigation", params=AD)
    t = r.by_connum.iloc[0]
    assert t["below_cost_share"] == pytest.approx(below_qty / 100, abs=1e-15)
    reasons = {e["reason"]: e["sales"] for e in r.exclusions}
    assert (reasons.get("below_cost") == 1) is dropped
    expected_nv = 110.0 if dropped else ((100 - below_qty) * 110 + below_qty * 90) / 100
    assert t["nv"] == pytest.approx(expected_nv, abs=1e-9)


def test_cost_recovery_keeps_sale_above_poi_average():
    # Period costs 100 (Q1) and 80 (Q2), equal home quantity -> POI average 90. A Q1 sale at 95 is
    # below its period cost but recovers cost (>= 90): kept even though the share is >= 20 %.
    home = _home([("A", 50, 95), ("A", 50, 120)])
    home["period"] = ["Q1", "Q2"]
    cost = pd.DataFrame({"connum": ["A", "A"], "period": ["Q1", "Q2"], "cost_of_production": [100, 80]})
    us = _us([("A", 10, 100)])
    r = run_margin_programme(us, home, cost, segment="investigation", params=AD, include_tt=False)
    assert r.by_connum.iloc[0]["below_cost_share"] == pytest.approx(0.5)
    assert r.exclusions == []
    assert r.by_connum.iloc[0]["nv"] == pytest.approx(107.5)


@pytest.mark.parametrize(("price", "passes"), [(98.0, True), (102.0, True), (97.9, False), (102.1, False)])
def test_arms_length_ratio_98_and_102_inclusive(price, passes):
    # Unaffiliated price 100; affiliated customer at `price`: ratio 98 % and 102 % pass (98 LE r LE 102).
    home = _home([("A", 10, 100.0, "U1", False), ("A", 10, price, "AFF", True)])
    cost = pd.DataFrame({"connum": ["A"], "cost_of_production": [50]})
    r = run_margin_programme(_us([("A", 10, 90)]), home, cost, segment="investigation", params=AD)
    al = r.arms_length.set_index("customer")
    assert al.loc["AFF", "ratio"] == pytest.approx(price / 100, abs=1e-12)
    assert bool(al.loc["AFF", "passes"]) is passes
    excluded = {e["reason"]: e["sales"] for e in r.exclusions}
    assert ("affiliated_not_arms_length" in excluded) is (not passes)


def test_affiliated_without_comparison_is_counted():
    home = _home([("A", 10, 100.0, "AFF", True), ("B", 10, 100.0, "U", False)])
    cost = pd.DataFrame({"connum": ["A", "B"], "cost_of_production": [50, 50]})
    r = run_margin_programme(_us([("A", 10, 90)]), home, cost, segment="investigation", params=AD)
    assert {e["reason"] for e in r.exclusions} >= {"affiliated_untestable"}


@pytest.mark.parametrize(("vcom_hm", "basis"), [(120.0, "similar"), (120.5, "constructed_value")])
def test_difmer_exactly_20_percent_is_allowed(vcom_hm, basis):
    # U.S. CONNUM B (VCOM 100, TCOM 100) has no home sales; similar A has VCOM 120: |120-100|/100 = 20 %
    # -> allowed (0.20 GE COSTDIFF); NV = NV_A + (VCOM_B - VCOM_A). 20.5 % -> constructed value.
    assert difmer_allowed(vcom_hm, 100.0, 100.0, cap=AD.difmer_cap) is (basis == "similar")
    home = _home([("A", 10, 150.0)])
    cost = pd.DataFrame({"connum": ["A", "B"], "cost_of_production": [130, 110], "vcom": [vcom_hm, 100.0],
                         "tcom": [125.0, 100.0]})
    similar = pd.DataFrame({"us_connum": ["B"], "hm_connum": ["A"], "rank": [1]})
    r = run_margin_programme(_us([("B", 10, 100)]), home, cost, segment="investigation", params=AD,
                             similar_raw=similar)
    t = r.by_connum.iloc[0]
    assert t["nv_basis"] == basis
    if basis == "similar":
        assert t["nv"] == pytest.approx(150.0 + 100.0 - vcom_hm, abs=1e-9)
    else:  # CV = COP_B x (1 + profit on A's usable sales: (150 - 130) / 130)
        assert t["nv"] == pytest.approx(110.0 * (1 + 20 / 130), abs=1e-9)


@pytest.mark.parametrize(("segment", "above"), [("investigation", False), ("review", True)])
def test_margin_exactly_2_percent_is_not_above_de_minimis_in_investigation(segment, above):
    # One U.S. sale at 100 against NV 102: margin 2 / 100 = 2.00 % exactly. Program semantics
    # (WTAVGPCT GT DE_MINIMIS): exactly 2.00 % is NOT above de minimis in an investigation; the
    # statute's "less than 2 %" would make it not de minimis -- the program's reading is implemented.
    home = _home([("A", 10, 102.0)])
    cost = pd.DataFrame({"connum": ["A"], "cost_of_production": [50]})
    r = run_margin_programme(_us([("A", 1, 100.0)]), home, cost, segment=segment, params=AD)
    assert r.final.margin == 0.02
    assert r.above_de_minimis is above
    assert r.cash_deposit_ad_valorem == (0.02 if above else 0.0)
    assert any("exactly" in n for n in r.notes) is (segment == "investigation")
    assert above_de_minimis(0.0200001, 0.02)


@pytest.mark.parametrize(("home_qty", "viable"), [(5.0, True), (4.9, False)])
def test_viability_exactly_5_percent(home_qty, viable):
    # Home 5 vs U.S. 100 units: 5 % exactly -> viable (>= 5 %); below -> not viable, NV = CV, counted.
    assert viability(home_qty, 100.0, threshold=AD.viability_share).viable is viable
    home = _home([("A", home_qty, 120.0)])
    cost = pd.DataFrame({"connum": ["A"], "cost_of_production": [100]})
    r = run_margin_programme(_us([("A", 100, 100.0)]), home, cost, segment="investigation", params=AD)
    assert r.viability.viable is viable
    if not viable:
        assert r.by_connum.iloc[0]["nv_basis"] == "constructed_value"
        assert r.exclusions[0]["reason"] == "home_market_not_viable"
        # No usable home sale: CV = COP (100) with no profit, and the run says so.
        assert r.by_connum.iloc[0]["nv"] == pytest.approx(100.0, abs=1e-12)
        assert any("NO profit" in n for n in r.notes)
