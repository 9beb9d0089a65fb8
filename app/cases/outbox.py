"""The durable outbox: what the provincial platform must learn, stored with the change itself.

A message is written in the same transaction as the case change (:func:`enqueue`). A sender
claims due messages (:meth:`Outbox.claim`) — oldest first, at most the earliest undelivered one per
case, never the same message to two senders (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the single
writer on SQLite) — and reports back delivered, failed (retried with backoff) or rejected (parked
for a person). A sender that dies leaves its messages claimable again when the lease ends.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Literal

from sqlalchemy import (
    BindParameter,
    Connection,
    Row,
    Select,
    Text,
    Update,
    bindparam,
    cast,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from app.cases.audit import Actor, append
from app.cases.states import MESSAGE_STATE_LABELS
from app.db.base import UtcDateTime, jsonable, table, utcnow
from app.db.engine import Database
from app.db.models import PAYLOAD_CONTEXT, CaseRow, OutboxMessage, OutboxPayload
from app.db.sealed import no_keys
from app.errors import OutboxError
from app.roles import require
from app.security.sealing import PREFIX, Sealer

# Literal, so that SQLite can use the partial index ix_outbox_active (same text as its predicate).
ACTIVE = text("outbox.state IN ('pending', 'in_flight', 'retrying', 'attention')")

MESSAGE_KIND_LABELS = {
    "submission": "申报", "update": "申报信息更新", "material": "材料文件", "acceptance": "受理",
    "not_accepted": "不予受理", "dispatch": "分送部门", "supplement": "补交材料",
    "withdrawal": "撤回", "delivery": "结果送达", "evaluation": "好差评",
    "lapse": "容缺逾期未补交", "assistance": "帮办代办",
    "verification": "告知承诺核查",
}  # fmt: skip


@dataclass(frozen=True)
class Message:
    id: int
    receipt_no: str
    seq: int
    kind: str
    idempotency_key: str
    payload_json: str  # as stored: a sender can put it on the wire without decoding it
    file_sha256: str | None
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    claimed_by: str
    note: str
    created_at: datetime
    delivered_at: datetime | None

    @cached_property
    def payload(self) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(self.payload_json)
        return decoded

    @property
    def state_label(self) -> str:
        return MESSAGE_STATE_LABELS[self.state]

    @property
    def kind_label(self) -> str:
        return MESSAGE_KIND_LABELS.get(self.kind, self.kind)

    @classmethod
    def of(cls, row: Row[Any], sealer: Sealer | None = None, payload: str | None = None) -> Message:
        """From a row of :data:`_COLUMNS`, or of the outbox's with its ``payload`` (the payload
        as its JSON text, opened with ``sealer`` when it is sealed: then it is stored as one
        JSON string, ``"sm4:…"``)."""
        payload = row.payload if payload is None else payload
        if payload.startswith(f'"{PREFIX}'):
            if sealer is None:
                raise no_keys()
            payload = sealer.open(json.loads(payload), PAYLOAD_CONTEXT)
        return cls(
            row.id,
            row.receipt_no,
            row.seq,
            row.kind,
            row.idempotency_key,
            payload,
            row.file_sha256,
            row.state,
            row.attempts,
            row.next_attempt_at,
            row.last_error,
            row.claimed_by,
            row.note,
            row.created_at,
            row.delivered_at,
        )


@dataclass(frozen=True)
class Outcome:
    """What became of one message a sender tried."""

    message_id: int
    result: Literal["delivered", "failed", "rejected"]
    detail: str = ""  # the error (failed) or the platform's reason (rejected)
    retry_after_s: float = 0.0  # the platform asked to wait at least this long


@dataclass(frozen=True)
class NewMessage:
    """A message to write: what the platform must learn about a case."""

    kind: str
    payload: dict[str, Any]
    file_sha256: str | None = None


_OUTBOX = table(OutboxMessage)
_PAYLOADS = table(OutboxPayload)
_INSERT = insert(_OUTBOX)
# Each payload beside the message just written, found by (case, seq): cheaper than RETURNING ids.
_INSERT_PAYLOADS = insert(_PAYLOADS).from_select(
    ["id", "payload"],
    select(_OUTBOX.c.id, bindparam("payload", type_=_PAYLOADS.c.payload.type)).where(
        _OUTBOX.c.case_id == bindparam("case_id"), _OUTBOX.c.seq == bindparam("seq")
    ),
)


def _candidates() -> Select[tuple[int]]:
    """Due messages, oldest first, none with an earlier message of its case still undelivered."""
    earlier = _OUTBOX.alias("earlier")
    now = bindparam("now", type_=UtcDateTime())
    blocked = (
        select(earlier.c.id)
        .where(
            earlier.c.case_id == _OUTBOX.c.case_id,
            earlier.c.seq < _OUTBOX.c.seq,
            # "Not finished" rather than the active states: so no planner is tempted to probe
            # ix_outbox_active once per candidate (PostgreSQL without statistics did, 1 s per
            # claim); a case has a handful of messages, found through (case_id, seq).
            earlier.c.state.not_in(("delivered", "cancelled")),
        )
        .exists()
    )
    waiting = _OUTBOX.c.state.in_(("pending", "retrying"))
    due = (waiting & (_OUTBOX.c.next_attempt_at <= now)) | (
        (_OUTBOX.c.state == "in_flight") & (_OUTBOX.c.lease_until < now)
    )
    return select(_OUTBOX.c.id).where(ACTIVE, due, ~blocked).order_by(_OUTBOX.c.id)


_CANDIDATES = _candidates()
_CASES = table(CaseRow)
_SET_PLATFORM_NO = (
    update(_CASES)
    .where(_CASES.c.receipt_no == bindparam("receipt"), _CASES.c.platform_no == "")
    .values(platform_no=bindparam("number"))
)


# Every column, the payload as its JSON text: decoding 100 payloads would cost more than the claim.
_PAYLOAD_TEXT = cast(_PAYLOADS.c.payload, Text).label("payload")
_COLUMNS = [*_OUTBOX.c, _PAYLOAD_TEXT]
_WITH_PAYLOAD = _OUTBOX.join(_PAYLOADS, _PAYLOADS.c.id == _OUTBOX.c.id)

# The sender's statements, built once (building one costs more than running it on 100 rows).
_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_CASES_OF = select(_OUTBOX.c.case_id).where(_OUTBOX.c.id.in_(_IDS))  # no index on receipt_no
_LAST_DELIVERED = (
    select(_OUTBOX.c.receipt_no, func.max(_OUTBOX.c.seq))
    .where(_OUTBOX.c.case_id.in_(_CASES_OF), _OUTBOX.c.state == "delivered")
    .group_by(_OUTBOX.c.receipt_no)
)
_SCANS = (
    select(*_COLUMNS)
    .select_from(_WITH_PAYLOAD)
    .where(
        _OUTBOX.c.case_id.in_(_CASES_OF),
        _OUTBOX.c.kind == "material",
        _OUTBOX.c.state != "cancelled",
    )
    .order_by(_OUTBOX.c.case_id, _OUTBOX.c.seq)
)
_KNOWN = select(_OUTBOX.c.id).where(_OUTBOX.c.id.in_(_IDS))
_DELIVER = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(_IDS), _OUTBOX.c.state.not_in(("delivered", "cancelled")))
    .values(
        state="delivered",
        delivered_at=bindparam("now", type_=UtcDateTime()),
        lease_until=None,
        last_error="",
    )
)
_MINE = select(
    _OUTBOX.c.id, _OUTBOX.c.attempts, _OUTBOX.c.case_id, _OUTBOX.c.receipt_no, _OUTBOX.c.kind
).where(
    _OUTBOX.c.id.in_(_IDS),
    _OUTBOX.c.state == "in_flight",
    _OUTBOX.c.claimed_by == bindparam("sender"),
)


@functools.cache
def _claim(dialect: str, limit: int) -> Update:
    """Mark up to ``limit`` candidates in flight for ``:sender`` until ``:lease_until``."""
    candidates = _CANDIDATES.limit(limit)
    if dialect == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    return (
        update(_OUTBOX)
        .where(_OUTBOX.c.id.in_(candidates.scalar_subquery()))
        .values(
            state="in_flight",
            claimed_by=bindparam("sender"),
            lease_until=bindparam("lease_until", type_=UtcDateTime()),
        )
        .returning(*_OUTBOX.c)
    )


_CLAIMED_PAYLOADS = select(_PAYLOADS.c.id, _PAYLOAD_TEXT).where(_PAYLOADS.c.id.in_(_IDS))


def write_messages(
    target: Session | Connection,
    case_id: int,
    receipt_no: str,
    last_seq: int,
    messages: Sequence[NewMessage],
    *,
    at: datetime,
) -> int:
    """Write ``messages`` for a case after its sequence number ``last_seq``, in the caller's
    transaction; returns the case's new last sequence number (the caller stores it on the case)."""
    connection = target.connection() if isinstance(target, Session) else target
    rows, payloads = [], []
    for seq, message in enumerate(messages, start=last_seq + 1):
        rows.append(
            {
                "case_id": case_id,
                "receipt_no": receipt_no,
                "seq": seq,
                "kind": message.kind,
                "idempotency_key": f"{receipt_no}/{seq}/{message.kind}",
                "file_sha256": message.file_sha256,
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": at,
                "last_error": "",
                "claimed_by": "",
                "lease_until": None,
                "created_at": at,
                "delivered_at": None,
                "note": "",
            }
        )
        payloads.append({"case_id": case_id, "seq": seq, "payload": message.payload})
    if rows:
        connection.execute(_INSERT, rows)
        connection.execute(_INSERT_PAYLOADS, payloads)
    return last_seq + len(rows)


