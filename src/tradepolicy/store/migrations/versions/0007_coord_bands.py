"""Coordination: rebuild the form-letter LSH bands for the new band parameters (21 bands of 3 rows,
tuned for similarity 0.3 instead of 0.5: ``coordination.clustering.LSH_THRESHOLD``).

Each cluster representative's bands are recomputed from its stored MinHash signature, so a new
submission still finds the clusters stored before the change.

Revision ID: 0007_coord_bands
Revises: 0006_coordination
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_coord_bands"
down_revision = "0006_coordination"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from tradepolicy.coordination import clustering

    bind = op.get_bind()
    reps = bind.execute(sa.text("SELECT id, docket_id, signature FROM docket_comments "
                                "WHERE cluster_id = id AND signature IS NOT NULL")).all()
    bind.execute(sa.text("DELETE FROM docket_cluster_bands"))
    rows = [{"d": d, "h": h, "r": rid} for rid, d, raw in reps
            for h in clustering.bands(clustering.from_bytes(bytes(raw)))]
    if rows:
        bind.execute(sa.text("INSERT INTO docket_cluster_bands (docket_id, band_hash, rep_row_id) "
                             "VALUES (:d, :h, :r)"), rows)


def downgrade() -> None:
    # the bands of the old parameters (14 x 4) are not rebuilt: clustering would need its old code
    pass
