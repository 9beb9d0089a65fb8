"""The audit trail: append-only entries chained by SHA-256, so an edited, removed or inserted row
is found by :func:`verify` (``onestop audit verify``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, is_dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.base import utcnow
from app.db.models import AuditEntry, AuditHead

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who did it, from which terminal: a clerk, a kiosk session, a sender, the platform."""

    name: str
    terminal: str


def jsonable(value: Any) -> Any:
    """The value as it will read back from a JSON column, so the hash is the same afterwards."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=_plain))


def _plain(value: Any) -> Any:
    """Dates as ISO 8601 text, plain dataclasses as objects; anything else as its text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return str(value)


def entry_hash(
    prev_hash: str, *, at: datetime, actor: str, terminal: str, case_id: int | None,
    receipt_no: str, action: str, before: Any, after: Any,
) -> str:  # fmt: skip
    body = json.dumps(
        [prev_hash, at.isoformat(timespec="microseconds"), actor, terminal, case_id, receipt_no,
         action, before, after],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )  # fmt: skip
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(
    session: Session,
    actor: Actor,
    action: str,
    *,
    case_id: int | None = None,
    receipt_no: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None:  # a database created without the migration's seed row
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        session.add(head)
    at = at or utcnow()
    before, after = jsonable(before), jsonable(after)
    digest = entry_hash(
        head.last_hash, at=at, actor=actor.name, terminal=actor.terminal, case_id=case_id,
        receipt_no=receipt_no, action=action, before=before, after=after,
    )  # fmt: skip
    entry = AuditEntry(
        at=at, actor=actor.name, terminal=actor.terminal, case_id=case_id, receipt_no=receipt_no,
        action=action, before=before, after=after, prev_hash=head.last_hash, hash=digest,
    )  # fmt: skip
    session.add(entry)
    session.flush()
    head.last_id = entry.id
    head.last_hash = digest
    return entry


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
            entry.prev_hash, at=entry.at, actor=entry.actor, terminal=entry.terminal,
            case_id=entry.case_id, receipt_no=entry.receipt_no, action=entry.action,
            before=entry.before, after=entry.after,
        )  # fmt: skip
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
