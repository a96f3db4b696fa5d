"""Prepare the database: migrations plus the bundled reference registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tradepolicy.config import get_settings
from tradepolicy.reference import load_agencies, load_agreements, load_guide
from tradepolicy.services.seeds import seeders
from tradepolicy.store import audit
from tradepolicy.store.db import get_engine, migrate, transaction
from tradepolicy.store.models import Agency, Agreement, Base, GuideEntry


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What ``init_database`` changed, per table: inserted, updated, unchanged."""

    counts: dict[str, dict[str, int]]


def _upsert(session: Session, model: type[Base], rows: list[dict[str, Any]], actor: str) -> dict[str, int]:
    counts = {"inserted": 0, "updated": 0, "unchanged": 0, "removed": 0}
    table = model.__tablename__
    wanted = {row["id"] for row in rows}
    for stale in session.scalars(select(model)).all():
        if stale.id not in wanted:  # type: ignore[attr-defined]
            audit.record(session, actor=actor, action="delete", entity=table,
                         entity_id=stale.id, before=audit.snapshot(stale), after=None)  # type: ignore[attr-defined]
            session.delete(stale)
            counts["removed"] += 1
    session.flush()
    for row in rows:
        current = session.get(model, row["id"])
        if current is None:
            obj = model(**row)
            session.add(obj)
            audit.record(session, actor=actor, action="insert", entity=table,
                         entity_id=row["id"], before=None, after=audit.snapshot(obj))
            counts["inserted"] += 1
            continue
        before = audit.snapshot(current)
        for key, value in row.items():
            setattr(current, key, value)
        after = audit.snapshot(current)
        if before != after:
            audit.record(session, actor=actor, action="update", entity=table,
                         entity_id=row["id"], before=before, after=after)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def _agreement_rows() -> list[dict[str, Any]]:
    _, agreements = load_agreements()
    rows = []
    for a in agreements:
        data = a.model_dump(mode="json")
        rows.append({
            "id": a.id, "name": a.name, "short_name": a.short_name, "kind": a.kind,
            "status": a.status, "signed": a.dates.signed, "in_force": a.dates.in_force,
            "implemented": a.dates.implemented, "summary": a.summary,
            "key_provisions": a.key_provisions, "parties": list(a.parties),
            "provisions": data["provisions"], "citations": data["citations"],
            "implementation_status": a.implementation_status, "data": data,
        })
    return rows


def _agency_rows() -> list[dict[str, Any]]:
    _, agencies = load_agencies()
    return [
        {"id": a.id, "name": a.name, "kind": a.kind, "role": a.role,
         "citations": a.model_dump(mode="json")["citations"], "data": a.model_dump(mode="json")}
        for a in agencies
    ]


def _guide_rows() -> list[dict[str, Any]]:
    _, entries = load_guide()
    return [
        {"id": g.id, "title": g.title, "body": g.body, "keywords": " ".join(g.keywords),
         "links": [lk.model_dump(mode="json") for lk in g.links],
         "citations": [c.model_dump(mode="json") for c in g.citations]}
        for g in entries
    ]


def _rebuild_fts(session: Session) -> None:
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(text("DELETE FROM guide_fts"))
    session.execute(text(
        "INSERT INTO guide_fts (id, title, body, keywords) "
        "SELECT id, title, body, keywords FROM guide_entries"
    ))


def init_database(url: str | None = None) -> SyncReport:
    """Run the migrations, then load the bundled registry in one transaction.

    The YAML is validated before anything is written, so a corrupt registry file
    changes nothing stored.
    """
    rows = {
        "agreements": (Agreement, _agreement_rows()),
        "agencies": (Agency, _agency_rows()),
        "guide_entries": (GuideEntry, _guide_rows()),
    }
    migrate(url)
    actor = f"registry-sync:{get_settings().user}"
    counts: dict[str, dict[str, int]] = {}
    with transaction(url) as session:
        for name, (model, table_rows) in rows.items():
            counts[name] = _upsert(session, model, table_rows, actor)
        _rebuild_fts(session)
        for name, seeder in seeders().items():
            counts[name] = seeder(session, actor)
    return SyncReport(counts)


def is_initialised(url: str | None = None) -> bool:
    """Return True when the database has the registry tables and at least one agreement."""
    from sqlalchemy import inspect as sa_inspect

    eng = get_engine(url)
    if "agreements" not in sa_inspect(eng).get_table_names():
        return False
    with eng.connect() as conn:
        return conn.execute(select(Agreement.id).limit(1)).first() is not None
