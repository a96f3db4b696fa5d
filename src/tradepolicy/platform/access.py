"""The access log: every read of a confidential item appends one entry (who, what, when, where)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tradepolicy.platform.labels import is_confidential
from tradepolicy.platform.principal import Principal
from tradepolicy.store.models_platform import AccessEntry


def log_read(
    session: Session,
    principal: Principal,
    *,
    entity: str,
    entity_id: str,
    label: str,
    scope: str | None,
    where: str = "",
    action: str = "read",
    detail: dict[str, Any] | None = None,
) -> AccessEntry | None:
    """Append one access-log entry for a read of a confidential item (public reads are not logged).

    ``where`` says from where: the client address of a web/API request (``"127.0.0.1"``) or
    ``"cli"``. Call it in the same transaction that returns the item.
    """
    if not is_confidential(label):
        return None
    entry = AccessEntry(actor=principal.name, role=principal.role, via=principal.via, action=action,
                        entity=entity, entity_id=str(entity_id), label=label, scope=scope,
                        where=where[:200], detail=detail)
    session.add(entry)
    return entry
