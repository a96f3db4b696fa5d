"""HTS search by code and by text, as an analyst types it (HTS 2025 descriptions, read live)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.helpers import requires_dataset
from tradepolicy.api.app import create_app
from tradepolicy.services import tariffs as svc

pytestmark = requires_dataset("us-hts")


def _codes(q: str) -> list[str]:
    return [r.hts for r in svc.search(q, limit=500)]


def test_words_ignore_hyphens_punctuation_and_plural() -> None:
    # HTS 2025 prints "Lithium-ion batteries" under 8507.60.00 (3 coded rows with it).
    assert _codes("lithium ion battery") == _codes("lithium-ion batteries") != []
    assert "8507.60.00" in _codes("lithium ion battery")
    assert "0101.21.00" in _codes("Live horse,")


def test_whole_words_only() -> None:
    # "horse" must not match "horsepower" (8407/8501 motor descriptions print "horsepower").
    assert not any(c.startswith(("8407", "8501")) for c in _codes("horse"))
    assert all(not c.startswith("8") for c in _codes("asses"))


def test_own_description_ranks_first_and_chapter99_last() -> None:
    # "electric vehicles": 8703 lines print "vehicles" in their own description; chapter 99
    # lines mentioning both words come after all chapter 1-97 hits.
    rows = _codes("electric vehicles")
    assert any(c.startswith("8703") for c in rows[:10])
    ch99 = [i for i, c in enumerate(rows) if c[:2] in ("98", "99")]
    assert not ch99 or min(ch99) > max(i for i, c in enumerate(rows) if c[:2] not in ("98", "99"))


def test_code_prefix_dotted_or_not() -> None:
    assert _codes("8507.60") == _codes("850760") == ["8507.60.00", "8507.60.00.10", "8507.60.00.20"]


def test_search_page_and_twins() -> None:
    c = TestClient(create_app())
    r = c.get("/tariffs", params={"q": "lithium ion battery"})
    assert r.status_code == 200 and "8507.60.00" in r.text
    assert c.get("/tariffs.json", params={"q": "lithium ion battery"}).json()["count"] == 3
    assert c.get("/tariffs.csv", params={"q": "lithium ion battery"}).text.count("8507.60.00") == 3
    assert "No line matches" in c.get("/tariffs", params={"q": "zzzzqqq"}).text


@pytest.mark.parametrize("q", ["of the", "   ", "..."])
def test_queries_without_words_return_nothing(q: str) -> None:
    assert svc.search(q) == []


def test_search_stem_doctest() -> None:
    import doctest

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for t in finder.find(svc.search_stem, "search_stem"):
        runner.run(t)
    assert runner.tries > 0 and runner.failures == 0
