"""Receiving messages: what the platform has been told, in order, exactly once.

A batch of messages is applied in one transaction; each message is applied once by its
idempotency key and only after the message before it of the same case. What a message changes
is up to its kind: ``HANDLERS`` (:mod:`~sync.server.store.handlers`) names the function for each.

A batch is read and written in bulk, not message by message (a dozen statements a message were
most of the platform's time): the keys it has seen and the cases it names are read once, each
message is judged against them in order — the batch keeps what it changed, so a key sent twice
or a case's next message sees the first — and the messages, the cases' sequences, the events
and the counters are written once at the end. What a kind of message changes in its case is
written as it is applied.

Everything is the sending terminal's hall's: its idempotency keys, its cases (a receipt number
must be the hall's own, see :func:`belongs`), the files its scans name. A message about another
hall's case is refused for its receipt number alone, never looked up among other halls' cases, so
the answer is the same whether such a case exists or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, insert, select, update

from app.db.base import utcnow
from sync import contract
from sync.contract import Envelope, MessageResult
from sync.server.store.cases import CaseHead, case_heads, check_items, set_items
from sync.server.store.counters import COUNTERS, add_counts
from sync.server.store.errors import Rejected
from sync.server.store.events import add_events
from sync.server.store.handlers import HANDLERS, Change
from sync.server.store.schema import (
    Storage,
    cases,
    counters,
    messages,
)
from sync.server.store.terminals import Terminal

# Statements built once: a batch runs a handful of them, hundreds of times a second.
# Each names the hall (bound as ``hall``): keys and cases are per hall.
_SEEN = select(messages.c.idempotency_key, messages.c.outcome).where(
    messages.c.hall_code == bindparam("hall"),
    messages.c.idempotency_key.in_(bindparam("keys")),
)
_FORGET = messages.delete().where(
    messages.c.hall_code == bindparam("hall"), messages.c.idempotency_key == bindparam("key")
)
_AT_SEQ = select(messages.c.outcome).where(
    messages.c.hall_code == bindparam("hall"),
    messages.c.receipt_no == bindparam("receipt"),
    messages.c.seq == bindparam("at_seq"),
)
_ADD_MESSAGE = insert(messages)
_ADD_CASE = insert(cases)
_ADVANCE = (
    update(cases)
    .where(
        cases.c.hall_code == bindparam("hall"),
        cases.c.receipt_no == bindparam("receipt"),
        cases.c.last_seq < bindparam("to_seq"),
    )
    .values(last_seq=bindparam("to_seq"), updated_at=bindparam("now"))
)
# The platform's 办件编号 are counted per hall, like everything else.
_NUMBERED = select(counters.c.value).where(counters.c.name == bindparam("counter"))
_SET_NUMBERED = (
    update(counters).where(counters.c.name == bindparam("counter")).values(value=bindparam("n"))
)
_ALL_NUMBERED = select(counters.c.value).where(counters.c.name == "registered")  # older folders

CHECK_HALL = "请核对本终端 settings.toml 中 [hall] 的大厅编码与平台登记本终端时填写的是否一致。"


def belongs(receipt_no: str, hall_code: str) -> bool:
    """Whether ``receipt_no`` is a receipt number of the hall: its code, a hyphen, then the
    rest (``<hall code>-<YYYYMMDD>-<sequence>`` as OneStop numbers them)."""
    return receipt_no.startswith(f"{hall_code}-") and len(receipt_no) > len(hall_code) + 1


def foreign(receipt_no: str, hall_code: str) -> str:
    """Why a message about ``receipt_no`` is refused to a terminal of ``hall_code``: said of the
    number alone, never of a case it might name."""
    return (
        f"办件编号 {receipt_no} 不是本大厅的受理编号（本大厅的编号以“{hall_code}-”开头），"
        f"平台不予接收。{CHECK_HALL}"
    )


_COUNTER = {
    "applied": "applied",
    "duplicate": "duplicates",
    "out_of_order": "out_of_order",
    "rejected": "rejected",
}


@dataclass
class _Batch:
    """One batch being applied: its transaction, what it knows of its keys and cases (read once,
    kept up to date as its messages are judged), and what it still has to write."""

    connection: Connection
    terminal: Terminal
    now: datetime
    seen: dict[str, str]  # key -> the outcome stored for it (before or in this batch)
    cases: dict[str, CaseHead]  # the hall's cases the batch names, as it has changed them
    recorded: dict[str, dict[str, Any]] = field(default_factory=dict)  # messages rows, by key
    happened: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # events
    numbered: int | None = None  # the hall's last 办件编号 given, once the batch gave one
    number_stored: bool = True  # whether the hall's counter has a row yet

    @property
    def hall(self) -> str:
        return self.terminal.hall_code

    def forget(self, key: str) -> None:
        """A refusal is forgotten when its key comes again: judged anew (it may pass now)."""
        del self.seen[key]
        if self.recorded.pop(key, None) is None:
            self.connection.execute(_FORGET, {"hall": self.hall, "key": key})

    def applied_at(self, receipt_no: str, seq: int) -> bool:
        """Whether a message of the case at ``seq`` was applied, before or in this batch."""
        if any(
            r["receipt_no"] == receipt_no and r["seq"] == seq and r["outcome"] == "applied"
            for r in self.recorded.values()
        ):
            return True
        earlier = self.connection.execute(
            _AT_SEQ, {"hall": self.hall, "receipt": receipt_no, "at_seq": seq}
        ).scalars()
        return "applied" in earlier.all()

    def next_number(self) -> int:
        """The hall's next 办件编号 (its first goes on after any the platform gave when it
        counted them all)."""
        if self.numbered is None:
            counter = f"registered:{self.hall}"
            stored = self.connection.scalar(_NUMBERED, {"counter": counter})
            self.number_stored = stored is not None
            self.numbered = stored if stored is not None else self._numbered_before_halls()
        self.numbered += 1
        return self.numbered

    def _numbered_before_halls(self) -> int:
        return self.connection.scalar(_ALL_NUMBERED) or 0

    def write(self, counts: dict[str, int]) -> None:
        """What the batch did, in a few statements."""
        connection = self.connection
        if self.recorded:
            connection.execute(_ADD_MESSAGE, list(self.recorded.values()))
        advanced = {r["receipt_no"] for r in self.recorded.values()} & self.cases.keys()
        if advanced:
            connection.execute(
                _ADVANCE,
                [
                    {
                        "hall": self.hall,
                        "receipt": r,
                        "to_seq": self.cases[r].last_seq,
                        "now": self.now,
                    }
                    for r in sorted(advanced)
                ],
            )
        add_events(connection, self.hall, self.happened, at=self.now)
        if self.numbered is not None:
            counter = f"registered:{self.hall}"
            if self.number_stored:
                connection.execute(_SET_NUMBERED, {"counter": counter, "n": self.numbered})
            else:
                connection.execute(insert(counters), {"name": counter, "value": self.numbered})
        add_counts(connection, counts)


def apply(
    storage: Storage,
    terminal: Terminal,
    batch: Sequence[Envelope],
    *,
    decide_after: timedelta,
    reject_receipts: AbstractSet[str],
) -> list[MessageResult]:
    now = utcnow()
    results = []
    hall = terminal.hall_code
    with storage.tx() as connection:
        keys = list({e.idempotency_key for e in batch})
        seen: dict[str, str] = {
            k: o for k, o in connection.execute(_SEEN, {"hall": hall, "keys": keys})
        }
        heads = case_heads(connection, hall, {e.receipt_no for e in batch})
        applying = _Batch(connection, terminal, now, seen, heads)
        counts = dict.fromkeys(COUNTERS, 0)
        for envelope in batch:
            result = _apply_one(
                applying, envelope, decide_after=decide_after, reject_receipts=reject_receipts
            )
            counts[_COUNTER[result.outcome]] += 1
            results.append(result)
        applying.write(counts)
    return results


def _apply_one(
    batch: _Batch,
    envelope: Envelope,
    *,
    decide_after: timedelta,
    reject_receipts: AbstractSet[str],
) -> MessageResult:
    key, receipt_no, hall = envelope.idempotency_key, envelope.receipt_no, batch.hall
    seen = batch.seen.get(key)
    case = batch.cases.get(receipt_no)
    platform_no = case.platform_no if case else ""
    if seen == "applied":
        return MessageResult(idempotency_key=key, outcome="duplicate", platform_no=platform_no)
    if seen is not None:  # refused before, changed nothing: judged again (it may pass now)
        batch.forget(key)
    if not belongs(receipt_no, hall):
        return _record(batch, envelope, platform_no="", reason=foreign(receipt_no, hall))
    last = case.last_seq if case else 0
    previous = envelope.seq - 1 if envelope.prev_seq is None else envelope.prev_seq
    if previous >= envelope.seq:
        return _record(batch, envelope, platform_no=platform_no, reason="prev_seq 必须小于 seq。")
    if last < previous:
        return MessageResult(
            idempotency_key=key,
            outcome="out_of_order",
            platform_no=platform_no,
            reason=f"平台尚未收到该办件的第 {previous} 条消息。",
        )
    if envelope.seq <= last and batch.applied_at(receipt_no, envelope.seq):
        return _record(
            batch,
            envelope,
            platform_no=platform_no,
            reason=f"该办件的第 {envelope.seq} 条消息已经处理过，不能再用新的编号发送。",
        )
    try:
        platform_no = _effect(
            batch, envelope, case, decide_after=decide_after, reject_receipts=reject_receipts
        )
    except Rejected as exc:
        return _record(batch, envelope, platform_no=platform_no, reason=str(exc))
    return _record(batch, envelope, platform_no=platform_no, reason="")


def _record(batch: _Batch, envelope: Envelope, *, platform_no: str, reason: str) -> MessageResult:
    """Keep the outcome by key; either way the case's sequence moves past this message, so
    a corrected resend (a new key, same seq) or a cancellation at the hall lets it go on."""
    outcome = "rejected" if reason else "applied"
    batch.recorded[envelope.idempotency_key] = {
        "hall_code": batch.hall,
        "idempotency_key": envelope.idempotency_key,
        "receipt_no": envelope.receipt_no,
        "seq": envelope.seq,
        "kind": envelope.kind,
        "body": envelope.body,
        "terminal": batch.terminal.id,
        "outcome": outcome,
        "reason": reason,
        "received_at": batch.now,
    }
    batch.seen[envelope.idempotency_key] = outcome
    case = batch.cases.get(envelope.receipt_no)
    if case is not None:
        case.last_seq = max(case.last_seq, envelope.seq)
    return MessageResult(
        idempotency_key=envelope.idempotency_key,
        outcome=outcome,
        reason=reason,
        platform_no=platform_no,
    )


def _effect(
    batch: _Batch,
    envelope: Envelope,
    case: CaseHead | None,
    *,
    decide_after: timedelta,
    reject_receipts: AbstractSet[str],
) -> str:
    """What the message changes; returns the case's platform number."""
    terminal = batch.terminal
    try:
        body = contract.BODIES[envelope.kind].model_validate(envelope.body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise Rejected(f"消息内容不符合接口规范：{where} {first['msg']}") from None
    if getattr(body, "receipt_no", envelope.receipt_no) != envelope.receipt_no:
        raise Rejected("消息内容中的办件编号与消息头不一致。")
    if isinstance(body, contract.Submission) and body.hall_code != terminal.hall_code:
        raise Rejected(
            f"申报信息中的受理单位编码 {body.hall_code} 不是本终端所属大厅的编码"
            f"（{terminal.hall_code}），平台不予接收。{CHECK_HALL}"
        )
    if envelope.receipt_no in reject_receipts:
        raise Rejected("该办件的申请人信息未通过平台核验（测试用：平台设置为拒收此办件）。")
    if case is None:
        if not isinstance(body, contract.Submission):
            raise Rejected("平台还没有这个办件：第一条消息必须是办事申请。")
        return _register(batch, envelope, body)
    now = batch.now
    HANDLERS[envelope.kind](
        Change(batch.connection, case, envelope.seq, now, now + decide_after), body
    )
    return case.platform_no


def _register(batch: _Batch, envelope: Envelope, body: contract.Submission) -> str:
    """The first message of a case: the platform gives it its number."""
    check_items(body.items)
    hall, now = batch.hall, batch.now
    platform_no = f"{hall}{now:%Y%m%d}{batch.next_number():08d}"
    batch.connection.execute(
        _ADD_CASE,
        {
            "hall_code": hall,
            "receipt_no": envelope.receipt_no,
            "platform_no": platform_no,
            "last_seq": 0,
            "state": "submitted",
            "scenario": body.scenario,
            "submission": envelope.body,
            "created_at": now,
            "updated_at": now,
        },
    )
    set_items(batch.connection, hall, envelope.receipt_no, body.items, new_case=True)
    batch.cases[envelope.receipt_no] = CaseHead(
        hall, envelope.receipt_no, platform_no, 0, "submitted"
    )
    batch.happened.append((envelope.receipt_no, "registered", {"platform_no": platform_no}))
    return platform_no
