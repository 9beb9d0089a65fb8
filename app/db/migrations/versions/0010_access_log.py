"""Who opened whose personal data: one row per operator viewing a stored case, previewing its
documents, reading its paper trail or exporting it (个人信息保护法 第五十一条). Nothing to fill in
for earlier cases: who looked at them before this version was not recorded, and the list says
from when it knows.

Revision ID: 0010_access_log
Revises: 0009_sign_in_attempts
Create Date: 2026-12-07 03:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.base

revision = "0010_access_log"
down_revision = "0009_sign_in_attempts"
branch_labels = None
depends_on = None

UTC_TIME = app.db.base.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "personal_data_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("actor", sa.String(length=60), nullable=False),
        sa.Column("terminal", sa.String(length=60), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("receipt_no", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_access")),
    )
    with op.batch_alter_table("personal_data_access", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_personal_data_access_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_personal_data_access_actor"), ["actor"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_personal_data_access_receipt_no"), ["receipt_no"], unique=False
        )


def downgrade() -> None:
    op.drop_table("personal_data_access")
