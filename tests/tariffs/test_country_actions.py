"""2025-2026 country actions (tariffs/measures/country_actions.yaml): the hand checks of issue 13.

Base rates: HTS 2025 Basic Edition (read from the data). Additional rates: the cited YAML
(EO 14257/14326 for the reciprocal duty, the Section 122 proclamation of 2026-02-20, the
Section 338 proclamations of 2026-07-20). Tolerance 1e-9.
"""

from __future__ import annotations

import pytest

from tests.helpers import requires_dataset
from tradepolicy.services import tariffs as svc

TOL = 1e-9
pytestmark = [requires_dataset("us-hts"), requires_dataset("section232"), requires_dataset("us-tariff-history"),
              requires_dataset("section301-china")]


def _ch99(s: object) -> dict[str, float]:
    return {ly.authority: ly.ave for ly in s.layers if ly.layer == "chapter99"}  # type: ignore[attr-defined]


def test_reciprocal_layer_for_vietnam_on_2025_09_01(hts2024: object) -> None:
    # 6110.20.20.10 (cotton sweaters) from Vietnam: not in Annex II, no Section 232 duty.
    # EO 14326 Annex I: Vietnam 20% from 2025-08-07 -> layer +20%; total = MFN 16.5% + 20%.
    s = svc.stack("6110.20.20.10", "VNM", "2025-09-01")
    assert _ch99(s) == {"IEEPA (reciprocal)": pytest.approx(0.20, abs=TOL)}
    assert s.total_ave == pytest.approx(0.165 + 0.20, abs=TOL)
    # 2025-04-09 (Annex I rate for one day: 46%), 2025-04-10 (paused: 10%)
    assert _ch99(svc.stack("6110.20.20.10", "VNM", "2025-04-09"))["IEEPA (reciprocal)"] == pytest.approx(0.46)
    assert _ch99(svc.stack("6110.20.20.10", "VNM", "2025-04-10"))["IEEPA (reciprocal)"] == pytest.approx(0.10)


def test_section122_on_2026_03_01_and_neither_on_2026_08_01() -> None:
    # Same line: IEEPA no longer collected from 2026-02-24; Section 122 10% 2026-02-24 to
    # 2026-07-23 (line not in the exemption lists); on 2026-08-01 neither applies.
    march = svc.stack("6110.20.20.10", "VNM", "2026-03-01")
    assert _ch99(march) == {"Section 122": pytest.approx(0.10, abs=TOL)}
    aug = svc.stack("6110.20.20.10", "VNM", "2026-08-01")
    assert _ch99(aug) == {}
    assert any("no longer collected" in n for n in aug.notes)


def test_section122_exempt_product_gets_no_layer() -> None:
    # 0201.10.05 (beef) is in the Section 122 exemption list (s122_exempt_products.csv).
    assert "02011005" in svc.country_action_lists()["s122_exempt"]
    s = svc.stack("0201.10.05.10", "AUS", "2026-03-01")
    assert "Section 122" not in _ch99(s)
    assert any("Section 122: product exempt" in n for n in s.notes)


def test_canadian_dairy_under_section_338_on_2026_09_01() -> None:
    # 0402.10.50 (milk powder, listed in the dairy annex, heading 9903.03.13): +50% from
    # 2026-08-19; not on 2026-08-18. Its base rate is specific: the total needs a unit value.
    s = svc.stack("0402.10.50.00", "CAN", "2026-09-01")
    assert _ch99(s) == {"Section 338": pytest.approx(0.50, abs=TOL)}
    assert "Section 338" not in _ch99(svc.stack("0402.10.50.00", "CAN", "2026-08-18"))
    assert "Section 338" not in _ch99(svc.stack("0402.10.50.00", "NZL", "2026-09-01"))


def test_reciprocal_not_on_section_232_goods_and_eu_floor() -> None:
    # 7208.51.00.30 from Vietnam on 2025-09-01: Section 232 steel 50%, no reciprocal layer.
    s = svc.stack("7208.51.00.30", "VNM", "2025-09-01")
    assert _ch99(s) == {"Section 232": pytest.approx(0.50, abs=TOL)}
    # EU 15% inclusive of MFN: a 16.5% MFN line pays 0 reciprocal, a free line 15%.
    assert _ch99(svc.stack("6110.20.20.10", "DEU", "2025-09-01"))["IEEPA (reciprocal)"] == pytest.approx(0.0)


def test_batch_agrees_with_the_stack_on_2025_09_01() -> None:
    bm = svc.batch_matrices("2025-09-01", ["VNM", "DEU", "CHN"])
    i = bm.codes.index("6110202010")
    for j, o in enumerate(bm.origins):
        s = svc.stack("6110.20.20.10", o, "2025-09-01")
        assert bm.result.total[i, j] == pytest.approx(s.total_ave, abs=TOL), o


@pytest.mark.parametrize("date", ["2019-06-01", "2024-07-01", "2025-09-01", "2026-03-01", "2026-09-01"])
def test_cells_agree_with_the_matrices(date: str) -> None:
    # batch_cells (used by tariff effective) and batch_matrices (tariff batch) are two
    # evaluations of the same rules: every cell of a random sample agrees exactly.
    import numpy as np

    origins = ["CHN", "VNM", "DEU", "CAN", "MEX", "KOR", "GBR", "IND", "BRA", "RUS", "CUB", "KHM"]
    bm = svc.batch_matrices(date, origins)
    rng = np.random.default_rng(13)
    li = rng.integers(0, len(bm.codes), size=3000)
    oj = rng.integers(0, len(origins), size=3000)
    cells = svc.batch_cells(date, origins, li, oj)
    want = bm.result.total[li, oj]
    both = ~np.isnan(want)
    assert np.array_equal(both, ~np.isnan(cells.total))
    assert np.allclose(cells.total[both], want[both], rtol=0, atol=1e-12)
    assert np.array_equal(cells.adcvd, bm.result.adcvd[li, oj])
