"""The bundled law data: every rule cited, every stage documented, ids stable and listed."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tradepolicy.law.calendars import bundled_calendars
from tradepolicy.law.procedures import bundled_procedures
from tradepolicy.law.rules import bundled_rules, rule_value
from tradepolicy.law.seeds import load_seeds

PROCEDURE_IDS = {"tpa_negotiation", "section301", "wto_dsu", "ad_investigation", "cvd_investigation",
                 "ad_admin_review", "new_shipper_review", "sunset_review", "usmca_ch31", "usmca_rrm",
                 "tfa_notification", "special301_review", "usmca_joint_review"}


def test_every_rule_has_a_citation_and_a_flag() -> None:
    book = bundled_rules()
    assert len(book.rules) > 200
    for r in book.rules.values():
        assert r.citation.strip(), f"{r.id} has no citation"
        assert isinstance(r.confirmed, bool), r.id


def test_every_procedure_stage_has_a_documented_rule() -> None:
    book = bundled_rules()
    for p in bundled_procedures().values():
        for s in p.stages:
            assert s.rules, f"{p.id}.{s.id} has no rule"
            for r in s.rules:
                assert r in book.rules, f"{p.id}.{s.id} cites unknown {r}"
                assert book.rules[r].citation


def test_the_eleven_procedure_ids_exist() -> None:
    assert set(bundled_procedures()) == PROCEDURE_IDS


def test_adcvd_procedures_have_order_and_sunset_events() -> None:
    for pid in ("ad_investigation", "cvd_investigation"):
        events = {e.id for e in bundled_procedures()[pid].events}
        assert {"order_published", "existing_order_recorded", "sunset_continued", "order_revoked"} <= events


def test_every_stage_is_reachable_or_initial() -> None:
    for p in bundled_procedures().values():
        targets = {e.to_stage for e in p.events} | {e.stage_on_or_after.stage for e in p.events if e.stage_on_or_after}
        for s in p.stages:
            assert s.id == p.initial_stage or s.id in targets, f"{p.id}.{s.id} unreachable"


def test_ad_cvd_header_lists_every_id_in_the_file() -> None:
    book = bundled_rules()
    path = Path(__file__).resolve().parents[2] / "src/tradepolicy/law/data/rules/ad_cvd.yaml"
    header = "".join(line for line in path.read_text().splitlines(keepends=True) if line.startswith("#"))
    listed = set(re.findall(r"adcvd\.[a-z0-9_.]+[a-z0-9_]", header))
    in_file = {rid for rid, f in book.files.items() if f == "ad_cvd.yaml"}
    assert listed == in_file


# Fact sheet s.4.3-4.6 values (decimals); tolerance: exact (values are data).
THRESHOLDS = [
    ("adcvd.ad.de_minimis_investigation", 0.02, "lt", True),
    ("adcvd.ad.de_minimis_review", 0.005, "lt", True),
    ("adcvd.cvd.de_minimis_investigation", 0.01, "lt", True),
    ("adcvd.cvd.de_minimis_developing", 0.02, "lt", True),
    ("adcvd.nv.arms_length_lower", 0.98, "ge", True),
    ("adcvd.nv.arms_length_upper", 1.02, "le", True),
    ("adcvd.nv.below_cost_share", 0.20, "ge", True),
    ("adcvd.nv.viability", 0.05, "ge", True),
    ("adcvd.nv.difmer_cap", 0.20, "le", True),
    ("adcvd.dp.cohens_d", 0.8, "ge", True),
    ("adcvd.dp.base_quantity_share", 0.05, "ge", True),
    ("adcvd.dp.ratio_lower", 0.33, "gt", False),
    ("adcvd.dp.ratio_upper", 0.66, "ge", False),
    ("adcvd.dp.meaningful_difference", 0.25, "ge", True),
    ("adcvd.cvd.grant_expensing", 0.005, "lt", False),
    ("adcvd.negligibility.individual", 0.03, "lt", True),
    ("adcvd.negligibility.aggregate", 0.07, "gt", True),
    ("adcvd.cvd.negligibility_developing_individual", 0.04, "lt", True),
    ("adcvd.cvd.negligibility_developing_aggregate", 0.09, "gt", True),
]


@pytest.mark.parametrize(("rule_id", "value", "comparison", "confirmed"), THRESHOLDS)
def test_fact_sheet_thresholds(rule_id: str, value: float, comparison: str, confirmed: bool) -> None:
    rv = rule_value(rule_id, dt.date(2025, 1, 1))
    assert rv.value == value
    assert rv.comparison == comparison
    assert rv.confirmed is confirmed


def test_expired_cvd_three_percent_rule_is_dated() -> None:
    # Fact sheet s.4.3: the 3% rule expired 8 years after the WTO Agreement (1995-01-01).
    assert rule_value("adcvd.cvd.de_minimis_early_phaseout", dt.date(2002, 12, 31)).value == 0.03
    from tradepolicy.errors import NotFoundError

    with pytest.raises(NotFoundError):
        rule_value("adcvd.cvd.de_minimis_early_phaseout", dt.date(2003, 1, 1))


def test_per_period_unconfirmed_flag() -> None:
    # Fact sheet s.5.4: principal parts 62.5/65/67.5 confirmed, final 70% unconfirmed.
    assert rule_value("usmca.roo.rvc_net_cost_principal_parts", dt.date(2022, 8, 1)).confirmed
    last = rule_value("usmca.roo.rvc_net_cost_principal_parts", dt.date(2024, 1, 1))
    assert (last.value, last.confirmed) == (0.70, False)


def test_calendars_and_seeds_load() -> None:
    cals = bundled_calendars()
    assert {"us_federal", "commerce", "usitc", "wto"} <= set(cals.defs)
    assert any(t.days == 35 and t.start == dt.date(2018, 12, 22) for t in cals.tolling)
    assert {s.id for s in load_seeds()} == {"usmca-negotiation", "ustr-301-china-ip", "ds543"}
