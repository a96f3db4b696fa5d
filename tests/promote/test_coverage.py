"""Trade coverage measured from loaded data, checked against hand sums; the estimated value."""

from __future__ import annotations

import pytest

from tests.promote.conftest import STAFF, needs
from tradepolicy.promote.barriers import estimated_value
from tradepolicy.services import barriers as svc
from tradepolicy.store.db import transaction


@needs("baci-shrimp-2018")
@needs("hs-nomenclature")
def test_shrimp_barrier_coverage_equals_hand_sum(fresh_db: str) -> None:
    """Coverage of a barrier on Canada for the frozen-shrimp lines = sum of the BACI rows by hand."""
    from tradepolicy.datasets.readers.baci import read_baci_shrimp_2018

    df = read_baci_shrimp_2018()
    rows = df[(df["exporter"] == "USA") & (df["importer"] == "CAN") & df["hs6"].isin(["030616", "030617"])]
    hand = float(rows["value_kusd"].sum()) * 1000.0  # BACI values are thousand US$
    assert hand > 0
    with transaction() as s:
        b = svc.add_barrier(s, STAFF, partner="CAN", title="Shrimp labelling rule", nte_category="tbt",
                            hs_codes=["030616", "030617"], ave=0.10, elasticity=1.5)
    cov = b.coverage
    assert cov is not None and cov.status == "measured" and cov.year == 2018
    assert cov.value_usd == pytest.approx(hand, rel=1e-12)
    assert "baci-shrimp-2018" in cov.source
    # estimated value: AVE x trade, and SMART trade creation M eps t/(1+t) (economics-methods s.4.1)
    ev = b.to_dict()["estimated_value"]
    assert ev is not None
    assert ev["tariff_equivalent_usd"] == pytest.approx(0.10 * hand)
    assert ev["export_gain_usd"] == pytest.approx(hand * 1.5 * 0.10 / 1.10)
    assert "SMART" in ev["method"]


@needs("baci-shrimp-2018")
@needs("hs-nomenclature")
def test_partial_and_unknown_coverage(fresh_db: str) -> None:
    with transaction() as s:
        part = svc.add_barrier(s, STAFF, partner="JPN", title="Seafood and car rules", nte_category="tbt",
                               hs_codes=["030617", "8703"])
        unk = svc.add_barrier(s, STAFF, partner="JPN", title="Tyre standard", nte_category="tbt", hs_codes=["4011"])
    pc, uc = part.to_dict()["coverage"], unk.to_dict()["coverage"]
    assert pc["status"] == "partial" and pc["uncovered_codes"] == ["8703"]
    assert pc["label"].startswith("at least US$")
    assert uc["status"] == "unknown" and uc["label"] == "coverage unknown"
    assert unk.estimated_value is None


@needs("us-trade-by-partner")
def test_horizontal_barrier_coverage_is_partner_total(fresh_db: str) -> None:
    from tradepolicy.datasets.readers.trade import read_us_trade_by_partner

    df = read_us_trade_by_partner()
    year = svc.latest_complete_year()
    hand = float(df[(df["flow"] == "total_exports_fas_value") & (df["iso3"] == "IND") & (df["year"] == year)]["value_usd"].sum())
    with transaction() as s:
        b = svc.add_barrier(s, STAFF, partner="IND", title="Data localisation for payments", nte_category="digital_trade")
    assert b.coverage is not None and b.coverage.status == "partner_total"
    assert b.coverage.value_usd == pytest.approx(hand)
    # the EU is the sum over the EU27
    with transaction() as s:
        eu = svc.add_barrier(s, STAFF, partner="EUN", title="Cloud certification scheme", nte_category="digital_trade")
    eu_hand = float(df[(df["flow"] == "total_exports_fas_value") & df["iso3"].isin(
        ["AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL", "ITA",
         "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE"]) & (df["year"] == year)]["value_usd"].sum())
    assert eu.coverage is not None and eu.coverage.value_usd == pytest.approx(eu_hand)


def test_estimated_value_hand_computation() -> None:
    # 25% AVE on US$1,000,000 with eps 1.2: tariff equivalent 250,000; gain 1e6*1.2*0.25/1.25 = 240,000
    v = estimated_value(0.25, 1_000_000, elasticity=1.2)
    assert v.tariff_equivalent_usd == 250_000 and v.export_gain_usd == pytest.approx(240_000)
