"""Group commit: writes that share one commit keep "a rejected request changes nothing".

``store/group_commit.run_grouped`` runs concurrent writes in one transaction, each in its own
SAVEPOINT, and commits once (one fsync for the round). A write that raises is rolled back to
its savepoint; the others of the round are committed; seq stays unique and gapless.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from tradepolicy.errors import ConflictError
from tradepolicy.services import proceedings as svc
from tradepolicy.store.db import read_session
from tradepolicy.store.group_commit import _commit_round, _Job, run_grouped
from tradepolicy.store.models import AuditEntry, ProceedingEvent


def _count(model: type) -> int:
    with read_session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_failing_write_in_a_round_changes_nothing_and_the_others_commit(fresh_db: str) -> None:
    svc.open_case(procedure="tpa_negotiation", case_id="gc-1", title="Group commit")
    audits = _count(AuditEntry)

    def ok(note: str):  # type: ignore[no-untyped-def]
        return lambda s: svc.record_event("gc-1", "committees_consulted", "2024-01-02", note=note, session=s)

    def bad(s):  # type: ignore[no-untyped-def]
        svc.record_event("gc-1", "committees_consulted", "2024-01-02", note="stored, then refused", session=s)
        raise ConflictError("refused after its insert", field="x", expected="y", example="z")

    jobs = [_Job(ok("first")), _Job(bad), _Job(ok("third"))]
    _commit_round(jobs, None)
    assert jobs[0].error is None and jobs[2].error is None
    assert isinstance(jobs[1].error, ConflictError)
    with read_session() as s:
        rows = s.scalars(select(ProceedingEvent).where(ProceedingEvent.proceeding_id == "gc-1")
                         .order_by(ProceedingEvent.seq)).all()
        assert [(r.seq, r.note) for r in rows] == [(1, "first"), (2, "third")]
    assert _count(AuditEntry) == audits + 2  # the refused write left no audit entry either


def test_concurrent_writers_share_commits_with_gapless_seq(fresh_db: str) -> None:
    for i in range(4):
        svc.open_case(procedure="tpa_negotiation", case_id=f"gc-c{i}", title="Group commit")
    errors: list[BaseException] = []
    go = threading.Barrier(16)

    def writer(i: int) -> None:
        go.wait()
        for j in range(5):
            try:
                svc.record_event(f"gc-c{i % 4}", "committees_consulted", "2024-01-02", note=f"{i}/{j}")
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with read_session() as s:
        for i in range(4):
            seqs = s.scalars(select(ProceedingEvent.seq).where(ProceedingEvent.proceeding_id == f"gc-c{i}")
                             .order_by(ProceedingEvent.seq)).all()
            assert list(seqs) == list(range(1, 21))


def test_an_exception_comes_back_to_its_own_writer(fresh_db: str) -> None:
    with pytest.raises(ConflictError, match="mine"):
        run_grouped(lambda s: (_ for _ in ()).throw(ConflictError("mine", field="f", expected="e", example="x")))
    assert run_grouped(lambda s: 42) == 42
