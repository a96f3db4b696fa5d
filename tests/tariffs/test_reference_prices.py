"""Reference unit values: pure specific rates converted at published product prices (issue 13).

Aggregate work only (``tariff effective``): a specific rate's AVE is the duty per unit over a
reference price of the product for the year of the date (``utilisation.yaml``
``reference_unit_values``: World Bank Pink Sheet annual averages, Brazilian orange juice
export unit values), keyed by HS prefix (longest wins) and the rate's unit, falling back to
the nearest earlier year. The single-line stack (the legal answer) never uses them.

Hand computations (exact arithmetic; tolerance 1e-12 is float rounding only):
- 7.85 cents/liter (FCOJ 2009.11) at US$0.8184/l SSE (2024): 0.0785 / 0.8184 = 9.592 %.
- 33.87 cents/kg (over-quota raw cane sugar 1701.14.50) at the Pink Sheet 'Sugar, world' 2024
  US$0.4486/kg: 0.3387 / 0.4486 = 75.50 %.
- 1.4606 cents/kg less 0.020668 per degree under 100 (in-quota 1701.14.10) at 96 degrees:
  1.377928 cents/kg, at 'Sugar, US' 2024 US$0.8431/kg: 1.634 %.
- 37.5 cents/kg (in-quota tobacco 2401.20.85) at 'Tobacco, US import u.v.' 2024 US$5,899.35/t:
  0.375 / 5.8994 = 6.357 %.
- 10.5 cents/bbl (crude 2709.00.20) at 'Crude oil, average' 2024 US$78.7337/bbl: 0.1334 %.
"""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tradepolicy.errors import RegistryError
from tradepolicy.services import tariffs as svc
from tradepolicy.tariffs.rate_text import parse_rate
from tradepolicy.tariffs.reference_prices import match, pick_year, polarity_rate, resolve
from tradepolicy.tariffs.schema import validate_measures

_ROWS = [{"product": "test sugar", "hs": ["1701.14.50"], "unit": "kg", "series": "s", "conversion": "c",
          "prices": [{"year": 2019, "usd": 0.28, "confirmed": True, "source": "a"},
                     {"year": 2023, "usd": 0.52, "confirmed": True, "source": "b"}]},
         {"product": "test sugar, heading", "hs": ["1701"], "unit": "kg", "series": "s", "conversion": "c",
          "prices": [{"year": 2023, "usd": 0.9, "confirmed": False, "source": "c"}]}]


@pytest.mark.parametrize(("year", "got", "how"), [
    (2023, 2023, None),  # the year itself
    (2026, 2023, "nearest earlier year"),  # after the series: the latest earlier year, said
    (2021, 2019, "nearest earlier year"),  # a gap in the series: the nearest earlier year
    (2018, 2019, "earliest year available"),  # before the series starts: its first year, said
])
def test_year_fallback(year: int, got: int, how: str | None) -> None:
    entry, why = pick_year(_ROWS[0]["prices"], year)  # type: ignore[arg-type]
    assert (entry["year"], why) == (got, how)


def test_longest_prefix_and_unit_choose_the_price() -> None:
    prices = resolve(_ROWS, 2024)
    assert match("1701145000", "kg", prices).usd == 0.52  # type: ignore[union-attr]
    assert match("1701141040", "kg", prices).usd == 0.9  # type: ignore[union-attr]
    assert match("1701145000", "liter", prices) is None  # another unit: no price
    assert match("2009110060", "kg", prices) is None  # another product: no price


def test_polarity_sliding_scale_at_96_degrees() -> None:
    text = ("1.4606¢/kg less 0.020668¢/kg for each degree under 100 degrees (and fractions of a degree in "
            "proportion) but not less than 0.943854¢/kg")
    part = polarity_rate(text)
    assert part is not None and part.unit == "kg"
    assert part.usd == pytest.approx((1.4606 - 4 * 0.020668) / 100, abs=1e-12)
    assert polarity_rate(text, degrees=70.0).usd == pytest.approx(0.00943854, abs=1e-12)  # type: ignore[union-attr]
    assert polarity_rate("33.87¢/kg") is None


def test_hand_computed_ave_per_unit_kind() -> None:
    # the engine's formula: specific duty per unit / reference price per unit
    assert parse_rate("7.85¢/liter").ave(0.8184, "liter") == pytest.approx(0.0785 / 0.8184, abs=1e-12)
    assert parse_rate("10.5¢/bbl").ave(78.7337, "bbl") == pytest.approx(0.105 / 78.7337, abs=1e-12)
    assert parse_rate("19.8¢/pf. liter").ave(10.0, "pf. liter") == pytest.approx(0.0198, abs=1e-12)


# --- the shipped YAML and the aggregate table ----------------------------------------------------


