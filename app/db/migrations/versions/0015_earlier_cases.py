"""What cases from before an upgrade get: the migrations that added something to cases without
filling it in for the cases already there are caught up here.

* 0006 gave no paper-trail entries to cases accepted before it: their papers could be neither
  traced nor batched. Every accepted case without an entry is listed for the ledger.
* 0007 opened no 差评 work item for the ratings of level 1 or 2 given before it. Every such
  rating without a work item is listed.

The lists are all this migration writes. Which department takes paper and which only the
platform is a setting of the hall, and the audit chain and the custody events' parties need the
hall's keys; a migration has neither. The program does the work at its next start or
``onestop db upgrade`` (:mod:`app.backfills`), the way acceptance and rating do it today, writes
each decision into the case's audit trail and records when it was done. A case accepted after
this migration is not listed: today's acceptance registers its papers.

Revision ID: 0015_earlier_cases
Revises: 0013_retention (no migration was numbered 0014)
Create Date: 2026-12-15 10:00:00.000000
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.db.base

revision = "0015_earlier_cases"
down_revision = "0013_retention"
branch_labels = None
depends_on = None

UTC_TIME = app.db.base.UtcDateTime(timezone=True)
POOR_LEVELS = (1, 2)  # app.cases.evaluation.POOR_LEVELS as it is today

cases = sa.table("cases", sa.column("id", sa.Integer()), sa.column("accepted_at", UTC_TIME))
transfer_items = sa.table("transfer_items", sa.column("case_id", sa.Integer()))
evaluations = sa.table(
    "evaluations", sa.column("id", sa.Integer()), sa.column("level", sa.Integer())
)
complaints = sa.table("complaints", sa.column("evaluation_id", sa.Integer()))
backfills = sa.table(
    "backfills",
    sa.column("name", sa.String()),
    sa.column("pending", sa.JSON()),
    sa.column("recorded_at", UTC_TIME),
)


def upgrade() -> None:
    op.create_table(
        "backfills",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("pending", sa.JSON(), nullable=False),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        sa.Column("done_at", UTC_TIME, nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_backfills")),
    )
    connection = op.get_bind()
    unregistered = (
        connection.execute(
            sa.select(cases.c.id)
            .where(
                cases.c.accepted_at.is_not(None),
                ~sa.exists().where(transfer_items.c.case_id == cases.c.id),
            )
            .order_by(cases.c.id)
        )
        .scalars()
        .all()
    )
    unopened = (
        connection.execute(
            sa.select(evaluations.c.id)
            .where(
                evaluations.c.level.in_(POOR_LEVELS),
                ~sa.exists().where(complaints.c.evaluation_id == evaluations.c.id),
            )
            .order_by(evaluations.c.id)
        )
        .scalars()
        .all()
    )
    now = datetime.now(UTC)
    rows = [
        {"name": name, "pending": ids, "recorded_at": now}
        for name, ids in (("transfer_ledger", list(unregistered)), ("complaints", list(unopened)))
        if ids
    ]
    if rows:
        op.bulk_insert(backfills, rows)


def downgrade() -> None:
    op.drop_table("backfills")
