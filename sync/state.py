"""What a terminal remembers about its platform (table ``sync_state``): the event cursor, the last
successful contact, the last error. Each value is written in the caller's transaction or its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.db.base import table, utcnow
from app.db.engine import Database
from app.db.models import SyncStateRow

_STATE = table(SyncStateRow)
CURSOR = "event_cursor"
CONTACT = "last_contact"
ERROR = "last_error"
CATALOG = "catalog"


def put(connection: Connection, key: str, value: dict[str, Any], *, at: datetime) -> None:
    dialect = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = dialect(_STATE).values(key=key, value=value, updated_at=at)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[_STATE.c.key], set_={"value": value, "updated_at": at}
        )
    )


def get(connection: Connection, key: str) -> dict[str, Any] | None:
    value: dict[str, Any] | None = connection.scalar(
        select(_STATE.c.value).where(_STATE.c.key == key)
    )
    return value


def note_contact(connection: Connection, at: datetime) -> None:
    put(connection, CONTACT, {"at": at.isoformat()}, at=at)


def note_error(connection: Connection, message: str, at: datetime) -> None:
    put(connection, ERROR, {"at": at.isoformat(), "message": message}, at=at)


class SyncState:
    """The sender's and receiver's notes, for ``onestop sync status`` and the app's indicator."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def contact(self, *, at: datetime | None = None) -> None:
        with self.db.connect() as connection:
            note_contact(connection, at or utcnow())

    def error(self, message: str, *, at: datetime | None = None) -> None:
        with self.db.connect() as connection:
            note_error(connection, message, at or utcnow())

    def read(self) -> dict[str, dict[str, Any]]:
        with self.db.read() as session:
            rows = session.execute(select(_STATE.c.key, _STATE.c.value)).all()
        return dict(rows)
