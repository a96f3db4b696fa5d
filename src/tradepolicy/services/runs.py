"""Stored runs: every calculation or scenario run is appended to ``runs`` with an audit entry.

Runs are never overwritten (the table is append-only); a re-run is a new row whose
``parent_id`` names the run it repeats.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict, Unpack

from sqlalchemy.orm import Session

from tradepolicy import __version__
from tradepolicy.services.typed import JSONObject
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


# ----------------------------------------------------------------------------- reading runs
# One service and one payload name for every kind of run (scenarios, remedies, gravity): the
# stored results are under "results" everywhere (the column's name).
PAYLOAD = "results"


class RunRecord(TypedDict):
    """The one JSON form of a stored run: who, when, inputs, parameters, versions, the results.

    A ``TypedDict``, not a frozen model, on purpose: the scenario, remedies and gravity
    services (converted on branch typed-econ at the same time) build on this record and edit
    their copy (``list_runs`` drops the payload, adds ``name``...). A typed dict keeps them
    working unchanged while every key is declared and checked. ``inputs``, ``parameters`` and
    ``results`` are each kind's own payload, stored as JSON (open-ended here, typed by the
    kind's service); the extra keys are those the kinds add.
    """

    id: int
    kind: str
    created_at: str | None
    created_by: str
    inputs: JSONObject
    parameters: JSONObject
    law_version: str
    code_version: str
    results: JSONObject
    parent_id: int | None
    name: NotRequired[str | None]         # scenarios: the scenario's name, title and model
    title: NotRequired[str | None]
    model: NotRequired[str | None]
    proceedings: NotRequired[list[str]]   # remedies: the cases the run is attached to


class RunKeys(TypedDict, total=False):
    """The keys a kind adds to :class:`RunRecord` (``run_record(r, name=..., ...)``)."""

    name: str | None
    title: str | None
    model: str | None
    proceedings: list[str]


def run_record(r: Run, **kind_keys: Unpack[RunKeys]) -> RunRecord:
    """Return the one JSON form of a stored run (``results`` is the payload), plus the kind's keys."""
    out = RunRecord(
        id=r.id, kind=r.kind, created_at=r.created_at.isoformat() if r.created_at else None,
        created_by=r.created_by, inputs=r.inputs, parameters=r.parameters,
        law_version=r.law_version, code_version=r.code_version, results=r.results or {},
        parent_id=r.parent_id)
    out.update(kind_keys)
    return out


def get_run_row(session: Session, run_id: int, kinds: tuple[str, ...], what: str) -> Run:
    """Return the run ``run_id`` if its kind is one of ``kinds``; else NotFoundError naming ``what``."""
    from tradepolicy.errors import NotFoundError

    r = session.get(Run, int(run_id))
    if r is None or r.kind not in kinds:
        raise NotFoundError(f"No {what} run {run_id}.", where=f"runs/{run_id}", field="run_id",
                            expected=f"the id of a stored {what} run", example="1")
    return r


def list_run_rows(session: Session, kinds: tuple[str, ...], *, limit: int | None = 200,
                  ids: list[int] | None = None) -> list[Run]:
    """Return runs of ``kinds``, newest first; ``ids`` restricts to those (all of them unless ``limit``)."""
    from sqlalchemy import select

    q = select(Run).where(Run.kind.in_(list(kinds))).order_by(Run.id.desc())
    if ids is not None:
        q = q.where(Run.id.in_(list(ids)))
    if limit is not None:
        q = q.limit(limit)
    return list(session.scalars(q))
