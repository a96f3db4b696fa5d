"""The two general causes of the partner gaps found by decomposing the 2024 check (issue 13).

1. GSP country exclusions (HTS General Note 4(d)) were applied only to the 2017 database,
   so on the census basis an excluded beneficiary's A* line was stacked at the GSP rate (0):
   on those HTS10 x partner rows of the Census file the calculated duty equals MFN
   (Indonesia 1.000 and Turkey 1.001 of the MFN duty). Hand check: 4011.10.10.50 (tyres,
   MFN 4 %) from Indonesia (excluded: BR, ID, TH in the 2017 list) pays 4 %; 8516.71.00.20
   (A, not excluded) pays 0 on the census basis.
2. Compound base rates had no AVE (the mirror's 2017 ``mfn_ave`` column is empty), so they
   counted as no duty. Now the midpoint of the value bracket the line states converts the
   specific part (hand: 90 cents/pr. + 20 % "valued over $6.50 but not over $12/pair":
   0.20 + 0.90 / 9.25 = 29.73 %), else the ad valorem part alone counts (29.1 cents/kg +
   25.9 % -> 25.9 %, a lower bound).
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tradepolicy.services import tariff_effective as eff
from tradepolicy.services import tariffs as svc

pytestmark = [requires_dataset("us-hts"), requires_dataset("section232"), requires_dataset("section301-china")]


@pytest.mark.parametrize(("path", "expect"), [
    ("Footwear > Valued over $6.50 but not over $12/pair > Tennis shoes", (9.25, "pr.")),
    ("Valued $2.20/kg or more but less than $3.30/kg", (2.75, "kg")),
    ("Valued over 38¢ but not over $1.92/gross", (1.15, "gross")),
    ("Valued not over $3 each", (1.5, "each")),
    ("Valued over $4 but not over $6 per dozen", (5.0, "doz.")),
    ("valued over $12/pair", None),  # open bracket: no midpoint
    ("Other", None),
])
def test_value_bracket_midpoint(path: str, expect: tuple[float, str] | None) -> None:
    got = svc.value_bracket(path)
    assert got == (pytest.approx(expect[0]), expect[1]) if expect else got is None


def test_compound_rates_convert_by_bracket_else_count_their_ad_valorem_part() -> None:
    methods, aves = svc.specific_ave_methods("hts2024"), svc.specific_ave_fallback("hts2024")
    assert methods["6402998005"] == "value_bracket"
    assert aves["6402998005"] == pytest.approx(0.20 + 0.90 / 9.25, abs=1e-12)
    assert methods["6205302073"] == "ad_valorem_part"
    assert aves["6205302073"] == pytest.approx(0.259, abs=1e-12)
    # 4.5 cents/liter: pure specific, no bracket: converted only at a reference price of the
    # product (test_reference_prices.py), never by the compound rules
    assert methods["2009122500"] == "reference_unit_value"


def test_gsp_country_exclusion_applies_on_the_hts_editions_on_the_census_basis() -> None:
    frame = pd.DataFrame({"hts10": ["4011101050", "8516710020"], "partner": ["IDN", "IDN"],
                          "value": [1e6, 1e6], "duties": [0.0, 0.0]})
    lines = eff.effective_on(frame, "2024-07-01", basis="census", utilisation="all")
    assert lines["rate"].tolist() == [pytest.approx(0.04, abs=1e-12), pytest.approx(0.0, abs=1e-12)]
    # at the documented default, 87.1 % of the eligible value claims GSP during the lapse
    # (utilisation.yaml lapsed_utilisation): hand, 3.7 % MFN x (1 - 0.871) = 0.4773 %; the
    # excluded line pays MFN whatever the utilisation
    lines = eff.effective_on(frame, "2024-07-01", basis="census")
    assert lines["rate"].tolist() == [pytest.approx(0.04, abs=1e-12), pytest.approx(0.037 * 0.129, abs=1e-12)]


def test_the_single_stack_notes_the_exclusion_while_gsp_is_in_force() -> None:
    s = svc.stack_entry("4011.10.10.50", "IDN", "2019-06-01").to_dict()
    assert s["total_ave"] == pytest.approx(0.04, abs=1e-12)
    assert any("excluded from GSP" in n and "A*" in n for n in s["notes"])
