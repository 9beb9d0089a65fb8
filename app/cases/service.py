"""The case service: the one place a case changes state (GB/T 45836 §7.3–7.8).

:class:`~app.cases.intake.Intake` covers everything up to the window's decision; this module adds
what follows: departments' decisions on the item sub-cases (serial items dispatched when the
results they need are in), supplementing materials promised on commitment, result delivery,
withdrawal with the return of materials, and evaluations (好差评).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.cases import checks
from app.cases.audit import Actor, append
from app.cases.evaluation import REASONS_VERSION, check_rating
from app.cases.intake import Intake, _snapshot, ready_items
from app.cases.outbox import enqueue
from app.cases.receipts import YearSerial, serial_in_year
from app.cases.states import FINAL_ITEM_STATES, IN_DEPARTMENTS, RECEIVED, require
from app.cases.views import CaseView, ItemView, TimelineEntry
from app.db.models import AuditEntry, CaseItemRow, CaseRow, EvaluationRow
from app.errors import InvalidInput, InvalidTransition


class PlatformEvent(Protocol):
    """An event from the platform's feed (:class:`sync.contract.Event` has this shape)."""

    @property
    def receipt_no(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def data(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Decision:
    """A department's decision on one item (办结: 结果名称, 结果证照编号)."""

    item_id: str
    approved: bool
    opinion: str = ""
    result_name: str = ""
    result_no: str = ""

    @classmethod
    def of(cls, data: dict[str, Any]) -> Decision:
        return cls(str(data.get("item", "")), bool(data.get("approved")),
                   str(data.get("opinion", "")), str(data.get("result_name", "")),
                   str(data.get("result_no", "")))  # fmt: skip


# Run in the rating's transaction with the stored rating (a 差评 opens its work item:
# app.cases.complaints).
AfterEvaluate = Callable[[Session, Actor, CaseRow, EvaluationRow], None]
# Run in the delivery's transaction (the papers at the window go to the applicant:
# app.transfers.ledger).
AfterDeliver = Callable[[Session, Actor, CaseRow, datetime], None]


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


class CaseService(Intake):
    after_evaluate: AfterEvaluate | None = None
    after_deliver: AfterDeliver | None = None

    def record_item_decision(
        self, actor: Actor, receipt_no: str, item_id: str, *, approved: bool, opinion: str = "",
        result_name: str = "", result_no: str = "", decided_at: datetime | None = None,
    ) -> CaseView:  # fmt: skip
        """A department's decision on one item; repeating the same decision changes nothing."""
        now = decided_at or self.clock()
        with self.db.transaction() as session:
            case = self._case(session, receipt_no)
            decision = Decision(item_id, approved, opinion, result_name, result_no)
            self._decide(session, actor, case, decision, now)
            return CaseView.of(case)

    def apply_platform_events(
        self, actor: Actor, events: Sequence[PlatformEvent], *, after: Callable[[Session], None]
    ) -> int:
        """Events from the platform's feed, in one transaction with ``after`` (which stores the
        feed's cursor): the platform's case number, and departments' decisions. An event that
        is already applied changes nothing; one for a case this database does not hold is
        skipped. Returns how many changed something."""
        changed = 0
        with self.db.transaction() as session:
            cases = self._cases_with_items(session, {e.receipt_no for e in events})
            for event in events:
                case = cases.get(event.receipt_no)
                if case is None:
                    continue
                if event.kind == "registered":
                    number = str(event.data.get("platform_no", ""))
                    if number and not case.platform_no:
                        case.platform_no = number
                        changed += 1
                elif event.kind == "item_decision":
                    decision = Decision.of(event.data)
                    at = _moment(event.data.get("decided_at")) or event.at
                    changed += self._decide(session, actor, case, decision, at, quiet=True)
            after(session)
        return changed

    def _cases_with_items(self, session: Session, receipts: set[str]) -> dict[str, CaseRow]:
        """Cases with their items (all a decision touches), locked, in one round of queries."""
        query = (
            select(CaseRow)
            .where(CaseRow.receipt_no.in_(sorted(receipts)))
            .options(selectinload(CaseRow.items))
        )
        if self.db.dialect == "postgresql":
            query = query.with_for_update(of=CaseRow)
        return {case.receipt_no: case for case in session.scalars(query)}

    def _decide(
        self, session: Session, actor: Actor, case: CaseRow, decision: Decision, now: datetime,
        *, quiet: bool = False,
    ) -> bool:  # fmt: skip
        """Record the decision on the case (in the caller's transaction); False if it was
        already recorded. ``quiet``: a decision that no longer fits (the case was withdrawn
        meanwhile) is skipped instead of refused."""
        item = self._item(case, decision.item_id)
        if item.state in FINAL_ITEM_STATES:
            if item.decision and item.decision.get("approved") == decision.approved:
                return False
            if quiet:
                return False
            raise InvalidTransition(
                f"事项“{item.name}”已经{'办结' if item.state != 'terminated' else '终止'}，"
                "不能再登记不同的办理结果。",
                hint="如部门更正了结果，请联系大厅管理员处理。",
            )
        if quiet and (case.state not in IN_DEPARTMENTS or item.state == "waiting"):
            return False
        require("item_decision", case.state, case.receipt_no)
        if item.state == "waiting":
            raise InvalidTransition(
                f"事项“{item.name}”还在等待前置事项的结果，尚未分送部门。",
                hint="请先登记其前置事项的办理结果。",
            )
        before = _snapshot(case)
        item.state = "approved" if decision.approved else "not_approved"
        item.decided_at = now
        item.decision = {"approved": decision.approved, "opinion": decision.opinion,
                         "result_name": decision.result_name, "result_no": decision.result_no,
                         "by": actor.name}  # fmt: skip
        terminated = [] if decision.approved else self._terminate_dependents(case, item, now)
        dispatched = ready_items([ItemView.of(i) for i in case.items])
        for row in case.items:
            if row.item_id in dispatched:
                row.state, row.dispatched_at = "dispatched", now
        if all(i.state in FINAL_ITEM_STATES for i in case.items):
            case.state = "completed"
            case.completed_at = now
        case.updated_at = now
        append(session, actor, "item_decision", case_id=case.id, receipt_no=case.receipt_no,
               before=before, after={**_snapshot(case), "item": item.item_id, **item.decision,
                                     "dispatched": dispatched, "terminated": terminated},
               at=now)  # fmt: skip
        if dispatched or terminated:
            enqueue(session, case, "dispatch", {
                "receipt_no": case.receipt_no, "after_item": item.item_id,
                "dispatched": dispatched, "terminated": terminated}, at=now)  # fmt: skip
        return True

    def supplement(
        self, actor: Actor, receipt_no: str, materials: Sequence[str], *,
        status: str = "received_original",
    ) -> CaseView:  # fmt: skip
        """Materials promised at 容缺受理 handed in; the commitment is fulfilled when all are in."""
        if status not in RECEIVED:
            raise InvalidInput("补交的材料应登记为已收原件或复印件。")
        now = self.clock()
        with self.db.transaction() as session:
            case = self._case(session, receipt_no)
            require("supplement", case.state, receipt_no)
            for material_id in materials:
                row = self._material(case, material_id)
                if row.status != "on_commitment":
                    raise InvalidTransition(f"“{row.name}”不是容缺后补的材料，无需补交。")
                row.status, row.received_at = status, now
            fulfilled = not any(m.status == "on_commitment" for m in case.materials)
            before = _snapshot(case)
            if fulfilled and case.commitment is not None:
                case.commitment = {**case.commitment, "fulfilled_at": now.isoformat()}
                if case.state == "accepted_on_commitment":
                    case.state = "accepted"
            case.updated_at = now
            append(session, actor, "supplement", case_id=case.id, receipt_no=receipt_no,
                   before=before, after={**_snapshot(case), "materials": list(materials),
                                         "fulfilled": fulfilled}, at=now)  # fmt: skip
            payload = {"receipt_no": receipt_no, "materials": list(materials), "status": status,
                       "fulfilled": fulfilled}  # fmt: skip
            enqueue(session, case, "supplement", payload, at=now)
            return CaseView.of(case)

    def deliver(
        self, actor: Actor, receipt_no: str, *, method: str, recipient: str = "",
        recipient_id_number: str = "", phone: str = "", address: str = "", tracking_no: str = "",
        signature_sha256: str | None = None, note: str = "",
    ) -> CaseView:  # fmt: skip
        """出件: the result handed over at the window, mailed, or sent electronically."""
        checks.check_delivery(
            method, recipient=recipient, phone=phone, address=address, tracking_no=tracking_no,
            signature=signature_sha256, note=note,
        )  # fmt: skip
        now = self.clock()
        with self.db.transaction() as session:
            case = self._case(session, receipt_no)
            require("deliver", case.state, receipt_no)
            before = _snapshot(case)
            case.state = "delivered"
            case.delivered_at = case.closed_at = case.updated_at = now
            case.delivery = {
                "method": method, "method_label": checks.DELIVERY_METHODS[method],
                "recipient": recipient.strip(), "recipient_id_number": recipient_id_number.strip(),
                "phone": phone.strip(), "address": address.strip(),
                "tracking_no": tracking_no.strip(),
                "signature_sha256": signature_sha256, "note": note.strip(), "at": now.isoformat(),
            }  # fmt: skip
            append(session, actor, "deliver", case_id=case.id, receipt_no=receipt_no,
                   before=before, after={**_snapshot(case), **case.delivery}, at=now)  # fmt: skip
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
        with self.db.transaction() as session:
            case = self._case(session, receipt_no)
            require("withdraw", case.state, receipt_no)
            before = _snapshot(case)
            known = case.state != "draft"
            ended = [i.item_id for i in case.items if i.state not in FINAL_ITEM_STATES]
            for item in case.items:
                if item.state not in FINAL_ITEM_STATES:
                    item.state, item.decided_at = "terminated", now
            returned = []
            for material in case.materials:
                if material.status in RECEIVED and material.returned_at is None:
                    material.returned_at = now
                    returned.append({
                        "material": material.material_id, "name": material.name,
                        "status": material.status, "copies": material.copies,
                    })  # fmt: skip
            case.state = "withdrawn"
            case.closed_at = case.updated_at = now
            case.withdrawal = {"reason": reason.strip(), "returned_to": returned_to.strip(),
                               "returned": returned, "terminated_items": ended,
                               "at": now.isoformat()}  # fmt: skip
            append(session, actor, "withdraw", case_id=case.id, receipt_no=receipt_no,
                   before=before, after={**_snapshot(case), **case.withdrawal}, at=now)  # fmt: skip
            if known:
                enqueue(session, case, "withdrawal", {"receipt_no": receipt_no, **case.withdrawal},
                        at=now)  # fmt: skip
            return CaseView.of(case)

    def evaluate(
        self, actor: Actor, receipt_no: str, *, stage: str, level: int, channel: str,
        text: str = "", follow_up: bool = False, reasons: Sequence[str] = (),
    ) -> CaseView:  # fmt: skip
        """好差评 for the acceptance or the completion stage: one first rating, one follow-up.
        ``reasons`` are chosen from the options of the level (:mod:`app.cases.evaluation`); a
        差评 needs ``text``."""
        if stage not in ("accept", "complete"):
            raise InvalidInput("评价环节应为受理或办结。")
        checks.check_level(level, channel)
        check_rating(level, reasons, text)
        chosen = list(dict.fromkeys(r.strip() for r in reasons))
        now = self.clock()
        round_ = "follow_up" if follow_up else "first"
        with self.db.transaction() as session:
            case = self._case(session, receipt_no)
            require(f"evaluate_{stage}", case.state, receipt_no)
            done = {(e.stage, e.round) for e in case.evaluations}
            stage_name = "受理" if stage == "accept" else "办结"
            if (stage, round_) in done:
                raise InvalidTransition(
                    f"办件 {receipt_no} 的{stage_name}环节已经"
                    f"{'追评' if follow_up else '评价'}过了。",
                    hint="每个环节只能评价一次、追评一次。",
                )
            if follow_up and (stage, "first") not in done:
                raise InvalidTransition(f"{stage_name}环节还没有首次评价，不能追评。")
            row = EvaluationRow(stage=stage, round=round_, level=level, channel=channel,
                                text=text.strip(), reasons=chosen,
                                reasons_version=REASONS_VERSION, created_at=now)  # fmt: skip
            case.evaluations.append(row)
            append(session, actor, "evaluate", case_id=case.id, receipt_no=receipt_no,
                   after={"stage": stage, "round": round_, "level": level, "channel": channel,
                          "text": row.text, "reasons": chosen,
                          "reasons_version": REASONS_VERSION}, at=now)  # fmt: skip
            if self.after_evaluate is not None:
                self.after_evaluate(session, actor, case, row)
            enqueue(session, case, "evaluation", {
                "receipt_no": receipt_no, "stage": stage, "round": round_, "level": level,
                "channel": channel, "text": row.text, "reasons": chosen,
                "at": now.isoformat()}, at=now)  # fmt: skip
            return CaseView.of(case)

    def serial_in_year(self, receipt_no: str) -> YearSerial | None:
        """The case's number in its year, for the 文号 of its documents."""
        with self.db.read() as session:
            return serial_in_year(session, receipt_no)

    def record_print(
        self, actor: Actor, receipt_no: str, *, document: str, printer: str, job: str = "",
        reason: str = "", sha256: str = "", error: str = "",
    ) -> int:  # fmt: skip
        """A document printed (or not) for a case, in its audit trail; a reprint needs a reason.
        Returns which copy this was (1 for the first print)."""
        copy = len(self.prints(receipt_no, document)) + 1
        if copy > 1 and not reason.strip() and not error:
            raise InvalidInput("重新打印必须写明原因。", hint="例如“申请人遗失原件”“打印模糊”。")
        action = "print_failed" if error else ("reprint" if copy > 1 else "print")
        with self.db.transaction() as session:
            case = self._case(session, receipt_no, lock=False)
            append(session, actor, action, case_id=case.id, receipt_no=case.receipt_no,
                   after={"document": document, "printer": printer or "默认打印机", "job": job,
                          "copy": copy, "reason": reason.strip(), "sha256": sha256,
                          "error": error}, at=self.clock())  # fmt: skip
        return copy

    def prints(self, receipt_no: str, document: str) -> list[TimelineEntry]:
        """The prints and reprints of one document of a case, oldest first."""
        return [
            e for e in self.timeline(receipt_no)
            if e.action in ("print", "reprint") and (e.after or {}).get("document") == document
        ]  # fmt: skip

    def timeline(self, receipt_no: str) -> list[TimelineEntry]:
        """Every recorded change of the case, oldest first (the audit trail)."""
        with self.db.read() as session:
            case = self._case(session, receipt_no, lock=False)
            rows = session.scalars(
                select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.id)
            )
            return [TimelineEntry.of(r) for r in rows]

    @staticmethod
    def _item(case: CaseRow, item_id: str) -> CaseItemRow:
        for row in case.items:
            if row.item_id == item_id:
                return row
        raise InvalidInput(f"办件 {case.receipt_no} 没有事项“{item_id}”。")

    @staticmethod
    def _terminate_dependents(case: CaseRow, failed: CaseItemRow, now: datetime) -> list[str]:
        """Items that need a result that will not come end, with the reason recorded."""
        ended: list[str] = []
        blocked = {failed.item_id}
        changed = True
        while changed:
            changed = False
            for item in case.items:
                if item.state == "waiting" and blocked & set(item.needs):
                    item.state, item.decided_at = "terminated", now
                    item.decision = {
                        "approved": False, "opinion": f"前置事项“{failed.name}”未获批准",
                        "result_name": "", "result_no": "", "by": "system",
                    }  # fmt: skip
                    blocked.add(item.item_id)
                    ended.append(item.item_id)
                    changed = True
        return ended
