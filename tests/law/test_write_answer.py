"""The answer of an event write: the whole case (default, unchanged) or ``Prefer: return=minimal``.

Issue 9 (>= 200 event writes/s): the write path builds its answer in one validation pass and
can answer only what changed (RFC 7240). These tests pin that neither changes any answer:
- the one-pass ``CaseView`` equals the former per-model construction (a reference build
  written here, field for field) on the seeded real cases and on a case with a correction,
  a planned event and payloads;
- a write's full answer equals a fresh read of the case;
- the minimal answer equals the corresponding parts of the full case (same log row, stage,
  pending deadlines due on or after today, soonest first);
- a refused write with ``return=minimal`` changes nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tradepolicy.api.prefer import preferences, wants_minimal
from tradepolicy.law.procedures import derive, get_procedure
from tradepolicy.services import proceedings as svc
from tradepolicy.services.law_types import CaseEventView, CaseLogEntry, CaseView, DeadlineView
from tradepolicy.store.db import read_session
from tradepolicy.store.models import AuditEntry, ProceedingEvent


# ------------------------------------------------------------------ RFC 7240 parsing
@pytest.mark.parametrize(("headers", "expected"), [
    (["return=minimal"], {"return": "minimal"}),
    (["respond-async, wait=100"], {"respond-async": "", "wait": "100"}),  # RFC 7240 section 2 example
    (['RETURN = "minimal"; foo="a, b", handling=lenient'], {"return": "minimal", "handling": "lenient"}),
    (["return=representation", "return=minimal"], {"return": "representation"}),  # the first instance wins
    (["handling=strict", "return=minimal"], {"handling": "strict", "return": "minimal"}),  # several headers
    ([""], {}),
    (None, {}),
])
def test_prefer_header_parsing(headers: list[str] | None, expected: dict[str, str]) -> None:
    assert preferences(headers) == expected


def test_only_return_minimal_asks_for_the_minimal_answer() -> None:
    assert wants_minimal(["return=minimal"]) and wants_minimal(["wait=5, return=Minimal"])
    assert not wants_minimal(["return=representation"]) and not wants_minimal(["minimal"])
    assert not wants_minimal(None) and not wants_minimal(["return=minimal" + " " * 5000])  # oversized: ignored


# ------------------------------------------------------------------ the full answer is unchanged
def _reference_view(case_id: str, as_of: dt.date | None = None) -> CaseView:
    """Build the case the way the service did before the one-pass answer: one model per item."""
    with read_session() as s:
        case = svc._load_case(s, case_id)
        rows = svc._event_rows(s, case_id)
        records = [svc._record(r) for r in rows]
        log = [svc._logged(r).entry for r in rows]
    proc = get_procedure(case.procedure)
    state = derive(proc, svc._actual(records), as_of=as_of)
    data = dict(case.data or {})

    def ev(e: Any) -> CaseEventView:
        return CaseEventView(seq=e.seq, event=e.event, title=proc.event(e.event).title, date=e.date.isoformat(),
                             payload=dict(e.payload), note=e.note, corrected_by=e.corrects)

    return CaseView(
        id=case.id, procedure=proc.id, procedure_title=proc.title, title=case.title,
        created_at=case.created_at.isoformat() if case.created_at else None, created_by=case.created_by,
        data=data, meta=data.get("meta", {}),
        planned=[ev(r) for r in records if r.payload.get("planned")],
        as_of=state.as_of.isoformat(), stage=state.stage, stage_title=state.stage_title,
        allowed_events=list(state.allowed_events), events=[ev(e) for e in state.events],
        log=[CaseLogEntry(**{**e, "payload": dict(e["payload"]) if e["payload"] else {}}) for e in log],
        deadlines=[DeadlineView.of(d) for d in state.deadlines], overdue=[DeadlineView.of(d) for d in state.overdue],
        outside=[DeadlineView.of(d) for d in state.outside],
        unconfirmed_rules=sorted({d.rule_id for d in state.deadlines if not d.confirmed}),
    )


@pytest.fixture
def mixed_case(fresh_db: str) -> str:
    """An AD case with payloads, a correction and a planned event (corrections, planned, deadlines)."""
    svc.open_case(procedure="ad_investigation", case_id="A-000-077", title="Widgets", meta={"country": "CHN"})
    svc.record_event("A-000-077", "petition_filed", "2025-01-14", payload={"source": "https://example.gov/p", "n": [1, {"a": 2}]})
    svc.record_event("A-000-077", "initiated", "2025-02-03", note="FR notice")
    svc.record_event("A-000-077", "initiated", "2025-02-04", corrects=2, note="date typo")
    svc.record_event("A-000-077", "itc_prelim_affirmative", "2099-03-01", planned=True)
    return "A-000-077"


def test_one_pass_answer_equals_the_per_model_build(mixed_case: str) -> None:
    cases = [c.id for c in svc.list_cases()]
    assert mixed_case in cases and len(cases) >= 5, "the seeded real cases and the mixed one"
    for cid in cases:
        for as_of in (None, dt.date(2025, 7, 1)):
            got = svc.get_case(cid, as_of=as_of)
            assert got == _reference_view(cid, as_of), cid
            assert got.model_dump_json() == _reference_view(cid, as_of).model_dump_json(), cid
    got = svc.get_case(mixed_case, as_of="2025-07-01")
    assert got.planned and got.deadlines and got.overdue and got.log[-1].payload == {"planned": True}


def test_no_caller_can_change_what_the_next_answer_shows(mixed_case: str) -> None:
    # Answers reuse the validated models of stored (append-only) rows; their payloads are
    # read-only JSON, so a caller mutating its answer gets an error instead of changing the cache.
    first = svc.get_case(mixed_case)
    with pytest.raises(TypeError, match="read-only"):
        first.events[0].payload["n"][1]["a"] = 99  # type: ignore[index]
    with pytest.raises(TypeError, match="read-only"):
        first.log[0].payload["source"] = "changed"
    with pytest.raises(TypeError, match="read-only"):
        first.log[0].payload["n"].append(3)  # type: ignore[union-attr]
    mine = copy.deepcopy(first.log[0].payload)  # a copy is an ordinary dict
    mine["source"] = "mine"
    assert type(mine) is dict and first.model_dump()["log"][0]["payload"]["source"] == "https://example.gov/p"
    again = svc.get_case(mixed_case)
    assert again.events[0].payload == {"source": "https://example.gov/p", "n": [1, {"a": 2}]}
    assert again.log[0].payload["source"] == "https://example.gov/p"


# ------------------------------------------------------------------ the API: full and minimal answers
@pytest.fixture
def client(fresh_db: str, client_as) -> TestClient:  # type: ignore[no-untyped-def]
    c: TestClient = client_as("attorney", session=True)
    r = c.post("/api/cases", json={"procedure": "section301", "case_id": "S-77", "title": "t"})
    assert r.status_code == 201, r.text
    return c


def _counts() -> tuple[int, int]:
    with read_session() as s:
        return (s.scalar(select(func.count()).select_from(ProceedingEvent)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_the_default_answer_is_the_case_as_a_read_shows_it(client: TestClient) -> None:
    r = client.post("/api/cases/S-77/events", json={"event": "petition_filed", "date": "2025-03-03"})
    assert r.status_code == 201 and r.headers["vary"] == "Prefer" and "preference-applied" not in r.headers
    assert set(r.json()) == {"ok", "case"}
    assert r.json() == client.get("/api/cases/S-77").json()
    assert r.json()["case"]["deadlines"][0]["due_date"] == "2025-04-17"  # E5: petition + 45 days
    r = client.post("/api/cases/S-77/events", json={"event": "initiated", "date": "2025-04-17"},
                    headers={"Prefer": "return=representation"})
    assert r.status_code == 201 and set(r.json()) == {"ok", "case"} and "preference-applied" not in r.headers


def test_the_minimal_answer_is_what_the_write_changed(client: TestClient) -> None:
    today = dt.date.today()
    r = client.post("/api/cases/S-77/events", json={"event": "petition_filed", "date": today.isoformat(),
                                                    "payload": {"source": "docket"}, "note": "filed"},
                    headers={"Prefer": "return=minimal"})
    assert r.status_code == 201, r.text
    assert r.headers["preference-applied"] == "return=minimal" and r.headers["vary"] == "Prefer"
    body = r.json()
    assert set(body) == {"ok", "recorded"} and body["ok"] is True
    got = body["recorded"]
    case = client.get("/api/cases/S-77").json()["case"]
    assert got["case_id"] == "S-77" and got["event"] == case["log"][-1]
    assert (got["event"]["seq"], got["event"]["event"], got["event"]["date"]) == (1, "petition_filed", today.isoformat())
    assert got["event"]["recorded_by"] == client.user_name  # type: ignore[attr-defined]  # the signed-in person
    assert (got["stage"], got["stage_title"], got["as_of"]) == (case["stage"], case["stage_title"], case["as_of"])
    pending = sorted((d for d in case["deadlines"] if d["status"] == "pending" and d["due_date"]
                      and d["due_date"] >= case["as_of"]), key=lambda d: d["due_date"])
    assert pending, "a petition filed today starts the 45-day initiation clock"
    assert got["next_deadlines"] == pending
    # The next write continues the same gapless sequence.
    r = client.post("/api/cases/S-77/events", json={"event": "initiated", "date": today.isoformat()},
                    headers={"Prefer": "return=minimal"})
    assert r.status_code == 201 and r.json()["recorded"]["event"]["seq"] == 2


def test_a_refused_minimal_write_changes_nothing(client: TestClient) -> None:
    assert client.post("/api/cases/S-77/events", json={"event": "petition_filed", "date": "2025-03-03"},
                       headers={"Prefer": "return=minimal"}).status_code == 201
    before = _counts()
    for body, status in (({"event": "petition_filed", "date": "2025-03-04"}, 409),  # a one-off event, again
                         ({"event": "nope", "date": "2025-01-01"}, 400),
                         ({"event": "petition_filed", "date": "2025-02-30"}, 400)):
        r = client.post("/api/cases/S-77/events", json=body, headers={"Prefer": "return=minimal"})
        assert r.status_code == status, r.text
        assert r.json()["ok"] is False and "preference-applied" not in r.headers
    r = client.post("/api/cases/NOPE/events", json={"event": "x", "date": "2025-01-01"},
                    headers={"Prefer": "return=minimal"})
    assert r.status_code == 404
    assert _counts() == before


def test_the_minimal_answer_is_in_the_openapi_document(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/api/cases/{case_id}/events"]["post"]
    assert op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/CaseEventAnswer")
    union = spec["components"]["schemas"]["CaseEventAnswer"]["anyOf"]
    assert {u["$ref"].rsplit("/", 1)[-1] for u in union} == {"CaseEnvelope", "EventRecordedEnvelope"}
    assert any(p["name"] == "prefer" and p["in"] == "header" for p in op["parameters"])
    assert set(spec["components"]["schemas"]["RecordedEvent"]["required"]) == {
        "case_id", "event", "as_of", "stage", "stage_title", "next_deadlines"}
