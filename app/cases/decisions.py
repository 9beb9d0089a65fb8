"""The window's decision and the departments' after it: 受理, 容缺受理, 不予受理 (GB/T
45836 §7.3–7.4; 《行政许可法》第三十二条), the decisions on the item sub-cases (serial items
dispatched when the results they need are in), and materials promised on commitment handed in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app import roles
from app.calendar.workdays import WorkCalendar
from app.cases import checks, rows
from app.cases.audit import SYSTEM, Actor, append
from app.cases.catalogs import CaseCatalogs
from app.cases.intake import EXEMPT_PLAN_STATUSES, NOT_WAITED_FOR
from app.cases.outbox import NewMessage, enqueue, write_messages
from app.cases.payloads import announcement
from app.cases.receipts import hall_day
from app.cases.repository import CaseRepository, item_of, material_of, snapshot
from app.cases.rows import StoredScan
from app.cases.snapshots import CaseView, ItemView, MaterialView
from app.cases.states import FINAL_ITEM_STATES, IN_DEPARTMENTS, RECEIVED, SATISFIED, require
from app.cases.verification import DEFAULT_DAYS, committed_record
from app.catalog.catalog import Catalog
from app.db.models import CaseItemRow, CaseRow, StoredFile
from app.errors import InvalidInput, InvalidTransition, MissingMaterials, RemindOnly
from app.guide.form import check_form
from app.guide.plan import PlanField
from app.guide.promise import add_calendar_days

# Run in the acceptance's transaction, with the accepted case (the transfer ledger registers the
# paper materials that now wait to go to the departments).
AfterAccept = Callable[[Connection, CaseView, Catalog, datetime], None]

FIELD_CACHE_SIZE = 512  # distinct (scenario, answers, items) whose form fields are kept


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
        return cls(
            str(data.get("item", "")),
            bool(data.get("approved")),
            str(data.get("opinion", "")),
            str(data.get("result_name", "")),
            str(data.get("result_no", "")),
        )


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


class Decisions:
    def __init__(
        self,
        repository: CaseRepository,
        catalogs: CaseCatalogs,
        calendar: WorkCalendar,
        *,
        clock: Callable[[], datetime],
        after_accept: AfterAccept | None = None,
        verify_days: int = DEFAULT_DAYS,
    ) -> None:
        self.repository = repository
        self.catalogs = catalogs
        self.calendar = calendar
        self.clock = clock
        self.after_accept = after_accept
        self.verify_days = verify_days  # 告知承诺: the department checks within (working days)
        self._fields: dict[tuple[str, str, tuple[str, ...], str], tuple[PlanField, ...]] = {}

    # -- the decision (《行政许可法》第三十二条) ------------------------------------------------
    def accept(self, actor: Actor, receipt_no: str) -> CaseView:
        """受理: every material needed is received or exempt, the form is complete."""
        return self._accept(actor, receipt_no, None)

    def accept_on_commitment(
        self,
        actor: Actor,
        receipt_no: str,
        *,
        materials: Sequence[str],
        due_date: date,
        signed_by: str,
        signature_sha256: str | None = None,
        text: str = "",
    ) -> CaseView:
        """容缺受理: the listed tolerable materials follow by ``due_date`` on a signed promise."""
        if not materials:
            raise InvalidInput(
                "容缺受理必须列出承诺后补的材料。", hint="没有缺少的材料时请直接受理。"
            )
        if not signed_by.strip():
            raise InvalidInput(
                "容缺受理必须有申请人签署的告知承诺书。", hint="请打印承诺书并由申请人签名。"
            )
        today = hall_day(self.clock())
        if due_date < today:
            raise InvalidInput(
                f"补交期限 {due_date:%Y-%m-%d} 早于今天，申请人无法按期补交。",
                hint="请与申请人商定今天或以后的补交日期。",
            )
        commitment = {
            "materials": list(materials),
            "due_date": due_date.isoformat(),
            "signed_by": signed_by.strip(),
            "signature_sha256": signature_sha256,
            "text": text,
            "accepted_by": actor.name,  # who follows it through (容缺补交, per clerk)
        }
        return self._accept(actor, receipt_no, commitment)

    def not_accept(
        self,
        actor: Actor,
        receipt_no: str,
        *,
        ground: str,
        reasons: Sequence[str],
        supplement: Sequence[str] = (),
        office: str = "",
    ) -> CaseView:
        """不予受理 with its §32 ground, reasons, what to supplement and where to go instead."""
        checks.check_not_accepted(ground, reasons, supplement, office)
        now = self.clock()
        with self.repository.change(receipt_no, "not_accept") as (session, case):
            names = [material_of(case, m).name for m in supplement]
            before = snapshot(case)
            self._announce(session, case)
            case.state = "not_accepted"
            case.closed_at = case.updated_at = now
            case.not_accepted = {
                "ground": ground,
                "ground_text": checks.NOT_ACCEPTED_GROUNDS[ground],
                "reasons": [r.strip() for r in reasons if r.strip()],
                "supplement": [
                    {"material": m, "name": n} for m, n in zip(supplement, names, strict=True)
                ],
                "office": office.strip(),
                "at": now.isoformat(),
            }
            for item in case.items:
                item.state = "terminated"
            append(
                session,
                actor,
                "not_accept",
                case_id=case.id,
                receipt_no=receipt_no,
                before=before,
                after={"state": case.state, **case.not_accepted},
                at=now,
            )
            enqueue(
                session,
                case,
                "not_accepted",
                {"receipt_no": receipt_no, **case.not_accepted},
                at=now,
            )
            return CaseView.of(case)

    def _accept(self, actor: Actor, receipt_no: str, commitment: dict[str, Any] | None) -> CaseView:
        """In plain SQL (:mod:`app.cases.rows`): it runs for every case, and the ORM's unit of work
        would cost several times the commit."""
        now = self.clock()
        action = "accept" if commitment is None else "accept_on_commitment"
        with self.repository.db.connect() as connection:
            loaded = self.repository.load(connection, receipt_no, lock=True)
            case = loaded.view
            require(action, case.state, receipt_no)
            catalog = self.catalogs.get(case.catalog_version)
            if catalog is None:
                raise self.catalogs.gone(case)
            form = self._checked_form(catalog, case)
            promised = commitment["materials"] if commitment else []
            self._check_materials(case.materials, promised)
            messages = announcement(case, loaded.scans) if case.state == "draft" else []
            due = add_calendar_days(
                self.calendar,
                self.calendar.add_working_days(hall_day(now), case.promised_days),
                case.promised_calendar_days,
            )
            dispatched = ready_items(case.items)
            state = "accepted" if commitment is None else "accepted_on_commitment"
            verification = committed_record(
                case,
                catalog.scenarios.get(case.scenario_code),
                self.calendar,
                accepted_on=hall_day(now),
                default_days=self.verify_days,
                accepted_by=actor.name,
            )
            after = case.moved(
                state,
                accepted_at=now,
                promised_date=due.day,
                form_data=form,
                commitment=commitment,
                verification=verification,
                items=tuple(
                    i.moved("dispatched", dispatched_at=now) if i.item_id in dispatched else i
                    for i in case.items
                ),
                materials=tuple(
                    m.moved("on_commitment") if m.material_id in promised else m
                    for m in case.materials
                ),
            )
            messages.append(
                NewMessage(
                    "acceptance",
                    {
                        "receipt_no": receipt_no,
                        "state": state,
                        "accepted_at": now,
                        "promised_days": case.promised_days,
                        "promised_calendar_days": case.promised_calendar_days,
                        "promised_date": due.day,
                        "calendar_warning": due.warning,
                        "commitment": commitment,
                        "verification": verification,
                        "items": [
                            {"item": i.item_id, "code": i.code, "state": i.state}
                            for i in after.items
                        ],
                        "materials": [
                            {
                                "material": m.material_id,
                                "name": m.name,
                                "status": m.status,
                                "copies": m.copies,
                            }
                            for m in after.materials
                        ],
                    },
                )
            )
            seq = write_messages(
                connection, case.id, receipt_no, loaded.outbox_seq, messages, at=now
            )
            rows.update_case(
                connection,
                case.id,
                state=state,
                accepted_at=now,
                updated_at=now,
                promised_date=due.day,
                form_data=form,
                commitment=commitment,
                verification=verification,
                outbox_seq=seq,
            )
            rows.update_items(
                connection, case.id, dispatched, state="dispatched", dispatched_at=now
            )
            rows.update_materials(
                connection, case.id, {m: {"status": "on_commitment"} for m in promised}
            )
            if self.after_accept is not None:
                self.after_accept(connection, after, catalog, now)
            append(
                connection,
                actor,
                action,
                case_id=case.id,
                receipt_no=receipt_no,
                before={"state": case.state, "promised_date": case.promised_date},
                after={
                    "state": state,
                    "promised_date": due.day,
                    "dispatched": dispatched,
                    "commitment": commitment,
                    "verification": verification,
                },
                at=now,
            )
            return after

    def _checked_form(self, catalog: Catalog, case: CaseView) -> dict[str, str]:
        """The case's form values, normalised, when every field the plan asks for is right."""
        fields = self._form_fields(catalog, case)
        cleaned, problems = check_form(fields, case.form_data, today=hall_day(self.clock()))
        if problems:
            listed = "".join(problems.values())
            raise InvalidInput(
                f"申请表还有 {len(problems)} 处需要修改：{listed}", hint="请改正后再受理。"
            )
        return cleaned

    def _form_fields(self, catalog: Catalog, case: CaseView) -> tuple[PlanField, ...]:
        """The plan's form fields for the case's answers and items. The guide is pure, so the
        fields are kept for the answers that come again and again (most cases of a scenario)."""
        key = (
            catalog.meta.version,
            case.scenario_code,
            case.chosen_items,
            json.dumps(case.answers, sort_keys=True, ensure_ascii=False),
        )
        fields = self._fields.get(key)
        if fields is None:
            planner = self.catalogs.planner(catalog.meta.version)
            fields = planner.plan(case.scenario_code, case.answers, {}, case.chosen_items).fields
            if len(self._fields) >= FIELD_CACHE_SIZE:
                self._fields.clear()
            self._fields[key] = fields
        return fields

    @staticmethod
    def _check_materials(materials: Sequence[MaterialView], promised: Sequence[str]) -> None:
        by_id = {m.material_id: m for m in materials}
        for material_id in promised:
            row = by_id.get(material_id)
            if row is None:
                raise InvalidInput(f"本办件没有材料“{material_id}”。")
            if row.plan_status not in ("tolerable", "commitment"):
                raise InvalidTransition(
                    f"“{row.name}”不是可以容缺或告知承诺的材料，不能承诺后补。",
                    hint="请收取该材料；无法提供时可出具补正材料一次性告知书。",
                )
        missing = [
            m.name
            for m in materials
            if m.plan_status not in EXEMPT_PLAN_STATUSES | NOT_WAITED_FOR
            and m.status not in SATISFIED
            and m.material_id not in promised
        ]
        if missing:
            raise MissingMaterials(
                f"还有 {len(missing)} 种材料未收取：{'、'.join(missing)}。",
                hint="请收取后再受理；可容缺的材料可以容缺受理，否则请出具补正材料一次性告知书。",
                materials=tuple(missing),
            )

    def _announce(self, session: Session, case: CaseRow) -> None:
        """A counter draft becomes known to the platform at its decision, with its files."""
        if case.state != "draft":
            return
        scans = []
        for material in case.materials:
            for scan in material.scans:
                stored = session.get(StoredFile, scan.sha256)
                scans.append(
                    StoredScan(
                        material.material_id,
                        scan.sha256,
                        scan.file_name,
                        stored.size if stored else 0,
                        stored.mime if stored else "application/octet-stream",
                    )
                )
        for message in announcement(CaseView.of(case), scans):
            enqueue(
                session,
                case,
                message.kind,
                message.payload,
                file_sha256=message.file_sha256,
                at=self.clock(),
            )

    # -- the departments' decisions and what follows -------------------------------------------
    def record_item_decision(
        self,
        actor: Actor,
        receipt_no: str,
        item_id: str,
        *,
        approved: bool,
        opinion: str = "",
        result_name: str = "",
        result_no: str = "",
        decided_at: datetime | None = None,
    ) -> CaseView:
        """A department's decision on one item; repeating the same decision changes nothing."""
        now = decided_at or self.clock()
        with self.repository.db.transaction() as session:
            case = self.repository.case(session, receipt_no)
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
        with self.repository.db.transaction() as session:
            cases = self.repository.cases_with_items(session, {e.receipt_no for e in events})
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

    def _decide(
        self,
        session: Session,
        actor: Actor,
        case: CaseRow,
        decision: Decision,
        now: datetime,
        *,
        quiet: bool = False,
    ) -> bool:
        """Record the decision on the case (in the caller's transaction); False if it was
        already recorded. ``quiet``: a decision that no longer fits (the case was withdrawn
        meanwhile) is skipped instead of refused."""
        item = item_of(case, decision.item_id)
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
        before = snapshot(case)
        item.state = "approved" if decision.approved else "not_approved"
        item.decided_at = now
        item.decision = {
            "approved": decision.approved,
            "opinion": decision.opinion,
            "result_name": decision.result_name,
            "result_no": decision.result_no,
            "by": actor.name,
        }
        terminated = [] if decision.approved else self._terminate_dependents(case, item, now)
        dispatched = ready_items([ItemView.of(i) for i in case.items])
        for row in case.items:
            if row.item_id in dispatched:
                row.state, row.dispatched_at = "dispatched", now
        if all(i.state in FINAL_ITEM_STATES for i in case.items):
            case.state = "completed"
            case.completed_at = now
        case.updated_at = now
        append(
            session,
            actor,
            "item_decision",
            case_id=case.id,
            receipt_no=case.receipt_no,
            before=before,
            after={
                **snapshot(case),
                "item": item.item_id,
                **item.decision,
                "dispatched": dispatched,
                "terminated": terminated,
            },
            at=now,
        )
        if dispatched or terminated:
            enqueue(
                session,
                case,
                "dispatch",
                {
                    "receipt_no": case.receipt_no,
                    "after_item": item.item_id,
                    "dispatched": dispatched,
                    "terminated": terminated,
                },
                at=now,
            )
        return True

    def supplement(
        self,
        actor: Actor,
        receipt_no: str,
        materials: Sequence[str],
        *,
        status: str = "received_original",
    ) -> CaseView:
        """Materials promised at 容缺受理 handed in; the commitment is fulfilled when all are in."""
        if status not in RECEIVED:
            raise InvalidInput("补交的材料应登记为已收原件或复印件。")
        now = self.clock()
        with self.repository.change(receipt_no, "supplement") as (session, case):
            for material_id in materials:
                row = material_of(case, material_id)
                if row.status != "on_commitment":
                    raise InvalidTransition(f"“{row.name}”不是容缺后补的材料，无需补交。")
                row.status, row.received_at = status, now
            fulfilled = not any(m.status == "on_commitment" for m in case.materials)
            before = snapshot(case)
            if fulfilled and case.commitment is not None:
                due = case.commitment.get("due_date")
                late = bool(due) and hall_day(now) > date.fromisoformat(str(due))
                case.commitment = {
                    **case.commitment,
                    "fulfilled_at": now.isoformat(),
                    "fulfilled_late": late,
                }
                if case.state == "accepted_on_commitment":
                    case.state = "accepted"
            case.updated_at = now
            append(
                session,
                actor,
                "supplement",
                case_id=case.id,
                receipt_no=receipt_no,
                before=before,
                after={**snapshot(case), "materials": list(materials), "fulfilled": fulfilled},
                at=now,
            )
            payload = {
                "receipt_no": receipt_no,
                "materials": list(materials),
                "status": status,
                "fulfilled": fulfilled,
            }
            enqueue(session, case, "supplement", payload, at=now)
            return CaseView.of(case)

    def lapse(self, actor: Actor, receipt_no: str) -> CaseView:
        """The promised materials did not come by their due date (容缺逾期未补交): as the catalog
        says for each (``exemption.missed``), the items that need it stop — and the items that
        need their results — and the platform tells the departments; the items that need none
        of them go on. Materials the catalog says only to remind about stop nothing."""
        if (
            actor.name != SYSTEM
        ):  # the daily run does what the catalog says; a person needs the role
            roles.require(self.repository.db, actor, "supplement.follow", receipt_no=receipt_no)
        now = self.clock()
        today = hall_day(now)
        with self.repository.change(receipt_no, "lapse") as (session, case):
            commitment = dict(case.commitment or {})
            waiting = [m for m in case.materials if m.status == "on_commitment"]
            due_text = str(commitment.get("due_date") or "")
            if not waiting or commitment.get("fulfilled_at") or not due_text:
                raise InvalidTransition(f"办件 {receipt_no} 没有待补交的容缺材料。")
            due = date.fromisoformat(due_text)
            if today <= due:
                raise InvalidTransition(
                    f"补交期限 {due:%Y-%m-%d} 还没有过，不能按逾期处理。",
                    hint="期限内请提醒申请人补交；过了期限当天仍未补交，次日起可以按逾期处理。",
                )
            catalog = self.catalogs.get(case.catalog_version)
            if catalog is None:
                raise self.catalogs.gone(case)
            scenario = catalog.scenarios.get(case.scenario_code)
            stopping = [
                m for m in waiting if scenario is None or scenario.missed_stops(m.material_id)
            ]
            if not stopping:
                raise RemindOnly(
                    "事项目录规定这些材料逾期后只继续催补，不终止办理。",
                    hint="请继续联系申请人补交；补交后在“容缺补交”中登记。",
                )
            needing = (
                set(scenario.items_needing(m.material_id for m in stopping))
                if scenario
                else {i.item_id for i in case.items}
            )
            names = "、".join(m.name for m in stopping)
            opinion = f"容缺材料“{names}”逾期未补交（补交期限 {due:%Y-%m-%d}）"
            before = snapshot(case)
            stopped: list[str] = []
            for item in case.items:
                if item.item_id in needing and item.state not in FINAL_ITEM_STATES:
                    item.state, item.decided_at = "terminated", now
                    item.decision = {
                        "approved": False,
                        "opinion": opinion,
                        "result_name": "",
                        "result_no": "",
                        "by": actor.name,
                    }
                    stopped.append(item.item_id)
            for item_id in list(stopped):
                stopped += self._terminate_dependents(case, item_of(case, item_id), now)
            case.commitment = {
                **commitment,
                "lapsed_at": now.isoformat(),
                "lapsed_materials": [m.material_id for m in stopping],
                "lapsed_items": stopped,
            }
            if all(i.state in FINAL_ITEM_STATES for i in case.items):
                case.state, case.completed_at = "completed", now
            else:
                case.state = "accepted"
            case.updated_at = now
            append(
                session,
                actor,
                "lapse",
                case_id=case.id,
                receipt_no=receipt_no,
                before=before,
                after={
                    **snapshot(case),
                    "materials": [m.material_id for m in stopping],
                    "terminated": stopped,
                },
                at=now,
            )
            enqueue(
                session,
                case,
                "lapse",
                {
                    "receipt_no": receipt_no,
                    "materials": [m.material_id for m in stopping],
                    "due_date": due.isoformat(),
                    "terminated": stopped,
                    "state": case.state,
                    "at": now,
                },
                at=now,
            )
            return CaseView.of(case)

    @staticmethod
    def _terminate_dependents(case: CaseRow, failed: CaseItemRow, now: datetime) -> list[str]:
        return terminate_dependents(case, failed, now)


def terminate_dependents(case: CaseRow, failed: CaseItemRow, now: datetime) -> list[str]:
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
                    "approved": False,
                    "opinion": f"前置事项“{failed.name}”未获批准",
                    "result_name": "",
                    "result_no": "",
                    "by": "system",
                }
                blocked.add(item.item_id)
                ended.append(item.item_id)
                changed = True
    return ended


def ready_items(items: Sequence[ItemView]) -> list[str]:
    """The waiting items whose needed results are all in (or not asked for): dispatch them now."""
    approved = {i.item_id for i in items if i.state == "approved"}
    chosen = {i.item_id for i in items}
    return [
        i.item_id
        for i in items
        if i.state == "waiting" and all(n in approved or n not in chosen for n in i.needs)
    ]
