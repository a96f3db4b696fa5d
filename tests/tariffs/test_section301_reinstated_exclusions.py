"""Section 301 exclusions reinstated 2021-10-12 and extended to 2026-11-09 (HTS ch.99 note 20(vvv)/(www)).

Sources: the exclusions printed in HTS 2026 Rev. 6, chapter 99, subchapter III, U.S. note
20(vvv)(i)-(iv) (heading 9903.88.69) and 20(www) (heading 9903.88.70), dataset us-tariff-history;
the periods with their citations in section301_china.yaml ``reinstated_exclusions``. Counts
below were checked by hand against the note's text: (vvv)(i) items (1)-(47), (ii) (1)-(22),
(iii) (1)-(70), (iv) (1)-(25) = 164 (USTR's "164 exclusions", 89 FR 46948) and (www) (1)-(14)
= 14 ("14 solar manufacturing equipment exclusions"). Rates are hand checks from the HTS 2025
text (tolerance 1e-9: sums of printed decimals).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from tests.helpers import requires_dataset
from tests.tariffs.conftest import text_of
from tradepolicy.tariffs.ch99_exclusions import NoteExclusion, parse_exclusions
from tradepolicy.tariffs.rate_text import parse_rate

TOL = 1e-9
CH99 = "budgetlab-tariff-rate-tracker/chapter99_2026_rev_6.txt.gz"
needs_note = requires_dataset("us-tariff-history", CH99)
needs_stack = [requires_dataset("us-hts"), requires_dataset("section301-china"), requires_dataset("section232"),
               needs_note]



def stack_test(f: Callable[..., None]) -> Callable[..., None]:
    for m in needs_stack:
        f = m(f)
    return f


SNIPPET = """\
(vvv)  (i) The U.S. Trade Representative determined to establish a process by which particular products classified in heading
       9903.88.01 and provided for in U.S. notes 20(a) and 20(b) to this subchapter could be excluded from the additional
       duties imposed by heading 9903.88.01. Pursuant to the product exclusion process, the U.S. Trade Representative has
       determined that, as provided in heading 9903.88.69, the additional duties provided for in heading 9903.88.01 shall
       not apply to the following particular products:

(1) 8483.50.9040

(2) Widgets of steel, each valued not over $3 (described in statistical reporting number 8413.91.9080 prior to
         January 1, 2019; described in statistical reporting number 8413.91.9085 or 8413.91.9096 effective January
                   Harmonized Tariff Schedule of the United States Revision 6 (2026)
                                                               Annotated for Statistical Reporting Purposes
                                                                                                              99 - III - 315
U.S. Notes (con.)
         1, 2020)

(ii) The U.S. Trade Representative determined to establish a process by which particular products classified in heading
9903.88.02 ... the additional duties provided for in heading 9903.88.02 shall not apply to the following products:

(1) Gizmos (described in statistical reporting number 9013.80.9000 prior to January 27, 2022, described in
         statistical reporting number 8524.11.9000 effective January 27, 2022)

(www) The U.S. Trade Representative determined to establish a process by which particular products classified in heading
         9903.88.02 ... could be excluded from the additional duties imposed by heading 9903.88.02. ... entered with a
         claim for the tariff treatment provided in heading 9903.88.70 of this subchapter:

