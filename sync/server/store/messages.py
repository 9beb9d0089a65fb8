"""Receiving messages: what the platform has been told, in order, exactly once.

A batch of messages is applied in one transaction; each message is applied once by its
idempotency key and only after the message before it of the same case. What a message changes
is up to its kind: ``HANDLERS`` names the function for each.

Everything is the sending terminal's hall's: its idempotency keys, its cases (a receipt number
must be the hall's own, see :func:`belongs`), the files its scans name. A message about another
hall's case is refused for the receipt number alone, before anything is looked up, so the answer
is the same whether that case exists or not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, bindparam, insert, select, update

from app.db.base import utcnow
from sync import contract
from sync.contract import Envelope, MessageResult
from sync.server.store.cases import CASE, check_items, dispatch, end_items, set_items, set_state
from sync.server.store.counters import COUNTERS, add_counts
from sync.server.store.errors import Rejected
from sync.server.store.events import add_event
from sync.server.store.schema import (
    Storage,
    case_files,
    cases,
    counters,
    evaluations,
    files,
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
_ADD_CASE_FILE = insert(case_files)
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


# -- what each kind of message changes in a case the platform has --------------------------------
@dataclass(frozen=True)
class Change:
    """A message applied to a case the platform has: the open transaction, the case's row as it
    stood, the message's place in the case, the time, and when the departments decide what the
    message dispatches."""

    connection: Connection
    case: Any
    seq: int
    now: datetime
    due: datetime

    @property
    def hall(self) -> str:
        return str(self.case.hall_code)

    @property
    def receipt_no(self) -> str:
        return str(self.case.receipt_no)


def _on_submission(change: Change, body: contract.Submission) -> None:
    raise Rejected("该办件已经申报过；修改请发送“申报信息更新”。")


def _on_update(change: Change, body: contract.Submission) -> None:
    if change.case.state != "submitted":
        raise Rejected("办件已受理或已办结，不能再修改申报信息。")
    check_items(body.items)
    change.connection.execute(
        update(cases)
        .where(cases.c.hall_code == change.hall, cases.c.receipt_no == change.receipt_no)
        .values(submission=body.model_dump(mode="json"), updated_at=change.now)
    )
    set_items(change.connection, change.hall, change.receipt_no, body.items)


def _on_material(change: Change, body: contract.MaterialFile) -> None:
    stored = change.connection.execute(
        select(files.c.complete).where(
            files.c.hall_code == change.hall, files.c.sha256 == body.sha256
        )
    ).first()
    if stored is None or not stored.complete:  # only the hall's own upload counts
        raise Rejected(f"材料文件 {body.file_name} 尚未完整上传到平台。")
    change.connection.execute(
        _ADD_CASE_FILE,
        {  # the hall's windows may now download it
            "hall_code": change.hall,
            "receipt_no": change.receipt_no,
            "seq": change.seq,
            "sha256": body.sha256,
            "material": body.material,
            "name": body.name,
            "file_name": body.file_name,
            "mime": body.mime,
            "size": body.size,
        },
    )


def _on_acceptance(change: Change, body: contract.Acceptance) -> None:
    if change.case.state != "submitted":
        raise Rejected(f"办件当前状态为 {change.case.state}，不能受理。")
    set_state(change.connection, change.hall, change.receipt_no, body.state, change.now)
    dispatch(
        change.connection,
        change.hall,
        change.receipt_no,
        [i.item for i in body.items if i.state == "dispatched"],
        change.due,
    )


def _on_not_accepted(change: Change, body: contract.NotAccepted) -> None:
    set_state(change.connection, change.hall, change.receipt_no, "not_accepted", change.now)
    end_items(change.connection, change.hall, change.receipt_no)


def _on_dispatch(change: Change, body: contract.Dispatch) -> None:
    dispatch(change.connection, change.hall, change.receipt_no, body.dispatched, change.due)


def _on_supplement(change: Change, body: contract.Supplement) -> None:
    if change.case.state == "accepted_on_commitment" and body.fulfilled:
        set_state(change.connection, change.hall, change.receipt_no, "accepted", change.now)


def _on_withdrawal(change: Change, body: contract.Withdrawal) -> None:
    set_state(change.connection, change.hall, change.receipt_no, "withdrawn", change.now)
    end_items(change.connection, change.hall, change.receipt_no)


def _on_delivery(change: Change, body: contract.Delivery) -> None:
    set_state(change.connection, change.hall, change.receipt_no, "delivered", change.now)


def _on_evaluation(change: Change, body: contract.Evaluation) -> None:
    done = change.connection.execute(
        select(evaluations.c.id).where(
            evaluations.c.hall_code == change.hall,
            evaluations.c.receipt_no == change.receipt_no,
            evaluations.c.stage == body.stage,
            evaluations.c.round == body.round,
        )
    ).first()
    if done:
        raise Rejected("该环节已经评价过。")
    change.connection.execute(
        insert(evaluations),
        {
            "hall_code": change.hall,
            "receipt_no": change.receipt_no,
            "stage": body.stage,
            "round": body.round,
            "satisfaction": body.satisfaction.value,
            "channel": body.channel.value,
            "text": body.text,
            "reasons": body.reasons,
            "at": body.at,
        },
    )


Handler = Callable[[Change, Any], None]
# What each kind of message (contract.BODIES) does to a case the platform has; the first message
# of a case, a submission, registers it instead (_register).
HANDLERS: dict[str, Handler] = {
    "submission": _on_submission,
    "update": _on_update,
    "material": _on_material,
    "acceptance": _on_acceptance,
    "not_accepted": _on_not_accepted,
    "dispatch": _on_dispatch,
    "supplement": _on_supplement,
    "withdrawal": _on_withdrawal,
    "delivery": _on_delivery,
    "evaluation": _on_evaluation,
}
