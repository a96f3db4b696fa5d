"""Section 232 scope and country treatment by date, 2018 on: the hand checks of issue 13.

Each case: the base rate read from the data, plus the Section 232 rate the cited YAML states
(tariffs/measures/section232.yaml, programmes with `scope:` transcribed from Proc. 9705,
9704 and 9980). Tolerance 1e-9 (sums of printed decimals).
"""

from __future__ import annotations

import pytest

from tests.helpers import requires_dataset
from tradepolicy.services import tariffs as svc

TOL = 1e-9
pytestmark = [requires_dataset("us-hts"), requires_dataset("section301-china"),
              requires_dataset("section232")]


def _s232(hts: str, origin: str, date: str) -> list[float]:
    s = svc.stack(hts, origin, date)
    return [ly.ave for ly in s.layers if ly.layer == "chapter99" and ly.authority == "Section 232"]


def test_chapter_72_plate_from_china_and_canada_in_2019() -> None:
    # 7208.51 is inside Proc. 9705's HS6 range 7206.10-7216.50: +25% from 2018-03-23.
    # Canada exempt from 2019-05-20 (Proc. 9894), so 2019-06-01 gives 0; on 2018-07-01
    # (after the 2018-06-01 end of the first exemption) Canada paid 25%.
    assert _s232("7208.51.00", "CHN", "2019-06-01") == [pytest.approx(0.25, abs=TOL)]
    assert _s232("7208.51.00", "CAN", "2019-06-01") == [pytest.approx(0.0, abs=TOL)]
    assert _s232("7208.51.00", "CAN", "2018-07-01") == [pytest.approx(0.25, abs=TOL)]
    assert _s232("7208.51.00", "CHN", "2018-03-22") == []  # before 12:01 a.m. 2018-03-23


def test_structures_of_7308_were_not_232_goods_in_2018() -> None:
    # 7308 (structures) is in no 2018 range nor in Proc. 9980: only the 2025 derivative list.
    assert _s232("7308.90.95", "CHN", "2018-07-01") == []
    assert _s232("7308.90.95.90", "IND", "2025-07-01") == [pytest.approx(0.50, abs=TOL)]


def test_articles_of_iron_or_steel_nesoi_no_derivative_duty_in_2024() -> None:
    # 7326.90.86.88 from India, 2024-07-01: MFN 2.9% (HTS 2024), no Section 232 (the 2025
    # derivative list may not be applied back). Observed 2024 rate on the line: 2.9%.
    s = svc.stack("7326.90.86.88", "IND", "2024-07-01")
    assert s.total_ave == pytest.approx(0.029, abs=TOL)
    assert _s232("7326.90.86.88", "IND", "2024-07-01") == []


def test_2020_derivatives_from_their_date() -> None:
    # Proc. 9980: nails of 7317.00.65 +25% from 2020-02-08 for China; not on 2020-02-07.
    assert _s232("7317.00.65", "CHN", "2020-02-07") == []
    assert _s232("7317.00.65", "CHN", "2020-02-08") == [pytest.approx(0.25, abs=TOL)]
    # aluminium stranded wire 7614.10.50: +10% from 2020-02-08
    assert _s232("7614.10.50", "CHN", "2020-03-01") == [pytest.approx(0.10, abs=TOL)]


def test_aluminium_russia_200_and_tariff_rate_quota_default() -> None:
    # Proc. 10522: Russian aluminium 200% from 2023-03-10. EU TRQ (Proc. 10327): the stack
    # assumes in-quota (0) and says so; over_quota=True gives the default 10%.
    assert _s232("7601.10.30", "RUS", "2024-07-01") == [pytest.approx(2.0, abs=TOL)]
    s = svc.stack("7601.10.30", "DEU", "2024-07-01")
    (layer,) = [ly for ly in s.layers if ly.authority == "Section 232"]
    assert layer.ave == pytest.approx(0.0, abs=TOL) and "IN quota" in (layer.note or "")
    over = svc.stack("7601.10.30", "DEU", "2024-07-01", over_quota=True)
    assert [ly.ave for ly in over.layers if ly.authority == "Section 232"] == [pytest.approx(0.10, abs=TOL)]


def test_absolute_quota_country_says_over_quota_is_refused() -> None:
    s = svc.stack("7208.51.00", "KOR", "2019-06-01")
    (layer,) = [ly for ly in s.layers if ly.authority == "Section 232"]
    assert layer.ave == 0.0 and "refused entry" in (layer.note or "")


def test_one_metal_duty_per_line_after_2025() -> None:
    # 7601.10 is in the 2018 scope and in the 2025 list: one aluminium layer, 50% on 2025-07-01.
    assert _s232("7601.10.30", "IND", "2025-07-01") == [pytest.approx(0.50, abs=TOL)]


def test_code_of_a_later_revision_maps_to_its_parent_when_asked() -> None:
    # 8412.21.00.99 is in neither edition: an error with the nearest codes by default, and a
    # stack of its parent line (the first line of HTS8 8412.21.00) with a note when asked.
    from tradepolicy.errors import NotFoundError

    with pytest.raises(NotFoundError) as e:
        svc.stack("8412.21.00.99", "CHN", "2025-01-15")
    assert "map_parent" in e.value.message
    s = svc.stack("8412.21.00.99", "CHN", "2025-01-15", map_parent=True)
    assert any("mapped to its parent line 8412.21.00" in n for n in s.notes)


def test_certification_programmes_are_offered_not_applied() -> None:
    # 8507.60.00.20 (lithium-ion batteries for EVs) prints "Free (C)": civil aircraft use needs a
    # certificate, so China pays MFN 3.4% + List 3 7.5% (2024-07-01) and the C rate is only noted.
    s = svc.stack("8507.60.00.20", "CHN", "2024-07-01")
    assert s.total_ave == pytest.approx(0.034 + 0.075, abs=TOL)
    assert not [ly for ly in s.layers if ly.layer == "preference"]
    assert any("Offered, not applied" in n and "under C (" in n for n in s.notes)
    # Haitian apparel: HOPE/HELP through HTS 9820 is offered in a note, CBTPA/CBERA still apply.
    h = svc.stack("6110.20.20.10", "HTI", "2024-07-01")
    assert any("HOPE/HELP" in n for n in h.notes)


def test_egyptian_qiz_apparel_claims_the_israel_fta_rate() -> None:
    # 6204.62.15.03 (women's cotton trousers) from Egypt on 2024-07-01: MFN 16.6% (HTS 2024);
    # QIZ goods enter at the US-Israel FTA rate (IL: Free) -> 0 when claimed (General Note 3(a)(v)).
    s = svc.stack("6204.62.15.03", "EGY", "2024-07-01")
    (pref,) = [ly for ly in s.layers if ly.layer == "preference"]
    assert "IL" in pref.rate_text and s.total_ave == pytest.approx(0.0, abs=TOL)
