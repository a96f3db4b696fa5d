"""/api routes of the platform: who am I, the access log, and the generic records of every workflow.

Records are read through ``services.records`` (labels, grants, access log): a record the caller may
not read is answered exactly like a missing one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from tradepolicy.api.schemas import (  # the one error shape (one OpenAPI component)
    ErrorOut,
)
from tradepolicy.api.security import current_principal, requires
from tradepolicy.platform.policy import can, load_policy
from tradepolicy.platform.principal import Principal
from tradepolicy.services import people
from tradepolicy.services import records as records_svc
from tradepolicy.store.db import transaction

router = APIRouter(tags=["platform"])

KIND = Query(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_.-]*$")


AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorOut, "description": "Not signed in"},
                                                403: {"model": ErrorOut, "description": "Role lacks the permission"}}


class GrantOut(BaseModel):
    """A grant the caller holds."""

    label: str
    scope: str
    until: dt.date | None


class MeOut(BaseModel):
    """The caller: name, role, how they signed in, permissions and grants."""

    ok: bool = True
    name: str
    role: str
    via: str
    anonymous: bool
    permissions: list[str]
    grants: list[GrantOut]
    scopes: list[str] = Field(description="A token's permission scopes (empty: all of the role's)")


class AccessOut(BaseModel):
    """One read of a confidential item."""

    id: int
    at: dt.datetime
    actor: str
    role: str
    via: str
    action: str
    entity: str
    entity_id: str
    label: str
    scope: str | None
    where: str


class AccessListOut(BaseModel):
    """Access-log entries, newest first."""

    ok: bool = True
    count: int
    reads: list[AccessOut]


class RecordOut(BaseModel):
    """A record as the caller may see it (fields the caller may not read are removed and named)."""

    kind: str
    key: str
    scope: str | None
    label: str
    status: str
    title: str
    version: int
    data: dict[str, Any]
    redacted_fields: list[str]
    created_at: dt.datetime
    created_by: str
    updated_at: dt.datetime
    updated_by: str


class RecordListOut(BaseModel):
    """Records of one kind the caller may read (the count counts only those)."""

    ok: bool = True
    kind: str | None
    count: int
    records: list[RecordOut]


class RecordOneOut(BaseModel):
    """One record."""

    ok: bool = True
    record: RecordOut


def me_of(principal: Principal) -> MeOut:
    """Return the caller's description (used by the page /account too)."""
    perms = sorted(p for p in load_policy().permissions if can(principal, p))
    return MeOut(name=principal.name, role=principal.role, via=principal.via, anonymous=principal.is_anonymous,
                 permissions=perms, grants=[GrantOut(label=g.label, scope=g.scope, until=g.until)
                                            for g in principal.grants],
                 scopes=list(principal.scopes))


def _record_out(v: records_svc.RecordView) -> RecordOut:
    return RecordOut(kind=v.kind, key=v.key, scope=v.scope, label=v.label, status=v.status, title=v.title,
                     version=v.version, data=v.data, redacted_fields=list(v.redacted_fields),
                     created_at=v.created_at, created_by=v.created_by, updated_at=v.updated_at,
                     updated_by=v.updated_by)


@router.get("/me", dependencies=[requires("public.read")], response_model=MeOut, responses=AUTH_ERRORS)
def me(principal: Annotated[Principal, Depends(current_principal)]) -> MeOut:
    """Say who makes the request: anonymous, a signed-in user or a token, with role and grants."""
    return me_of(principal)


@router.get("/audit/reads", response_model=AccessListOut, responses=AUTH_ERRORS)
def audit_reads(
    principal: Annotated[Principal, requires("audit.read")],
    who: Annotated[str | None, Query(max_length=120)] = None,
    entity: Annotated[str | None, Query(max_length=80)] = None,
    label: Annotated[str | None, Query(max_length=20)] = None,
    since: Annotated[dt.date | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> AccessListOut:
    """List the access log of confidential reads, newest first (permission ``audit.read``)."""
    rows = people.list_reads(principal, who=who, entity=entity, label=label, since=since, limit=limit)
    return AccessListOut(count=len(rows), reads=[AccessOut(**dataclasses.asdict(r)) for r in rows])


@router.get("/records", dependencies=[requires("public.read")], response_model=RecordListOut,
            responses={**AUTH_ERRORS, 422: {"model": ErrorOut}})
def list_records(request: Request, principal: Annotated[Principal, Depends(current_principal)],
                 kind: Annotated[str | None, KIND] = None,
                 status: Annotated[str | None, Query(max_length=60)] = None,
                 scope: Annotated[str | None, Query(max_length=200)] = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> RecordListOut:
    """List the records (of one kind, or all) the caller may read; confidential ones are logged as read."""
    where = request.client.host if request.client else ""
    with transaction() as s:
        rows = records_svc.list_all_records(s, principal, kind=kind, status=status, scope=scope, where=where,
                                            limit=limit)
        return RecordListOut(kind=kind, count=len(rows), records=[_record_out(v) for v in rows])


@router.get("/records/{kind}/{key}", dependencies=[requires("public.read")], response_model=RecordOneOut,
            responses={**AUTH_ERRORS, 404: {"model": ErrorOut}})
def get_record(kind: str, key: str, request: Request,
               principal: Annotated[Principal, Depends(current_principal)]) -> RecordOneOut:
    """One record as the caller may see it; a record the caller may not read is 404, like a missing one."""
    where = request.client.host if request.client else ""
    with transaction() as s:
        return RecordOneOut(record=_record_out(records_svc.get_record(s, principal, kind[:60], key[:200], where=where)))
