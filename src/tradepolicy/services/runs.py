"""Stored runs: every calculation or scenario run is appended to ``runs`` with an audit entry.

Runs are never overwritten (the table is append-only); a re-run is a new row whose
``parent_id`` names the run it repeats.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tradepolicy import __version__
from tradepolicy.store.audit import record
from tradepolicy.store.models import Run

_AUDITED = ("id", "kind", "inputs", "law_version", "code_version", "parent_id")


def add_run(
    session: Session,
    *,
    kind: str,
    actor: str,
    inputs: dict[str, Any],
    parameters: dict[str, Any],
    results: dict[str, Any],
    law_version: str,
    code_version: str = __version__,
    parent_id: int | None = None,
) -> Run:
    """Append a run inside the caller's transaction and audit it; return the new row."""
    run = Run(kind=kind, created_by=actor, inputs=inputs, parameters=parameters,
              law_version=law_version, code_version=code_version, results=results,
              parent_id=parent_id)
    session.add(run)
    session.flush()
    record(session, actor=actor, action="rerun" if parent_id else "create", entity="run",
           entity_id=str(run.id), before=None,
           after={k: getattr(run, k) for k in _AUDITED})
    return run
