"""What a terminal remembers about its platform (table ``sync_state``): the event cursor, the last
successful contact, the last error (with the time the platform asked to be called again, if it
did). Each value is written in the caller's transaction or its own."""

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


def note_error(
    connection: Connection, message: str, at: datetime, *, retry_at: datetime | None = None
) -> None:
    """The last failure. ``retry_at``: the platform asked not to be called before then; a time
    it gave earlier and not yet past stands until it is (a timeout meanwhile does not undo it)."""
    value: dict[str, Any] = {"at": at.isoformat(), "message": message}
    asked = (get(connection, ERROR) or {}).get("retry_at")
    if asked and datetime.fromisoformat(asked) > max(at, retry_at or at):
        retry_at = datetime.fromisoformat(asked)
    if retry_at is not None and retry_at > at:
        value["retry_at"] = retry_at.isoformat()
    put(connection, ERROR, value, at=at)


def offline(notes: dict[str, dict[str, Any]]) -> bool:
    """The last word from the platform (or the way to it) was an error, not a contact."""
    error = (notes.get(ERROR) or {}).get("at", "")
    return bool(error) and error > (notes.get(CONTACT) or {}).get("at", "")


def retry_at(notes: dict[str, dict[str, Any]]) -> datetime | None:
    """When the platform asked to be called again, while that error is the last word."""
    asked = (notes.get(ERROR) or {}).get("retry_at")
    return datetime.fromisoformat(asked) if asked and offline(notes) else None


class SyncState:
    """The sender's and receiver's notes, for ``onestop sync status`` and the app's indicator."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def contact(self, *, at: datetime | None = None) -> None:
        with self.db.connect() as connection:
            note_contact(connection, at or utcnow())

    def error(
        self, message: str, *, at: datetime | None = None, retry_at: datetime | None = None
    ) -> None:
        with self.db.connect() as connection:
            note_error(connection, message, at or utcnow(), retry_at=retry_at)

    def read(self) -> dict[str, dict[str, Any]]:
        with self.db.read() as session:
            rows = session.execute(select(_STATE.c.key, _STATE.c.value)).all()
        return dict(rows)
