"""Section 301 2024 four-year review: every group, coverage from HTS ch.99 U.S. note 31.

Rates and dates: law-factsheet §2.2 ("2024 four-year-review rate changes", confirmed) and the
9903.91 headings of the HTS 2025 Basic Edition; product coverage: U.S. note 31 as printed in
HTS 2026 Rev. 6 (dataset us-tariff-history, parsed by tariffs/note31.py). The review rate
replaces the list rate (the factsheet's "new rate" over "prior rate"). Hand checks read the
base rate from the HTS data. Tolerance 1e-9 (sums of printed decimals).
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
              requires_dataset("section232"),
              requires_dataset("us-tariff-history", "budgetlab-tariff-rate-tracker/chapter99_2026_rev_6.txt.gz")]
REVIEW_NOTE = "four-year-review increases have no product coverage"


def _ch99(s: object) -> list[tuple[str | None, float | None]]:
    return [(ly.heading, ly.ave) for ly in s.layers if ly.layer == "chapter99"]  # type: ignore[attr-defined]


def _s301(s: object) -> list[tuple[str | None, float | None]]:
    return [(ly.heading, ly.ave) for ly in s.layers  # type: ignore[attr-defined]
            if ly.layer == "chapter99" and ly.authority == "Section 301"]


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


def test_an_ev_pays_100_percent_from_2024_09_27_not_the_list_rate(hts2024: pd.DataFrame) -> None:
    # 8703.80.00 (electric vehicles) is on List 1 (9903.88.01, 25%) and in note 31(d)
    # (9903.91.03, +100% from 2024-09-27). General rate "2.5%" (HTS 2024). Hand check:
    # 2024-09-01 -> 2.5% + 25% = 27.5%; 2024-10-01 -> 2.5% + 100% = 102.5% (not 127.5%).
    assert svc.s301_coverage()["87038000"] == "9903.88.01"
    assert parse_rate(text_of(hts2024, "87038000", "general")).ave() == pytest.approx(0.025, abs=TOL)
    for code in ("8703.80.00", "8703.80.00.20"):
        before = svc.stack(code, "CHN", "2024-09-01")
        after = svc.stack(code, "CHN", "2024-10-01")
        assert _ch99(before) == [("9903.88.01", 0.25)]
        assert before.total_ave == pytest.approx(0.275, abs=TOL)
        assert _ch99(after) == [("9903.91.03", 1.0)]
        assert after.total_ave == pytest.approx(1.025, abs=TOL)
        assert not any(REVIEW_NOTE in n for n in after.notes)
    assert svc.stack("8703.80.00", "CHN", "2024-09-26").total_ave == pytest.approx(0.275, abs=TOL)
    assert svc.stack("8703.80.00", "CHN", "2024-09-27").total_ave == pytest.approx(1.025, abs=TOL)
    assert not _ch99(svc.stack("8703.80.00", "DEU", "2024-10-01"))


def test_a_semiconductor_pays_50_percent_from_2025() -> None:
    # 8541.10.00 (diodes) is in note 31(f)(i) (9903.91.05, +50% from 2025-01-01). The 301 layer
    # alone (IEEPA layers also apply in 2025): 50% on 2025-02-01, the list rate before.
    on = svc.stack("8541.10.00.80", "CHN", "2025-02-01")
    assert _s301(on) == [("9903.91.05", 0.50)]
    before = _s301(svc.stack("8541.10.00.80", "CHN", "2024-12-31"))
    heading = svc.s301_coverage().get("85411000")
    assert heading is not None and [h for h, _ in before] == [heading]
    assert before[0][1] in (0.25, 0.075)


def test_a_non_ev_lithium_ion_battery_goes_from_7_5_to_25_percent_in_2026() -> None:
    # 8507.60.00.10 (lithium-ion, not for EVs) is on List 4A (9903.88.15, 7.5%); note 31(g)
    # puts 8507.60.00 under 9903.91.06 (+25%) from 2026-01-01. Until then it is one of the
    # lines the note does not cover (EV batteries 8507.60.0020 25% from 2024-09-27), so the
    # stack says it may understate; from 2026-01-01 it does not.
    late = svc.stack("8507.60.00.10", "CHN", "2025-12-31")
    new = svc.stack("8507.60.00.10", "CHN", "2026-01-01")
    assert _s301(late) == [("9903.88.15", 0.075)]
    assert _s301(new) == [("9903.91.06", 0.25)]
    assert any(REVIEW_NOTE in n for n in late.notes)
    assert not any(REVIEW_NOTE in n for n in new.notes)
    # the rest of the stack is unchanged across the date: the difference is 25% - 7.5%
    assert new.total_ave - late.total_ave == pytest.approx(0.25 - 0.075, abs=TOL)


def test_enteral_syringes_wait_for_2026_other_syringes_do_not() -> None:
    # 9903.91.10: enteral syringes (9018.31.0080) pay the subheading's duty, 2024-09-27 to
    # 2025-12-31, notwithstanding 9903.91.03; other 9018.31 syringes pay +100% (note 31(d)).
    assert _s301(svc.stack("9018.31.00.80", "CHN", "2025-06-01")) == [("9903.91.10", 0.0)]
    assert _s301(svc.stack("9018.31.00.80", "CHN", "2026-02-01")) == [("9903.91.03", 1.0)]
    assert _s301(svc.stack("9018.31.00.40", "CHN", "2025-06-01")) == [("9903.91.03", 1.0)]


def test_facemasks_step_up_and_the_first_step_is_flagged() -> None:
    # 6307.90.9870: note 31(e) 9903.91.04 +25% in 2025 only; note 31(h) 9903.91.07 +50% from
    # 2026-01-01; the 2024-09-27 first step has no coverage in the note (flagged).
    assert _s301(svc.stack("6307.90.98.70", "CHN", "2025-06-01")) == [("9903.91.04", 0.25)]
    assert _s301(svc.stack("6307.90.98.70", "CHN", "2026-02-01")) == [("9903.91.07", 0.50)]
    first = svc.stack("6307.90.98.70", "CHN", "2024-10-01")
    assert not any(h and h.startswith("9903.91") for h, _ in _s301(first))
    assert any(REVIEW_NOTE in n for n in first.notes)


def test_steel_of_note_31b_pays_25_percent_beside_section_232() -> None:
    # 7208.51.00 (hot-rolled plate) is in note 31(b) (9903.91.01, +25% from 2024-09-27); the
    # Section 232 steel duty is a separate layer. Lines outside the uncovered groups get no note.
    s = svc.stack("7208.51.00", "CHN", "2024-10-01")
    assert _s301(s) == [("9903.91.01", 0.25)]
    assert not any(REVIEW_NOTE in n for n in s.notes)


def test_without_the_note_text_the_stack_keeps_list_rates_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    mod = importlib.import_module("tradepolicy.services.tariffs.measures")
    svc.CACHE.clear()
    monkeypatch.setattr(mod, "s301_review_note", lambda: {})
    try:
        s = svc.stack("8703.80.00", "CHN", "2024-10-01")
        assert _ch99(s) == [("9903.88.01", 0.25)]
        assert any("is not loaded" in n for n in s.notes)
        # groups naming their codes in the YAML itself still apply
        assert _s301(svc.stack("9018.31.00.80", "CHN", "2025-06-01")) == [("9903.91.10", 0.0)]
    finally:
        monkeypatch.undo()
        svc.CACHE.clear()


def test_batch_applies_the_review_rate_and_carries_the_note(tmp_path: Path) -> None:
    # The vectorised batch and the scalar stack agree on the review lines (tolerance 1e-12).
    codes = ("2804610000", "8101940000", "3818000020", "8703800020", "8541100080", "8507600010",
             "8507600020", "9018310080", "9018310040", "6307909870", "7208510000", "4015121010")
    for date in ("2024-09-26", "2024-10-01", "2025-03-01", "2026-02-01"):
        frame = svc.batch_frame(date, ["CHN"])
        for code in codes:
            row = frame[frame["hts"] == code]
            if row.empty:  # not a line of the edition in force on that date
                continue
            single = svc.stack(code, "CHN", date).total_ave
            assert row.iloc[0]["total"] == pytest.approx(single, abs=1e-12), (code, date)
    summary = svc.batch("2025-03-01", tmp_path / "b.parquet", ["CHN"])
    assert any("four-year-review increases" in n for n in summary.notes)


def test_history_steps_on_the_review_date() -> None:
    pts = svc.history_range("2804.61.00.00", "CHN", "2024-10-01", "2025-02-01")
    by_date = {p.date: p.total_ave for p in pts}
    # hand check as above: 25% (List 3) before 2025-01-01, 50% on it; tolerance TOL
    assert by_date["2024-10-01"] == pytest.approx(0.25, abs=TOL)
    assert by_date["2025-01-01"] == pytest.approx(0.50, abs=TOL)
    # the EV steps on 2024-09-27: 27.5% -> 102.5% (hand check in the EV test)
    ev = {p.date: p.total_ave for p in svc.history_range("8703.80.00", "CHN", "2024-07-01", "2024-12-01")}
    assert ev["2024-09-27"] == pytest.approx(1.025, abs=TOL)
    assert ev["2024-07-01"] == pytest.approx(0.275, abs=TOL)
