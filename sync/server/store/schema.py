"""The reference platform's tables, and the folder that holds them.

One SQLite file in the server's data folder (WAL, ``synchronous=FULL``, one writer at a time)
and the uploaded files beside it. Every object a hall sends or gets back is keyed by its
``hall_code`` first: a hall's receipt numbers, idempotency keys, files and event ids are its own,
and another hall using the same ones touches nothing of it (``halls`` brings an older folder,
whose keys were platform-wide, up to that: :mod:`~sync.server.store.upgrade`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from app.db.base import UtcDateTime
from app.db.engine import make_engine
from sync.server.store.upgrade import upgrade

metadata = MetaData()
terminals = Table(
    "terminals",
    metadata,
    Column("id", String(60), primary_key=True),
    Column("hall_code", String(20), nullable=False),
    Column("token_sha256", String(64), nullable=False),
    Column("role", String(16), nullable=False),  # terminal | admin
    Column("enabled", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
cases = Table(
    "cases",
    metadata,
    Column("hall_code", String(20), primary_key=True),
    Column("receipt_no", String(40), primary_key=True),
    Column("platform_no", String(60), nullable=False, unique=True),
    Column("last_seq", Integer, nullable=False),
    Column("state", String(32), nullable=False),
    Column("scenario", String(20), nullable=False),
    Column("submission", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
items = Table(
    "items",
    metadata,
    Column("hall_code", String(20), primary_key=True),
    Column("receipt_no", String(40), primary_key=True),
    Column("item", String(60), primary_key=True),
    Column("code", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("result_name", String(200), nullable=False),
    Column("needs", JSON, nullable=False),
    # waiting | dispatched | approved | refused | ended
    Column("state", String(16), nullable=False),
    Column("due_at", UtcDateTime),  # when the department decides
    Column("decided_at", UtcDateTime),
    Column("result_no", String(60), nullable=False, default=""),
    # the departments look for what is due several times a second, among every item ever sent
    Index("ix_items_state_due", "state", "due_at"),
)
messages = Table(
    "messages",
    metadata,
    Column("hall_code", String(20), primary_key=True),
    Column("idempotency_key", String(120), primary_key=True),
    Column("receipt_no", String(40), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("body", JSON, nullable=False),
    Column("terminal", String(60), nullable=False),
    Column("outcome", String(16), nullable=False),  # applied | rejected
    Column("reason", Text, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Index("ix_messages_hall_receipt", "hall_code", "receipt_no"),
)
counters = Table(
    "counters",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Integer, nullable=False),
)
files = Table(
    "files",
    metadata,  # a hall's uploads; two halls holding the same bytes each upload them
    Column("hall_code", String(20), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("mime", String(100), nullable=False),
    Column("received", Integer, nullable=False),
    Column("complete", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
case_files = Table(
    "case_files",
    metadata,  # the scans of a case, one per material message applied
    Column("hall_code", String(20), primary_key=True),
    Column("receipt_no", String(40), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("material", String(200), nullable=False),
    Column("name", String(200), nullable=False),
    Column("file_name", String(200), nullable=False),
    Column("mime", String(200), nullable=False),
    Column("size", Integer, nullable=False),
    Index("ix_case_files_hall_sha256", "hall_code", "sha256"),
)
events = Table(
    "events",
    metadata,  # numbered per hall, so a hall's cursor says nothing of other halls' traffic
    Column("hall_code", String(20), primary_key=True),
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("receipt_no", String(40), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("data", JSON, nullable=False),
)
evaluations = Table(
    "evaluations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall_code", String(20), nullable=False),
    Column("receipt_no", String(40), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("round", String(16), nullable=False),
    Column("satisfaction", String(1), nullable=False),
    Column("channel", String(2), nullable=False),
    Column("text", Text, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    UniqueConstraint("hall_code", "receipt_no", "stage", "round"),
)
audit_anchors = Table(
    "audit_anchors",
    metadata,  # the heads of each audit trail of a hall, one per entry, never changed
    Column("hall_code", String(20), primary_key=True),
    Column("chain", String(32), primary_key=True),
    Column("entry_id", Integer, primary_key=True, autoincrement=False),
    Column("entry_hash", String(64), nullable=False),
    Column("key_id", String(40), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("terminal", String(60), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
)
catalogs = Table(
    "catalogs",
    metadata,
    Column("version", String(40), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("files", JSON, nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
)
persons = Table(
    "persons",
    metadata,
    Column("id_number", String(40), primary_key=True),
    Column("facts", JSON, nullable=False),
    Column("source", String(200), nullable=False),
)
licences = Table(
    "licences",
    metadata,
    Column("id_number", String(40), primary_key=True),
    Column("licence", String(100), primary_key=True),
    Column("number", String(60), nullable=False),
    Column("issuer", String(200), nullable=False),
    Column("name", String(100), nullable=False),
)


class Storage:
    """The platform's folder: the database, made or brought up to date on opening, and the
    uploaded files beside it. Writes take turns: one transaction at a time."""

    def __init__(self, folder: Path) -> None:
        self.files_dir = folder / "files"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(f"sqlite:///{folder / 'platform.sqlite3'}")
        metadata.create_all(self.engine)
        upgrade(self.engine, metadata)
        self._write = threading.Lock()  # one writer; SQLite would make the others wait anyway

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def tx(self) -> Iterator[Connection]:
        with self._write, self.engine.begin() as connection:
            yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
            yield connection
