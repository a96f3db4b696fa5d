"""Issue 12 items 1-2: the WTO dispute registry, transcribed disputes, reform records, USMCA cases.

Counts are checked against a direct reading of the data file (pandas), not against fixed numbers
written here, except where the file's PROVENANCE states them (538 rows; US respondent in 134 titles).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import func, select

from tests.helpers import requires_dataset
from tradepolicy.enforcement.registry import disputes_since_ds539, usmca_cases, wto_reform
from tradepolicy.errors import ConflictError, InputError, NotFoundError
from tradepolicy.services import disputes as svc
from tradepolicy.services import usmca
from tradepolicy.store.db import read_session
from tradepolicy.store.models import Proceeding, ProceedingEvent

D = dt.date.fromisoformat


def _counts() -> tuple[int, int]:
    with read_session() as s:
        return (s.scalar(select(func.count()).select_from(Proceeding)) or 0,
                s.scalar(select(func.count()).select_from(ProceedingEvent)) or 0)


@pytest.fixture
def registry(fresh_db: str) -> str:
    svc.load_registry()
    return fresh_db


@requires_dataset("wto-disputes")
def test_registry_counts_match_the_data_file(registry: str) -> None:
    from tradepolicy.datasets.readers.enforcement import read_wto_disputes

    df = read_wto_disputes()
    assert len(df) == 538 and sorted(df["ds_number"]) == list(range(1, 539))  # PROVENANCE: 538 x 9
    rows = {r.ds: r for r in svc.list_disputes() if r.number <= 538}
    assert len(rows) == 538
    for rec in df.itertuples():
        r = rows[f"DS{rec.ds_number}"]
        assert list(r.complainants) == rec.complainants and r.respondent == rec.respondent
        assert r.consultations_requested == rec.consultations_requested
    us_resp = sum(1 for r in rows.values() if r.respondent == "United States")
    assert us_resp == (df["respondent"] == "United States").sum() == 134  # PROVENANCE: "United States" 134
    us_comp = sum(1 for r in rows.values() if "United States" in r.complainants)
    assert us_comp == df["complainants"].map(lambda c: "United States" in c).sum()
    # the views give the same subsets
    assert len([r for r in svc.list_disputes(us="respondent") if r.number <= 538]) == us_resp
    assert len([r for r in svc.list_disputes(us="complainant") if r.number <= 538]) == us_comp


@requires_dataset("wto-disputes")
def test_views_by_agreement_and_status_against_direct_count(registry: str) -> None:
    from tradepolicy.datasets.readers.enforcement import read_wto_disputes

    df = read_wto_disputes()
    direct: Counter[str] = Counter()
    for cited in df["agreements_cited"]:
        for a in dict.fromkeys(svc.agreement_name(c) for c in cited):
            direct[a] += 1
    for rec in disputes_since_ds539():
        for a in dict.fromkeys(svc.agreement_name(c) for c in rec.agreements_cited):
            direct[a] += 1
    got = {c.key: c.disputes for c in svc.by_agreement()}
    assert got == dict(direct)
    status = {c.key: c.disputes for c in svc.by_status()}
    assert status["IN CONSULTATIONS"] == (df["status_2019"] == "IN CONSULTATIONS").sum()
    tbt = svc.list_disputes(agreement="technical barriers to trade (tbt)")
    assert len(tbt) == direct["Technical Barriers to Trade (TBT)"]


def test_transcribed_disputes_carry_citations(registry: str) -> None:
    recs = disputes_since_ds539()
    assert {"DS543", "DS544", "DS547", "DS548", "DS550", "DS551", "DS552", "DS554", "DS556", "DS564",
            "DS597"} <= {r.ds for r in recs}
    for r in recs:
        assert r.citations and all(c.title for c in r.citations)
        assert all(len(e.source) >= 3 for e in r.events)
        if r.confirmed:  # a dispute marked confirmed has at least one confirmed dated event with a URL source
            assert any(e.confirmed for e in r.events)
    ds597 = svc.get_dispute("ds597")
    assert ds597.complainants == ("Hong Kong, China",) and ds597.respondent == "United States"
    assert ds597.consultations_requested == D("2020-10-30") and ds597.stage == "appeal_into_void"
    # DS597 panel request 2021-01-14 >= 2020-10-30 + 60 days (DSU 4.7): computed on the stored case
    from tradepolicy.services.proceedings import get_case

    c = get_case("DS597", as_of="2026-12-06")
    d = next(x for x in c.deadlines if x.clock_id == "panel_request_earliest")
    assert (d.due_date, d.status) == ("2020-12-29", "met")


def test_appeals_into_the_void_counted_from_the_registry(registry: str) -> None:
    rows = svc.list_disputes()
    direct = sorted(r.ds for r in rows if r.appealed_on and r.appealed_on >= D("2019-12-11"))
    ov = svc.reform_overview(as_of=D("2026-12-06"))
    assert sorted(r.ds for r in ov.appeals_into_void) == direct
    assert {"DS543", "DS544", "DS597", "DS558"} <= set(direct)
    assert ov.days_without_ab == (D("2026-12-06") - D("2019-12-11")).days == 2552
    members = {p.member: p for p in ov.mpia_participants}
    assert members["European Union"].joined == "2020-04-30" and "United States" not in members
    assert len([p for p in ov.mpia_participants if p.joined == "2020-04-30"]) == 19  # ELP: "19 Members"
    keys = {r.key for r in ov.records}
    assert {"mc12-2022", "mc13-2024", "ab-inoperative-2019-12-11"} <= keys
    assert all(r.citations for r in ov.records)


def test_unknown_and_malformed_ds_numbers(registry: str) -> None:
    before = _counts()
    with pytest.raises(NotFoundError, match="DS9999"):
        svc.get_dispute("DS9999")
    with pytest.raises(InputError):
        svc.get_dispute("WT543")
    with pytest.raises(ConflictError):
        svc.add_dispute("DS597", title="dup", complainants=["X"], respondent="United States",
                        consultations_requested="2020-10-30", source="WT/DS597/1")
    with pytest.raises(InputError, match="after today"):
        svc.add_dispute("DS9998", title="future", complainants=["X"], respondent="United States",
                        consultations_requested="2199-01-01", source="WT/DS9998/1")
    assert _counts() == before
    row = svc.add_dispute("DS640", title="A later dispute", complainants=["Canada"], respondent="United States",
                          consultations_requested="2025-03-13", source="WT/DS640/1 (test entry)", confirmed=False)
    assert row.ds == "DS640" and row.stage == "consultations" and not row.confirmed


def test_usmca_cases_loaded_with_citations(fresh_db: str) -> None:
    rep = usmca.load_cases()
    ch31, rrm, _ = usmca_cases()
    assert rep.inserted == len(ch31) + len(rrm) + 1
    assert usmca.load_cases().inserted == 0  # idempotent
    rows = usmca.rrm_cases()
    assert len(rows) == len(rrm)
    vu = next(r for r in rows if r.id == "rrm-manufacturas-vu-1")
    assert (vu.request_date, vu.stage) == (D("2022-07-21"), "review_requested")
    assert "Friday 2022-07-29" in vu.mexico_response
    stats = usmca.rrm_stats(rows)
    assert stats.cases == len(rrm) and stats.panels_requested == sum(
        1 for r in rrm if r.panel_request_date or any(e.event == "panel_requested" for e in r.events))
    assert sum(stats.by_year.values()) == stats.with_request_date
    corn = next(d for d in usmca.ch31_disputes() if d.id == "usmca-ch31-mexico-ge-corn")
    assert corn.panel_requested == D("2023-08-17") and corn.outcome and "2024-12-20" in corn.outcome


def test_joint_review_clock_and_outcome_paths(fresh_db: str) -> None:
    usmca.load_cases()
    jr = usmca.joint_review_clock(as_of=D("2026-05-01")).to_dict()
    # fact sheet s.5.5: review 2026-07-01; all confirm -> term to 2042-07-01, next review 2032-07-01;
    # otherwise annual reviews from 2027-07-01 until the term ends 2036-07-01
    assert jr["review_date"] == "2026-07-01" and jr["days_to_review"] == 61
    paths = {k: {d["clock_id"]: d["due_date"] for d in v} for k, v in jr["outcome_paths"].items()}
    assert paths["all_confirmed"] == {"renewed_term_end": "2042-07-01", "next_review_after_confirmation": "2032-07-01"}
    assert paths["not_all_confirmed"] == {"term_end": "2036-07-01", "next_annual_review": "2027-07-01"}
    due = {d["clock_id"]: d for d in jr["deadlines"]}
    # hearing rescheduled to 2025-12-03..05 (USTR notice of 2025-11-07, Thompson Hine); rebuttals are due
    # seven days after the last hearing day (FR notice, Mondaq 2025-09-18): 2025-12-05 + 7 = 2025-12-12
    assert due["rebuttals_due"]["due_date"] == "2025-12-12"
    assert due["s611_notice_due"]["status"] == "met"  # notice 2025-09-17, due 270 days before: 2025-10-04
    # the review's outcome is in no stored source: nothing is recorded after the hearing, and the hearing
    # days themselves are scheduled dates, not confirmed as held
    assert not {"joint_review_held", "all_confirmed", "not_all_confirmed"} & {e["event"] for e in jr["events"]}
    assert all(not e["confirmed"] for e in jr["events"] if e["event"] == "hearing_held")
    assert jr["stage"] == "preparation"


def test_rrm_cases_added_2026_12_07_carry_their_sources(fresh_db: str) -> None:
    # Each date below is quoted from the source named beside it in usmca_cases.yaml.
    usmca.load_cases()
    rows = {r.id: r for r in usmca.rrm_cases()}
    mine = rows["rrm-grupo-mexico-san-martin"]  # White & Case: request 2023-06-16, panel 2023-08-22
    assert (mine.request_date, mine.panel_requested, mine.stage) == (D("2023-06-16"), D("2023-08-22"), "panel")
    assert "2023-08-01" in mine.mexico_response
    assert rows["rrm-atento"].panel_requested == D("2024-04-16")  # Kelley Drye: second RRM panel
    assert rows["rrm-panasonic-reynosa"].request_date == D("2022-05-18")  # USTR announcement, Law360 2022-05-18
    assert rows["rrm-inisa-2000"].request_date == D("2023-06-12")  # International Trade Today: "announcement June 12"
    assert rows["rrm-gm-silao"].stage == "remediation"  # course of remediation 2021-07-08 (USTR, U.S. Chamber)
    assert rows["rrm-teksid-hierro"].stage == "closed"  # resolved, liquidation resumed 2022-08-16 (Trade Law Daily)
    # USTR releases: Unique Fabricating requested 2023-03-06, resolved 2023-04-24; Pirelli 2024-08-23, panel 2024-12-18
    uf, pirelli = rows["rrm-unique-fabricating"], rows["rrm-pirelli"]
    assert (uf.request_date, uf.stage) == (D("2023-03-06"), "closed")
    assert (pirelli.request_date, pirelli.panel_requested, pirelli.stage) == (D("2024-08-23"), D("2024-12-18"), "panel")
    # USTR releases of 2024-04-01 and 2024-04-03: the 21st and 22nd requests
    assert rows["rrm-servicios-industriales-gonzalez"].request_date == D("2024-04-01")
    assert rows["rrm-minera-tizapa"].request_date == D("2024-04-03")
    # USTR: Tecnos requested 2024-06-24 (24th), Bader 2024-09-16 (28th); both panels 2024-12-18 (6th, 5th)
    assert (rows["rrm-tecnos"].request_date, rows["rrm-bader"].request_date) == (D("2024-06-24"), D("2024-09-16"))
    assert "2023-11-10" in rows["rrm-inisa-2000"].remediation  # DOL/USTR: agreed completion date
    assert "2024-02-05" in rows["rrm-goodyear-slp"].outcome  # USTR press release 2024-02-05
    _, rrm, _ = usmca_cases()
    for rec in rrm:
        assert rec.citations and all(c.href or c.title for c in rec.citations)
        assert all(e.source for e in rec.events)
    # a case whose request date no stored source gives has no request date, not a guessed one
    assert rows["rrm-asiaway"].request_date is None and rows["rrm-mas-air"].request_date is None
    # DOL release 2023-05-22: Goodyear requested 2023-05-22; closed 2024-02-05 (USTR)
    assert (rows["rrm-goodyear-slp"].request_date, rows["rrm-goodyear-slp"].stage) == (D("2023-05-22"), "closed")
    assert rows["rrm-tridonex"].request_date == D("2021-06-09")  # USTR release of the evening of June 9


def test_steel_232_disputes_dates_from_ustr_and_dsb_records(registry: str) -> None:
    # USTR's DS564 page: panel requested 2018-10-18, established at the DSB meeting of 2018-11-21 (not
    # 2019-01-28 as stored before), composed 2019-01-25; the 2018-11-21 meeting established the panels on
    # the second requests of China, the EU, Canada, Mexico, Norway, Russia and Turkey (US Glass Magazine).
    from tradepolicy.services.proceedings import get_case

    for ds in ("DS544", "DS548", "DS550", "DS551", "DS552", "DS554", "DS564"):
        log = {e.event: e.date for e in get_case(ds, as_of="2026-12-07").log}
        assert log["panel_established"] == "2018-11-21", ds
    recs = {r.ds: r for r in disputes_since_ds539()}
    ds564 = {e.event: e for e in recs["DS564"].events}
    assert ds564["panel_composed"].date == D("2019-01-25") and ds564["panel_established"].confirmed
    # USTR's DS547 page: India's panel established 2018-12-04; MAS notified 2023-07-13 (WT/DS547 notification)
    india = svc.get_dispute("DS547")
    assert india.stage == "settled" and india.consultations_requested == D("2018-05-18")


def test_reform_records_validated() -> None:
    mpia, recs = wto_reform()
    assert all(p.joined >= D("2020-04-30") for p in mpia.participants)
    assert {r.kind for r in recs} >= {"ministerial_decision", "reform_proposal"}
