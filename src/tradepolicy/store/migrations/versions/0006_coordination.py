"""Coordination: dockets, comments (typed, full-text indexed), comment status history, attachments,
form-letter LSH bands, granted Section 301 exclusions.

Revision ID: 0006_coordination
Revises: 0005_hardening
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_coordination"
down_revision = "0005_hardening"
branch_labels = None
depends_on = None

APPEND_ONLY = ("docket_comment_events", "docket_attachments", "exclusion_grants")


def upgrade() -> None:
    op.create_table('dockets',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('procedure', sa.String(length=60), nullable=False),
    sa.Column('opens', sa.Date(), nullable=False),
    sa.Column('hearing', sa.Date(), nullable=True),
    sa.Column('windows', sa.JSON(), nullable=False),
    sa.Column('allow_public', sa.Boolean(), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('notice', sa.Text(), nullable=False),
    sa.Column('is_example', sa.Boolean(), nullable=False),
    sa.Column('next_seq', sa.Integer(), nullable=False),
    sa.Column('changes', sa.Integer(), nullable=False, server_default='0'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('docket_comments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('comment_id', sa.String(length=60), nullable=False),
    sa.Column('docket_id', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('window', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('commenter_name', sa.String(length=200), nullable=False),
    sa.Column('organization', sa.String(length=300), nullable=False),
    sa.Column('commenter_type', sa.String(length=20), nullable=False),
    sa.Column('hts_codes', sa.JSON(), nullable=False),
    sa.Column('hts_chapters', sa.String(length=400), nullable=False),
    sa.Column('countries', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('bci_document_id', sa.Integer(), nullable=True),
    sa.Column('has_bci', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cluster_id', sa.Integer(), nullable=True),
    sa.Column('similarity', sa.Float(), nullable=True),
    sa.Column('duplicate_of', sa.String(length=60), nullable=True),
    sa.Column('signature', sa.LargeBinary(), nullable=True),
    sa.Column('is_example', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('submitted_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['docket_id'], ['dockets.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('comment_id')
    )
    op.create_index('ix_docket_comments_docket_status', 'docket_comments', ['docket_id', 'status', 'commenter_type'], unique=False)
    op.create_index('ix_docket_comments_cluster', 'docket_comments', ['docket_id', 'cluster_id'], unique=False)
    op.create_table('docket_comment_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('comment_row_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['comment_row_id'], ['docket_comments.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_docket_comment_events_comment', 'docket_comment_events', ['comment_row_id'], unique=False)
    op.create_table('docket_attachments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('comment_row_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('media_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['comment_row_id'], ['docket_comments.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_docket_attachments_comment', 'docket_attachments', ['comment_row_id'], unique=False)
    op.create_table('docket_cluster_bands',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('docket_id', sa.String(length=40), nullable=False),
    sa.Column('band_hash', sa.BigInteger(), nullable=False),
    sa.Column('rep_row_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_docket_cluster_bands_lookup', 'docket_cluster_bands', ['docket_id', 'band_hash'], unique=False)
    op.create_table('exclusion_grants',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('request_id', sa.String(length=60), nullable=False),
    sa.Column('hts10', sa.String(length=10), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('docket_id', sa.String(length=40), nullable=False),
    sa.Column('citation', sa.Text(), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=200), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_exclusion_grants_hts10', 'exclusion_grants', ['hts10'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE docket_fts USING fts5(body, content='', tokenize='porter unicode61')")
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )
    else:
        op.execute("CREATE TABLE docket_fts (rowid INTEGER PRIMARY KEY, body TEXT NOT NULL, "
                   "tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED)")
        op.execute("CREATE INDEX ix_docket_fts_tsv ON docket_fts USING GIN (tsv)")
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION tradepolicy_append_only()"
            )


def downgrade() -> None:
    bind = op.get_bind()
    for table in APPEND_ONLY:
        if bind.dialect.name == "sqlite":
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    op.execute("DROP TABLE IF EXISTS docket_fts")
    for table in ("exclusion_grants", "docket_cluster_bands", "docket_attachments", "docket_comment_events",
                  "docket_comments", "dockets"):
        op.drop_table(table)
