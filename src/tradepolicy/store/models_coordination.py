"""Tables of the coordination domain: dockets, comments, history, attachments, bands, exclusions.

Comments are typed (for 100k-row SQL and full-text search); the form-letter LSH bands index
cluster representatives; granted Section 301 exclusions are dated measures the duty stack reads.

Every row that can be read carries ``label`` and ``scope``; services filter through
``platform.policy.can_read`` and log confidential reads. ``docket_comment_events``,
``docket_attachments`` and ``exclusion_grants`` are append-only (triggers, migration
0006_coordination). The full-text index (``docket_fts``) is created by the migration: an FTS5
table on SQLite, a table with a stored ``tsvector`` column and a GIN index on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from tradepolicy.store.models import Base, utcnow

COORDINATION_APPEND_ONLY_TABLES = ("docket_comment_events", "docket_attachments", "exclusion_grants")


class Docket(Base):
    """A docket opened by a notice: windows from cited rules, label and scope."""

    __tablename__ = "dockets"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    procedure: Mapped[str] = mapped_column(String(60))
    opens: Mapped[dt.date] = mapped_column(Date)
    hearing: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    windows: Mapped[list[Any]] = mapped_column(JSON, default=list)
    allow_public: Mapped[bool] = mapped_column(Boolean, default=True)
    label: Mapped[str] = mapped_column(String(20), default="public")
    scope: Mapped[str] = mapped_column(String(200))
    notice: Mapped[str] = mapped_column(Text, default="")
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    next_seq: Mapped[int] = mapped_column(Integer, default=1)
    changes: Mapped[int] = mapped_column(Integer, default=0)  # bumped on every comment change (cache key)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))


class DocketComment(Base):
    """A comment (its public version) with commenter, HTS codes, countries, status and cluster.

    The head row carries the current status; ``docket_comment_events`` is its history. A BCI
    submission's confidential version is a document (label ``bci``) named by ``bci_document_id``.
    """

    __tablename__ = "docket_comments"
    __table_args__ = (
        Index("ix_docket_comments_docket_status", "docket_id", "status", "commenter_type"),
        Index("ix_docket_comments_cluster", "docket_id", "cluster_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    comment_id: Mapped[str] = mapped_column(String(60), unique=True)
    docket_id: Mapped[str] = mapped_column(ForeignKey("dockets.id"))
    label: Mapped[str] = mapped_column(String(20), default="public")
    scope: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="received")
    window: Mapped[str] = mapped_column(String(30), default="comments")
    title: Mapped[str] = mapped_column(String(500), default="")
    commenter_name: Mapped[str] = mapped_column(String(200), default="")
    organization: Mapped[str] = mapped_column(String(300), default="")
    commenter_type: Mapped[str] = mapped_column(String(20), default="individual")
    hts_codes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    hts_chapters: Mapped[str] = mapped_column(String(400), default="")
    countries: Mapped[list[Any]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(String(300), default="")
    document_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bci_document_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    has_bci: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    posted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    cluster_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    similarity: Mapped[float | None] = mapped_column(Float, nullable=True)
    duplicate_of: Mapped[str | None] = mapped_column(String(60), nullable=True)
    signature: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(20), default="portal")
    submitted_by: Mapped[str] = mapped_column(String(200), default="")


class DocketCommentEvent(Base):
    """One status change of a comment (append-only): received, screened, posted, withdrawn, duplicate."""

    __tablename__ = "docket_comment_events"
    __table_args__ = (Index("ix_docket_comment_events_comment", "comment_row_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    comment_row_id: Mapped[int] = mapped_column(ForeignKey("docket_comments.id"))
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class DocketAttachment(Base):
    """An attachment of a comment: a platform document with its label (append-only)."""

    __tablename__ = "docket_attachments"
    __table_args__ = (Index("ix_docket_attachments_comment", "comment_row_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    comment_row_id: Mapped[int] = mapped_column(ForeignKey("docket_comments.id"))
    document_id: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(200))


class DocketClusterBand(Base):
    """One LSH band hash of a form-letter cluster's representative comment."""

    __tablename__ = "docket_cluster_bands"
    __table_args__ = (Index("ix_docket_cluster_bands_lookup", "docket_id", "band_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    docket_id: Mapped[str] = mapped_column(String(40))
    band_hash: Mapped[int] = mapped_column(BigInteger)
    rep_row_id: Mapped[int] = mapped_column(Integer)


class ExclusionGrant(Base):
    """A granted Section 301 product exclusion as a dated measure the duty stack applies (append-only)."""

    __tablename__ = "exclusion_grants"
    __table_args__ = (Index("ix_exclusion_grants_hts10", "hts10"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(60))
    hts10: Mapped[str] = mapped_column(String(10))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    docket_id: Mapped[str] = mapped_column(String(40))
    citation: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(20), default="public")
    scope: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(200))
