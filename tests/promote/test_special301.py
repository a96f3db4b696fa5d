"""Special 301: placements 2005-2018 equal the data file; transcribed lists; history; PFC -> Section 301."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.promote.conftest import ANON, STAFF, needs
from tradepolicy.errors import InputError
from tradepolicy.services import special301 as svc
from tradepolicy.store.db import transaction


@needs("ustr-special301")
def test_2005_2018_placements_equal_the_data_file() -> None:
    import csv

    from tradepolicy.datasets.registry import dataset_path

    with open(dataset_path("ustr-special301", "special301_2005-2018_long.csv"), encoding="utf-8") as f:
        expected = {(r["country"], int(r["year"]), r["status"]) for r in csv.DictReader(f)}
    with transaction() as s:
        got = {(p.country, p.year, p.status) for p in svc.placements(s, ANON).placements if p.year <= 2018}
    assert got == expected
    # every country of the file maps to an ISO3 code (so --country works for all of them)
    with transaction() as s:
        assert all(p.iso3 for p in svc.placements(s, ANON).placements)


def test_transcribed_2025_priority_watch_list() -> None:
    with transaction() as s:
        res = svc.placements(s, ANON, year=2025)
    pwl = {p.iso3 for p in res.placements if p.status == "PWL"}
    assert pwl == {"ARG", "CHL", "CHN", "IND", "IDN", "MEX", "RUS", "VEN"}
    assert all("Special 301 Report" in p.citation for p in res.placements)
    assert any("incomplete" in n for n in res.notes)  # Section 306 monitoring 2025 is not sourced: said so
    # the 2025 Watch List is derived (2024 WL minus Mexico, moved up, and Turkmenistan, removed:
    # USTR press release 2025-04-29), 18 names as Reuters counts, and flagged unconfirmed
    wl25 = {p.iso3 for p in res.placements if p.status == "WL" and p.source == "transcribed"}
    with transaction() as s:
        wl24 = {p.iso3 for p in svc.placements(s, ANON, year=2024).placements
                if p.status == "WL" and p.source == "transcribed"}
    assert wl25 == wl24 - {"MEX", "TKM"} and len(wl25) == 18
    assert not any(p.confirmed for p in res.placements if p.status == "WL")


@needs("ustr-special301")
def test_history_and_filters() -> None:
    with transaction() as s:
        h = svc.history(s, ANON, "UKR")
    assert 2013 in h.pfc_years  # Ukraine was identified as a PFC in 2013 (dataset)
    assert [y for y, _, _ in h.points] == sorted(y for y, _, _ in h.points)
    with transaction() as s, pytest.raises(InputError) as exc:
        svc.placements(s, ANON, country="ZZZ")
    assert exc.value.field == "country"


def test_recorded_placement_and_bad_list(fresh_db: str) -> None:
    with transaction() as s:
        svc.record_placement(s, STAFF, country="THA", year=2024, status="WL", citation="USTR, 2024 Special 301 Report, p. 80")
        got = [p for p in svc.placements(s, ANON, country="THA", year=2024).placements]
    # the office's record sits beside the transcribed 2024 Watch List entry (both kept, each cited)
    assert sorted((p.status, p.source) for p in got) == [("WL", "recorded"), ("WL", "transcribed")]
    with transaction() as s, pytest.raises(InputError) as exc:
        svc.record_placement(s, STAFF, country="THA", year=2024, status="Red list", citation="x")
    assert exc.value.field == "list"


def test_review_procedure_and_pfc_clock(fresh_db: str) -> None:
    from tradepolicy.services.proceedings import get_case, record_event

    case = svc.open_review(2026, actor="staffer")
    assert case.procedure == "special301_review"
    record_event(case.id, "notice_published", dt.date(2025, 12, 15), actor="staffer")
    record_event(case.id, "nte_submitted", dt.date(2026, 3, 31), actor="staffer")
    got = get_case(case.id, as_of=dt.date(2026, 4, 1))
    due = {d.clock_id: d for d in got.deadlines}["report_due"]
    assert due.due_date == "2026-04-30"  # 30 days after the NTE submission (19 U.S.C. 2242(a))
    pfc = svc.designate_pfc("UKR", dt.date(2026, 4, 30), actor="staffer")
    assert pfc.procedure == "section301"
    clock = {d.clock_id: d for d in pfc.deadlines}["pfc_initiation_due"]
    assert clock.due_date == "2026-05-30"  # initiation within 30 days after the PFC identification


def test_transcribed_lists_2019_2021_are_cited_and_flagged() -> None:
    with transaction() as s:
        r21 = svc.placements(s, ANON, year=2021)
        r20 = svc.placements(s, ANON, year=2020)
        r19 = svc.placements(s, ANON, year=2019)
    assert {p.iso3 for p in r21.placements if p.status == "PWL"} == {"ARG", "CHL", "CHN", "IND", "IDN", "RUS", "SAU",
                                                                     "UKR", "VEN"}
    # 2020: ten on the PWL (Algeria included, strtrade 2020), 23 on the WL, with the report's pages
    assert len({p.iso3 for p in r20.placements if p.status == "PWL"}) == 10
    assert "DZA" in {p.iso3 for p in r20.placements if p.status == "PWL"}
    assert len({p.iso3 for p in r20.placements if p.status == "WL"}) == 23
    # 2019: 11 + 25 confirmed by two reports (36 partners, as the first says); Tajikistan, named by
    # one report only, is kept but flagged unconfirmed
    confirmed19 = {(p.iso3, p.status) for p in r19.placements if p.confirmed}
    assert len(confirmed19) == 36
    assert [p.confirmed for p in r19.placements if p.iso3 == "TJK"] == [False]


def test_every_transcribed_list_is_cited() -> None:
    """Every list block names its report and section, gives at least one source URL unless it is
    marked unconfirmed and incomplete, and a complete list has members."""
    from tradepolicy.promote import special301 as sp

    for block in sp.transcribed()["lists"]:
        where = f"{block['year']} {block['list']}"
        assert f"{block['year']} Special 301 Report" in block["citation"], where
        assert "Section II" in block["citation"], where
        assert "page" in block, where  # null until checked against the PDF, but always present
        if block["page"] is not None:  # a page says where it was read and is in the citation
            assert block["page_source"].startswith("https://"), where
            assert f"p. {block['page']}" in block["citation"], where
        if block.get("confirmed"):
            assert block["sources"] and all(u.startswith("https://") for u in block["sources"]), where
        if block.get("complete", True):
            assert block["members"], where
        else:
            assert block.get("note"), where  # an incomplete list says what is missing
        if block.get("expected_count") and block.get("complete", True):
            assert len(block["members"]) == block["expected_count"], where


def test_transcribed_2022_2024_lists() -> None:
    """The 2022-2024 lists as the cited summaries give them (counts: 2022 7+20, 2023 7+22, 2024 7+20;
    sources in special301_2019on.yaml), and the year-to-year changes they report."""
    with transaction() as s:
        by_year = {y: [p for p in svc.placements(s, ANON, year=y).placements if p.source == "transcribed"]
                   for y in (2022, 2023, 2024)}
    pwl = {y: {p.iso3 for p in ps if p.status == "PWL"} for y, ps in by_year.items()}
    wl = {y: {p.iso3 for p in ps if p.status == "WL"} for y, ps in by_year.items()}
    assert pwl[2022] == pwl[2023] == pwl[2024] == {"ARG", "CHL", "CHN", "IND", "IDN", "RUS", "VEN"}
    assert (len(wl[2022]), len(wl[2023]), len(wl[2024])) == (20, 22, 20)
    assert wl[2023] - wl[2022] == {"BLR", "BGR"} and not wl[2022] - wl[2023]  # IACC: the only additions
    assert wl[2023] - wl[2024] == {"DOM", "UZB"} and not wl[2024] - wl[2023]  # removed in 2024
    assert all(p.confirmed and "https://" in p.citation for ps in by_year.values() for p in ps)