(1) Band saws (described in statistical reporting number 8486.10.0000)
(21) (a)  Except as provided in notes 21(u) ... (this is the next note)
(2) Not an item of note 20
"""


def test_parser_on_a_synthetic_snippet() -> None:
    items = parse_exclusions(SNIPPET)
    assert [(x.subdivision, x.item, x.lifts, x.claim_heading) for x in items] == [
        ("vvv(i)", 1, "9903.88.01", "9903.88.69"), ("vvv(i)", 2, "9903.88.01", "9903.88.69"),
        ("vvv(ii)", 1, "9903.88.02", "9903.88.69"), ("www", 1, "9903.88.02", "9903.88.70")]
    bare, widget, gizmo, saw = items
    assert bare.whole_line and [c.hts10 for c in bare.codes] == ["8483509040"]
    # the page header inside item (2) is skipped; dates: "prior to January 1, 2019" ends 2018-12-31
    assert widget.description == "Widgets of steel, each valued not over $3"
    assert [(c.hts10, c.since, c.until) for c in widget.codes] == [
        ("8413919080", None, dt.date(2018, 12, 31)),
        ("8413919085", dt.date(2020, 1, 1), None), ("8413919096", dt.date(2020, 1, 1), None)]
    # clauses joined by ", described in" (not ";")
    assert [(c.hts10, c.valid_on(dt.date(2022, 1, 26)), c.valid_on(dt.date(2022, 1, 27))) for c in gizmo.codes] == [
        ("9013809000", True, False), ("8524119000", False, True)]
    assert saw.description == "Band saws"


def test_parser_without_the_note_finds_nothing() -> None:
    assert parse_exclusions("(1) 8483.50.9040\n(ii) something else\n") == []


@pytest.fixture(scope="module")
def note_items() -> list[NoteExclusion]:
    from tradepolicy.datasets.readers.tariff_history import read_chapter99_text

    return parse_exclusions(read_chapter99_text())


@needs_note
def test_parser_on_the_real_note_counts_checked_by_hand(note_items: list[NoteExclusion]) -> None:
    counts = Counter((x.subdivision, x.lifts, x.claim_heading) for x in note_items)
    assert counts == {("vvv(i)", "9903.88.01", "9903.88.69"): 47, ("vvv(ii)", "9903.88.02", "9903.88.69"): 22,
                      ("vvv(iii)", "9903.88.03", "9903.88.69"): 70, ("vvv(iv)", "9903.88.15", "9903.88.69"): 25,
                      ("www", "9903.88.02", "9903.88.70"): 14}
    assert all(x.codes and all(len(c.hts10) == 10 for c in x.codes) for x in note_items)
    by = {(x.subdivision, x.item): x for x in note_items}
    # (vvv)(i)(1) "8483.50.9040": the whole line; (www)(14) lifting/handling machines, 8486.40.0030
    assert by["vvv(i)", 1].whole_line and by["vvv(i)", 1].codes[0].hts10 == "8483509040"
    assert by["www", 14].description.startswith("Machines designed for lifting, handling, loading, or unloading")
    assert [c.hts10 for c in by["www", 14].codes] == ["8486400030"]
    # (vvv)(iv)(20) LCD modules: 9013.80.9000 prior to 2022-01-27, 8524.11.9000 from it
    assert [(c.hts10, c.until, c.since) for c in by["vvv(iv)", 20].codes] == [
        ("9013809000", dt.date(2022, 1, 26), None), ("8524119000", None, dt.date(2022, 1, 27))]


def _s301(s: object) -> list[tuple[str | None, float | None]]:
    return [(ly.heading, ly.ave) for ly in s.layers if ly.authority == "Section 301"]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def svc() -> ModuleType:
    from tradepolicy.services import tariffs

    return tariffs


@stack_test
def test_listed_line_excluded_in_2024_charged_in_2021(svc: ModuleType, hts2025: pd.DataFrame) -> None:
    # 8483.50.90.40 (List 1, 9903.88.01 per the USITC table of its HTS8): MFN 2.8% (HTS 2025, HTS8 row).
    # Hand check: 2021-06-01 (the 2018-2020 grant #4 expired 2020-05-13) -> 2.8% + 25% = 27.8%;
    # 2024-07-01 -> note 20(vvv)(i)(1) in force (2024-06-15..2025-05-31) -> 2.8%, layer 9903.88.69 at 0.
    mfn = parse_rate(text_of(hts2025, "84835090", "general")).ave()
    assert mfn == pytest.approx(0.028, abs=TOL)
    before = svc.stack("8483.50.90.40", "CHN", "2021-06-01")
    assert _s301(before) == [("9903.88.01", 0.25)]
    assert before.total_ave == pytest.approx(mfn + 0.25, abs=TOL)
    on = svc.stack("8483.50.90.40", "CHN", "2024-07-01")
    assert _s301(on) == [("9903.88.69", 0.0)]
    assert on.total_ave == pytest.approx(mfn, abs=TOL)
    layer = next(ly for ly in on.layers if ly.authority == "Section 301")
    assert "89 FR 46948" in layer.citation
    assert "note 20(vvv)(i) item 1" in (layer.note or "") and "whole statistical line" in (layer.note or "")
    # an unlisted line of the same HTS8 is unchanged: 2.8% + 25%
    other = svc.stack("8483.50.90.80", "CHN", "2024-07-01")
    assert _s301(other) == [("9903.88.01", 0.25)]
    assert other.total_ave == pytest.approx(mfn + 0.25, abs=TOL)
    # another origin pays no Section 301 either way
    assert _s301(svc.stack("8483.50.90.40", "DEU", "2024-07-01")) == []


@stack_test
def test_period_edges(svc: ModuleType) -> None:
    # retroactive start 2021-10-12 (87 FR 17380); last day 2026-11-09 (HTS 2026 Rev. 6 heading text)
    assert _s301(svc.stack("8483509040", "CHN", "2021-10-11")) == [("9903.88.01", 0.25)]
    early = svc.stack("8483509040", "CHN", "2021-10-12")
    assert _s301(early) == [("9903.88.69", 0.0)]
    assert any("352 reinstated products" in n for n in early.notes)  # the understated period is said
    assert not any("352 reinstated products" in n for n in svc.stack("8483509040", "CHN", "2024-07-01").notes)
    assert _s301(svc.stack("8483509040", "CHN", "2026-11-09")) == [("9903.88.69", 0.0)]
    assert _s301(svc.stack("8483509040", "CHN", "2026-11-10")) == [("9903.88.01", 0.25)]
    # (www) solar machines: from 2024-01-01 only (89 FR 76581), List 2 (9903.88.02) before
    assert _s301(svc.stack("8486100000", "CHN", "2023-12-31")) == [("9903.88.02", 0.25)]
    assert _s301(svc.stack("8486100000", "CHN", "2024-01-01")) == [("9903.88.70", 0.0)]


@stack_test
def test_narrower_description_is_said_on_the_layer(svc: ModuleType) -> None:
    layer = next(ly for ly in svc.stack("8413919085", "CHN", "2025-03-01").layers if ly.authority == "Section 301")
    assert layer.heading == "9903.88.69" and layer.ave == 0.0
    assert "excluded if the good matches the description: Pump casings and bodies | Pump covers" in layer.note
    assert "otherwise 9903.88.01 applies" in layer.note


@stack_test
def test_renumbered_lines_follow_the_note_dates(svc: ModuleType) -> None:
    # (vvv)(iv)(24) parts of child safety seats: 9401.90.1085 prior to 2022-01-27
    from tradepolicy.services.tariffs.measures import s301_note_windows

    ws = s301_note_windows()
    assert max(w.end for w in ws["9401901085"]) == dt.date(2022, 1, 26)
    assert min(w.start for w in ws["9401911500"]) == dt.date(2022, 1, 27)
    assert max(w.end for w in ws["9401911500"]) == dt.date(2026, 11, 9)


@stack_test
def test_batch_and_single_stack_agree_and_the_batch_says_so(svc: ModuleType, tmp_path: Path) -> None:
    frame = svc.batch_frame("2024-07-01", ["CHN"])
    for code in ("8483509040", "8483509080", "8413919085", "8486100000"):
        row = frame[frame["hts"] == code].iloc[0]
        assert row["total"] == pytest.approx(svc.stack(code, "CHN", "2024-07-01").total_ave, abs=1e-12)
    summary = svc.batch("2024-07-01", tmp_path / "b.parquet", ["CHN"])
    note = next(n for n in summary.notes if "note 20(vvv)" in n)
    assert "HTS10 lines from China pay no Section 301 duty" in note
    # 2022: the batch's schedule (2017 database) has HTS8 lines: not applied there, and said so
    old = svc.batch("2022-06-01", tmp_path / "c.parquet", ["CHN"])
    assert any("HTS8 lines only" in n and "not applied" in n for n in old.notes)


@stack_test
def test_effective_rate_mentions_the_exclusions_with_the_value_share(svc: ModuleType, tmp_path: Path) -> None:
    from tradepolicy.services import tariff_effective as eff

    # Hand check on 2024-07-01, utilisation all: 8483.50.90.40 excluded -> 2.8% of 1,000 = 28;
    # 8483.50.90.80 not -> 27.8% of 3,000 = 834; total 862. Excluded value share 1,000/4,000 = 25%.
    p = tmp_path / "imports.csv"
    p.write_text("hts10,partner,value\n8483509040,CHN,1000\n8483509080,CHN,3000\n", encoding="utf-8")
    frame, layout = eff.read_imports(p)
    res = eff.effective(frame, layout=layout, date="2024-07-01", utilisation="all")
    assert res.predicted_duty == pytest.approx(28.0 + 834.0, abs=1e-6)
    note = next(n for n in res.notes if "note 20(vvv)" in n)
    assert "1 HTS10 lines from China" in note and "25.00% of the value from China" in note


def test_schema_rejects_a_period_ending_before_it_starts_or_an_unknown_subdivision() -> None:
    import copy

    from tradepolicy.errors import RegistryError
    from tradepolicy.services import tariffs as tariffs_svc
    from tradepolicy.tariffs.schema import validate_measures

    m = copy.deepcopy(tariffs_svc.measures())
    m["section301_china"]["reinstated_exclusions"]["periods"][0]["to"] = "2020-01-01"
    with pytest.raises(RegistryError) as e:
        validate_measures(m)
    assert "section301_china.yaml" in (e.value.where or "") and "periods.0" in (e.value.where or "")
    m = copy.deepcopy(tariffs_svc.measures())
    m["section301_china"]["reinstated_exclusions"]["periods"][0]["subdivisions"] = ["xxx"]
    with pytest.raises(RegistryError) as e2:
        validate_measures(m)
    assert e2.value.field is not None and "subdivisions" in (e.value.where or "") + (e2.value.where or "")
    m = copy.deepcopy(tariffs_svc.measures())
    del m["section301_china"]["reinstated_exclusions"]["periods"][0]["confirmed"]
    with pytest.raises(RegistryError) as e3:
        validate_measures(m)
    assert e3.value.field == "confirmed"
