"""The audit chain under attack: a keyed database for tests, and the tamperings someone who can
write the database (plain SQL on its tables, as a DBA or whoever copies the SQLite file) does to
it — with or without the hall's audit key."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from app.cases.audit import GENESIS, KEYED, entry_hash
from app.db.base import table
from app.db.engine import Database
from app.db.models import AuditAnchorRow, AuditEntry, AuditHead
from app.security.keys import AuditKeys, KeyRing

AUDIT = table(AuditEntry)
HEAD = table(AuditHead)
ANCHORS = table(AuditAnchorRow)


def audit_ring(key_id: str = "ATEST0001") -> KeyRing:
    """A hall's audit ring with one fresh random key."""
    return KeyRing(key_id, {key_id: secrets.token_bytes(32)})


def keyed(engine: Engine, ring: KeyRing) -> Database:
    """The database as the programs open it: its connections carry the hall's audit keys."""
    return Database(engine, audit_keys=AuditKeys.of(ring))


def ids(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return list(connection.scalars(select(AUDIT.c.id).order_by(AUDIT.c.id)))


def _rehash(row: Mapping[str, Any], prev_hash: str, key: bytes | None, format: int = 1) -> str:
    return entry_hash(
        prev_hash,
        at=row["at"],
        actor=row["actor"],
        terminal=row["terminal"],
        case_id=row["case_id"],
        receipt_no=row["receipt_no"],
        action=row["action"],
        before=row["before"],
        after=row["after"],
        key=key,
        format=format,
    )


def chain_of(connection: Connection, entry_id: int) -> str:
    """The terminal whose chain holds ``entry_id``."""
    return str(connection.scalar(select(AUDIT.c.chain).where(AUDIT.c.id == entry_id)))


def _set_head(connection: Connection, last_id: int, last_hash: str, chain: str) -> None:
    connection.execute(
        update(HEAD).where(HEAD.c.terminal == chain).values(last_id=last_id, last_hash=last_hash)
    )


def _hash_of(connection: Connection, entry_id: int) -> str:
    if entry_id == 0:
        return GENESIS
    return str(connection.scalar(select(AUDIT.c.hash).where(AUDIT.c.id == entry_id)))


# -- the tamperings -------------------------------------------------------------------------------
def edit(engine: Engine, entry_id: int) -> None:
    """Change who did it, nothing else."""
    with engine.begin() as connection:
        connection.execute(update(AUDIT).where(AUDIT.c.id == entry_id).values(actor="intruder"))


def insert_after(engine: Engine, entry_id: int) -> int:
    """Make room after ``entry_id`` and put a made-up entry there, hashed as someone without the
    key would (SHA-256 chained to the entry before); the entries after keep their hashes."""
    with engine.begin() as connection:
        later = AUDIT.c.id > entry_id
        connection.execute(update(AUDIT).where(later).values(id=AUDIT.c.id + 1_000_000))
        connection.execute(
            update(AUDIT).where(AUDIT.c.id > 1_000_000).values(id=AUDIT.c.id - 999_999)
        )
        connection.execute(  # the other chains' heads follow their entries
            update(HEAD).where(HEAD.c.last_id > entry_id).values(last_id=HEAD.c.last_id + 1)
        )
        prev = _hash_of(connection, entry_id)
        row = connection.execute(select(AUDIT).where(AUDIT.c.id == entry_id)).one()
        forged = dict(row._mapping) | {"id": entry_id + 1, "action": "accept", "actor": "intruder"}
        forged["prev_hash"] = prev
        forged["hash"] = _rehash(forged, prev, None)
        connection.execute(AUDIT.insert(), forged)
        chain = row.chain
        last = connection.execute(
            select(func.max(AUDIT.c.id)).where(AUDIT.c.chain == chain)
        ).scalar_one()
        _set_head(connection, last, _hash_of(connection, last), chain)
    return entry_id + 1


def delete_entry(engine: Engine, entry_id: int) -> None:
    with engine.begin() as connection:
        connection.execute(delete(AUDIT).where(AUDIT.c.id == entry_id))


def delete_tail(
    engine: Engine, count: int, *, move_head: bool = True, chain: str = "counter-01"
) -> None:
    """Delete the last ``count`` entries of ``chain`` (a terminal's); with ``move_head`` point
    its head at the entry left last (the two statements that fooled the unkeyed, unanchored
    chain)."""
    with engine.begin() as connection:
        ours = select(AUDIT.c.id).where(AUDIT.c.chain == chain).order_by(AUDIT.c.id.desc())
        tail = list(connection.scalars(ours.limit(count)))
        connection.execute(delete(AUDIT).where(AUDIT.c.id.in_(tail)))
        if move_head:
            last = connection.scalar(ours.limit(1)) or 0
            _set_head(connection, last, _hash_of(connection, last), chain)


def truncate(engine: Engine, *, anchors_too: bool = False) -> None:
    """Empty the trail and set the head back to the start (and the local anchors, if asked)."""
    with engine.begin() as connection:
        connection.execute(delete(AUDIT))
        connection.execute(update(HEAD).values(last_id=0, last_hash=GENESIS, key_id=""))
        if anchors_too:
            connection.execute(delete(ANCHORS))


def move_head(engine: Engine, to_id: int) -> None:
    """Point the head of ``to_id``'s chain at it, leaving the later entries."""
    with engine.begin() as connection:
        _set_head(connection, to_id, _hash_of(connection, to_id), chain_of(connection, to_id))


def rechain_from(engine: Engine, entry_id: int, *, key: bytes | None) -> None:
    """Change ``entry_id`` and recompute every hash from there on — in the chain's format, with
    ``key`` where the chain is keyed (the hall's, for an insider who has the key file; another, for one who guesses; and
    SHA-256 before the switch point) or all with SHA-256, as someone without any key would — so
    every link and the head agree again. Within ``entry_id``'s chain."""
    with engine.begin() as connection:
        connection.execute(update(AUDIT).where(AUDIT.c.id == entry_id).values(actor="intruder"))
        chain = chain_of(connection, entry_id)
        ours = AUDIT.c.chain == chain
        rows = connection.execute(
            select(AUDIT).where(ours, AUDIT.c.id >= entry_id).order_by(AUDIT.c.id)
        ).all()
        prev = (
            connection.scalar(
                select(AUDIT.c.hash)
                .where(ours, AUDIT.c.id < entry_id)
                .order_by(AUDIT.c.id.desc())
                .limit(1)
            )
            or GENESIS
        )
        last_switch = connection.execute(
            select(AUDIT.c.id, AUDIT.c.after)
            .where(ours, AUDIT.c.id < entry_id, AUDIT.c.action == KEYED)
            .order_by(AUDIT.c.id.desc())
            .limit(1)
        ).first()
        keyed = last_switch is not None
        form = (last_switch.after or {}).get("format", 1) if last_switch is not None else 1
        for row in rows:
            if row.action == KEYED:
                keyed, form = True, (row.after or {}).get("format", 1)
            digest = _rehash(dict(row._mapping), prev, key if keyed else None, form)
            connection.execute(
                update(AUDIT).where(AUDIT.c.id == row.id).values(prev_hash=prev, hash=digest)
            )
            prev = digest
        _set_head(connection, rows[-1].id, prev, chain)


def forget_anchors(engine: Engine) -> None:
    """Delete the anchors this database recorded (the platform keeps its own)."""
    with engine.begin() as connection:
        connection.execute(delete(ANCHORS))
