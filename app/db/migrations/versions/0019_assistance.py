"""帮办代办 and special groups (GB/T 45836 §7.4.3, §7.4.4): a case records how it was helped
(mode, who, how long) and which special group the applicant belongs to with what was offered;
the kiosks count their sessions, in 长辈模式 or not, without anyone's data. Existing cases were
not helped as far as anyone recorded, and no kiosk session was counted before.

Revision ID: 0019_assistance
Revises: 0018_waiting_periods
Create Date: 2026-12-07 21:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.base

UTC_TIME = app.db.base.UtcDateTime(timezone=True)

revision = "0019_assistance"
down_revision = "0018_waiting_periods"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("assistance", sa.JSON(), nullable=True))
    op.create_table(
        "kiosk_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("terminal", sa.String(60), nullable=False),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("ended_at", UTC_TIME, nullable=False),
        sa.Column("elderly", sa.Boolean(), nullable=False),
        sa.Column("submitted", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_kiosk_sessions_started_at", "kiosk_sessions", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_kiosk_sessions_started_at", "kiosk_sessions")
    op.drop_table("kiosk_sessions")
    op.drop_column("cases", "assistance")
