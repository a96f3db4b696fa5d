"""Content of the bundled reference registry: agreements, agencies and guide.

The loader's schema is tested in ``test_reference_loader.py``; these tests check what the
registry says: the seed rows, the agreements and bodies the issue names, the HTSUS programme
symbols other modules read, and that every guide link points at a live record.
"""

from __future__ import annotations

import csv
import re

import pytest

from tests.helpers import requires_dataset
from tradepolicy.literals import ProvisionArea, options_of
from tradepolicy.reference import load_agencies, load_agreements, load_guide

AGREEMENTS = {a.id: a for a in load_agreements()[1]}
AGENCIES = {a.id: a for a in load_agencies()[1]}
GUIDE = {g.id: g for g in load_guide()[1]}

# The procedure ids a guide link may name (the law engine's procedures; issue 2 brief).
PROCEDURES = {
    "tpa_negotiation", "section301", "wto_dsu", "ad_investigation", "cvd_investigation",
    "ad_admin_review", "new_shipper_review", "sunset_review", "usmca_ch31", "usmca_rrm",
    "tfa_notification",
}
PAGES = {"agreements", "agencies", "guide", "datasets"}

# Expected registry rows: id -> (parties, HTSUS General Note 3(c)(i) symbols).
# Source: USTR's list of US FTAs in force (https://ustr.gov/trade-agreements/free-trade-agreements);
# symbols as printed in the "Special" column of the HTSUS (USITC HTS 2025 Basic Edition).
FTAS = {
    "usmca": ({"USA", "MEX", "CAN"}, ["S", "S+"]),
    "us-australia": ({"USA", "AUS"}, ["AU"]),
    "us-bahrain": ({"USA", "BHR"}, ["BH"]),
    "us-chile": ({"USA", "CHL"}, ["CL"]),
    "us-colombia": ({"USA", "COL"}, ["CO"]),
    "cafta-dr": ({"USA", "CRI", "DOM", "SLV", "GTM", "HND", "NIC"}, ["P", "P+"]),
    "us-israel": ({"USA", "ISR"}, ["IL"]),
    "us-jordan": ({"USA", "JOR"}, ["JO"]),
    "korus": ({"USA", "KOR"}, ["KR"]),
    "us-morocco": ({"USA", "MAR"}, ["MA"]),
    "us-oman": ({"USA", "OMN"}, ["OM"]),
    "us-panama": ({"USA", "PAN"}, ["PA"]),
    "us-peru": ({"USA", "PER"}, ["PE"]),
    "us-singapore": ({"USA", "SGP"}, ["SG"]),
    "us-japan-ta": ({"USA", "JPN"}, ["JP"]),
    "nafta": ({"USA", "CAN", "MEX"}, ["CA", "MX"]),
}
WTO_MULTILATERAL = [
    "wto-marrakesh", "wto-gatt-1994", "wto-gats", "wto-trips", "wto-ada", "wto-scm",
    "wto-safeguards", "wto-sps", "wto-tbt", "wto-dsu", "wto-tfa",
]


def test_seed_rows_exact() -> None:
    usmca, tfa = AGREEMENTS["usmca"], AGREEMENTS["wto-tfa"]
    assert usmca.key_provisions == "Reduced tariffs, increased market access, and improved regulatory coherence"
    assert str(usmca.dates.implemented) == "2020-07-01"
    assert tfa.key_provisions == "Simplified customs procedures, reduced trade costs, and improved trade efficiency"
    assert str(tfa.dates.implemented) == "2017-02-22"


@pytest.mark.parametrize("agreement_id", sorted(FTAS))
def test_fta_parties_and_tariff_programs(agreement_id: str) -> None:
    parties, programs = FTAS[agreement_id]
    a = AGREEMENTS[agreement_id]
    assert set(a.parties) == parties and a.parties[0] == "USA"
    assert a.tariff_programs == programs


@pytest.mark.parametrize("agreement_id", WTO_MULTILATERAL)
def test_wto_multilateral_agreements(agreement_id: str) -> None:
    a = AGREEMENTS[agreement_id]
    assert a.kind == "wto_multilateral" and a.parties == ["WTO Members"] and a.status == "in_force"
    assert a.tariff_programs == []
    # The Uruguay Round agreements entered into force with the WTO (WTO legal texts); the TFA later.
    expected = "2017-02-22" if agreement_id == "wto-tfa" else "1995-01-01"
    assert str(a.dates.in_force) == expected


def test_other_named_agreements() -> None:
    ita = AGREEMENTS["wto-ita"]
    assert ita.kind == "wto_plurilateral" and ita.status == "in_force"
    dta = AGREEMENTS["us-japan-dta"]
    assert dta.parties == ["USA", "JPN"] and any(p.area == "digital_trade" for p in dta.provisions)
    assert str(AGREEMENTS["us-japan-ta"].dates.in_force) == "2020-01-01"
    nafta = AGREEMENTS["nafta"]
    assert nafta.status == "superseded" and str(nafta.dates.terminated) == "2020-07-01"
    assert str(nafta.dates.terminated) == str(AGREEMENTS["usmca"].dates.in_force)


