"""The append-only audit log: every change to the store goes through ``record``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session

from tradepolicy.store.models import AuditEntry, Base


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: Base | None) -> dict[str, Any] | None:
    """Return a JSON-safe dict of a model instance's columns."""
    if obj is None:
        return None
    mapper = inspect(obj).mapper
    return {c.key: _jsonable(getattr(obj, c.key)) for c in mapper.column_attrs}


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    """Append one audit entry inside the caller's transaction."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=_jsonable(before),
        after=_jsonable(after),
    )
    session.add(entry)
    return entry


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Append one audit entry inside the caller's transaction, now (one INSERT, no ORM object).

    The same row as :func:`record`, for hot write paths that need no entry object back.
    """
    session.connection().execute(_INSERT, {
        "at": dt.datetime.now(dt.UTC), "actor": actor, "action": action, "entity": entity,
        "entity_id": str(entity_id), "before": _jsonable(before), "after": _jsonable(after)})


_INSERT = insert(AuditEntry)  # built once (its compiled form is reused); run on the Connection: Core
