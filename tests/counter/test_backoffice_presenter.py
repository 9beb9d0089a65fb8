"""The back office's decisions without Qt: what a scan is, what a batch allows, how it reads."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.transfers.snapshots import Batch, TransferItem
from counter.backoffice import BatchActions, actions, batch_facts, read_scan, send_kind

SENT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def not_ours(text: str) -> tuple[str, str]:
    return ("", "这不是本系统的受理凭证二维码。") if text.startswith("http") else ("", "")


def genuine(text: str) -> tuple[str, str]:
    return ("430100001-20261123-00007", "") if text == "signed" else ("", "签名不对。")


def item(state: str = "batched") -> TransferItem:
    return TransferItem(
        1,
        "430100001-20261123-00001",
        "out",
        "material",
        "invoices",
        "发票",
        "医疗保障部门",
        1,
        2,
        state,
        "LZ430100001-20261123-001",
        date(2026, 12, 4),
        SENT,
    )


def batch(state: str, *, route: str = "courier", items: int = 1, **changes: object) -> Batch:
    values: dict[str, object] = {
        "batch_no": "LZ430100001-20261123-001",
        "department": "医疗保障部门",
        "route": route,
        "state": state,
        "created_by": "刘洋",
        "created_at": SENT,
        "sent_by": "",
        "sent_at": None,
        "courier": "",
        "waybill": "",
        "waybill_warning": "",
        "pickup": None,
        "due_date": None,
        "receipt_sha": None,
        "confirmed_by": "",
        "confirmed_at": None,
        "items": tuple(item() for _ in range(items)),
    }
    values.update(changes)
    return Batch(**values)  # type: ignore[arg-type]


def test_what_a_scan_is() -> None:
    assert read_scan(" lz430100001-20261123-001 ", not_ours).kind == "batch"
    assert read_scan("lz430100001-20261123-001", not_ours).number == "LZ430100001-20261123-001"
    typed = read_scan("430100001 20261123 00012", not_ours)
    assert (typed.kind, typed.number) == ("receipt", "430100001-20261123-00012")
    assert read_scan("signed", genuine).number == "430100001-20261123-00007"
    forged = read_scan("forged", genuine)
    assert forged.kind == "" and forged.problem.startswith("签名不对。请扫描受理凭证上的二维码")
    other = read_scan("https://example.com", not_ours)
    assert other.kind == "" and "这不是本系统的受理凭证二维码" in other.problem


def test_what_a_batch_allows() -> None:
    assert actions(None, may_confirm=True) == BatchActions(False, False, False, False)
    empty = actions(batch("open", items=0), may_confirm=True)
    assert (empty.add, empty.print, empty.send, empty.confirm) == (True, False, False, False)
    full = actions(batch("open"), may_confirm=True)
    assert (full.add, full.print, full.send, full.confirm) == (True, True, True, False)
    sent = batch("sent", sent_at=SENT, due_date=date(2026, 11, 26))
    assert actions(sent, may_confirm=True).confirm
    assert not actions(sent, may_confirm=False).confirm  # a clerk's screen: no sign-off
    assert not actions(batch("confirmed"), may_confirm=True).confirm
    assert send_kind(batch("open")) == "courier"
    assert send_kind(batch("open", route="desk")) == send_kind(batch("open", route="pickup"))


def test_how_a_batch_reads() -> None:
    sent = batch(
        "sent",
        sent_by="刘洋",
        sent_at=SENT,
        due_date=date(2026, 11, 26),
        courier="顺丰速运",
        waybill="SF1234567890123",
        waybill_warning="顺丰运单号没有公开的校验规则，只核对了格式。",
    )
    facts = dict(batch_facts(sent, date(2026, 11, 26)))
    assert facts["状态"] == "已发出，待签收（应于 2026-11-26 前签收）"
    assert facts["内容"] == "1 件办件，原件 1 份，复印件 2 份"
    assert facts["发出"] == (
        "刘洋 11-23 10:00，顺丰速运 运单号 SF1234567890123"
        "（顺丰运单号没有公开的校验规则，只核对了格式。）"
    )
    assert dict(batch_facts(sent, date(2026, 11, 27)))["状态"] == (
        "已发出，待签收（已超期：应于 2026-11-26 前签收）"
    )
    picked = batch(
        "sent",
        sent_by="刘洋",
        sent_at=SENT,
        due_date=date(2026, 11, 26),
        pickup={"name": "赵强", "phone": "13800138000"},
        route="pickup",
    )
    assert dict(batch_facts(picked, date(2026, 11, 24)))["发出"].endswith(
        "赵强（电话 13800138000）当面签字取走"
    )
