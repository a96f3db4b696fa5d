"""Section 301 2024 four-year review: the groups whose coverage the factsheet gives, and the note.

law-factsheet §2.2 ("2024 four-year-review rate changes", confirmed) gives HTS coverage only
for tungsten (8101.94, 8101.99.10, 8101.99.80: 25% from 2025-01-01) and polysilicon (2804.61)
and wafers (3818.00: 50% from 2025-01-01); the review rate replaces the list rate (the
factsheet's "new rate" over "prior rate"). Hand checks read the base rate from the HTS data.
Tolerance 1e-9 (sums of printed decimals).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tests.tariffs.conftest import text_of
from tradepolicy.services import tariffs as svc
from tradepolicy.tariffs.rate_text import parse_rate

TOL = 1e-9
pytestmark = [requires_dataset("us-hts"), requires_dataset("section301-china"),
              requires_dataset("section232")]


def _ch99(s: object) -> list[tuple[str | None, float | None]]:
    return [(ly.heading, ly.ave) for ly in s.layers if ly.layer == "chapter99"]  # type: ignore[attr-defined]


def test_polysilicon_goes_from_list3_25_to_review_50_percent(hts2024: pd.DataFrame,
                                                             hts2025: pd.DataFrame) -> None:
    # 2804.61.00.00 is on List 3 (USITC table: 28046100 -> 9903.88.03); general rate "Free" in
    # HTS 2024 and 2025. Hand check: 2024-12-31 -> 0 + 25% = 25%; 2025-01-01 -> 0 + 50% = 50%
    # (9903.91.05 replaces 9903.88.03, not 75%).
    assert svc.s301_coverage()["28046100"] == "9903.88.03"
    assert parse_rate(text_of(hts2024, "2804610000", "general")).kind == "free"
    assert parse_rate(text_of(hts2025, "2804610000", "general")).kind == "free"
    before = svc.stack("2804.61.00.00", "CHN", "2024-12-31")
    after = svc.stack("2804.61.00.00", "CHN", "2025-01-01")
    assert before.total_ave == pytest.approx(0.25, abs=TOL)
    assert _ch99(before) == [("9903.88.03", 0.25)]
    assert after.total_ave == pytest.approx(0.50, abs=TOL)
    assert _ch99(after) == [("9903.91.05", 0.50)]


def test_tungsten_not_on_a_list_gets_25_percent_from_2025(hts2025: pd.DataFrame) -> None:
    # 8101.94.00.00 (unwrought tungsten) prints "6.6%" in HTS 2025 and is on no 9903.88 list.
    # Hand check: 2025-01-01 -> 6.6% + 25% = 31.6%; from Korea: KORUS free, no 301.
    assert not any(k.startswith("810194") for k in svc.s301_coverage())
    mfn = parse_rate(text_of(hts2025, "8101940000", "general")).ave()
    assert mfn == pytest.approx(0.066, abs=TOL)
    assert svc.stack("8101.94.00.00", "CHN", "2025-01-01").total_ave == pytest.approx(0.316, abs=TOL)
    assert not _ch99(svc.stack("8101.94.00.00", "KOR", "2025-01-01"))


def test_other_chinese_goods_say_the_stack_may_understate_from_2024_09_27() -> None:
    # 8703.80.00 (electric vehicles) is a review group without coverage in our data: the
    # stack keeps List 1's 25% and says it may understate; the day before, no such note.
    on = svc.stack("8703.80.00", "CHN", "2024-09-27")
    assert any("four-year-review increases" in n for n in on.notes)
    assert _ch99(on) == [("9903.88.01", 0.25)]
    assert not any("four-year-review increases" in n for n in svc.stack("8703.80.00", "CHN", "2024-09-26").notes)
    assert not any("four-year-review increases" in n for n in svc.stack("8703.80.00", "DEU", "2025-03-01").notes)


def test_batch_applies_the_review_rate_and_carries_the_note(tmp_path: Path) -> None:
    # The vectorised batch and the scalar stack agree on the review lines (tolerance 1e-12).
    frame = svc.batch_frame("2025-03-01", ["CHN"])
    for code in ("2804610000", "8101940000", "3818000020"):
        row = frame[frame["hts"] == code].iloc[0]
        assert row["total"] == pytest.approx(svc.stack(code, "CHN", "2025-03-01").total_ave, abs=1e-12)
    summary = svc.batch("2025-03-01", tmp_path / "b.parquet", ["CHN"])
    assert any("four-year-review increases" in n for n in summary.notes)


def test_history_steps_on_the_review_date() -> None:
    pts = svc.history_range("2804.61.00.00", "CHN", "2024-10-01", "2025-02-01")
    by_date = {p.date: p.total_ave for p in pts}
    # hand check as above: 25% (List 3) before 2025-01-01, 50% on it; tolerance TOL
    assert by_date["2024-10-01"] == pytest.approx(0.25, abs=TOL)
    assert by_date["2025-01-01"] == pytest.approx(0.50, abs=TOL)
