"""Personal data sealed at rest: the hall's data keys (wrapped) get their table, cases get the
blind indexes they are looked up by, the indexes on the (now sealed) names and numbers go, and on
PostgreSQL the sealed columns lose their length (a sealed value is longer). Existing rows are
sealed in place afterwards, in batches, by the program (``onestop db upgrade``, or the next
start: :mod:`app.security.resealing`), not by this migration: it has no keys.

Revision ID: 0012_sealed_personal_data
Revises: 0011_audit_anchors
Create Date: 2026-12-12 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.base

revision = "0012_sealed_personal_data"
down_revision = "0011_audit_anchors"
branch_labels = None
depends_on = None

UTC_TIME = app.db.base.UtcDateTime(timezone=True)
SEALED = {
    "cases": {
        "applicant_name": 100,
        "applicant_id_number": 40,
        "applicant_phone": 30,
        "applicant_address": 200,
        "agent_name": 100,
        "agent_id_number": 40,
        "agent_phone": 30,
    },
    "custody_events": {"from_party": 100, "to_party": 100},
}
OLD_INDEXES = ("applicant_name", "applicant_id_number", "applicant_phone", "agent_id_number")
BLIND = ("applicant_id_index", "agent_id_index", "applicant_phone_index")


def upgrade() -> None:
    op.create_table(
        "data_keys",
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("purpose", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("wrapped", sa.Text(), nullable=False),
        sa.Column("kek_id", sa.String(length=40), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("sealed_all_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_data_keys")),
    )
    # No batch mode: on SQLite it would rebuild ``cases``, and dropping the old table would
    # cascade to every row that refers to it. SQLite adds columns and indexes in place and does
    # not hold VARCHAR to its length, so only PostgreSQL needs the wider columns.
    for name in OLD_INDEXES:
        op.drop_index(op.f(f"ix_cases_{name}"), table_name="cases")
    for name in BLIND:
        op.add_column("cases", sa.Column(name, sa.String(length=32), nullable=True))
        op.create_index(op.f(f"ix_cases_{name}"), "cases", [name], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in SEALED.items():
            for name, length in columns.items():
                op.alter_column(
                    table, name, existing_type=sa.String(length=length), type_=sa.String()
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, columns in SEALED.items():
            for name, length in columns.items():
                op.alter_column(
                    table, name, existing_type=sa.String(), type_=sa.String(length=length)
                )
    for name in BLIND:
        op.drop_index(op.f(f"ix_cases_{name}"), table_name="cases")
        op.drop_column("cases", name)
    for name in OLD_INDEXES:
        op.create_index(op.f(f"ix_cases_{name}"), "cases", [name], unique=False)
    op.drop_table("data_keys")