def test_shipped_reference_prices_cover_2018_to_2024_with_sources() -> None:
    cfg = svc.measures()["utilisation"]["reference_unit_values"]
    assert cfg["units"]["bbl"]["usd"] > 0  # the unit-only fallback is kept
    for row in cfg["products"]:
        years = {p["year"] for p in row["prices"]}
        assert min(years) <= 2019 and max(years) == 2024, row["product"]
        assert all(p["source"] and isinstance(p["confirmed"], bool) for p in row["prices"])


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda e: e["prices"][0].update(usd=-1.0), "usd"),  # a price must be positive
    (lambda e: e["prices"][0].pop("source"), "source"),  # every price has a source
    (lambda e: e.update(unit="furlong"), "unit"),  # a unit the rate parser knows
    (lambda e: e.update(hs=["17O1.14"]), "0"),  # an HS prefix of digits
    (lambda e: e["prices"].append(dict(e["prices"][0])), "prices"),  # one price a year
])
def test_schema_refuses_a_malformed_entry_with_a_clear_error(mutate, field: str) -> None:  # type: ignore[no-untyped-def]
    m = copy.deepcopy(dict(svc.measures()))
    entry = m["utilisation"]["reference_unit_values"]["products"][0]
    mutate(entry)
    with pytest.raises(RegistryError) as e:
        validate_measures(m)
    assert "utilisation.yaml" in (e.value.where or "") and "reference_unit_values.products.0" in (e.value.where or "")
    assert e.value.field == field


@requires_dataset("us-hts")
@pytest.mark.parametrize(("line", "expect"), [
    ("2009110060", 0.0785 / 0.8184),  # FCOJ 7.85 cents/liter SSE, Brazilian export unit value 2024
    ("2009122500", 0.045 / 0.8184),  # NFC orange juice 4.5 cents/liter
    ("1701145000", 0.3387 / 0.4486),  # over-quota raw cane sugar, Pink Sheet 'Sugar, world' 2024
    ("1701141040", (1.4606 - 4 * 0.020668) / 100 / 0.8431),  # in-quota, 96 degrees, 'Sugar, US' 2024
    ("2401208510", 0.375 / 5.8994),  # in-quota tobacco, 'Tobacco, US import u.v.' 2024 / 1000
    ("2709002010", 0.105 / 78.7337),  # crude, 'Crude oil, average' 2024
])
def test_aggregate_ave_of_pure_specific_lines_in_2024(line: str, expect: float) -> None:
    aves, methods = svc.specific_ave_fallback("hts2024", 2024), svc.specific_ave_methods("hts2024", 2024)
    assert methods[line] == "reference_unit_value"
    assert aves[line] == pytest.approx(expect, abs=1e-12)


@requires_dataset("us-hts")
def test_the_year_of_the_date_picks_the_price_and_a_later_year_falls_back() -> None:
    refs19 = svc.specific_ave_references("hts2024", 2019)
    assert refs19["1701145000"].year == 2019 and refs19["1701145000"].usd == 0.28
    assert svc.specific_ave_fallback("hts2024", 2019)["1701145000"] == pytest.approx(0.3387 / 0.28, abs=1e-12)
    # no 2020 juice figure in our sources: the 2019 price, said on the reference
    oj = svc.specific_ave_references("hts2024", 2020)["2009110060"]
    assert (oj.year, oj.fallback, oj.requested_year) == (2019, "nearest earlier year", 2020)
    assert "nearest earlier year for 2020" in oj.label()
    # after the last year (2024) of every series: 2024, said
    assert svc.specific_ave_references("hts2024", 2026)["1701145000"].fallback == "nearest earlier year"


@requires_dataset("us-hts")
@requires_dataset("section232")
@requires_dataset("section301-china")
def test_effective_says_method_price_year_and_share() -> None:
    from tradepolicy.services import tariff_effective as eff

    frame = pd.DataFrame({"hts10": ["2009110060", "8471300100"], "partner": ["BRA", "BRA"],
                          "value": [1e6, 3e6]})
    r = eff.effective(frame, date="2024-07-01")
    assert r.coverage["reference_unit_value_ave"] == pytest.approx(0.25, abs=1e-12)
    line = r.lines.set_index("hts10").loc["2009110060"]  # type: ignore[union-attr]
    assert line["ave_method"] == "reference_unit_value"
    assert "US$0.8184/liter, 2024" in line["ave_reference"]
    assert line["duty"] == pytest.approx(1e6 * 0.0785 / 0.8184, rel=1e-12)
    assert any("reference unit value" in n and "25.00% of the value" in n for n in r.notes)


@requires_dataset("us-hts")
@requires_dataset("section232")
@requires_dataset("section301-china")
def test_the_single_line_stack_never_uses_reference_prices() -> None:
    # the legal answer: a pure specific rate has no AVE without the entry's quantity
    s = svc.stack_entry("2009.11.00.60", "BRA", "2024-07-01").to_dict()
    assert s["total_ave"] is None and s["layers"][0]["ave"] is None
    assert s["layers"][0]["rate_text"] == "7.85¢/liter"
    assert "0.8184" not in str(s) and "reference" not in str(s)
