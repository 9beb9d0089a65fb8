"""The audit trail: append-only entries, each hash covering the entry and the one before, so an
edited, removed or inserted row is found (:mod:`app.cases.audit_verify`, ``onestop audit verify``).

The chain is keyed: from its switch point (an entry with action ``chain_keyed`` naming the key)
on, each hash is an HMAC-SM3 under the hall's audit key, which lives in the hall's key file and
never in the database — someone who can write the database but lacks the key cannot recompute
the hashes after a change. Entries written before the switch keep their SHA-256 hashes. A
rotated key starts with another ``chain_keyed`` entry. What the key cannot show — the last
entries deleted and the head moved back, or the whole chain rewritten by someone who has the
key — the anchors show: the head as the platform acknowledged it (:mod:`app.cases.anchors`),
which the verification checks the chain against.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from app.db.base import json_dumps, table, utcnow
from app.db.engine import AUDIT_KEYS
from app.db.models import AuditEntry, AuditHead
from app.errors import KeysError
from app.security.keys import AuditKeys

GENESIS = "0" * 64
KEYED = "chain_keyed"  # the switch point: from this entry on, hashes are HMAC-SM3 under its key
SYSTEM = "onestop"  # the actor of entries the program writes by itself


def not_keyed() -> KeysError:
    return KeysError(
        "审计记录已经用大厅审计密钥保护，这个程序没有拿到审计密钥，这次操作没有保存。",
        hint="请通过 onestop 的正常方式启动（它会读取大厅密钥文件），或联系大厅信息管理员。",
    )


@dataclass(frozen=True)
class Actor:
    """Who did it, from which terminal: a clerk, a kiosk session, a sender, the platform. An
    operator's ``role`` (app.roles) decides what the services let them do; others have none."""

    name: str
    terminal: str
    role: str = ""


def entry_hash(
    prev_hash: str,
    *,
    at: datetime,
    actor: str,
    terminal: str,
    case_id: int | None,
    receipt_no: str,
    action: str,
    before: Any,
    after: Any,
    key: bytes | None = None,
) -> str:
    """SHA-256 of the entry without ``key`` (before the switch point), HMAC-SM3 with it."""
    body = json_dumps(
        [
            prev_hash,
            at.isoformat(timespec="microseconds"),
            actor,
            terminal,
            case_id,
            receipt_no,
            action,
            before,
            after,
        ],
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")
    if key is None:
        return hashlib.sha256(body).hexdigest()
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(body)
    return mac.finalize().hex()


_AUDIT = table(AuditEntry)
_HEAD = table(AuditHead)
_INSERT = insert(_AUDIT).returning(_AUDIT.c.id)
_READ_HEAD = select(_HEAD.c.last_id, _HEAD.c.last_hash, _HEAD.c.key_id, _HEAD.c.chain_id).where(
    _HEAD.c.id == 1
)
_READ_HEAD_LOCKED = _READ_HEAD.with_for_update()
_WRITE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(
        last_id=bindparam("entry_id"),
        last_hash=bindparam("entry_hash"),
        key_id=bindparam("key"),
        chain_id=bindparam("chain"),
    )
)


class Head(NamedTuple):
    last_id: int
    last_hash: str
    key_id: str  # "" while the chain is unkeyed
    chain_id: str  # given at the first switch point; "" before


def audit_keys(target: Session | Connection) -> AuditKeys | None:
    """The hall's audit keys the database was opened with (:class:`app.db.engine.Database`)."""
    connection = target.connection() if isinstance(target, Session) else target
    keys: AuditKeys | None = connection.get_execution_options().get(AUDIT_KEYS)
    return keys


def read_head(connection: Connection, *, lock: bool = False) -> Head:
    locked = lock and connection.dialect.name == "postgresql"
    row = connection.execute(_READ_HEAD_LOCKED if locked else _READ_HEAD).first()
    if row is None:  # a database created without the migration's seed row
        connection.execute(
            insert(_HEAD).values(id=1, last_id=0, last_hash=GENESIS, key_id="", chain_id="")
        )
        return Head(0, GENESIS, "", "")
    return Head(row.last_id, row.last_hash, row.key_id, row.chain_id)