def test_cafta_dr_entry_into_force_by_party() -> None:
    # Dates per USTR's CAFTA-DR page: each party's own entry into force with the United States.
    status = AGREEMENTS["cafta-dr"].implementation_status
    for party, date in [
        ("El Salvador", "2006-03-01"), ("Honduras", "2006-04-01"), ("Nicaragua", "2006-04-01"),
        ("Guatemala", "2006-07-01"), ("Dominican Republic", "2007-03-01"), ("Costa Rica", "2009-01-01"),
    ]:
        assert re.search(rf"{party}\s+{date}", status), f"{party} {date} missing from {status!r}"
    assert str(AGREEMENTS["cafta-dr"].dates.in_force) == "2006-03-01"


@pytest.mark.parametrize("agreement_id", sorted(AGREEMENTS))
def test_agreement_is_cited_and_consistent(agreement_id: str) -> None:
    a = AGREEMENTS[agreement_id]
    assert a.citations and a.provisions
    assert all(p.citation.title for p in a.provisions)
    assert all(p.area in options_of(ProvisionArea) for p in a.provisions)
    hrefs = [c.href for c in a.citations] + [p.citation.href for p in a.provisions]
    assert all(h is None or h.startswith("https://") for h in hrefs), hrefs
    assert all(re.fullmatch(r"[A-Z]{3}", p) for p in a.parties) or a.kind.startswith("wto_")
    d = [x for x in (a.dates.signed, a.dates.in_force, a.dates.implemented) if x is not None]
    assert d == sorted(d), f"dates out of order: {a.dates}"
    assert (a.dates.terminated is not None) == (a.status in ("terminated", "superseded"))


@pytest.mark.parametrize("agreement_id", [k for k in FTAS if k not in ("us-japan-ta",)])
def test_fta_covers_core_chapters_and_law(agreement_id: str) -> None:
    a = AGREEMENTS[agreement_id]
    areas = {p.area for p in a.provisions}
    assert {"market_access", "rules_of_origin", "dispute_settlement"} <= areas
    assert a.implementing_law and "Pub. L." in a.implementing_law and "U.S.C." in a.implementing_law


@requires_dataset("us-hts", "hts_2025_basic_edition.csv")
def test_tariff_program_symbols_occur_in_hts() -> None:
    """Every symbol in the registry is printed in the HTSUS Special column (USITC HTS 2025)."""
    from tradepolicy.datasets import dataset_path

    seen: set[str] = set()
    with open(dataset_path("us-hts", "hts_2025_basic_edition.csv"), encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            for group in re.findall(r"\(([^)]*)\)", row["Special Rate of Duty"]):
                seen.update(s.strip() for s in group.split(","))
    symbols = {s for a in AGREEMENTS.values() for s in a.tariff_programs}
    assert symbols and symbols <= seen, symbols - seen


def test_agencies_include_every_body_the_issue_names() -> None:
    names = " | ".join(a.name for a in AGENCIES.values())
    for body in [
        "Department of Commerce", "Department of State", "Department of Agriculture",
        "Department of the Treasury", "Department of Labor", "International Trade Commission",
        "Customs and Border Protection", "Ways and Means", "Committee on Finance",
        "Trade Policy Staff Committee", "Trade Policy Review Group", "National Economic Council",
        "National Security Council", "Advisory Committee for Trade Policy and Negotiations",
        "Industry Trade Advisory Committees", "Agricultural Technical Advisory Committees",
        "Office of the United States Trade Representative",
    ]:
        assert body in names, body


def test_agency_parents_resolve_and_roles_cited() -> None:
    for a in AGENCIES.values():
        assert a.parent is None or a.parent in AGENCIES, (a.id, a.parent)
        assert a.role.strip() and a.citations
    assert AGENCIES["ustr"].kind == "eop" and AGENCIES["tpsc"].parent == "ustr"
    assert "2155" in " ".join(c.title for c in AGENCIES["trade-advisory-committees"].citations)


def test_guide_links_resolve() -> None:
    for g in GUIDE.values():
        assert g.links, g.id
        for link in g.links:
            target = {
                "agreement": AGREEMENTS, "agency": AGENCIES, "procedure": PROCEDURES, "page": PAGES,
            }.get(link.kind, set())
            assert link.id in target, f"{g.id}: {link.kind}:{link.id} does not resolve"


def test_guide_covers_the_issue_topics() -> None:
    assert {
        "what-is-ustr", "ustr-primary-goal", "ustr-responsibilities", "how-ustr-negotiates",
        "negotiation-strategies", "enforcement-tools", "enforcement-priorities", "usmca-overview",
        "tfa-overview", "section-301", "special-301", "national-trade-estimate",
        "trade-promotion-authority", "advisory-committees", "interagency-process", "ad-cvd-basics",
        "usmca-rrm", "gsp", "trade-policy-agenda", "public-comment-dockets",
        "business-confidential-information",
    } <= set(GUIDE)
    stages = GUIDE["how-ustr-negotiates"].body
    for n in ("1. Pre-negotiation", "2. Notification to Congress", "3. Negotiation",
              "4. Agreement and congressional approval", "5. Implementation"):
        assert n in stages, n
    assert all(g.citations and g.keywords for g in GUIDE.values())


def test_registry_is_what_the_database_serves() -> None:
    from tradepolicy.services.agreements import list_agencies, list_agreements

    assert {a.id for a in list_agreements()} == set(AGREEMENTS)
    assert {a.id for a in list_agencies()} == set(AGENCIES)
