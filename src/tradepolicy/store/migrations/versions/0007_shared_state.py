"""State shared by server worker processes: failed sign-ins (the sign-in throttle).

Revision ID: 0007_shared_state
Revises: 0006_coordination
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_shared_state"
down_revision = "0007_coord_bands"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_failures',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_sign_in_failures_name_at', 'sign_in_failures', ['name', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sign_in_failures_name_at', table_name='sign_in_failures')
    op.drop_table('sign_in_failures')
