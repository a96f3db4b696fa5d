"""Coordination search on PostgreSQL: a narrow full-text table restricted by docket inside its indexes.

``docket_fts`` was ``(rowid, body, tsv GENERATED FROM body)``: each row carried the text twice, so
the ~1.5 kB tsvector was moved out of line into TOAST and every match test or ``ts_rank`` read
three buffers (heap, TOAST index, TOAST heap). It becomes ``(rowid, docket_id, tsv)`` with the
tsvector kept in the row (``STORAGE MAIN``), written by the service as
``to_tsvector('english', body)``, plus

* ``ix_docket_fts_docket_rowid`` (docket_id, rowid): the newest matches of one docket are found by a
  backward walk over that docket's rows only (other dockets' newer comments are not read);
* ``ix_docket_fts_tsv``: GIN (docket_id, tsv) when the ``btree_gin`` extension can be created
  (trusted since PostgreSQL 13), otherwise GIN (tsv) as before.

SQLite (FTS5, contentless) is unchanged: a no-op there. Downgrade rebuilds the old table with the
body taken from the comments (title, commenter, organisation, text; attachment text is not kept).

Revision ID: 0008_pgsearch
Revises: 0007_shared_state
Create Date: 2026-12-07
"""
from __future__ import annotations

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0008_pgsearch"
down_revision = "0007_shared_state"
branch_labels = None
depends_on = None


def _btree_gin() -> bool:
    """Create ``btree_gin`` if allowed; False (and nothing changed) when the server lacks or refuses it."""
    bind = op.get_bind()
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS btree_gin")
    except DBAPIError:  # absent contrib package or no privilege: plain GIN below
        return False
    return True


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE TABLE docket_fts_new (rowid INTEGER PRIMARY KEY, docket_id VARCHAR(40) NOT NULL, "
               "tsv tsvector NOT NULL)")
    op.execute("ALTER TABLE docket_fts_new ALTER COLUMN tsv SET STORAGE MAIN")
    op.execute("INSERT INTO docket_fts_new (rowid, docket_id, tsv) SELECT f.rowid, c.docket_id, f.tsv "
               "FROM docket_fts AS f JOIN docket_comments AS c ON c.id = f.rowid ORDER BY f.rowid")
    op.execute("DROP TABLE docket_fts")
    op.execute("ALTER TABLE docket_fts_new RENAME TO docket_fts")
    op.execute("ALTER INDEX docket_fts_new_pkey RENAME TO docket_fts_pkey")
    op.execute("CREATE INDEX ix_docket_fts_docket_rowid ON docket_fts (docket_id, rowid)")
    cols = "docket_id, tsv" if _btree_gin() else "tsv"
    op.execute(f"CREATE INDEX ix_docket_fts_tsv ON docket_fts USING GIN ({cols})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE TABLE docket_fts_old (rowid INTEGER PRIMARY KEY, body TEXT NOT NULL, "
               "tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED)")
    op.execute("INSERT INTO docket_fts_old (rowid, body) SELECT c.id, concat_ws(E'\\n', c.title, c.commenter_name, "
               "c.organization, c.text) FROM docket_fts AS f JOIN docket_comments AS c ON c.id = f.rowid")
    op.execute("DROP TABLE docket_fts")
    op.execute("ALTER TABLE docket_fts_old RENAME TO docket_fts")
    op.execute("ALTER INDEX docket_fts_old_pkey RENAME TO docket_fts_pkey")
    op.execute("CREATE INDEX ix_docket_fts_tsv ON docket_fts USING GIN (tsv)")
