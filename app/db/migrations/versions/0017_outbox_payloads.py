"""Outbox payloads beside their messages: a sender's claim and settlement rewrite the message's
row, and SQLite rewrites a whole row for any column changed. The payloads move as they are
stored (sealed under the same context, so no key is needed here).

Revision ID: 0017_outbox_payloads
Revises: 0016_audit_chain_per_terminal
Create Date: 2026-12-15 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_outbox_payloads"
down_revision = "0016_audit_chain_per_terminal"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_payloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["id"], ["outbox.id"], name=op.f("fk_outbox_payloads_id_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_payloads")),
    )
    op.execute("INSERT INTO outbox_payloads (id, payload) SELECT id, payload FROM outbox")
    # In place, not in batch mode: on SQLite that would rebuild ``outbox``, and dropping the old
    # table under the payloads' foreign key would fail. SQLite drops a plain column in place.
    op.drop_column("outbox", "payload")


def downgrade() -> None:
    op.add_column(
        "outbox", sa.Column("payload", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
    )
    op.execute(
        "UPDATE outbox SET payload = (SELECT p.payload FROM outbox_payloads p "
        "WHERE p.id = outbox.id)"
    )
    op.drop_table("outbox_payloads")
