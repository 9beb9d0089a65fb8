"""Help requests: a kiosk asking the hall's staff for help — which kiosk, on which screen, when
asked and by whom answered; nothing about the citizen.

Revision ID: 0005_help_requests
Revises: 0004_evaluation_reasons
Create Date: 2026-11-25 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.base

revision = "0005_help_requests"
down_revision = "0004_evaluation_reasons"
branch_labels = None
depends_on = None

WAITING = "answered_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "help_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hall_code", sa.String(length=20), nullable=False),
        sa.Column("kiosk", sa.String(length=40), nullable=False),
        sa.Column("terminal", sa.String(length=60), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("asked_at", app.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", app.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_requests")),
    )
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_help_requests_waiting",
            ["terminal"],
            unique=True,
            sqlite_where=sa.text(WAITING),
            postgresql_where=sa.text(WAITING),
        )


def downgrade() -> None:
    with op.batch_alter_table("help_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_help_requests_waiting",
            sqlite_where=sa.text(WAITING),
            postgresql_where=sa.text(WAITING),
        )
    op.drop_table("help_requests")