def append(
    target: Session | Connection,
    actor: Actor,
    action: str,
    *,
    case_id: int | None = None,
    receipt_no: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> int:
    """Add an entry in the caller's transaction, chained to the head; returns the entry's id.

    Plain SQL rather than the ORM: it runs in every change, and the head row is read locked
    (``FOR UPDATE`` on PostgreSQL; SQLite's writer already holds the database). With the hall's
    audit keys (the database's), the entry is keyed — after a ``chain_keyed`` entry first when
    the chain is unkeyed or keyed with another key; without them an entry joins only a chain
    never keyed (refused otherwise: an unkeyed entry there would read as forged).
    """
    connection = target.connection() if isinstance(target, Session) else target
    keys = audit_keys(connection)
    signing = keys.signing() if keys is not None else None
    head = read_head(connection, lock=True)
    at = at or utcnow()
    if signing is None and head.key_id:
        raise not_keyed()
    if signing is not None and head.key_id != signing[0]:
        head = _switch(connection, head, actor.terminal, signing, at)
    written = _write(
        connection,
        head,
        actor,
        action,
        at=at,
        signing=signing,
        case_id=case_id,
        receipt_no=receipt_no,
        before=before,
        after=after,
    )
    return written.last_id


def _switch(
    connection: Connection, head: Head, terminal: str, signing: tuple[str, bytes], at: datetime
) -> Head:
    """The switch point: from this entry on, the chain is keyed with ``signing``. The first one
    gives the chain its id; later ones (a rotated key) carry it on."""
    chain = head.chain_id or secrets.token_hex(8)
    head = head._replace(chain_id=chain)
    after = {"key_id": signing[0], "previous_key_id": head.key_id, "chain": chain}
    return _write(
        connection, head, Actor(SYSTEM, terminal), KEYED, at=at, signing=signing, after=after
    )


def _write(
    connection: Connection,
    head: Head,
    actor: Actor,
    action: str,
    *,
    at: datetime,
    signing: tuple[str, bytes] | None,
    case_id: int | None = None,
    receipt_no: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Head:
    """The entry written after ``head``, and the head it becomes."""
    # Hashed as written; the JSON columns serialise with the same json_dumps, so what reads back
    # hashes the same.
    digest = entry_hash(
        head.last_hash,
        at=at,
        actor=actor.name,
        terminal=actor.terminal,
        case_id=case_id,
        receipt_no=receipt_no,
        action=action,
        before=before,
        after=after,
        key=signing[1] if signing else None,
    )
    entry_id: int = connection.execute(
        _INSERT,
        {
            "at": at,
            "actor": actor.name,
            "terminal": actor.terminal,
            "case_id": case_id,
            "receipt_no": receipt_no,
            "action": action,
            "before": before,
            "after": after,
            "prev_hash": head.last_hash,
            "hash": digest,
        },
    ).scalar_one()
    key_id = signing[0] if signing else ""
    connection.execute(
        _WRITE_HEAD,
        {"entry_id": entry_id, "entry_hash": digest, "key": key_id, "chain": head.chain_id},
    )
    return Head(entry_id, digest, key_id, head.chain_id)


def key_chain(connection: Connection, terminal: str, *, at: datetime | None = None) -> str | None:
    """Key the chain with the hall's audit key in use (the database's), if it is not already:
    the ``chain_keyed`` entry, as start-up and ``onestop db upgrade`` write it. The key's id, or
    None for a database opened without keys."""
    keys = audit_keys(connection)
    if keys is None:
        return None
    signing = keys.signing()
    head = read_head(connection, lock=True)
    if head.key_id != signing[0]:
        _switch(connection, head, terminal, signing, at or utcnow())
    return signing[0]
