"""Anchors of the audit chain: its head (last entry, its hash, the key in force) recorded and
sent to the platform now and then, so that what someone with the database — even with the key —
does afterwards to entries up to there shows (:mod:`app.cases.audit_verify`).

An anchor belongs to the hall, not to a case, so it does not travel in the case outbox (whose
messages are ordered per case and carry a receipt number): it is its own small outbox, the table
``audit_anchors``, numbered by the hall's own sequence (its ``id``). Each chain (one per
terminal, :mod:`app.cases.audit`) is anchored on its own, under its chain id, whichever
terminal's sync worker makes the anchor. An anchor is made in one transaction with the reading
of the heads; the sync worker sends the pending ones
(``sync.anchors``) and settles each — acknowledged, retried with a growing wait, or refused with
the platform's reason. Anchors need no order and resending one is harmless (the platform keys
them by entry), so several terminals of a hall may make and send them: one anchor per entry.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.cases.audit import SYSTEM, Actor, Head, append, heads
from app.db.base import table, utcnow
from app.db.engine import Database
from app.db.models import AuditAnchorRow, AuditEntry

log = logging.getLogger(__name__)
REASONS = {
    "first": "首个锚点",
    "entries": "新增记录达到条数",
    "interval": "到了间隔时间",
    "shutdown": "同步停止",
}
STATE_LABELS = {"pending": "待平台确认", "acknowledged": "平台已确认", "refused": "平台拒收"}

_ANCHORS = table(AuditAnchorRow)
_AUDIT = table(AuditEntry)


@dataclass(frozen=True)
class Anchor:
    id: int  # the hall's sequence of anchors
    entry_id: int
    entry_hash: str
    key_id: str
    chain_id: str
    entry_at: datetime
    reason: str
    terminal: str
    made_at: datetime
    state: str
    attempts: int
    last_error: str
    acknowledged_at: datetime | None
    note: str

    @classmethod
    def of(cls, row: Row[Any]) -> Anchor:
        return cls(*(getattr(row, name) for name in cls.__dataclass_fields__))


class AuditAnchors:
    """Makes anchors when they are due and keeps what became of them. Due: the first one as
    soon as the chain has an entry, then after ``every_entries`` new entries or ``every_s``
    seconds with any; with a ``reason`` (``shutdown``), whenever the head moved."""

    def __init__(
        self,
        db: Database,
        *,
        every_entries: int = 100,
        every_s: float = 600.0,
        first_retry_s: int = 5,
        max_retry_s: int = 1800,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.every_entries = every_entries
        self.every = timedelta(seconds=every_s)
        self.first_retry_s = first_retry_s
        self.max_retry_s = max_retry_s
        self.clock = clock
        self._random = random.Random()

    def make(
        self, terminal: str, *, reason: str | None = None, now: datetime | None = None
    ) -> list[Anchor]:
        """The head of each chain as a new pending anchor, where one is due; none where not (or
        where another terminal made the same one first). ``terminal``: who makes them."""
        now = now or self.clock()
        made = []
        with self.db.connect() as connection:
            for head in heads(connection):
                anchor = self._make(connection, head, terminal, reason, now)
                if anchor is not None:
                    made.append(anchor)
        return made

    def _make(
        self, connection: Connection, head: Head, terminal: str, reason: str | None, now: datetime
    ) -> Anchor | None:
        if head.last_id == 0 or not head.chain_id:
            return None  # nothing yet, or a chain not keyed (the programs key it at start)
        last = connection.execute(
            select(_ANCHORS.c.entry_id, _ANCHORS.c.made_at)
            .where(_ANCHORS.c.chain_id == head.chain_id)
            .order_by(_ANCHORS.c.entry_id.desc())
            .limit(1)
        ).first()
        if last is not None and head.last_id <= last.entry_id:
            if head.last_id < last.entry_id:
                log.warning("audit head %s is behind anchor %s", head.last_id, last.entry_id)
            return None
        reason = reason or self._due(connection, head, last, now)
        if reason is None:
            return None
        entry = connection.execute(
            select(_AUDIT.c.at, _AUDIT.c.hash).where(_AUDIT.c.id == head.last_id)
        ).first()
        if entry is None or entry.hash != head.last_hash:
            log.warning("audit head %s does not match its entry; no anchor", head.last_id)
            return None
        return self._insert(connection, head, entry.at, reason=reason, terminal=terminal, now=now)

    def _due(self, connection: Connection, head: Head, last: Any, now: datetime) -> str | None:
        if last is None:
            return "first"
        added = connection.scalar(
            select(func.count())
            .select_from(_AUDIT)
            .where(_AUDIT.c.chain == head.terminal, _AUDIT.c.id > last.entry_id)
        )
        if (added or 0) >= self.every_entries:
            return "entries"
        if now - last.made_at >= self.every:
            return "interval"
        return None

    @staticmethod
    def _insert(
        connection: Connection,
        head: Head,
        entry_at: datetime,
        *,
        reason: str,
        terminal: str,
        now: datetime,
    ) -> Anchor | None:
        dialect = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        statement = (
            dialect(_ANCHORS)
            .values(
                entry_id=head.last_id,
                entry_hash=head.last_hash,
                key_id=head.key_id,
                chain_id=head.chain_id,
                entry_at=entry_at,
                reason=reason,
                terminal=terminal,
                made_at=now,
                state="pending",
                attempts=0,
                next_attempt_at=now,
                last_error="",
                acknowledged_at=None,
                note="",
            )
            .on_conflict_do_nothing(index_elements=[_ANCHORS.c.entry_id])
            .returning(*_ANCHORS.c)
        )
        row = connection.execute(statement).first()
        return Anchor.of(row) if row is not None else None

    def due(self, *, now: datetime | None = None, limit: int = 50) -> list[Anchor]:
        """Pending anchors whose next try has come, oldest first."""
        now = now or self.clock()
        with self.db.read() as session:
            rows = session.execute(
                select(*_ANCHORS.c)
                .where(_ANCHORS.c.state == "pending", _ANCHORS.c.next_attempt_at <= now)
                .order_by(_ANCHORS.c.entry_id)
                .limit(limit)
            ).all()
        return [Anchor.of(r) for r in rows]

    def acknowledged(self, anchor_id: int, *, at: datetime | None = None) -> None:
        with self.db.connect() as connection:
            connection.execute(
                update(_ANCHORS)
                .where(_ANCHORS.c.id == anchor_id)
                .values(
                    state="acknowledged",
                    acknowledged_at=at or self.clock(),
                    attempts=_ANCHORS.c.attempts + 1,
                    last_error="",
                )
            )

    def failed(
        self, anchor_id: int, error: str, *, retry_after_s: float = 0.0, now: datetime | None = None
    ) -> None:
        """A try that did not get through: tried again after a growing wait."""
        now = now or self.clock()
        with self.db.connect() as connection:
            attempts = (
                connection.scalar(select(_ANCHORS.c.attempts).where(_ANCHORS.c.id == anchor_id))
                or 0
            ) + 1
            wait = max(self.backoff_s(attempts), retry_after_s)
            connection.execute(
                update(_ANCHORS)
                .where(_ANCHORS.c.id == anchor_id, _ANCHORS.c.state == "pending")
                .values(
                    attempts=attempts,
                    next_attempt_at=now + timedelta(seconds=wait),
                    last_error=error[:2000],
                )
            )

    def refused(self, anchor_id: int, reason: str, *, terminal: str) -> None:
        """The platform will not take it (it holds another hash for the entry, say): kept with
        the reason, and written to the audit trail, for a person to look into."""
        with self.db.connect() as connection:
            row = connection.execute(
                update(_ANCHORS)
                .where(_ANCHORS.c.id == anchor_id, _ANCHORS.c.state == "pending")
                .values(state="refused", note=reason[:2000], attempts=_ANCHORS.c.attempts + 1)
                .returning(_ANCHORS.c.entry_id, _ANCHORS.c.entry_hash)
            ).first()
            if row is not None:
                log.error("platform refused audit anchor %s: %s", row.entry_id, reason)
                append(
                    connection,
                    Actor(SYSTEM, terminal),
                    "audit_anchor_refused",
                    after={"entry_id": row.entry_id, "hash": row.entry_hash, "reason": reason},
                )

    def backoff_s(self, attempts: int) -> float:
        wait = min(self.first_retry_s * 2 ** (attempts - 1), self.max_retry_s)
        return float(wait) * (1 - 0.2 * self._random.random())

    # -- what a person sees --------------------------------------------------------------------
    def anchors(self, *, limit: int = 20) -> list[Anchor]:
        """The newest anchors first."""
        with self.db.read() as session:
            rows = session.execute(
                select(*_ANCHORS.c).order_by(_ANCHORS.c.entry_id.desc()).limit(limit)
            ).all()
        return [Anchor.of(r) for r in rows]

    def last_acknowledged(self) -> Anchor | None:
        with self.db.read() as session:
            row = session.execute(
                select(*_ANCHORS.c)
                .where(_ANCHORS.c.state == "acknowledged")
                .order_by(_ANCHORS.c.entry_id.desc())
                .limit(1)
            ).first()
        return Anchor.of(row) if row is not None else None

    def summary(self) -> dict[str, Any]:
        """For ``onestop sync status``: counts per state and the last acknowledged anchor."""
        with self.db.read() as session:
            counts: dict[str, int] = dict(
                session.execute(
                    select(_ANCHORS.c.state, func.count()).group_by(_ANCHORS.c.state)
                ).all()
            )
        last = self.last_acknowledged()
        return {
            "pending": counts.get("pending", 0),
            "acknowledged": counts.get("acknowledged", 0),
            "refused": counts.get("refused", 0),
            "last_acknowledged_entry": last.entry_id if last else None,
            "last_acknowledged_at": last.acknowledged_at.isoformat()
            if last and last.acknowledged_at
            else None,
        }