def enqueue(
    session: Session,
    case: CaseRow,
    kind: str,
    payload: dict[str, Any],
    *,
    file_sha256: str | None = None,
    at: datetime | None = None,
) -> None:
    """Add a message for ``case`` in the caller's transaction, with the case's next sequence."""
    case.outbox_seq = write_messages(
        session,
        case.id,
        case.receipt_no,
        case.outbox_seq,
        [NewMessage(kind, payload, file_sha256)],
        at=at or utcnow(),
    )


class Outbox:
    def __init__(
        self,
        db: Database,
        *,
        lease_s: int = 120,
        first_retry_s: int = 5,
        max_retry_s: int = 1800,
        jitter: float = 0.2,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.clock = clock  # what a call without its own ``now`` takes as the time
        self.jitter = jitter
        self._random = random.Random()
        self.lease = timedelta(seconds=lease_s)
        self.first_retry_s = first_retry_s
        self.max_retry_s = max_retry_s

    # -- the sender's side ---------------------------------------------------------------------
    def claim(self, sender: str, limit: int = 100, *, now: datetime | None = None) -> list[Message]:
        """Hand ``sender`` up to ``limit`` due messages, oldest first, marked in flight with a
        lease: one ``UPDATE … RETURNING`` over the candidates (``FOR UPDATE SKIP LOCKED`` on
        PostgreSQL, so two senders never get the same message)."""
        now = now or self.clock()
        with self.db.connect() as connection:
            rows = connection.execute(
                _claim(self.db.dialect, limit),
                {"now": now, "sender": sender, "lease_until": now + self.lease},
            ).all()
            ids = [r.id for r in rows]
            found = connection.execute(_CLAIMED_PAYLOADS, {"ids": ids}).all() if ids else []
        payloads: dict[int, str] = {i: p for i, p in found}
        sealer = self.db.sealer
        return sorted((Message.of(r, sealer, payloads[r.id]) for r in rows), key=lambda m: m.id)

    def previous_sent(self, messages: Sequence[Message]) -> dict[int, int]:
        """Per message, the seq of its case's last delivered message (0 if none): what the
        platform must already have. Claimed messages are each the first unfinished of their
        case, so what lies between was cancelled at the hall and will never be sent."""
        if not messages:
            return {}
        with self.db.read() as session:
            found = session.execute(_LAST_DELIVERED, {"ids": [m.id for m in messages]}).all()
        last: dict[str, int] = dict(found)
        return {m.id: min(last.get(m.receipt_no, 0), m.seq - 1) for m in messages}

    def queued_scans(self, messages: Sequence[Message]) -> dict[str, list[Message]]:
        """Per case of ``messages`` (by receipt number), its scans not cancelled, in order: one
        read through the (case, seq) index for the whole batch."""
        scans: dict[str, list[Message]] = {m.receipt_no: [] for m in messages}
        if not messages:
            return scans
        with self.db.read() as session:
            for row in session.execute(_SCANS, {"ids": [m.id for m in messages]}):
                scans.setdefault(row.receipt_no, []).append(Message.of(row, self.db.sealer))
        return scans

    def delivered(self, message_id: int, *, at: datetime | None = None) -> None:
        """The platform has it. Accepted from any sender: a resend after a lease is still true."""
        self.settle("", [Outcome(message_id, "delivered")], now=at)

    def failed(
        self, message_id: int, sender: str, error: str, *, now: datetime | None = None
    ) -> None:
        """A try that did not get through; it is retried later with a growing wait."""
        self.settle(sender, [Outcome(message_id, "failed", error)], now=now)

    def rejected(self, message_id: int, sender: str, reason: str) -> None:
        """The platform refused it for good: parked for a person; the case's later ones wait."""
        self.settle(sender, [Outcome(message_id, "rejected", reason)])

    def settle(
        self,
        sender: str,
        outcomes: Sequence[Outcome],
        *,
        now: datetime | None = None,
        platform_numbers: dict[str, str] | None = None,
        after: Callable[[Connection], None] | None = None,
    ) -> None:
        """What became of the messages a sender tried, in one transaction. A failure or a
        rejection from a sender whose lease ran out (someone else has the message now) is
        ignored; a delivery is true whoever reports it. ``platform_numbers`` (receipt → the
        platform's case number) are stored on cases that have none yet; ``after`` writes in the
        same transaction (the sender's notes: one commit a round)."""
        now = now or self.clock()
        ids = {o.message_id for o in outcomes}
        with self.db.connect() as connection:
            known = set(connection.scalars(_KNOWN, {"ids": list(ids)}))
            if ids - known:
                missing = "、".join(str(i) for i in sorted(ids - known))
                raise OutboxError(f"没有编号为 {missing} 的待发消息。", hint="请刷新列表后再试。")
            delivered = [o.message_id for o in outcomes if o.result == "delivered"]
            if delivered:
                connection.execute(_DELIVER, {"ids": delivered, "now": now})
            others = {o.message_id: o for o in outcomes if o.result != "delivered"}
            if others:
                mine = connection.execute(_MINE, {"ids": list(others), "sender": sender}).all()
                for row in mine:
                    self._settle_one(connection, row, others[row.id], sender, now)
            if platform_numbers:
                connection.execute(
                    _SET_PLATFORM_NO,
                    [{"receipt": r, "number": n} for r, n in platform_numbers.items()],
                )
            if after is not None:
                after(connection)

    def _settle_one(
        self,
        connection: Connection,
        row: Any,
        outcome: Outcome,
        sender: str,
        now: datetime,
    ) -> None:
        attempts = row.attempts + 1
        detail = outcome.detail[:2000]
        if outcome.result == "failed":
            wait = max(self.backoff_s(attempts), outcome.retry_after_s)
            values = {
                "state": "retrying",
                "next_attempt_at": now + timedelta(seconds=wait),
                "last_error": detail,
            }
        else:
            values = {"state": "attention", "note": detail}
        connection.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id == row.id)
            .values(attempts=attempts, lease_until=None, **values)
        )
        if outcome.result == "rejected":
            append(
                connection,
                Actor(sender, sender),
                "outbox_rejected",
                case_id=row.case_id,
                receipt_no=row.receipt_no,
                after={"message": row.id, "kind": row.kind, "reason": detail},
                at=now,
            )

    def release(self, at: datetime) -> int:
        """The platform answers again: every message waiting out its backoff becomes due at
        ``at`` (now, or when the platform asked to be called again), for every sender of the
        hall. Returns how many were waiting longer."""
        with self.db.connect() as connection:
            released = connection.execute(
                update(_OUTBOX)
                .where(_OUTBOX.c.state == "retrying", _OUTBOX.c.next_attempt_at > at)
                .values(next_attempt_at=at)
            ).rowcount
        return int(released)

    def backoff_s(self, attempts: int) -> float:
        """Doubling from ``first_retry_s``, capped at ``max_retry_s``, less up to ``jitter`` of
        it at random so that terminals coming back together do not all knock at once."""
        wait = min(self.first_retry_s * 2 ** (attempts - 1), self.max_retry_s)
        return float(wait) * (1 - self.jitter * self._random.random())

    # -- a person's side -----------------------------------------------------------------------
    def resend(
        self,
        message_id: int,
        actor: Actor,
        *,
        payload: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> None:
        """Send a parked or failing message again, with a corrected payload if given."""
        with self.db.transaction() as session:
            row = self._row(session, message_id)
            stored = session.get(OutboxPayload, message_id)
            assert stored is not None  # written with its message
            if row.state not in ("attention", "retrying"):
                raise OutboxError(
                    f"消息 {row.id}（{MESSAGE_STATE_LABELS[row.state]}）不需要重发。",
                    hint="只有“平台退回”或“发送失败”的消息可以重发。",
                )
            before = {
                "state": row.state,
                "note": row.note,
                "attempts": row.attempts,
                "last_error": row.last_error,
                "payload": stored.payload,
            }
            if payload is not None and jsonable(payload) != stored.payload:
                stored.payload = jsonable(payload)
                revision = row.idempotency_key.count("#") + 1
                row.idempotency_key = f"{row.idempotency_key.split('#')[0]}#{revision}"
            row.state = "pending"
            row.next_attempt_at = now or self.clock()
            row.attempts = 0
            row.last_error = ""
            append(
                session,
                actor,
                "outbox_resend",
                case_id=row.case_id,
                receipt_no=row.receipt_no,
                before=before,
                after={
                    "state": "pending",
                    "payload": stored.payload,
                    "idempotency_key": row.idempotency_key,
                },
            )

    def cancel(self, message_id: int, actor: Actor, reason: str) -> None:
        """Never send this message (only a manager: the platform will not get it at all)."""
        require(self.db, actor, "outbox.cancel")
        if not reason.strip():
            raise OutboxError("取消发送必须写明原因。", hint="请填写原因，例如“已在平台人工补录”。")
        with self.db.transaction() as session:
            row = self._row(session, message_id)
            lease_over = row.lease_until is not None and row.lease_until < self.clock()
            if row.state in ("delivered", "cancelled") or (
                row.state == "in_flight" and not lease_over
            ):
                raise OutboxError(
                    f"消息 {row.id}（{MESSAGE_STATE_LABELS[row.state]}）不能取消。",
                    hint="正在发送的消息请等发送结果出来后再处理。",
                )
            before = {"state": row.state, "note": row.note}
            row.state = "cancelled"
            row.note = reason.strip()
            append(
                session,
                actor,
                "outbox_cancel",
                case_id=row.case_id,
                receipt_no=row.receipt_no,
                before=before,
                after={"state": "cancelled", "note": row.note},
            )

    # -- what a screen shows ---------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        with self.db.read() as session:
            rows = session.execute(
                select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
            ).all()
        counts = dict.fromkeys(MESSAGE_STATE_LABELS, 0)
        counts.update({state: n for state, n in rows})
        return counts

    def waiting(self, limit: int = 20) -> list[Message]:
        """The messages waiting for their next try (failed before), soonest first."""
        query = (
            select(*_COLUMNS)
            .select_from(_WITH_PAYLOAD)
            .where(_OUTBOX.c.state == "retrying")
            .order_by(_OUTBOX.c.next_attempt_at, _OUTBOX.c.id)
            .limit(limit)
        )
        with self.db.read() as session:
            return [Message.of(row, self.db.sealer) for row in session.execute(query)]

    def oldest_unsent(self) -> datetime | None:
        """When the oldest message not yet delivered (nor cancelled) was written."""
        with self.db.read() as session:
            oldest: datetime | None = session.scalar(
                select(func.min(_OUTBOX.c.created_at)).where(ACTIVE)
            )
        return oldest

    def messages(
        self, *, states: Sequence[str] = (), receipt_no: str = "", limit: int = 200
    ) -> list[Message]:
        query = select(*_COLUMNS).select_from(_WITH_PAYLOAD).order_by(_OUTBOX.c.id).limit(limit)
        if states:
            query = query.where(_OUTBOX.c.state.in_(tuple(states)))
        if receipt_no:
            query = query.where(_OUTBOX.c.receipt_no == receipt_no)
        with self.db.read() as session:
            return [Message.of(row, self.db.sealer) for row in session.execute(query)]

    @staticmethod
    def _row(session: Session, message_id: int) -> OutboxMessage:
        row = session.get(OutboxMessage, message_id, with_for_update=True)
        if row is None:
            raise OutboxError(f"没有编号为 {message_id} 的待发消息。", hint="请刷新列表后再试。")
        return row
