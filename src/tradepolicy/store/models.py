"""SQLAlchemy 2 models of the relational store.

Bulk data (tariff lines, flows, sales files) is not here: it lives in Parquet/DuckDB.
Tables whose history must never change (``audit_log``, ``proceeding_events``, ``runs``,
``run_attachments``) are append-only: migrations install triggers that refuse UPDATE
and DELETE on them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    """Return the current UTC time (timezone-aware)."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


APPEND_ONLY_TABLES = ("audit_log", "proceeding_events", "runs", "run_attachments")


class AuditEntry(Base):
    """One change to the store: who, when, what, before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(80))
    entity_id: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Agreement(Base):
    """A trade agreement of the bundled registry (reference/agreements.yaml)."""

    __tablename__ = "agreements"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40))
    signed: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    in_force: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    implemented: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    summary: Mapped[str] = mapped_column(Text)
    key_provisions: Mapped[str] = mapped_column(Text)
    parties: Mapped[list[Any]] = mapped_column(JSON)
    provisions: Mapped[list[Any]] = mapped_column(JSON)
    citations: Mapped[list[Any]] = mapped_column(JSON)
    implementation_status: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class Agency(Base):
    """An agency, committee or body the office works with (reference/agencies.yaml)."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))
    role: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[Any]] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class GuideEntry(Base):
    """A cited entry of the guide (reference/guide.yaml)."""

    __tablename__ = "guide_entries"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    keywords: Mapped[str] = mapped_column(Text)
    links: Mapped[list[Any]] = mapped_column(JSON)
    citations: Mapped[list[Any]] = mapped_column(JSON)


class Proceeding(Base):
    """One instance of a procedure (a case); its state is derived from its event log."""

    __tablename__ = "proceedings"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    procedure: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ProceedingEvent(Base):
    """An event of a proceeding. Never edited: a correction is a new event (``corrects``)."""

    __tablename__ = "proceeding_events"
    __table_args__ = (UniqueConstraint("proceeding_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proceeding_id: Mapped[str] = mapped_column(ForeignKey("proceedings.id"))
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(120))
    date: Mapped[dt.date] = mapped_column(Date)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    corrects: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(200))


class Run(Base):
    """A stored calculation or scenario run: inputs' sha256, parameters, versions, results.

    Runs are never overwritten; a re-run is a new row whose ``parent_id`` names the first.
    """

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    law_version: Mapped[str] = mapped_column(String(80))
    code_version: Mapped[str] = mapped_column(String(80))
    results: Mapped[dict[str, Any]] = mapped_column(JSON)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), nullable=True)


class RunAttachment(Base):
    """A link from a run to a proceeding (append-only)."""

    __tablename__ = "run_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    proceeding_id: Mapped[str] = mapped_column(ForeignKey("proceedings.id"))
    attached_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attached_by: Mapped[str] = mapped_column(String(200))

from tradepolicy.store import indexes as _indexes  # noqa: E402,F401  (indexes of 0005_hardening)
from tradepolicy.store import models_coordination as _models_coordination  # noqa: E402,F401  (register the coordination tables)
from tradepolicy.store import models_platform as _models_platform  # noqa: E402,F401  (register the platform tables)
from tradepolicy.store import models_shared as _models_shared  # noqa: E402,F401  (state shared by server workers)
