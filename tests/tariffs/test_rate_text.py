"""Rate-text parser: golden cases from real HTS lines, every unparsed form, AVEs.

Golden cases read the line's text from the mirror (never a copied extract) and check the
parse against the printed text by hand; tolerance 1e-12 (exact decimal arithmetic).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.helpers import requires_dataset
from tests.tariffs.conftest import text_of
from tradepolicy.tariffs.rate_text import form_of, parse_rate, parse_special

TOL = 1e-12
FIXTURE = Path(__file__).parent / "fixtures" / "unparsed_forms.yaml"
pytestmark = requires_dataset("us-hts")


def test_ad_valorem_free_and_column2_of_asses(hts2025: pd.DataFrame) -> None:
    # 0101.30.00.00 (asses): printed "6.8%", special "Free (A+,AU,...)", column 2 "15%".
    general = parse_rate(text_of(hts2025, "0101300000", "general"))
    assert general.kind == "ad_valorem" and general.ad_valorem == pytest.approx(0.068, abs=TOL)
    col2 = parse_rate(text_of(hts2025, "0101300000", "col2"))
    assert col2.ad_valorem == pytest.approx(0.15, abs=TOL)
    groups = parse_special(text_of(hts2025, "0101300000", "special"))
    assert len(groups) == 1 and groups[0].duty.kind == "free"
    # hand check: the printed list has 17 symbols, among them A+, KR and S (USMCA)
    assert {"A+", "KR", "S"} <= set(groups[0].programs) and len(groups[0].programs) == 17


def test_symbol_lists_with_stray_spaces(hts2025: pd.DataFrame) -> None:
    # 0101.90.40.00 prints "Free (A+,AU,BH,CL,CO,D,E, IL,JO,KR,MA,OM,P,PA,PE,S, SG)" (spaces).
    groups = parse_special(text_of(hts2025, "0101904000", "special"))
    assert "IL" in groups[0].programs and "SG" in groups[0].programs


def test_compound_dollar_per_kg(hts2025: pd.DataFrame) -> None:
    # 0402.29.50.00 prints "$1.104/kg + 14.9%": specific 1.104 US$/kg plus 14.9%.
    text = text_of(hts2025, "0402295000", "general")
    d = parse_rate(text)
    assert d.kind == "compound"
    assert d.ad_valorem == pytest.approx(0.149, abs=TOL)
    assert (d.specific[0].usd, d.specific[0].unit) == (pytest.approx(1.104, abs=TOL), "kg")
    # AVE at a unit value of US$5/kg: 0.149 + 1.104 / 5 = 0.3698 (hand arithmetic)
    assert d.ave(5.0) == pytest.approx(0.3698, abs=1e-12)
    # duty on 100 kg worth US$500: 0.149*500 + 1.104*100 = 184.9 US$
    assert d.amount_usd(500.0, {"kg": 100.0}) == pytest.approx(184.9, abs=1e-9)


def test_specific_cents_per_kg(hts2025: pd.DataFrame) -> None:
    # 0102.29.40 prints "1¢/kg": 0.01 US$/kg; no AVE without a unit value.
    d = parse_rate(text_of(hts2025, "01022940", "general"))
    assert d.kind == "specific" and d.specific[0].usd == pytest.approx(0.01, abs=TOL)
    assert d.ave() is None
    assert d.ave(2.0) == pytest.approx(0.005, abs=TOL)  # 0.01 / 2.0


def test_each_plus_ad_valorem(hts2025: pd.DataFrame) -> None:
    # 8201.50.00.00 prints "1¢ each + 2.8%".
    d = parse_rate(text_of(hts2025, "8201500000", "general"))
    assert d.kind == "compound" and d.specific[0].unit == "each"
    assert d.ad_valorem == pytest.approx(0.028, abs=TOL)


def test_several_special_groups(hts2025: pd.DataFrame) -> None:
    # 0201.10.50 prints "Free (BH,...,SG) 1.7% (KR) See 9822.04.01-9822.04.03 (AU) See ... (PA)".
    groups = parse_special(text_of(hts2025, "02011050", "special"))
    by_symbol = {s: g.duty for g in groups for s in g.programs}
    assert by_symbol["KR"].ad_valorem == pytest.approx(0.017, abs=TOL)
    assert by_symbol["SG"].kind == "free"
    assert by_symbol["AU"].kind == "reference" and "9822.04.01" in (by_symbol["AU"].reason or "")


def test_chapter99_additional_texts(hts2025: pd.DataFrame) -> None:
    # 9903.88.01 "... plus 25%", 9903.88.15 "... + 7.5%" (HTS 2025 chapter 99).
    assert parse_rate(text_of(hts2025, "99038801", "general")).ad_valorem == pytest.approx(0.25, abs=TOL)
    d = parse_rate(text_of(hts2025, "99038815", "general"))
    assert d.kind == "additional" and d.ad_valorem == pytest.approx(0.075, abs=TOL)


def test_fraction_and_pins_forms() -> None:
    # Forms seen in the data (invented values): "5 1/2%" and "$1.06/1,000 pins + 5%".
    assert parse_rate("5 1/2%").ad_valorem == pytest.approx(0.055, abs=TOL)
    d = parse_rate("$1.06/1,000 pins + 5%")
    assert (d.specific[0].per, d.specific[0].unit) == (1000.0, "pins")


def _not_parsed_forms(df: pd.DataFrame) -> tuple[set[tuple[str, str]], int, int]:
    found: set[tuple[str, str]] = set()
    total = ok = 0
    for col in ("general", "col2", "additional"):
        for x in df[col][df[col] != ""]:
            d = parse_rate(x)
            total += 1
            ok += d.parsed
            if not d.parsed:
                found.add((form_of(x), d.kind))
    for x in df["special"][df["special"] != ""]:
        for g in parse_special(x):
            if not g.duty.parsed and not g.duty.text.lower().startswith("see "):
                found.add((form_of(g.duty.text), g.duty.kind))
    return found, ok, total


def test_every_unparsed_form_is_listed_with_a_reason(hts2024: pd.DataFrame, hts2025: pd.DataFrame) -> None:
    listed = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["forms"]
    assert all(f["reason"] for f in listed)
    f24, ok24, n24 = _not_parsed_forms(hts2024)
    f25, ok25, n25 = _not_parsed_forms(hts2025)
    assert f24 | f25 == {(f["form"], f["kind"]) for f in listed}
    # share of rate texts parsed (general, column 2, additional), both editions: measured
    # 99.4%; the floor 99% guards against regressions.
    assert (ok24 + ok25) / (n24 + n25) >= 0.99
