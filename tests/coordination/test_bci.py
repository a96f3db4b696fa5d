"""The BCI / public-version check (a pure function): hand-built pairs, each case stated beside it."""

from __future__ import annotations

import pytest

from tradepolicy.coordination.bci import (
    banner_problems,
    bracketed_spans,
    check_public_version,
    filename_problems,
    normalise,
)

BCI = ("BUSINESS CONFIDENTIAL\nIn 2023 Acme sold [12,400 units] of valves to [Big Box Stores Inc.], "
       "a [37.5 percent] share of its U.S. sales. [Our landed cost from the Ningbo plant is 18 dollars per unit "
       "and the U.S. plant cannot match it].")
GOOD = ("PUBLIC VERSION\nIn 2023 Acme sold [ ] of valves to [ ], a [ ] share of its U.S. sales. [***].")


def test_a_clean_public_version_passes() -> None:
    r = check_public_version(BCI, GOOD)
    assert r.ok and r.spans == 4


def test_a_short_span_leaks_when_repeated_verbatim() -> None:
    r = check_public_version(BCI, GOOD.replace("to [ ]", "to Big Box Stores Inc."))
    assert not r.ok
    assert [o.span for o in r.overlaps] == ["Big Box Stores Inc."]
    assert "big box stores inc" in r.overlaps[0].public_excerpt


@pytest.mark.parametrize("variant", [
    "to BIG BOX   STORES\n inc.",         # case and whitespace differ
    "to big\u00a0box stores inc.",          # a no-break space (NFKC folds it)
    "to Ｂｉｇ Ｂｏｘ Ｓｔｏｒｅｓ Inc.",    # full-width letters (NFKC)
])
def test_normalisation_of_case_whitespace_and_unicode(variant: str) -> None:
    r = check_public_version(BCI, GOOD.replace("to [ ]", variant))
    assert [o.span for o in r.overlaps] == ["Big Box Stores Inc."]


def test_a_number_leaks_with_its_separators() -> None:
    r = check_public_version(BCI, GOOD.replace("sold [ ]", "sold 12,400 units"))
    assert [o.matched for o in r.overlaps] == ["12,400 units"]
    # a different number is not a leak
    assert check_public_version(BCI, GOOD.replace("sold [ ]", "sold 12,500 units")).ok


def test_part_of_a_long_span_leaks() -> None:
    # six consecutive words of the 20-word bracketed sentence reappear (NGRAM = 6)
    pub = GOOD.replace("[***]", "We note the landed cost from the Ningbo plant is competitive.")
    r = check_public_version(BCI, pub)
    assert len(r.overlaps) == 1 and r.overlaps[0].matched == "landed cost from the ningbo plant"
    # five words are not enough
    assert check_public_version(BCI, GOOD.replace("[***]", "cost from the Ningbo plant")).ok


def test_text_still_bracketed_in_the_public_version_is_not_a_leak() -> None:
    assert check_public_version("[Acme Corp]", "PUBLIC VERSION [Acme Corp]").ok


def test_redaction_marks_are_not_spans() -> None:
    assert [s.text for s in bracketed_spans("[ ] [***] [...] [xxx] [ 7 ]")] == ["7"]
    assert normalise(" A\tB \n") == "a b"


def test_file_names_and_banners() -> None:
    assert filename_problems("BCI_acme.pdf", "P_acme.pdf") == []
    assert [f for f, _ in filename_problems("acme.pdf", "public.pdf")] == ["bci_file"]
    assert [f for f, _ in filename_problems("BCI_acme.pdf", "acme.pdf")] == ["file"]
    assert banner_problems(BCI, GOOD) == []
    fields = [f for f, _ in banner_problems("no banner [x1]", "no banner")]
    assert fields == ["bci_file", "file"]
    assert [f for f, _ in banner_problems("BUSINESS CONFIDENTIAL nothing bracketed", GOOD)] == ["bci_file"]
