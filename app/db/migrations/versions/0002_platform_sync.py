"""Platform sync: the platform's case number, item result names, and the terminal's sync state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:42:16.499882
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", app.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_state")),
    )
    # Existing rows get empty text: no number from the platform yet, no result name recorded.
    with op.batch_alter_table("case_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("result", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("platform_no", sa.String(length=60), nullable=False, server_default="")
        )
        batch_op.create_index(batch_op.f("ix_cases_platform_no"), ["platform_no"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_platform_no"))
        batch_op.drop_column("platform_no")
    with op.batch_alter_table("case_items", schema=None) as batch_op:
        batch_op.drop_column("result")
    op.drop_table("sync_state")
