"""Hardening: indexes for the dashboard and run listings.

- runs (kind, id): "the newest runs of a kind" (dashboard panels, run lists) without a scan.
- run_attachments (proceeding_id) and (run_id): runs of a case, cases of a run.
- proceedings (procedure): cases of one procedure.
(proceeding_events (proceeding_id, seq) is already indexed by its UNIQUE constraint.)

Revision ID: 0005_hardening
Revises: 0004_documents
Create Date: 2026-12-07
"""
from __future__ import annotations

from alembic import op

revision = "0005_hardening"
down_revision = "0004_documents"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_runs_kind_id", "runs", ["kind", "id"]),
    ("ix_run_attachments_proceeding", "run_attachments", ["proceeding_id"]),
    ("ix_run_attachments_run", "run_attachments", ["run_id"]),
    ("ix_proceedings_procedure", "proceedings", ["procedure"]),
)


def upgrade() -> None:
    for name, table, cols in INDEXES:
        op.create_index(name, table, cols, unique=False)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
