"""When the clerk last recorded a material (any status, 缺 too): a material the clerk marked as
missing is told apart from one nobody has looked at yet. Existing rows stay NULL — "not looked
at" is all that is known of them.

Revision ID: 0008_material_checked
Revises: 0007_complaints
Create Date: 2026-12-06 20:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.base

revision = "0008_material_checked"
down_revision = "0007_complaints"
branch_labels = None
depends_on = None

UTC = app.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("case_materials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checked_at", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_materials", schema=None) as batch_op:
        batch_op.drop_column("checked_at")
