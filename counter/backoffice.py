"""What the back-office screens decide, without Qt: what a scanned code is (a batch's slip, a
case's receipt, or neither), what a batch allows now, how its state and a hand-over read, and what
can come back to the window for a case. The screens only lay this out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from app.cases.receipts import RECEIPT_RE, hall_day, hall_time, normalise_receipt
from app.cases.snapshots import CaseView
from app.transfers.snapshots import Batch, CustodyEvent, Trace

BATCH_RE = re.compile(r"^LZ[0-9A-Z]{4,20}-\d{8}-\d{3,}$")
CheckQr = Callable[[str], tuple[str, str]]  # signed QR text → (receipt number, why not)


@dataclass(frozen=True)
class Scan:
    kind: str  # "batch" | "receipt" | "" (not ours)
    number: str
    problem: str = ""


def read_scan(text: str, check_qr: CheckQr) -> Scan:
    """A slip's batch number, a receipt's signed QR, or a receipt number typed or read from a
    barcode; anything else is said to be not ours (with what to scan instead)."""
    raw = text.strip()
    upper = raw.upper().replace(" ", "")
    if BATCH_RE.match(upper):
        return Scan("batch", upper)
    number = normalise_receipt(raw)
    if RECEIPT_RE.match(number):
        return Scan("receipt", number)
    receipt_no, why_not = check_qr(raw)
    if receipt_no and not why_not:
        return Scan("receipt", receipt_no)
    why = why_not or f"“{raw[:40]}”不是本厅的受理凭证或交接单。"
    return Scan("", "", f"{why}请扫描受理凭证上的二维码，或交接单上的条码。")


@dataclass(frozen=True)
class BatchActions:
    add: bool  # put cases in, take papers out
    print: bool
    send: bool  # courier or pick-up
    confirm: bool  # the department's signed receipt


def actions(batch: Batch | None, *, may_confirm: bool) -> BatchActions:
    if batch is None:
        return BatchActions(False, False, False, False)
    is_open = batch.state == "open"
    return BatchActions(
        add=is_open,
        print=bool(batch.items),
        send=is_open and bool(batch.items),
        confirm=batch.state == "sent" and may_confirm,
    )


def send_kind(batch: Batch) -> str:
    """Which way this batch leaves: a courier's waybill, or a named person's signature."""
    return "courier" if batch.route == "courier" else "pickup"


SEND_BUTTONS = {"courier": "快递寄出…", "pickup": "部门取件交接…", "desk": "后台工位交接…"}


def local(moment: datetime | None, pattern: str = "%m-%d %H:%M") -> str:
    return hall_time(moment, pattern) if moment else ""


def day(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def batch_facts(batch: Batch, today: date) -> list[tuple[str, str]]:
    """The batch's card: number, department, route, state (overdue said), how it left, receipt."""
    originals = sum(i.originals for i in batch.items)
    copies = sum(i.copies for i in batch.items)
    state = batch.state_label
    if batch.overdue(today):
        state += f"（已超期：应于 {day(batch.due_date)} 前签收）"
    elif batch.state == "sent" and batch.due_date:
        state += f"（应于 {day(batch.due_date)} 前签收）"
    facts = [
        ("交接单", batch.batch_no),
        ("接收部门", batch.department),
        ("流转方式", batch.route_label),
        ("状态", state),
        ("内容", f"{batch.cases} 件办件，原件 {originals} 份，复印件 {copies} 份"),
        ("组批", f"{batch.created_by} {local(batch.created_at)}"),
    ]
    if batch.sent_at:
        if batch.courier:
            how = f"{batch.courier} 运单号 {batch.waybill}"
            if batch.waybill_warning:
                how += f"（{batch.waybill_warning}）"
        elif batch.pickup:
            how = f"{batch.pickup['name']}（电话 {batch.pickup['phone']}）当面签字取走"
        else:
            how = ""
        facts.append(("发出", f"{batch.sent_by} {local(batch.sent_at)}，{how}"))
    if batch.confirmed_at:
        facts.append(("签收", f"{batch.confirmed_by} {local(batch.confirmed_at)} 登记部门签收凭证"))
    return facts


def local_day(moment: datetime) -> date:
    return hall_day(moment)


def event_line(event: CustodyEvent) -> tuple[str, str, str, str, str, str]:
    """A hand-over as the trace shows it: when, what, the step, from, to, the slip."""
    what = event.action_label
    by = f"{what}（{event.actor}）" if event.actor else what
    return (
        local(event.at, "%Y-%m-%d %H:%M"),
        event.item,
        by,
        event.from_party,
        event.to_party,
        event.batch_no,
    )


def where_now(trace: Trace) -> str:
    """One line for the trace's head: where the papers are, by state."""
    if not trace.items and trace.note:
        return f"办件 {trace.receipt_no}：{trace.note}"
    if not trace.items:
        return f"办件 {trace.receipt_no} 没有需要流转的纸质材料（都经平台流转，或还没有受理）。"
    counts: dict[str, int] = {}
    for item in trace.items:
        counts[item.state_label] = counts.get(item.state_label, 0) + 1
    return f"办件 {trace.receipt_no}：" + "，".join(f"{k} {n} 份" for k, n in counts.items())


@dataclass(frozen=True)
class Returnable:
    """What can come back to the window for a case: each item's result, each paper sent."""

    results: tuple[tuple[str, str], ...]  # (result name, department)
    returned: tuple[tuple[str, str], ...]  # (material id, "name（department）")


def returnable(case: CaseView, trace: Trace) -> Returnable:
    back = {(i.kind, i.ref) for i in trace.items if i.direction == "back"}
    results = tuple(
        (item.result or f"{item.name}办理结果", item.department)
        for item in case.items
        if item.state != "terminated"
        and ("result", item.result or f"{item.name}办理结果") not in back
    )
    returned = tuple(
        (i.ref, f"{i.name}（{i.department}）")
        for i in trace.items
        if i.direction == "out"
        and i.state in ("sent", "received")
        and i.originals
        and ("returned", i.ref) not in back
    )
    return Returnable(results, returned)
