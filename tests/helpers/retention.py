"""A finished case as retention needs one (:mod:`app.cases.retention`): closed, everything
delivered to the platform, its papers come to rest — with all a case can hold of a person."""

from __future__ import annotations

import itertools

from app.bootstrap import Core
from app.cases.snapshots import CaseView
from app.transfers.snapshots import Pickup
from tests.helpers.cases import CLERK, MANAGER, open_newborn, receive_all
from tests.helpers.transfers import BACK, POLICE

# Only the police's papers travel on paper (picked up by its messenger); the rest go by platform.
ROUTES = {
    "卫生健康部门（分娩机构）": "platform",
    POLICE: "pickup",
    "医疗保障部门": "platform",
    "人力资源和社会保障部门": "platform",
}
SCAN = "出生医学证明 李芳 43010419920315204X 扫描页".encode() + b"\x00SCAN-PAGE-0001"
SIGNATURE = b"\x89PNG signature of li fang \x00SIG-"
RECEIPT = b"%PDF-1.4 signed receipt of the police"
_signatures = itertools.count(1)


def finished(
    core: Core, *, papers: bool = True, deliver: bool = True, scan: bytes = SCAN
) -> CaseView:
    """A newborn's case with everything a case can hold: a scan, a 差评 with its call-back, its
    papers to the police and the result back, delivered with a signature. ``papers=False``: the
    papers never leave the window; ``deliver=False``: accepted only."""
    service = core.cases
    case = open_newborn(service, core.catalog)
    service.attach_scan(CLERK, case.receipt_no, "birth_record", scan, file_name="出生医学证明.pdf")
    case = service.accept(CLERK, receive_all(service, case).receipt_no)
    service.evaluate(
        CLERK,
        case.receipt_no,
        stage="accept",
        level=1,
        channel="hall_pad",
        text="李芳：等了很久，电话 13800138000",
    )
    complaint = next(c for c in core.complaints.open_items() if c.receipt_no == case.receipt_no)
    core.complaints.step(MANAGER, complaint.id, "call_back", "已联系李芳 13800138000", reached=True)
    if not deliver:
        return case
    if papers:
        ledger = core.transfers
        batch = ledger.add_case(BACK, ledger.open_batch(BACK, POLICE).batch_no, case.receipt_no)
        ledger.hand_over(
            BACK, batch.batch_no, Pickup("赵强", "430104196411152016", "13800138000", b"\x89PNG z")
        )
        ledger.confirm(BACK, batch.batch_no, RECEIPT)
        ledger.check_in(BACK, case.receipt_no, results=[("户口簿（新生儿页）", POLICE)])
    for item in case.items:
        service.record_item_decision(CLERK, case.receipt_no, item.item_id, approved=True)
    return service.deliver(
        CLERK,
        case.receipt_no,
        method="pickup",
        recipient="李芳",
        signature_sha256=core.files.put(SIGNATURE + str(next(_signatures)).encode()),
    )


def deliver_messages(core: Core, receipts: set[str]) -> None:
    """The platform takes every message of these cases; others' stay in flight (claimed)."""
    while True:
        claimed = core.outbox.claim("test-sender", 500)
        mine = [m for m in claimed if m.receipt_no in receipts]
        for message in mine:
            core.outbox.delivered(message.id)
        if not mine:
            return
