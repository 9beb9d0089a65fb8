"""The audit trail: append-only entries chained by SHA-256, so an edited, removed or inserted row
is found by :func:`verify` (``onestop audit verify``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session

from app.db.base import json_dumps, table, utcnow
from app.db.models import AuditEntry, AuditHead

GENESIS = "0" * 64


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
) -> str:
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
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


_AUDIT = table(AuditEntry)
_HEAD = table(AuditHead)
_INSERT = insert(_AUDIT).returning(_AUDIT.c.id)
_READ_HEAD = select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == 1)
_READ_HEAD_LOCKED = _READ_HEAD.with_for_update()
_WRITE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(last_id=bindparam("entry_id"), last_hash=bindparam("entry_hash"))
)


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
    (``FOR UPDATE`` on PostgreSQL; SQLite's writer already holds the database).
    """
    connection = target.connection() if isinstance(target, Session) else target
    locked = connection.dialect.name == "postgresql"
    head = connection.execute(_READ_HEAD_LOCKED if locked else _READ_HEAD).first()
    if head is None:  # a database created without the migration's seed row
        connection.execute(insert(_HEAD).values(id=1, last_id=0, last_hash=GENESIS))
        prev_hash = GENESIS
    else:
        prev_hash = head.last_hash
    at = at or utcnow()
    # Hashed as written; the JSON columns serialise with the same json_dumps, so what reads back
    # hashes the same.
    digest = entry_hash(
        prev_hash,
        at=at,
        actor=actor.name,
        terminal=actor.terminal,
        case_id=case_id,
        receipt_no=receipt_no,
        action=action,
        before=before,
        after=after,
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
            "prev_hash": prev_hash,
            "hash": digest,
        },
    ).scalar_one()
    connection.execute(_WRITE_HEAD, {"entry_id": entry_id, "entry_hash": digest})
    return entry_id


@dataclass(frozen=True)
class AuditReport:
    entries: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def _entries(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        session.expunge_all()


def verify(session: Session) -> AuditReport:
    problems: list[str] = []
    prev = GENESIS
    count = 0
    last_id = 0
    for entry in _entries(session):
        count += 1
        if entry.prev_hash != prev:
            problems.append(
                f"第 {entry.id} 条记录的前一条哈希对不上：它之前的记录被删除、插入或改动过。"
            )
        expected = entry_hash(
            entry.prev_hash,
            at=entry.at,
            actor=entry.actor,
            terminal=entry.terminal,
            case_id=entry.case_id,
            receipt_no=entry.receipt_no,
            action=entry.action,
            before=entry.before,
            after=entry.after,
        )
        if entry.hash != expected:
            problems.append(
                f"第 {entry.id} 条记录（{entry.at:%Y-%m-%d %H:%M:%S}，{entry.action}，"
                f"办件 {entry.receipt_no or '无'}）的内容被改动过。"
            )
        prev = entry.hash
        last_id = entry.id
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_id, head.last_hash) != (last_id, prev):
        problems.append("最后一条记录与链头不符：末尾的记录被删除或改动过。")
    return AuditReport(count, tuple(problems))
