"""Sealing in place: every personal value and scan that is stored unsealed (a database from before
sealing) or under an older data key (after ``onestop db rekey``) is sealed under the current key,
and every case gets its blind indexes.

It runs in batches, each its own transaction, and a batch reseals only what still needs it, so
an interrupted run (a power cut, Ctrl-C) goes on where it stopped when run again. When a run
finds nothing left, the data keys record it (the next start skips the walk) and the older data
keys go. On SQLite the pages that held the clear values are then overwritten (``secure_delete``
and ``VACUUM``); PostgreSQL keeps dead row versions until its own ``VACUUM FULL``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    String,
    Table,
    bindparam,
    select,
    type_coerce,
    update,
)

from app.cases.files import FileStore
from app.db.base import Base, utcnow
from app.db.engine import Database
from app.db.models import INDEXED, StoredFile
from app.db.sealed import SealedJSON, SealedText
from app.security.data_keys import DataKeys
from app.security.sealing import Sealer, is_sealed

BATCH = 500


@dataclass
class Resealed:
    """What a run did: rows rewritten per table, files sealed, and whether it got to the end."""

    rows: dict[str, int]
    files: int = 0
    complete: bool = False

    @property
    def total(self) -> int:
        return sum(self.rows.values()) + self.files


def sealed_tables() -> Iterator[tuple[Table, list[Column[Any]]]]:
    """Every table with sealed columns, and those columns (from the models: a column added later
    is walked without a change here)."""
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, SealedText | SealedJSON)]
        if columns:
            yield table, columns


def _stale(column: Column[Any], value: Any, current: str, sealer: Sealer) -> bool:
    """Whether the stored ``value`` of ``column`` is unsealed or sealed under another key."""
    kind = column.type
    if value is None or value == "":
        return False
    if isinstance(kind, SealedJSON) and kind.clear is not None and isinstance(value, dict):
        return any(
            _stale_text(item, current, sealer)
            for key, item in value.items()
            if key not in kind.clear and item is not None
        )
    return _stale_text(value, current, sealer)


def _stale_text(value: Any, current: str, sealer: Sealer) -> bool:
    return not is_sealed(value) or sealer.key_of(value) != current


def _raw(column: Column[Any]) -> Any:
    """The column as stored, without opening it."""
    return type_coerce(column, JSON if isinstance(column.type, SealedJSON) else String).label(
        f"raw_{column.name}"
    )


def _indexes(row: Any, sealer: Sealer) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for index, (source, context) in INDEXED.items():
        value = getattr(row, source) or ""
        out[index] = sealer.index(value, context) if value else None
    return out


def _walk(
    connection_of: Callable[[], Any],
    table: Table,
    columns: list[Column[Any]],
    sealer: Sealer,
    *,
    after: int,
    batch: int,
) -> tuple[int, int]:
    """One batch of ``table`` after id ``after``: (rows resealed, last id seen; 0 at the end)."""
    key = table.c.id
    indexed = table.name == "cases"
    extra = [table.c[name] for name in INDEXED] if indexed else []
    with connection_of() as connection:
        rows = connection.execute(
            select(key, *(_raw(c) for c in columns), *extra)
            .where(key > after)
            .order_by(key)
            .limit(batch)
        ).all()
        if not rows:
            return 0, 0
        stale = [
            row.id
            for row in rows
            if any(
                _stale(c, getattr(row, f"raw_{c.name}"), sealer.current, sealer) for c in columns
            )
            or (indexed and _unindexed(row))
        ]
        if stale:
            _rewrite(connection, table, columns, stale, sealer, indexed=indexed)
        return len(stale), rows[-1].id


def _unindexed(row: Any) -> bool:
    return any(
        getattr(row, f"raw_{source}") and getattr(row, index) is None
        for index, (source, _) in INDEXED.items()
    )


def _rewrite(
    connection: Connection,
    table: Table,
    columns: list[Column[Any]],
    ids: list[int],
    sealer: Sealer,
    *,
    indexed: bool,
) -> None:
    """Read the rows opened (clear values pass through), write them back sealed."""
    opened = connection.execute(select(table.c.id, *columns).where(table.c.id.in_(ids))).all()
    names = [c.name for c in columns] + (list(INDEXED) if indexed else [])
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in names})
    )
    values = []
    for row in opened:
        value = {"row_id": row.id, **{f"v_{c.name}": getattr(row, c.name) for c in columns}}
        if indexed:
            value.update({f"v_{k}": v for k, v in _indexes(row, sealer).items()})
        values.append(value)
    connection.execute(statement, values)


def reseal(
    db: Database,
    data_keys: DataKeys,
    files: FileStore | None,
    *,
    batch: int = BATCH,
    stop_after: int | None = None,
    progress: Callable[[str, int], None] | None = None,
    now: Callable[[], datetime] = utcnow,
) -> Resealed:
    """Seal what is not sealed under the current data key, ``batch`` rows a transaction;
    ``stop_after`` batches at most (a test's interruption). ``progress(table, rows)`` after each
    batch that changed something."""
    sealer = db.sealer
    if sealer is None:
        raise ValueError("reseal needs a database opened with the hall's data keys")
    done = Resealed({})
    batches = 0
    for table, columns in sealed_tables():
        after = 0
        while True:
            if stop_after is not None and batches >= stop_after:
                return done
            changed, after = _walk(db.connect, table, columns, sealer, after=after, batch=batch)
            batches += 1
            if changed:
                done.rows[table.name] = done.rows.get(table.name, 0) + changed
                if progress:
                    progress(table.name, done.rows[table.name])
            if not after:
                break
    if files is not None:
        with db.read() as session:
            shas = list(session.scalars(select(StoredFile.sha256).order_by(StoredFile.sha256)))
        for sha in shas:
            done.files += files.reseal(sha)
        if done.files and progress:
            progress("files", done.files)
    if done.total and db.dialect == "sqlite":
        _scrub_sqlite(db)
    data_keys.sealed_all(sealer, now())
    done.complete = True
    return done


def _scrub_sqlite(db: Database) -> None:
    """Overwrite the pages and WAL frames that held the clear values."""
    with db.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("VACUUM")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def seal_existing(
    db: Database,
    data_keys: DataKeys,
    files: FileStore | None,
    terminal: str,
    *,
    progress: Callable[[str, int], None] | None = None,
) -> Resealed | None:
    """Reseal when the data keys do not record that everything is sealed under the current key
    (a database from before sealing, or after ``db rekey``); ``None`` when nothing was to do.
    A run that sealed anything leaves an audit entry saying how much."""
    sealer = db.sealer
    if sealer is None or not data_keys.needs_resealing(sealer):
        return None
    done = reseal(db, data_keys, files, progress=progress)
    if done.total:
        from app.cases.audit import SYSTEM, Actor, append

        with db.transaction() as session:
            append(
                session,
                Actor(SYSTEM, terminal),
                "data_sealed",
                after={"key_id": sealer.current, "rows": done.rows, "files": done.files},
            )
    return done
