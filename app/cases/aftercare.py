"""After the decisions: the result handed over (出件), a case withdrawn with its materials
returned (撤回), and the documents printed for a case, each print in its audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from app.cases import checks
from app.cases.audit import Actor, append
from app.cases.outbox import enqueue
from app.cases.receipts import YearSerial, serial_in_year
from app.cases.repository import CaseRepository, snapshot
from app.cases.snapshots import CaseView, TimelineEntry
from app.cases.states import FINAL_ITEM_STATES, RECEIVED
from app.db.models import CaseRow
from app.errors import InvalidInput

# Run in the delivery's transaction (the papers at the window go to the applicant:
# app.transfers.ledger).
AfterDeliver = Callable[[Session, Actor, CaseRow, datetime], None]


class Aftercare:
    def __init__(
        self,
        repository: CaseRepository,
        *,
        clock: Callable[[], datetime],
        after_deliver: AfterDeliver | None = None,
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.after_deliver = after_deliver

    def deliver(
        self,
        actor: Actor,
        receipt_no: str,
        *,
        method: str,
        recipient: str = "",
        recipient_id_number: str = "",
        phone: str = "",
        address: str = "",
        tracking_no: str = "",
        signature_sha256: str | None = None,
        note: str = "",
    ) -> CaseView:
        """出件: the result handed over at the window, mailed, or sent electronically."""
        checks.check_delivery(
            method,
            recipient=recipient,
            phone=phone,
            address=address,
            tracking_no=tracking_no,
            signature=signature_sha256,
            note=note,
        )
        now = self.clock()
        with self.repository.change(receipt_no, "deliver") as (session, case):
            before = snapshot(case)
            case.state = "delivered"
            case.delivered_at = case.closed_at = case.updated_at = now
            case.delivery = {
                "method": method,
                "method_label": checks.DELIVERY_METHODS[method],
                "recipient": recipient.strip(),
                "recipient_id_number": recipient_id_number.strip(),
                "phone": phone.strip(),
                "address": address.strip(),
                "tracking_no": tracking_no.strip(),
                "signature_sha256": signature_sha256,
                "note": note.strip(),
                "at": now.isoformat(),
            }
            append(
                session,
                actor,
                "deliver",
                case_id=case.id,
                receipt_no=receipt_no,
                before=before,
                after={**snapshot(case), **case.delivery},
                at=now,
            )
            if self.after_deliver is not None:
                self.after_deliver(session, actor, case, now)
            enqueue(session, case, "delivery", {"receipt_no": receipt_no, **case.delivery}, at=now)
            return CaseView.of(case)

    def withdraw(self, actor: Actor, receipt_no: str, *, reason: str, returned_to: str) -> CaseView:
        """撤回 before the decision: open items end and every received material goes back."""
        if not reason.strip():
            raise InvalidInput("撤回必须写明原因。", hint="例如“申请人主动撤回”。")
        if not returned_to.strip():
            raise InvalidInput("撤回时必须登记材料退还给谁。", hint="请填写领回材料的人的姓名。")
        now = self.clock()
        with self.repository.change(receipt_no, "withdraw") as (session, case):
            before = snapshot(case)
            known = case.state != "draft"
            ended = [i.item_id for i in case.items if i.state not in FINAL_ITEM_STATES]
            for item in case.items:
                if item.state not in FINAL_ITEM_STATES:
                    item.state, item.decided_at = "terminated", now
            returned = []
            for material in case.materials:
                if material.status in RECEIVED and material.returned_at is None:
                    material.returned_at = now
                    returned.append(
                        {
                            "material": material.material_id,
                            "name": material.name,
                            "status": material.status,
                            "copies": material.copies,
                        }
                    )
            case.state = "withdrawn"
            case.closed_at = case.updated_at = now
            case.withdrawal = {
                "reason": reason.strip(),
                "returned_to": returned_to.strip(),
                "returned": returned,
                "terminated_items": ended,
                "at": now.isoformat(),
            }
            append(
                session,
                actor,
                "withdraw",
                case_id=case.id,
                receipt_no=receipt_no,
                before=before,
                after={**snapshot(case), **case.withdrawal},
                at=now,
            )
            if known:
                enqueue(
                    session,
                    case,
                    "withdrawal",
                    {"receipt_no": receipt_no, **case.withdrawal},
                    at=now,
                )
            return CaseView.of(case)

    def serial_in_year(self, receipt_no: str) -> YearSerial | None:
        """The case's number in its year, for the 文号 of its documents."""
        with self.repository.db.read() as session:
            return serial_in_year(session, receipt_no)

    def record_print(
        self,
        actor: Actor,
        receipt_no: str,
        *,
        document: str,
        printer: str,
        job: str = "",
        reason: str = "",
        sha256: str = "",
        error: str = "",
    ) -> int:
        """A document printed (or not) for a case, in its audit trail; a reprint needs a reason.
        Returns which copy this was (1 for the first print)."""
        copy = len(self.prints(receipt_no, document)) + 1
        if copy > 1 and not reason.strip() and not error:
            raise InvalidInput("重新打印必须写明原因。", hint="例如“申请人遗失原件”“打印模糊”。")
        action = "print_failed" if error else ("reprint" if copy > 1 else "print")
        with self.repository.db.transaction() as session:
            case = self.repository.case(session, receipt_no, lock=False)
            append(
                session,
                actor,
                action,
                case_id=case.id,
                receipt_no=case.receipt_no,
                after={
                    "document": document,
                    "printer": printer or "默认打印机",
                    "job": job,
                    "copy": copy,
                    "reason": reason.strip(),
                    "sha256": sha256,
                    "error": error,
                },
                at=self.clock(),
            )
        return copy

    def prints(self, receipt_no: str, document: str) -> list[TimelineEntry]:
        """The prints and reprints of one document of a case, oldest first."""
        return [
            e
            for e in self.repository.timeline(receipt_no)
            if e.action in ("print", "reprint") and (e.after or {}).get("document") == document
        ]
