"""Receiving messages: what the platform has been told, in order, exactly once.

A batch of messages is applied in one transaction; each message is applied once by its
idempotency key and only after the message before it of the same case. What a message changes
is up to its kind: ``HANDLERS`` (:mod:`~sync.server.store.handlers`) names the function for each.

Everything is the sending terminal's hall's: its idempotency keys, its cases (a receipt number
must be the hall's own, see :func:`belongs`), the files its scans name. A message about another
hall's case is refused for its receipt number alone, never looked up among other halls' cases, so
the answer is the same whether such a case exists or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, insert, select, update

from app.db.base import utcnow
from sync import contract
from sync.contract import Envelope, MessageResult
from sync.server.store.cases import CASE, check_items, set_items
from sync.server.store.counters import COUNTERS, add_counts
from sync.server.store.errors import Rejected
from sync.server.store.events import add_event
from sync.server.store.handlers import HANDLERS, Change
from sync.server.store.schema import (
    Storage,
    cases,
    counters,
    messages,
)
from sync.server.store.terminals import Terminal

# Statements built once: applying a message runs a handful of them, thousands of times a second.
# Each names the hall (bound as ``hall``): keys and cases are per hall.
_SEEN = select(messages.c.outcome, messages.c.reason).where(
    messages.c.hall_code == bindparam("hall"), messages.c.idempotency_key == bindparam("key")
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
_NEXT_NUMBER = (  # the platform's 办件编号 are counted per hall, like everything else
    update(counters)
    .where(counters.c.name == bindparam("counter"))
    .values(value=counters.c.value + 1)
    .returning(counters.c.value)
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
    with storage.tx() as connection:
        counts = dict.fromkeys(COUNTERS, 0)
        for envelope in batch:
            result = _apply_one(
                connection,
                terminal,
                envelope,
                now,
                decide_after=decide_after,
                reject_receipts=reject_receipts,
            )
            counts[_COUNTER[result.outcome]] += 1
            results.append(result)
        add_counts(connection, counts)
    return results


def _apply_one(
    connection: Connection,
    terminal: Terminal,
    envelope: Envelope,
    now: datetime,
    *,
    decide_after: timedelta,
    reject_receipts: AbstractSet[str],
) -> MessageResult:
    key, receipt_no, hall = envelope.idempotency_key, envelope.receipt_no, terminal.hall_code
    seen = connection.execute(_SEEN, {"hall": hall, "key": key}).first()
    case = connection.execute(CASE, {"hall": hall, "receipt": receipt_no}).first()
    platform_no = case.platform_no if case else ""
    if seen is not None and seen.outcome == "applied":
        return MessageResult(idempotency_key=key, outcome="duplicate", platform_no=platform_no)
    if seen is not None:  # refused before, changed nothing: judged again (it may pass now)
        connection.execute(_FORGET, {"hall": hall, "key": key})
    if not belongs(receipt_no, hall):
        return _record(
            connection, terminal, envelope, now, platform_no="", reason=foreign(receipt_no, hall)
        )
    last = case.last_seq if case else 0
    previous = envelope.seq - 1 if envelope.prev_seq is None else envelope.prev_seq
    if previous >= envelope.seq:
        return _record(
            connection,
            terminal,
            envelope,
            now,
            platform_no=platform_no,
            reason="prev_seq 必须小于 seq。",
        )
    if last < previous:
        return MessageResult(
            idempotency_key=key,
            outcome="out_of_order",
            platform_no=platform_no,
            reason=f"平台尚未收到该办件的第 {previous} 条消息。",
        )
    if envelope.seq <= last:
        earlier = (
            connection.execute(
                _AT_SEQ, {"hall": hall, "receipt": receipt_no, "at_seq": envelope.seq}
            )
            .scalars()
            .all()
        )
        if "applied" in earlier:
            return _record(
                connection,
                terminal,
                envelope,
                now,
                platform_no=platform_no,
                reason=f"该办件的第 {envelope.seq} 条消息已经处理过，不能再用新的编号发送。",
            )
    try:
        platform_no = _effect(
            connection,
            terminal,
            envelope,
            case,
            now,
            decide_after=decide_after,
            reject_receipts=reject_receipts,
        )
    except Rejected as exc:
        return _record(
            connection, terminal, envelope, now, platform_no=platform_no, reason=str(exc)
        )
    return _record(connection, terminal, envelope, now, platform_no=platform_no, reason="")


def _record(
    connection: Connection,
    terminal: Terminal,
    envelope: Envelope,
    now: datetime,
    *,
    platform_no: str,
    reason: str,
) -> MessageResult:
    """Store the outcome by key; either way the case's sequence moves past this message, so
    a corrected resend (a new key, same seq) or a cancellation at the hall lets it go on."""
    outcome = "rejected" if reason else "applied"
    connection.execute(
        _ADD_MESSAGE,
        {
            "hall_code": terminal.hall_code,
            "idempotency_key": envelope.idempotency_key,
            "receipt_no": envelope.receipt_no,
            "seq": envelope.seq,
            "kind": envelope.kind,
            "body": envelope.body,
            "terminal": terminal.id,
            "outcome": outcome,
            "reason": reason,
            "received_at": now,
        },
    )
    connection.execute(
        _ADVANCE,
        {
            "hall": terminal.hall_code,
            "receipt": envelope.receipt_no,
            "to_seq": envelope.seq,
            "now": now,
        },
    )
    return MessageResult(
        idempotency_key=envelope.idempotency_key,
        outcome=outcome,
        reason=reason,
        platform_no=platform_no,
    )


def _effect(
    connection: Connection,
    terminal: Terminal,
    envelope: Envelope,
    case: Any,
    now: datetime,
    *,
    decide_after: timedelta,
    reject_receipts: AbstractSet[str],
) -> str:
    """What the message changes; returns the case's platform number."""
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
        return _register(connection, terminal, envelope, body, now)
    HANDLERS[envelope.kind](Change(connection, case, envelope.seq, now, now + decide_after), body)
    return str(case.platform_no)


def _register(
    connection: Connection,
    terminal: Terminal,
    envelope: Envelope,
    body: contract.Submission,
    now: datetime,
) -> str:
    """The first message of a case: the platform gives it its number."""
    check_items(body.items)
    counter = f"registered:{terminal.hall_code}"
    number = connection.scalar(_NEXT_NUMBER, {"counter": counter})
    if number is None:  # the hall's first: after any the platform gave when it counted them all
        number = (connection.scalar(_ALL_NUMBERED) or 0) + 1
        connection.execute(insert(counters), {"name": counter, "value": number})
    platform_no = f"{terminal.hall_code}{now:%Y%m%d}{number:08d}"
    connection.execute(
        _ADD_CASE,
        {
            "hall_code": terminal.hall_code,
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
    set_items(connection, terminal.hall_code, envelope.receipt_no, body.items)
    add_event(
        connection,
        terminal.hall_code,
        envelope.receipt_no,
        "registered",
        {"platform_no": platform_no},
        at=now,
    )
    return platform_no
