"""2025-2026 tariff facts checked against the Federal Register / proclamation texts (issue 13).

Each test pins a fact of tariffs/measures/*.yaml that the verification of 2026-12-07 confirmed
or corrected; the source is written beside it (full citations in the YAML and in
docs/tariff-facts-verification.md). Rates are exact decimals from the texts: tolerance 1e-9.
Base rates are read from the HTS 2025 Basic Edition (6110.20.20.10, cotton sweaters: 16.5%).
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import requires_dataset
from tradepolicy.services import tariffs as svc
from tradepolicy.services.tariffs.common import measures
from tradepolicy.tariffs.country_actions import action_rate, country_action_duties

TOL = 1e-9
pytestmark = [requires_dataset("us-hts"), requires_dataset("section232"), requires_dataset("us-tariff-history"),
              requires_dataset("section301-china")]
SWEATER = "6110.20.20.10"  # not in Annex II, no Section 232 duty, MFN 16.5%


def _ch99(code: str, origin: str, date: str) -> dict[str, float | None]:
    s = svc.stack(code, origin, date)
    return {ly.authority: ly.ave for ly in s.layers if ly.layer == "chapter99"}


def _layer(code: str, origin: str, date: str, authority: str) -> object:
    s = svc.stack(code, origin, date)
    return next(ly for ly in s.layers if ly.layer == "chapter99" and ly.authority == authority)


def _action(name: str, origin: str, date: str) -> float | None:
    cfg = measures()["country_actions"]
    r = action_rate(cfg["actions"][name], origin, dt.date.fromisoformat(date), frozenset(cfg.get("eu_members") or ()))
    return None if r is None else (r.rate if r.rate is not None else r.floor)


# EO 14257 Annex I as corrected before 2025-04-09 (NDTV Profit/Bloomberg 2025-04-03 name 14 economies
# one point lower than the first release; easyisf.com and the 2025-04-02 chart give the figures).
# The tracker file reciprocal-tariffs-annex-I.csv holds the first release (IND 27, KOR 26, CHE 32 ...).
@pytest.mark.parametrize(("origin", "rate"), [("IND", 0.26), ("KOR", 0.25), ("CHE", 0.31), ("MMR", 0.44),
                                              ("THA", 0.36), ("ZAF", 0.30), ("BIH", 0.35), ("NOR", 0.15),
                                              ("VNM", 0.46)])
def test_annex_i_rates_as_corrected_on_2025_04_09(origin: str, rate: float) -> None:
    assert _ch99(SWEATER, origin, "2025-04-09")["IEEPA (reciprocal)"] == pytest.approx(rate, abs=TOL)
    # EO 14266 (90 FR 15625): paused to 10% from 2025-04-10
    assert _ch99(SWEATER, origin, "2025-04-10")["IEEPA (reciprocal)"] == pytest.approx(0.10, abs=TOL)


def test_korea_15_percent_inclusive_only_from_2025_11_14() -> None:
    # EO 14326 Annex I: Korea 15% flat from 2025-08-07 (9903.02.56); the ITA/USTR notice 90 FR 55964
    # (FR Doc 2025-21940) makes it 15% inclusive of MFN retroactive to 2025-11-14, not 2025-11-01.
    assert _ch99(SWEATER, "KOR", "2025-11-10")["IEEPA (reciprocal)"] == pytest.approx(0.15, abs=TOL)
    # MFN 16.5% >= 15%: no reciprocal duty once the inclusive rule applies
    assert _ch99(SWEATER, "KOR", "2025-11-14")["IEEPA (reciprocal)"] == pytest.approx(0.0, abs=TOL)


def test_india_keeps_25_percent_reciprocal_after_2026_02_07() -> None:
    # The 2026-02-06 joint statement announced 18% without an effective date; no implementing order
    # was found before IEEPA collection ended (EY 2026-02-10). The Russian-oil 25% (EO 14329) ends
    # 2026-02-07 (EO of 2026-02-06); it started 2025-08-27 (21 days after EO 14329 of 2025-08-06).
    assert _ch99(SWEATER, "IND", "2026-02-10") == {"IEEPA (reciprocal)": pytest.approx(0.25, abs=TOL)}
    assert _action("ieepa_russia_oil", "IND", "2025-08-26") is None
    assert _action("ieepa_russia_oil", "IND", "2025-08-27") == pytest.approx(0.25, abs=TOL)
    assert _action("ieepa_russia_oil", "IND", "2026-02-07") is None


def test_fentanyl_dates_from_the_orders() -> None:
    # EO 14195 sec. 2(d) (90 FR 9123): China +10% from 2025-02-04; EO of 2025-11-04: 20% -> 10% from 2025-11-10.
    assert _action("ieepa_fentanyl", "CHN", "2025-02-03") is None
    assert _action("ieepa_fentanyl", "CHN", "2025-02-04") == pytest.approx(0.10, abs=TOL)
    assert _action("ieepa_fentanyl", "CHN", "2025-11-09") == pytest.approx(0.20, abs=TOL)
    assert _action("ieepa_fentanyl", "CHN", "2025-11-10") == pytest.approx(0.10, abs=TOL)
    # EO 14325 (90 FR 37957): Canada 35% from 12:01 a.m. EDT 2025-08-01 (not the tracker's 2025-07-01)
    assert _action("ieepa_fentanyl", "CAN", "2025-07-15") == pytest.approx(0.25, abs=TOL)
    assert _action("ieepa_fentanyl", "CAN", "2025-08-01") == pytest.approx(0.35, abs=TOL)
    # CBP stopped collecting on goods entered from 12:00 a.m. ET 2026-02-24 (Learning Resources v. Trump)
    assert _action("ieepa_fentanyl", "CAN", "2026-02-23") == pytest.approx(0.35, abs=TOL)
    assert _action("ieepa_fentanyl", "CAN", "2026-02-24") is None


def test_fentanyl_does_not_stack_on_section_232_from_2025_03_04() -> None:
    # EO 14289 (90 FR 18907) is retroactive to 2025-03-04: a non-USMCA Canadian good subject to a
    # Section 232 duty pays no fentanyl duty from then on (the former start was 2025-04-29).
    cfg = measures()["country_actions"]
    lists = svc.country_action_lists()

    def fentanyl(date: str, has_232: bool) -> list[float]:
        out, _notes = country_action_duties("7208510030", "CAN", dt.date.fromisoformat(date), cfg, lists,
                                            mfn_ave=0.0, has_232=has_232, usmca_qualifying=False)
        return [d.rate for d in out if d.authority == "IEEPA (fentanyl)"]

    assert fentanyl("2025-03-20", has_232=True) == []
    assert fentanyl("2025-03-20", has_232=False) == [pytest.approx(0.25, abs=TOL)]
    assert fentanyl("2025-03-03", has_232=True) == []  # not yet in force (2025-03-04)
    # the stack: Canadian steel on 2025-03-20 carries the 232 duty alone
    assert _ch99("7208.51.00.30", "CAN", "2025-03-20") == {"Section 232": pytest.approx(0.25, abs=TOL)}


def test_semiconductor_232_from_2026_01_15() -> None:
    # Proclamation 11002 of 2026-01-14: 25% from 12:01 a.m. ET 2026-01-15 (the tracker said 2026-01-16).
    assert "Section 232 (semiconductors)" not in _ch99("8471.50.01.10", "TWN", "2026-01-14")
    assert _ch99("8471.50.01.10", "TWN", "2026-01-15")["Section 232 (semiconductors)"] == pytest.approx(0.25, abs=TOL)


def test_buses_pay_10_percent_under_9903_74_02() -> None:
    # Proclamation 10984 (90 FR 48451), CBP guidance: buses of 8702 at 10% under 9903.74.02
    # (9903.74.03 is the non-US content of USMCA MHD vehicles); from 2025-11-01.
    ly = _layer("8702.10.31.00", "DEU", "2025-12-01", "Section 232")
    assert ly.heading == "9903.74.02" and ly.ave == pytest.approx(0.10, abs=TOL)  # type: ignore[attr-defined]
    assert "Section 232" not in _ch99("8702.10.31.00", "DEU", "2025-10-31")


@pytest.mark.parametrize(("code", "before", "after", "start"), [
    ("8703.23.01.90", "2025-10-31", "2025-11-01", "autos: 90 FR 55964 retroactive to 2025-11-01"),
    ("9401.61.40.11", "2025-11-13", "2025-11-14", "wood products: 90 FR 55964 retroactive to 2025-11-14"),
])
def test_korea_list_rate_only_from_the_deal_notice(code: str, before: str, after: str, start: str) -> None:
    # The Section 232 list (2025-12-04) gives Korea 15%; the deal notice dates it (start), so before
    # it Korea pays the default 25% (Proc. 10908 autos; Proc. 10976 upholstered furniture).
    assert _ch99(code, "KOR", before)["Section 232"] == pytest.approx(0.25, abs=TOL), start
    assert _ch99(code, "KOR", after)["Section 232"] == pytest.approx(0.15, abs=TOL), start


def test_confirmed_layers_carry_no_unconfirmed_flag() -> None:
    # EO 14326 Annex I (Vietnam 20%), the Section 122 surcharge and the semiconductor action were
    # confirmed; the Section 301 Brazil action (final notice not found) stays UNCONFIRMED.
    assert "UNCONFIRMED" not in (_layer(SWEATER, "VNM", "2025-09-01", "IEEPA (reciprocal)").note or "")  # type: ignore[attr-defined]
    assert "UNCONFIRMED" not in (_layer(SWEATER, "VNM", "2026-03-01", "Section 122").note or "")  # type: ignore[attr-defined]
    assert "UNCONFIRMED" not in (_layer("8471.50.01.10", "TWN", "2026-02-01",  # type: ignore[attr-defined]
                                        "Section 232 (semiconductors)").note or "")
    assert "UNCONFIRMED" in (_layer(SWEATER, "BRA", "2026-07-25", "Section 301 (Brazil)").note or "")  # type: ignore[attr-defined]


def test_canadian_unwrought_aluminium_paid_10_percent_2020_08_16_to_08_31() -> None:
    # Proclamation 10060 of 2020-08-06: +10% on 7601.10 of Canada from 2020-08-16; duty-free again
    # retroactive to 2020-09-01 (USTR 2020-09-15; proclamation of 2020-10-27). Other origins unchanged.
    assert _ch99("7601.10.30.00", "CAN", "2020-08-15")["Section 232"] == pytest.approx(0.0, abs=TOL)
    assert _ch99("7601.10.30.00", "CAN", "2020-08-16")["Section 232"] == pytest.approx(0.10, abs=TOL)
    assert _ch99("7601.10.30.00", "CAN", "2020-09-01")["Section 232"] == pytest.approx(0.0, abs=TOL)
    assert _ch99("7601.10.30.00", "AUS", "2020-08-20")["Section 232"] == pytest.approx(0.0, abs=TOL)
    assert _ch99("7601.10.30.00", "IND", "2020-08-20")["Section 232"] == pytest.approx(0.10, abs=TOL)
    # alloyed unwrought aluminium (7601.20) of Canada stayed free
    assert _ch99("7601.20.90.95", "CAN", "2020-08-20").get("Section 232", 0.0) == pytest.approx(0.0, abs=TOL)


def test_uk_aluminium_tariff_rate_quota_from_2022_06_01() -> None:
    # Proclamation of 2022-05-31: UK aluminium TRQ from 2022-06-01 (STR, GHY); HTS 2024/2025 carve the
    # in-quota entries out of 9903.85.01 (subheadings 9903.85.50-.66, "Aluminum products of the UK").
    assert _ch99("7601.10.30.00", "GBR", "2022-05-31")["Section 232"] == pytest.approx(0.10, abs=TOL)
    assert _ch99("7601.10.30.00", "GBR", "2023-06-01")["Section 232"] == pytest.approx(0.0, abs=TOL)
    over = svc.stack("7601.10.30.00", "GBR", "2023-06-01", over_quota=True)
    assert [ly.ave for ly in over.layers if ly.authority == "Section 232"] == [pytest.approx(0.10, abs=TOL)]


def test_2018_country_arrangements_and_turkey() -> None:
    # Proc. 9740: Argentina exempt without quota in May 2018; Proc. 9759: absolute quota from 2018-06-01.
    may = _layer("7208.51.00.30", "ARG", "2018-05-15", "Section 232")
    june = _layer("7208.51.00.30", "ARG", "2018-06-15", "Section 232")
    assert "absolute quota" not in (may.note or "") and "absolute quota" in (june.note or "")  # type: ignore[attr-defined]
    # Proc. 9772 (83 FR 40429): Turkey 50% from 2018-08-13; Proc. 9886 (84 FR 23421): 25% from 2019-05-21
    assert _ch99("7208.51.00.30", "TUR", "2018-08-12")["Section 232"] == pytest.approx(0.25, abs=TOL)
    tur = _layer("7208.51.00.30", "TUR", "2018-09-01", "Section 232")
    assert tur.ave == pytest.approx(0.50, abs=TOL) and "UNCONFIRMED" not in (tur.note or "")  # type: ignore[attr-defined]
    assert _ch99("7208.51.00.30", "TUR", "2019-05-21")["Section 232"] == pytest.approx(0.25, abs=TOL)
