"""Duty stacks of real cases, each with its hand check beside it, and the bad inputs.

Hand checks read the base rate from the data (the 2017 database before 2024, the 2024/2025
editions after) and add the Chapter 99 rates of tariffs/measures/*.yaml, which cite the
law factsheet (shared/reference/law-factsheet.md §2.2). Tolerance 1e-9 (decimal sums).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tests.tariffs.conftest import text_of
from tradepolicy.errors import InputError, NotFoundError
from tradepolicy.services import tariffs as svc
from tradepolicy.tariffs.rate_text import parse_rate

TOL = 1e-9
pytestmark = [requires_dataset("us-hts"), requires_dataset("section301-china"),
              requires_dataset("section232")]


def _mfn_2017(hts8: str) -> float:
    row = svc.db2017().set_index("hts8").loc[hts8]
    rate = parse_rate(str(row["mfn_text_rate"])).ave()
    assert rate is not None
    return rate


def _layers(s: object, layer: str) -> list[object]:
    return [ly for ly in s.layers if ly.layer == layer]  # type: ignore[attr-defined]


def test_list1_line_from_china_before_and_on_2018_07_06() -> None:
    # 8408.10.00 (marine propulsion engines) is on List 1 (USITC table: 9903.88.01).
    # Hand check: 2017 db MFN "2.5%"; 2018-07-05 -> 2.5%; 2018-07-06 -> 2.5% + 25% = 27.5%.
    assert svc.s301_coverage()["84081000"] == "9903.88.01"
    mfn = _mfn_2017("84081000")
    before = svc.stack("8408.10.00", "CHN", "2018-07-05")
    on = svc.stack("8408.10.00", "CHN", "2018-07-06")
    assert before.total_ave == pytest.approx(mfn, abs=TOL) and not _layers(before, "chapter99")
    assert on.total_ave == pytest.approx(mfn + 0.25, abs=TOL)
    (layer,) = _layers(on, "chapter99")
    assert (layer.authority, layer.heading) == ("Section 301", "9903.88.01") and layer.citation
    assert on.source.startswith("USITC tariff database 2017")


def test_list3_line_at_10_then_25_percent() -> None:
    # 0302.89.11 (fish) is on List 3 (9903.88.03). Hand check: 2017 MFN "3%";
    # 2018-09-24 -> 3% + 10% = 13%; 2019-05-10 -> 3% + 25% = 28%.
    assert svc.s301_coverage()["03028911"] == "9903.88.03"
    mfn = _mfn_2017("03028911")
    assert mfn == pytest.approx(0.03, abs=TOL)
    assert svc.stack("0302.89.11", "CHN", "2018-09-24").total_ave == pytest.approx(0.13, abs=TOL)
    assert svc.stack("0302.89.11", "CHN", "2019-05-09").total_ave == pytest.approx(0.13, abs=TOL)
    assert svc.stack("0302.89.11", "CHN", "2019-05-10").total_ave == pytest.approx(0.28, abs=TOL)


def test_list4a_line_before_and_after_2020_02_14() -> None:
    # 0201.10.50 (beef carcasses) is on List 4A (9903.88.15). Hand check: 2017 MFN "26.4%";
    # 2020-02-13 -> 26.4% + 15% = 41.4%; 2020-02-14 -> 26.4% + 7.5% = 33.9%.
    assert svc.s301_coverage()["02011050"] == "9903.88.15"
    mfn = _mfn_2017("02011050")
    assert svc.stack("0201.10.50", "CHN", "2020-02-13").total_ave == pytest.approx(mfn + 0.15, abs=TOL)
    assert svc.stack("0201.10.50", "CHN", "2020-02-14").total_ave == pytest.approx(mfn + 0.075, abs=TOL)


def test_list4b_is_suspended() -> None:
    # A 9903.88.16 line pays no 301 duty on any date (List 4B never took effect).
    code = next(k for k, h in svc.s301_coverage().items() if h == "9903.88.16" and len(k) == 8
                and k in svc.source("db2017").codes)
    s = svc.stack(code, "CHN", "2020-06-01")
    assert not _layers(s, "chapter99") and any("suspended" in n for n in s.notes)


def test_excluded_line_inside_and_after_its_window() -> None:
    # 8412.21.00.75 was excluded from List 1 by the first notice (83 FR 67463, published
    # 2018-12-28, retroactive to 2018-07-06, expired 2019-12-28). Hand check, 2017 MFN
    # "Free": 2019-06-01 -> 0% (excluded); 2020-01-15 -> 0% + 25% = 25%.
    windows = svc.s301_exclusions()["8412210075"]
    assert windows[0].start == dt.date(2018, 7, 6) and windows[0].end == dt.date(2019, 12, 28)
    inside = svc.stack("8412.21.00.75", "CHN", "2019-06-01")
    after = svc.stack("8412.21.00.75", "CHN", "2020-01-15")
    assert inside.total_ave == pytest.approx(0.0, abs=TOL)
    assert any("excluded" in (ly.note or "") or "exclusion" in ly.citation for ly in _layers(inside, "chapter99"))
    assert after.total_ave == pytest.approx(0.25, abs=TOL)


def test_section232_steel_from_united_kingdom_and_japan(hts2025: pd.DataFrame) -> None:
    # 7301.20.10.00 is a steel line of the Section 232 list (default 50%, UK 25% from
    # 2025-06-04). Hand check on 2025-07-01, HTS 2025 general rate "Free":
    # GBR -> 0 + 25% = 25%; JPN -> 0 + 50% = 50%. On 2019-07-01 both paid 25%.
    assert parse_rate(text_of(hts2025, "7301201000", "general")).kind == "free"
    gbr = svc.stack("7301.20.10.00", "GBR", "2025-07-01")
    jpn = svc.stack("7301.20.10.00", "JPN", "2025-07-01")
    assert gbr.total_ave == pytest.approx(0.25, abs=TOL) and jpn.total_ave == pytest.approx(0.50, abs=TOL)
    assert _layers(gbr, "chapter99")[0].authority == "Section 232"
    # On 2019-07-01 7301.20 (welded angles, shapes) was outside the 2018 scope: Proc. 9705
    # cl.1 (as amended by Proc. 9711) covers HS6 7216.99 through 7301.10, so 7301.10 sheet
    # piling paid 25% (GBR then in the EU, whose exemption ended 2018-06-01; JPN no
    # exemption before its 2022 TRQ) and 7301.20 paid nothing. (The old expectation of 25%
    # on 7301.20 came from applying the 2025 list back to 2018: factually wrong.)
    assert svc.stack("7301.20.10.00", "GBR", "2019-07-01").total_ave == pytest.approx(0.0, abs=TOL)
    assert svc.stack("7301.10.00", "GBR", "2019-07-01").total_ave == pytest.approx(0.25, abs=TOL)
    assert svc.stack("7301.10.00", "JPN", "2019-07-01").total_ave == pytest.approx(0.25, abs=TOL)


def test_korus_line_from_korea_and_china(hts2025: pd.DataFrame) -> None:
    # 0201.10.50 in HTS 2025: general "26.4%", special "... 1.7% (KR) ...". Hand check on
    # 2025-03-01: KOR -> KORUS 1.7%; CHN -> 26.4% + 7.5% (List 4A) + 10% IEEPA fentanyl
    # (EO 14195, from 2025-02-04; the 20% rate began 2025-03-04) = 43.9%. (The old expectation,
    # 33.9%, left out the IEEPA duty in force on the date: factually wrong.)
    mfn = parse_rate(text_of(hts2025, "02011050", "general")).ave()
    assert mfn == pytest.approx(0.264, abs=TOL)
    kor = svc.stack("0201.10.50", "KOR", "2025-03-01")
    chn = svc.stack("0201.10.50", "CHN", "2025-03-01")
    assert kor.total_ave == pytest.approx(0.017, abs=TOL)
    (pref,) = _layers(kor, "preference")
    assert "KR" in pref.authority
    assert chn.total_ave == pytest.approx(0.264 + 0.075 + 0.10, abs=TOL)
    assert kor.source == "HTS 2025 Basic Edition"


def test_column2_for_cuba() -> None:
    # 0101.30.00.00: column 2 "15%" (General Note 3(b) applies to Cuba): 15%, no preference.
    s = svc.stack("0101.30.00.00", "CUB", "2025-03-01")
    assert s.total_ave == pytest.approx(0.15, abs=TOL) and s.layers[0].authority == "HTS column 2"


def test_adcvd_flag_matched_through_itip() -> None:
    # Hot-rolled steel from Japan: USITC orders in place list A-588-874 (2020-08); I-TIP HS
    # codes include 7208.10.15. The stack flags it as a layer with the case number.
    s = svc.stack("7208.10.15", "JPN", "2019-01-01")
    flags = _layers(s, "adcvd")
    assert any("A-588-874" in f.rate_text for f in flags)
    assert svc.stack("7208.10.15", "AUS", "2019-01-01").total_ave is not None


def test_source_selection_before_and_between_editions() -> None:
    # 2010 is before every source: the earliest (2017 db) is used; 2024-06-01 uses HTS 2024.
    assert svc.stack("0101.30.00.00", "FRA", "2010-01-01").source.startswith("USITC tariff database 2017")
    assert svc.stack("0101.30.00.00", "FRA", "2024-06-01").source == "HTS 2024 Basic Edition"


# --- bad input ---------------------------------------------------------------------------------


def test_malformed_code_gives_form_and_example() -> None:
    with pytest.raises(InputError) as e:
        svc.stack("8412.21.0", "CHN", "2020-01-01")
    assert e.value.expected and e.value.example == "8471.30.01.00"


def test_code_not_in_revision_gives_nearest() -> None:
    with pytest.raises(NotFoundError) as e:
        svc.stack("8412.21.00.99", "CHN", "2025-01-15")
    assert "8412.21.00.75" in e.value.details["nearest"]


def test_unknown_origin() -> None:
    with pytest.raises(InputError) as e:
        svc.stack("0101.30.00.00", "XXX", "2025-01-15")
    assert e.value.field == "origin"


def test_date_before_hts_gives_range() -> None:
    with pytest.raises(InputError) as e:
        svc.stack("0101.30.00.00", "FRA", "1988-12-31")
    assert e.value.details["range"][0] == "1989-01-01"


def test_future_date_assumes_measures_continue() -> None:
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    s = svc.stack("0201.10.50", "CHN", future)
    assert any("assumed to continue" in n for n in s.notes)
    assert s.total_ave == svc.stack("0201.10.50", "CHN", dt.date.today()).total_ave


def test_batch_agrees_with_single_stacks(tmp_path: object) -> None:
    # The vectorised batch and the scalar stack are two code paths over the same measures:
    # they must agree line by line (tolerance 1e-12) for 2025-07-01 on CHN, GBR, KOR, CUB.
    frame = svc.batch_frame("2025-07-01", ["CHN", "GBR", "KOR", "CUB"])
    lines = frame["hts"].cat.categories
    for prefix in ("02011050", "7301201000", "0101300000", "8412210075", "0402295000"):
        code = next(c for c in lines if c.startswith(prefix))
        for o in ("CHN", "GBR", "KOR", "CUB"):
            row = frame[(frame["hts"] == code) & (frame["origin"] == o)].iloc[0]
            single = svc.stack(code, o, "2025-07-01").total_ave
            if single is None:  # not statable in either path (specific rate, no AVE known)
                assert pd.isna(row["total"]), (code, o)
            else:
                assert row["total"] == pytest.approx(single, abs=1e-12), (code, o)


def test_hts8_without_own_row_uses_its_statistical_line() -> None:
    # HTS 2025 prints 0101.30.00.00 (6.8%) with no 8-digit row 0101.30.00; from China on
    # 2025-06-01 (List 4A 7.5%, IEEPA fentanyl 20% and reciprocal 10%): 6.8% + 7.5% + 30% =
    # 44.3%, from the 2025 edition, with a note. (The old 14.3% left out the IEEPA duties.)
    s = svc.stack("0101.30.00", "CHN", "2025-06-01")
    assert s.source == "HTS 2025 Basic Edition" and s.total_ave == pytest.approx(0.443, abs=TOL)
    assert any("no row of its own" in n for n in s.notes)


def test_specific_rate_converted_with_the_entry_unit_value(hts2025: pd.DataFrame) -> None:
    # 0402.29.50.00 prints "$1.104/kg + 14.9%". An entry of 1,000 kg worth US$5,000 from
    # France on 2025-03-01 (no preference, no Ch.99): unit value 5 US$/kg; AVE
    # 0.149 + 1.104/5 = 0.3698; duty 0.3698 x 5,000 = US$1,849. Hand arithmetic, tol 1e-9.
    assert text_of(hts2025, "0402295000", "general") == "$1.104/kg + 14.9%"
    s = svc.stack_entry("0402.29.50.00", "FRA", "2025-03-01", value_usd=5000.0, quantity=1000.0)
    assert s.stack.total_ave == pytest.approx(0.3698, abs=TOL)
    assert s.duty_usd == pytest.approx(1849.0, abs=1e-6)
    assert s.to_dict()["duty_usd"] == s.duty_usd and s.to_dict()["unit_value_usd"] == pytest.approx(5.0)
    with pytest.raises(InputError):
        svc.stack_entry("0402.29.50.00", "FRA", "2025-03-01", value_usd=5000.0)


def test_usmca_claims_nafta_symbols_in_the_2017_schedule() -> None:
    # 2022-01-01 falls in the 2017 database period; 0101.30.00 prints "Free (..., MX, ...)"
    # (NAFTA) there. USMCA (S) succeeds NAFTA (stacking.yaml successor_symbols): Mexico
    # pays 0 instead of the 6.8% MFN. Hand check: 6.8% -> Free.
    s = svc.stack("0101.30.00", "MEX", "2022-01-01")
    assert s.source.startswith("USITC tariff database 2017")
    (pref,) = _layers(s, "preference")
    assert "MX" in pref.authority and s.total_ave == pytest.approx(0.0, abs=TOL)


def test_cafta_dr_preference_starts_on_each_partys_own_date() -> None:
    # CAFTA-DR entered into force for El Salvador on 2006-03-01 but for Costa Rica only on
    # 2009-01-01 (agreements registry party_dates; USTR CAFTA-DR page). 6109.10.00 in the 2017
    # database: MFN "16.5%", special "Free (...,P,...)". Hand check: CRI on 2008-06-01 pays
    # 16.5% (no P yet); CRI on 2009-06-01 and SLV on 2008-06-01 pay 0 under P. Tolerance TOL.
    assert svc.stack("6109.10.00", "CRI", "2008-06-01").total_ave == pytest.approx(0.165, abs=TOL)
    assert svc.stack("6109.10.00", "CRI", "2009-06-01").total_ave == pytest.approx(0.0, abs=TOL)
    slv = svc.stack("6109.10.00", "SLV", "2008-06-01")
    assert slv.total_ave == pytest.approx(0.0, abs=TOL)
    (pref,) = _layers(slv, "preference")
    assert "P" in pref.authority


def test_gsp_country_exclusion_of_an_a_star_line() -> None:
    # 1602.50.08 in the 2017 database: MFN "4.5%", special "Free(A*,...)", gsp_ctry_excluded
    # "BR" (General Note 4(d)). Hand check on 2019-06-01 (GSP in force, Brazil a beneficiary):
    # BRA pays 4.5% with a note; IDN (not excluded on this line) pays 0 under A*. The batch
    # gives the same (tolerance 1e-12).
    row = svc.db2017().set_index("hts8").loc["16025008"]
    assert row["gsp_ctry_excluded"] == "BR" and str(row["col1_special_text"]).startswith("Free(A*")
    bra = svc.stack("1602.50.08", "BRA", "2019-06-01")
    idn = svc.stack("1602.50.08", "IDN", "2019-06-01")
    assert bra.total_ave == pytest.approx(_mfn_2017("16025008"), abs=TOL) == pytest.approx(0.045)
    assert not _layers(bra, "preference") and any("excluded from GSP" in n for n in bra.notes)
    assert idn.total_ave == pytest.approx(0.0, abs=TOL) and _layers(idn, "preference")
    frame = svc.batch_frame("2019-06-01", ["BRA", "IDN"])
    sub = frame[frame["hts"] == "16025008"].set_index("origin")["total"]
    assert sub["BRA"] == pytest.approx(0.045, abs=1e-12) and sub["IDN"] == pytest.approx(0.0, abs=1e-12)


def test_2017_database_lines_with_two_rows_use_the_later_one_and_batch_runs(tmp_path: object) -> None:
    # 3701.99.30 has two rows in the 2017 database: "3.6%" to 2017-06-30 and "2.4%" from
    # 2017-07-01 (file order: the later row first, so a last-row-wins lookup took 3.6%).
    # Hand check: from France on 2019-06-01 -> 2.4%; on 2017-03-01 also 2.4%, with a note
    # naming the 3.6% printed until 2017-06-30. The batch of a pre-2024 date used to fail on
    # the duplicate codes ("Categorical categories must be unique"). Tolerance TOL.
    assert svc.stack("3701.99.30", "FRA", "2019-06-01").total_ave == pytest.approx(0.024, abs=TOL)
    early = svc.stack("3701.99.30", "FRA", "2017-03-01")
    assert early.total_ave == pytest.approx(0.024, abs=TOL)
    assert any("'3.6%'" in n for n in early.notes)
    frame = svc.batch_frame("2019-06-01", ["FRA"])
    assert frame["hts"].is_unique
    row = frame[frame["hts"] == "37019930"].iloc[0]
    assert row["total"] == pytest.approx(0.024, abs=1e-12)


def test_stack_says_when_the_schedule_used_is_not_of_the_date() -> None:
    # Sources (sources.yaml): 2017 database from 2017-01-01, HTS 2024 from 2024-01-01.
    # 2010-01-01 precedes every source; 2023-06-01 is 6+ years after the 2017 database began.
    assert any("earliest" in n for n in svc.stack("0101.30.00.00", "FRA", "2010-01-01").notes)
    assert any("not reflected" in n for n in svc.stack("0101.30.00.00", "FRA", "2023-06-01").notes)
    s = svc.stack("0101.30.00.00", "FRA", "2024-06-01")
    assert not any("earliest" in n or "not reflected" in n for n in s.notes)


def test_code_of_another_edition_is_an_error_naming_where_it_exists() -> None:
    # 0603.19.01.95 is a statistical line of HTS 2024 but not of HTS 2025 (2025 splits it into
    # other suffixes). On 2025-06-01 it used to be stacked silently with HTS 2024 rates; now it
    # is a NotFoundError with the nearest HTS 2025 codes and the schedules that hold it.
    assert "0603190195" in svc.source("hts2024").codes
    assert "0603190195" not in svc.source("hts2025").codes
    with pytest.raises(NotFoundError) as e:
        svc.stack("0603.19.01.95", "COL", "2025-06-01")
    assert e.value.details["nearest"] and all(c.startswith("0603.19.01") for c in e.value.details["nearest"])
    assert any(s.startswith("HTS 2024") for s in e.value.details["found_in"])
    assert svc.stack("0603.19.01.95", "COL", "2024-06-01").source == "HTS 2024 Basic Edition"


def test_batch_drops_duplicate_origins() -> None:
    # '--origin CHN --origin chn' raised "Categorical categories must be unique".
    frame = svc.batch_frame("2025-07-01", ["CHN", "chn"])
    assert list(frame["origin"].cat.categories) == ["CHN"] and frame["hts"].is_unique


def test_section232_match_through_a_4_digit_heading_prefix_is_flagged() -> None:
    # The Section 232 list (2025-12-04) gives automobile_parts the bare heading 8471, so every
    # computer (8471.30.01.00, laptops) from Germany gets +25% on 2025-07-01. The layer keeps
    # the list's rate but says the match is heading-wide; an 8-digit steel match says nothing.
    s = svc.stack("8471.30.01.00", "DEU", "2025-07-01")
    (layer,) = _layers(s, "chapter99")
    assert layer.ave == pytest.approx(0.25, abs=TOL) and "4-digit heading prefix 8471" in (layer.note or "")
    steel = _layers(svc.stack("7301.20.10.00", "JPN", "2025-07-01"), "chapter99")
    assert all("heading prefix" not in (ly.note or "") for ly in steel)


def test_stacks_after_the_2025_edition_say_later_measures_are_not_modelled() -> None:
    # us-hts PROVENANCE: HTS 2025 Basic Edition = January 2025, before the IEEPA headings.
    assert any("IEEPA" in n for n in svc.stack("8471.30.01.00", "CHN", "2025-07-01").notes)
    assert not any("IEEPA" in n for n in svc.stack("8471.30.01.00", "CHN", "2025-01-15").notes)


def test_duty_on_an_ad_valorem_entry_needs_no_quantity() -> None:
    # 0201.10.50 from China on 2020-06-01: 26.4% (2017 db MFN) + 7.5% (List 4A) = 33.9%;
    # an entry worth US$10,000 pays US$3,390 (hand arithmetic, tol 1e-6). It used to ask for
    # a quantity, which an ad valorem duty does not need.
    s = svc.stack_entry("0201.10.50", "CHN", "2020-06-01", value_usd=10_000.0)
    assert s.duty_usd == pytest.approx(3390.0, abs=1e-6)
    with pytest.raises(InputError) as e:  # a specific part still needs the quantity
        svc.stack_entry("0402.29.50.00", "FRA", "2025-03-01", value_usd=5000.0)
    assert e.value.field == "quantity"
