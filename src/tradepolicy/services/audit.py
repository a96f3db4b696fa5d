"""Read the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from tradepolicy.store.db import read_session
from tradepolicy.store.models import AuditEntry


@dataclass(frozen=True)
class AuditView:
    """One audit entry: who did what to which record, when, and its before/after snapshots."""

    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def list_audit(*, entity: str | None = None, entity_id: str | None = None, limit: int = 50) -> list[AuditView]:
    """Return the newest audit entries first."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    with read_session() as s:
        return [AuditView(id=e.id, at=e.at.isoformat(), actor=e.actor, action=e.action, entity=e.entity,
                          entity_id=e.entity_id, before=e.before, after=e.after)
                for e in s.scalars(stmt)]
