"""Evaluation reasons: the reasons a rater chose from the level's options, and the option set's
version.

Revision ID: 0004_evaluation_reasons
Revises: 0003
Create Date: 2026-11-24 09:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_evaluation_reasons"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Ratings given before had no options to choose from: no reasons, no option set.
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reasons", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(
            sa.Column("reasons_version", sa.String(length=40), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_column("reasons_version")
        batch_op.drop_column("reasons")
