"""Wrong sign-ins counted per login name in their own table, whether an account has the name or
not, so an unknown name locks exactly as a known one does and every terminal of a hall shares
the count. The operators' own ``failed_attempts`` and ``locked_until`` move there (a lock in
force stays in force) and are dropped: one count, one place.

Revision ID: 0009_sign_in_attempts
Revises: 0008_material_checked
Create Date: 2026-12-08 10:00:00.000000
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.db.base

revision = "0009_sign_in_attempts"
down_revision = "0008_material_checked"
branch_labels = None
depends_on = None

UTC_TIME = app.db.base.UtcDateTime(timezone=True)


def _name_key(name: str) -> str:
    """``app.accounts.name_key`` as it is today (a migration does not follow later changes)."""
    data = b"onestop sign-in\0" + name.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


operators = sa.table(
    "operators",
    sa.column("username", sa.String()),
    sa.column("failed_attempts", sa.Integer()),
    sa.column("locked_until", UTC_TIME),
)
attempts = sa.table(
    "sign_in_attempts",
    sa.column("name_key", sa.String()),
    sa.column("failures", sa.Integer()),
    sa.column("tried_at", UTC_TIME),
    sa.column("locked_until", UTC_TIME),
)


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("name_key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("tried_at", UTC_TIME, nullable=False),
        sa.Column("locked_until", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("name_key", name=op.f("pk_sign_in_attempts")),
    )
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_in_attempts_tried_at"), ["tried_at"], unique=False
        )

    connection = op.get_bind()
    now = datetime.now(UTC)
    counted = connection.execute(
        sa.select(operators).where(
            sa.or_(operators.c.failed_attempts > 0, operators.c.locked_until.is_not(None))
        )
    ).all()
    if counted:
        op.bulk_insert(
            attempts,
            [
                {
                    "name_key": _name_key(row.username),
                    "failures": row.failed_attempts,
                    "tried_at": now,
                    "locked_until": row.locked_until,
                }
                for row in counted
            ],
        )
    with op.batch_alter_table("operators", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_attempts")


def downgrade() -> None:
    with op.batch_alter_table("operators", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", UTC_TIME, nullable=True))
    with op.batch_alter_table("operators", schema=None) as batch_op:
        batch_op.alter_column("failed_attempts", existing_type=sa.Integer(), server_default=None)

    connection = op.get_bind()
    counts = {row.name_key: row for row in connection.execute(sa.select(attempts))}
    for (username,) in connection.execute(sa.select(operators.c.username)).all():
        row = counts.get(_name_key(username))
        if row is not None:
            connection.execute(
                operators.update()
                .where(operators.c.username == username)
                .values(failed_attempts=row.failures, locked_until=row.locked_until)
            )
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_attempts_tried_at"))
    op.drop_table("sign_in_attempts")
