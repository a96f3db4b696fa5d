"""Parser of HTS ch.99 subchapter III U.S. note 31 (the 2024 four-year-review product coverage).

Synthetic snippets test the parsing rules; the real HTS 2026 Rev. 6 text (dataset
us-tariff-history) tests the counts, checked by hand against the printed note:
(b) 9903.91.01: the compiler's note says the implementing notice numbered the subheadings
(5) through (352), numbers (1)-(4) deleted -> 348 codes; (c) 2; (d) 10 (items (1)-(10));
(e) 1 (6307.90.9870); (f)(i) items (1)-(19) with (3) "Deleted. See 89 Fed. Reg. 101682" -> 18;
(g) 5; (h) 5 ten-digit numbers named in items (1)-(3); (i) 1 (4015.12.10); (j) 3. Exact.
"""

from __future__ import annotations

import pytest

from tests.helpers import requires_dataset
from tradepolicy.errors import RegistryError
from tradepolicy.tariffs.note31 import note31_block, parse_note31

CH99 = "budgetlab-tariff-rate-tracker/chapter99_2026_rev_6.txt.gz"

SNIPPET = """\
30. (a) Russia 7202.11.50
31. (a)  As provided in headings 9903.91.01 and 9903.91.14, products of China ... except goods
         under subheadings 9802.00.40 and 9802.00.50.
(b) Heading 9903.91.01 applies to products of China that are classified in:
         [Compiler's note: Numbers (1) through (4) have been deleted. See 89 Fed. Reg. 76581.]
                   Harmonized Tariff Schedule of the United States Revision 6 (2026)
                                   Annotated for Statistical Reporting Purposes
                                                                         XXII
                                                                   99 - III - 339
U.S. Notes (con.)                  2605.00.00  2606.00.00
                       2602.00.00  7601.10.30
(c)
     (i) Heading 9903.91.05 applies to the following, on or after January 1, 2025:
     (1) 2804.61.00
     (2) [Compiler's note: Deleted. See 89 Fed. Reg. 101682]
     (3) 8541.10.00
     (ii) The rate under heading 9903.91.05 shall be increased on June 23, 2027.
(d) Heading 9903.91.12 applies to chassis in 8716.39.0090 or 8716.90.30, described as follows:
     (a) Chassis frames;
     (b) Running gear assemblies;
     (c) Landing gear assemblies; and
     (d) Assemblies that connect to the chassis frame.
(e) Heading 9903.91.07 applies to respirators described in 6307.90.9842 or 6307.90.9844
32. Action Applicable to Imports of Fine Denier Polyester Staple Fiber. 5503.20.00
"""


def test_snippet_subdivisions_codes_and_headings() -> None:
    subs = parse_note31(SNIPPET)
    assert sorted(subs) == ["a", "b", "c", "d", "e"]
    # page furniture is removed; the multi-column list is read whole; note 30/32 codes are not in
    assert subs["b"].heading == "9903.91.01"
    assert subs["b"].codes == ("2602.00.00", "2605.00.00", "2606.00.00", "7601.10.30")
    # (c)(i) and (c)(ii) stay in (c); the deleted item has no code
    assert subs["c"].heading == "9903.91.05"
    assert subs["c"].codes == ("2804.61.00", "8541.10.00")
    # the inner list (a)-(d) of the chassis description does not open new subdivisions
    assert subs["d"].codes == ("8716.39.0090", "8716.90.30")
    assert subs["e"].codes == ("6307.90.9842", "6307.90.9844")
    # chapter 98/99 provisions named in (a) are not product codes
    assert subs["a"].codes == ()


def test_page_furniture_is_dropped() -> None:
    block = note31_block(SNIPPET)
    assert "Harmonized Tariff Schedule" not in block and "99 - III" not in block
    assert "U.S. Notes (con.)" not in block and "5503.20.00" not in block


def test_text_without_the_note_is_a_registry_error() -> None:
    with pytest.raises(RegistryError, match="note 31"):
        parse_note31("30. (a) Russia\n32. Fine denier")


