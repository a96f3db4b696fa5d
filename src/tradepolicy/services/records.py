"""Records shared by every workflow: append-only versions with actor, time and labels.

A workflow (dockets, barriers, placements, commitments, disputes, clearance steps...) stores its
records here under its own ``kind``; this module gives each of them versioning, labels on the
record and on single fields, the audit entry on write, and the access-log entry on every
confidential read. Reads go through the policy (``platform.policy.can_read``): an item the
principal may not read is never returned, counted or named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tradepolicy.errors import ConflictError, InputError, NotFoundError
from tradepolicy.platform.access import log_read
from tradepolicy.platform.labels import check_label, is_confidential
from tradepolicy.platform.policy import can_read
from tradepolicy.platform.principal import Principal
from tradepolicy.store import audit
from tradepolicy.store.models import utcnow
from tradepolicy.store.models_platform import RecordRow, RecordVersion

MAX_RECORD_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class RecordView:
    """One record as a given principal may see it.

    ``data`` has the fields whose label the principal may not read removed; their names are in
    ``redacted_fields``.
    """

    kind: str
    key: str
    scope: str | None
    label: str
    status: str
    title: str
    version: int
    data: dict[str, Any]
    redacted_fields: tuple[str, ...]
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str
    note: str | None = None
    field_labels: dict[str, str] = field(default_factory=dict)


def put_record(
    session: Session,
    actor: Principal,
    *,
    kind: str,
    key: str,
    data: dict[str, Any],
    label: str = "public",
    scope: str | None = None,
    status: str = "",
    title: str = "",
    field_labels: dict[str, str] | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> RecordView:
    """Create a record or append a new version of it, with one audit entry.

    ``expected_version`` guards against lost updates: when given, the write is refused
    (``ConflictError``) unless the record's current version is that number (0 = must not exist).
    """
    label = check_label(label)
    labels = {k: check_label(v, field=f"field_labels.{k}") for k, v in (field_labels or {}).items()}
    import json

    size = len(json.dumps(data, default=str))
    if size > MAX_RECORD_BYTES:
        raise InputError(f"Record {kind}:{key} is {size:,} bytes of data; the limit is {MAX_RECORD_BYTES:,}.",
                         field="data", expected=f"at most {MAX_RECORD_BYTES:,} bytes", example="split attachments into documents")
    head = session.execute(
        select(RecordRow).where(RecordRow.kind == kind, RecordRow.key == key).with_for_update()
    ).scalar_one_or_none()
    current = head.version if head else 0
    if expected_version is not None and expected_version != current:
        raise ConflictError(f"Record {kind}:{key} is at version {current}, not {expected_version}.",
                            field="expected_version", expected=str(current), example=str(current))
    now = utcnow()
    before = None
    if head is None:
        head = RecordRow(kind=kind, key=key, scope=scope, label=label, status=status, title=title,
                         version=1, created_at=now, created_by=actor.name, updated_at=now)
        session.add(head)
        session.flush()
    else:
        before = {"version": head.version, "label": head.label, "status": head.status}
        head.version += 1
        head.label, head.status, head.title, head.scope, head.updated_at = label, status, title, scope, now
    version = RecordVersion(record_id=head.id, version=head.version, label=label, status=status, title=title,
                            data=data, field_labels=labels, actor=actor.name, at=now, note=note)
    session.add(version)
    audit.record(session, actor=actor.name, action="create" if before is None else "update",
                 entity=f"record:{kind}", entity_id=key, before=before,
                 after={"version": head.version, "label": label, "status": status})
    session.flush()
    return _view(head, version, actor, redact=False)


def _view(head: RecordRow, version: RecordVersion, principal: Principal, *, redact: bool = True) -> RecordView:
    data = dict(version.data)
    hidden: list[str] = []
    if redact:
        for name, lab in (version.field_labels or {}).items():
            if name in data and not can_read(principal, lab, head.scope):
                data.pop(name)
                hidden.append(name)
    first_at = head.created_at
    return RecordView(kind=head.kind, key=head.key, scope=head.scope, label=version.label, status=version.status,
                      title=version.title, version=version.version, data=data, redacted_fields=tuple(hidden),
                      created_at=first_at, created_by=head.created_by, updated_at=version.at,
                      updated_by=version.actor, note=version.note, field_labels=dict(version.field_labels or {}))


def _log_if_confidential(session: Session, principal: Principal, head: RecordRow, version: RecordVersion,
                         view: RecordView, where: str) -> None:
    shown_confidential = [k for k, lab in view.field_labels.items() if is_confidential(lab) and k in view.data]
    if is_confidential(version.label) or shown_confidential:
        log_read(session, principal, entity=f"record:{head.kind}", entity_id=head.key,
                 label=version.label if is_confidential(version.label) else view.field_labels[shown_confidential[0]],
                 scope=head.scope, where=where, detail={"version": version.version, "fields": shown_confidential})


def get_record(session: Session, principal: Principal, kind: str, key: str, *, where: str = "",
               version: int | None = None) -> RecordView:
    """Return a record (its latest or a given version) as ``principal`` may see it, logging a confidential read.

    A record the principal may not read raises ``NotFoundError``, exactly as a missing one does.
    """
    head = session.execute(select(RecordRow).where(RecordRow.kind == kind, RecordRow.key == key)).scalar_one_or_none()
    if head is None or not can_read(principal, head.label, head.scope):
        raise NotFoundError(f"No {kind} record {key!r}.", field="key", example=key)
    ver = session.execute(select(RecordVersion).where(
        RecordVersion.record_id == head.id, RecordVersion.version == (version or head.version))).scalar_one_or_none()
    if ver is None or not can_read(principal, ver.label, head.scope):
        raise NotFoundError(f"No version {version} of {kind} record {key!r}.", field="version",
                            expected=f"1..{head.version}", example=str(head.version))
    view = _view(head, ver, principal)
    _log_if_confidential(session, principal, head, ver, view, where)
    return view


def list_records(session: Session, principal: Principal, kind: str, *, status: str | None = None,
                 scope: str | None = None, where: str = "", limit: int | None = None) -> list[RecordView]:
    """Return the latest version of every ``kind`` record the principal may read (filtered, in key order)."""
    q = select(RecordRow, RecordVersion).join(
        RecordVersion, (RecordVersion.record_id == RecordRow.id) & (RecordVersion.version == RecordRow.version)
    ).where(RecordRow.kind == kind)
    if status is not None:
        q = q.where(RecordRow.status == status)
    if scope is not None:
        q = q.where(RecordRow.scope == scope)
    out: list[RecordView] = []
    for head, ver in session.execute(q.order_by(RecordRow.key)):
        if not can_read(principal, ver.label, head.scope):
            continue
        view = _view(head, ver, principal)
        _log_if_confidential(session, principal, head, ver, view, where)
        out.append(view)
        if limit is not None and len(out) >= limit:
            break
    return out


def record_kinds(session: Session) -> list[str]:
    """Return the kinds of record stored (workflow names such as ``barrier``; not confidential)."""
    return list(session.scalars(select(RecordRow.kind).distinct().order_by(RecordRow.kind)))


def record_history(session: Session, principal: Principal, kind: str, key: str, *, where: str = "") -> list[RecordView]:
    """Return every version of a record the principal may read, oldest first."""
    head = session.execute(select(RecordRow).where(RecordRow.kind == kind, RecordRow.key == key)).scalar_one_or_none()
    if head is None or not can_read(principal, head.label, head.scope):
        raise NotFoundError(f"No {kind} record {key!r}.", field="key", example=key)
    out = []
    for ver in session.execute(select(RecordVersion).where(RecordVersion.record_id == head.id)
                               .order_by(RecordVersion.version)).scalars():
        if can_read(principal, ver.label, head.scope):
            view = _view(head, ver, principal)
            _log_if_confidential(session, principal, head, ver, view, where)
            out.append(view)
    return out



def list_all_records(session: Session, principal: Principal, *, kind: str | None = None, status: str | None = None,
                     scope: str | None = None, where: str = "", limit: int = 200) -> list[RecordView]:
    """Return up to ``limit`` records of one kind (or of every kind, in kind order) the principal may read."""
    out: list[RecordView] = []
    for k in [kind] if kind else record_kinds(session):
        out += list_records(session, principal, k, status=status, scope=scope, where=where, limit=limit - len(out))
        if len(out) >= limit:
            break
    return out
