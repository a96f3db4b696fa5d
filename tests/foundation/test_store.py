from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError, IntegrityError

from tradepolicy.errors import BackupError
from tradepolicy.services.backup import backup, restore, verify_backup
from tradepolicy.services.registry import init_database
from tradepolicy.store.db import (
    current_revisions,
    get_engine,
    head_revisions,
    read_session,
    transaction,
)
from tradepolicy.store.models import Agreement, AuditEntry, Proceeding, ProceedingEvent, Run


def test_sqlite_runs_in_wal_mode_with_foreign_keys() -> None:
    with get_engine().connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_migrations_are_at_head() -> None:
    assert set(current_revisions()) == set(head_revisions())


def test_init_is_idempotent_and_audited(fresh_db: str) -> None:
    report = init_database()
    assert all(c["inserted"] == 0 and c["updated"] == 0 for c in report.counts.values())
    with read_session() as s:
        n_agreements = s.scalar(select(func.count()).select_from(Agreement))
        inserts = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "agreements", AuditEntry.action == "insert"))
    assert n_agreements == inserts and n_agreements >= 2


def test_audit_log_is_append_only(fresh_db: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction() as s:
        s.execute(text("UPDATE audit_log SET actor = 'mallory'"))
    with pytest.raises(DatabaseError, match="append-only"), transaction() as s:
        s.execute(text("DELETE FROM audit_log"))
    with read_session() as s:
        assert "mallory" not in set(s.scalars(select(AuditEntry.actor)))


def test_events_and_runs_are_append_only(fresh_db: str) -> None:
    import datetime as dt

    with transaction() as s:
        s.add(Proceeding(id="t-1", procedure="section301", title="t", created_by="pytest", data={}))
        s.flush()
        s.add(ProceedingEvent(proceeding_id="t-1", seq=1, event="initiated", date=dt.date(2020, 1, 2),
                              payload={}, recorded_by="pytest"))
        s.add(Run(kind="test", created_by="pytest", inputs={}, parameters={}, law_version="x",
                  code_version="y", results={"v": 1}))
    for stmt in ("UPDATE proceeding_events SET event = 'x'", "DELETE FROM proceeding_events",
                 "UPDATE runs SET results = '{}'", "DELETE FROM runs"):
        with pytest.raises(DatabaseError, match="append-only"), transaction() as s:
            s.execute(text(stmt))


def test_failed_transaction_changes_nothing(fresh_db: str) -> None:
    with read_session() as s:
        before = s.scalar(select(func.count()).select_from(Proceeding))
    with pytest.raises(IntegrityError), transaction() as s:
        s.add(Proceeding(id="dup", procedure="x", title="a", created_by="p", data={}))
        s.flush()
        s.add(Proceeding(id="dup", procedure="x", title="b", created_by="p", data={}))
        s.flush()
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(Proceeding)) == before


def test_backup_and_restore_round_trip(fresh_db: str, tmp_path: Path) -> None:
    target = tmp_path / "b" / "backup.db"
    manifest = backup(target)
    assert manifest.sha256 and (tmp_path / "b" / "backup.db.sha256.json").exists()
    assert verify_backup(target).sha256 == manifest.sha256
    with transaction() as s:
        s.add(Proceeding(id="after-backup", procedure="x", title="t", created_by="p", data={}))
    restore(target)
    with read_session() as s:
        assert s.get(Proceeding, "after-backup") is None
        assert s.get(Agreement, "usmca") is not None


def test_restore_of_corrupt_backup_is_refused_and_db_untouched(fresh_db: str, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    backup(target)
    with transaction() as s:
        s.add(Proceeding(id="keep-me", procedure="x", title="t", created_by="p", data={}))
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    db_file = Path(fresh_db.removeprefix("sqlite:///"))
    with sqlite3.connect(db_file) as c:
        before = c.execute("SELECT count(*) FROM proceedings").fetchone()
    with pytest.raises(BackupError, match="sha256 does not match"):
        restore(target)
    with read_session() as s:
        assert s.get(Proceeding, "keep-me") is not None
    with sqlite3.connect(db_file) as c:
        assert c.execute("SELECT count(*) FROM proceedings").fetchone() == before


def test_restore_without_manifest_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "x.db"
    f.write_bytes(b"SQLite format 3\x00")
    with pytest.raises(BackupError, match="no checksum manifest"):
        restore(f)


def test_restore_of_a_non_database_with_matching_manifest_is_refused(tmp_path: Path) -> None:
    from tradepolicy.datasets.registry import sha256_of

    f = tmp_path / "x.db"
    f.write_bytes(b"hello")
    (tmp_path / "x.db.sha256.json").write_text(json.dumps({"sha256": sha256_of(f)}))
    with pytest.raises(BackupError, match=r"not a readable SQLite database|integrity"):
        verify_backup(f)


def test_registry_sync_removes_records_dropped_from_yaml_with_audit(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import tradepolicy.services.registry as reg

    original = reg._agreement_rows
    monkeypatch.setattr(reg, "_agreement_rows", lambda: [r for r in original() if r["id"] != "wto-tfa"])
    report = reg.init_database()
    assert report.counts["agreements"]["removed"] == 1
    with read_session() as s:
        assert s.get(Agreement, "wto-tfa") is None
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "agreements",
                                                   AuditEntry.action == "delete")).one()
    assert entry.entity_id == "wto-tfa" and entry.before["short_name"] == "TFA" and entry.after is None
    monkeypatch.setattr(reg, "_agreement_rows", original)
    assert reg.init_database().counts["agreements"]["inserted"] == 1
