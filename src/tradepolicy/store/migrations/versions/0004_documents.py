"""Documents: full-text search over the documents' extracted text (SQLite FTS5).

``documents_fts`` is an external-content FTS5 index over ``documents.text`` (rowid = document
id), filled by ``services.documents.put_document`` in the filing transaction; ``documents`` is
append-only, so the index never needs updates or deletes. Existing documents are indexed here.
PostgreSQL has no such table: search falls back to ``ILIKE`` over ``documents.text``.

Revision ID: 0004_documents
Revises: 0002_platform
Create Date: 2026-12-07
"""
from __future__ import annotations

from alembic import op

revision = "0004_documents"
down_revision = "0002_platform"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5("
               "text, content='documents', content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
    op.execute("INSERT INTO documents_fts(rowid, text) SELECT id, text FROM documents WHERE text != ''")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS documents_fts")