@requires_dataset("us-tariff-history", CH99)
def test_real_note_counts_match_the_printed_note() -> None:
    from tradepolicy.datasets.readers.tariff_history import read_chapter99_text

    subs = parse_note31(read_chapter99_text())
    got = {k: (s.heading, len(s.codes)) for k, s in subs.items() if k in "bcdefghij"}
    assert got == {"b": ("9903.91.01", 348), "c": ("9903.91.02", 2), "d": ("9903.91.03", 10),
                   "e": ("9903.91.04", 1), "f": ("9903.91.05", 18), "g": ("9903.91.06", 5),
                   "h": ("9903.91.07", 5), "i": ("9903.91.08", 1), "j": ("9903.91.11", 3)}
    assert subs["d"].codes[-3:] == ("8703.90.01", "9018.31.00", "9018.32.00")
    assert subs["h"].codes == ("6307.90.9842", "6307.90.9844", "6307.90.9850", "6307.90.9870",
                               "6307.90.9875")
    # first and last printed codes of (b) (99-III-339 top row, 99-III-340 last row)
    assert {"2605.00.00", "8507.90.40", "7305.11.50"} <= set(subs["b"].codes)


@requires_dataset("us-tariff-history", CH99)
@requires_dataset("us-tariff-history", "budgetlab-tariff-rate-tracker/s301_product_lists.csv")
def test_note_agrees_with_the_trackers_product_lists() -> None:
    # Cross-check, not the source: the Budget Lab tracker's s301_product_lists.csv lists HTS8 by
    # chapter 99 heading. Measured: the 8 headings both have (9903.91.01-.03, .05-.08, .11)
    # agree on all 388 HTS8; the tracker has no 9903.91.04 (2025-only facemasks) and files the
    # cranes under 9903.92.10. Exact.
    from tradepolicy.datasets.readers.tariff_history import read_chapter99_text, read_product_list

    subs = parse_note31(read_chapter99_text())
    ours: dict[str, set[str]] = {}
    for s in subs.values():
        if s.heading and s.heading.startswith("9903.91"):
            ours.setdefault(s.heading, set()).update(c.replace(".", "")[:8] for c in s.codes)
    df = read_product_list("budgetlab-tariff-rate-tracker/s301_product_lists.csv")
    theirs = df[df["ch99_code"].str.startswith("9903.91")].groupby("ch99_code")["hts8"].apply(set).to_dict()
    shared = sorted(set(ours) & set(theirs))
    assert shared == ["9903.91.01", "9903.91.02", "9903.91.03", "9903.91.05", "9903.91.06",
                      "9903.91.07", "9903.91.08", "9903.91.11"]
    assert all(ours[h] == theirs[h] for h in shared)
    assert sum(len(ours[h]) for h in shared) == 388
    assert "9903.91.04" in ours and "9903.91.04" not in theirs


def test_the_schema_rejects_a_review_group_without_coverage_or_with_a_bad_heading() -> None:
    from tradepolicy.tariffs.schema import validate_measures

    def doc(**prod: object) -> dict[str, object]:
        base = {"label": "EVs", "heading": "9903.91.03",
                "rates": [{"from": "2024-09-27", "rate": 1.0, "citation": "89 FR 76581"}]}
        return {"section301_china": {"authority": "Section 301", "four_year_review": {
            "citation": "89 FR 76581", "understate_from": "2024-09-27", "understate_hts": ["8507.60"],
            "understate_note": "may understate",
            "coverage_source": {"dataset": "us-tariff-history", "path": "x.txt.gz", "note": "note 31"},
            "products": {"ev": {**base, **prod}}}}}

    validate_measures(doc(note31="d"))  # valid
    with pytest.raises(RegistryError, match="needs coverage"):
        validate_measures(doc())
    with pytest.raises(RegistryError, match="heading"):
        validate_measures(doc(note31="d", heading="9903.91.3"))
    with pytest.raises(RegistryError, match="typo"):
        validate_measures(doc(note31="d", typo=1))
