"""Intake, up to the window's decision: opening a case, changing its answers and record, the
materials the clerk checks and the scans of them (GB/T 45836 §7.3).

Every method runs in one transaction that writes the change, its audit entry and any message for
the platform together (transactional outbox, :mod:`app.cases.repository`), after asking
:mod:`app.cases.states` whether the action is allowed. Methods take and return plain data; no ORM
row leaves the service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.cases import checks
from app.cases.assistance import AUTHORISATION, AUTHORISATION_NAME, from_card
from app.cases.audit import Actor, append
from app.cases.catalogs import CaseCatalogs
from app.cases.files import FileStore
from app.cases.outbox import enqueue
from app.cases.payloads import assistance_message, file_message, submission
from app.cases.receipts import hall_day, next_receipt_no
from app.cases.repository import CaseRepository, material_of
from app.cases.rows import StoredScan
from app.cases.snapshots import CaseView, Party
from app.cases.states import RECEIVED
from app.catalog.catalog import Catalog
from app.db.models import CaseItemRow, CaseMaterialRow, CaseRow, MaterialScanRow, StoredFile
from app.errors import AnswerError, DuplicateReceipt, InvalidInput
from app.guide.plan import Plan

EXEMPT_PLAN_STATUSES = {"produced", "e_licence", "generated"}
NOT_WAITED_FOR = {"not_needed", "optional"}  # acceptance does not wait for these


class Intake:
    def __init__(
        self,
        repository: CaseRepository,
        catalogs: CaseCatalogs,
        files: FileStore,
        *,
        hall_code: str,
        clock: Callable[[], datetime],
        require_review: bool = False,
    ) -> None:
        self.repository = repository
        self.catalogs = catalogs
        self.files = files
        self.hall_code = hall_code
        self.clock = clock
        self.require_review = require_review  # [counter] require_review_points

    # -- before the decision -----------------------------------------------------------------------
    def open_case(
        self,
        actor: Actor,
        *,
        channel: str,
        scenario: str,
        applicant: Party,
        agent: Party | None = None,
        answers: Mapping[str, Any] | None = None,
        facts: Mapping[str, Any] | None = None,
        items: Sequence[str] | None = None,
        form: Mapping[str, str] | None = None,
        receipt_no: str | None = None,
        scans: Sequence[NewScan] = (),
        from_platform: bool = False,
        platform_seq: int = 0,
        corrections: Sequence[Mapping[str, str]] = (),
    ) -> CaseView:
        """A new case: a draft at the counter, a pre-application from a kiosk or online.

        ``scans`` are saved with it in the same transaction: a kiosk's pre-application is there
        whole, with its pages, or not at all (a power cut mid-submit leaves nothing half-saved).
        ``from_platform``: a pre-application fetched from the platform by its receipt number (a
        kiosk with its own database sent it there); nothing is queued back, and this terminal's
        messages for the case follow the platform's last one (``platform_seq``).
        """
        if channel not in checks.CHANNELS:
            raise InvalidInput(
                f"渠道“{channel}”不对。", hint="应为综合窗口、自助终端或网上预申请。"
            )
        now = self.clock()
        today = hall_day(now)
        kind, number = checks.checked_id(applicant, today)
        agent_number = checks.checked_id(agent, today)[1] if agent else ""
        plan = self._plan(self.catalogs.current, scenario, answers, facts, items)
        state = "draft" if channel == "counter" else "pre_application"
        stored = [(scan, self._store(scan)) for scan in scans]
        with self.repository.db.transaction() as session:
            if receipt_no is None:
                receipt_no = next_receipt_no(session, self.hall_code, today)
            elif session.scalar(select(CaseRow.id).where(CaseRow.receipt_no == receipt_no)):
                raise DuplicateReceipt(
                    f"受理编号 {receipt_no} 已经存在。",
                    hint="请扫描或输入正确的编号；同一预申请不能导入两次。",
                )
            case = CaseRow(
                receipt_no=receipt_no,
                hall_code=self.hall_code,
                channel=channel,
                state=state,
                scenario_code=plan.scenario,
                scenario_name=plan.scenario_name,
                catalog_version=plan.catalog_version,
                applicant_kind=applicant.kind,
                applicant_name=applicant.name.strip(),
                applicant_id_type=kind,
                applicant_id_number=number,
                applicant_phone=applicant.phone.strip(),
                applicant_address=applicant.address.strip(),
                agent_name=agent.name.strip() if agent else "",
                agent_id_number=agent_number,
                agent_phone=agent.phone.strip() if agent else "",
                clerk=actor.name,
                terminal=actor.terminal,
                created_at=now,
                updated_at=now,
                assistance=from_card(actor, applicant, now),
            )
            self._apply_plan(case, plan, form or {})
            if from_platform:
                case.outbox_seq = platform_seq
            session.add(case)
            try:
                session.flush()
            except IntegrityError:
                raise DuplicateReceipt(f"受理编号 {receipt_no} 已经存在。") from None
            append(
                session,
                actor,
                "open",
                case_id=case.id,
                receipt_no=receipt_no,
                at=now,
                after={
                    "state": state,
                    "channel": channel,
                    "scenario": plan.scenario,
                    "catalog_version": plan.catalog_version,
                    "items": case.chosen_items,
                    "from_platform": from_platform,
                },
            )
            if corrections:
                append(
                    session,
                    actor,
                    "correct_applicant",
                    case_id=case.id,
                    receipt_no=receipt_no,
                    at=now,
                    after={"corrections": [dict(c) for c in corrections]},
                )
            view = CaseView.of(case)
            if state == "pre_application" and not from_platform:
                enqueue(session, case, "submission", submission(view), at=now)
                if case.assistance:  # an older applicant, known from the card
                    message = assistance_message(receipt_no, case.assistance)
                    enqueue(session, case, "assistance", message, at=now)
            for scan, sha in stored:
                self._add_scan(
                    session, actor, case, scan, sha=sha, now=now, queue=not from_platform
                )
            return CaseView.of(case) if stored else view

    def update(
        self,
        actor: Actor,
        receipt_no: str,
        *,
        answers: Mapping[str, Any] | None = None,
        facts: Mapping[str, Any] | None = None,
        items: Sequence[str] | None = None,
        form: Mapping[str, str] | None = None,
        applicant: Party | None = None,
        agent: Party | None = None,
        corrections: Sequence[Mapping[str, str]] = (),
    ) -> CaseView:
        """Change answers, the chosen items or form values before the decision; re-plans. The
        applicant's and agent's record (``applicant``, ``agent``) as the clerk has it now; a
        change to what the ID card said comes with the clerk's confirmed ``corrections``."""
        now = self.clock()
        with self.repository.change(receipt_no, "update") as (session, case):
            if applicant is not None:
                self._update_parties(
                    session, actor, case, applicant, agent=agent, corrections=corrections, now=now
                )
            catalog = self.catalogs.get(case.catalog_version)
            if catalog is None:
                if answers is None:
                    raise self.catalogs.gone(case)
                catalog = self.catalogs.current  # answered again under the current catalog
            plan = self._plan(
                catalog,
                case.scenario_code,
                answers if answers is not None else case.answers,
                facts,
                _items_for(items, answers, case.chosen_items),
            )
            before = {"answers": case.answers, "items": case.chosen_items, "form": case.form_data}
            self._apply_plan(case, plan, {**case.form_data, **(form or {})})
            case.updated_at = self.clock()
            append(
                session,
                actor,
                "update",
                case_id=case.id,
                receipt_no=receipt_no,
                before=before,
                after={
                    "answers": case.answers,
                    "items": case.chosen_items,
                    "form": case.form_data,
                    "catalog_version": case.catalog_version,
                },
            )
            view = CaseView.of(case)
            if case.state == "pre_application":
                enqueue(session, case, "update", submission(view), at=case.updated_at)
            return view

    @staticmethod
    def _update_parties(
        session: Session,
        actor: Actor,
        case: CaseRow,
        applicant: Party,
        *,
        agent: Party | None,
        corrections: Sequence[Mapping[str, str]],
        now: datetime,
    ) -> None:
        """The record changed at the counter: the case, every document and the departments'
        form follow it; the change is audited (with the card values the clerk confirmed)."""
        today = hall_day(now)
        kind, number = checks.checked_id(applicant, today)
        agent_number = checks.checked_id(agent, today)[1] if agent else ""
        columns = {
            "applicant_name": applicant.name.strip(),
            "applicant_id_type": kind,
            "applicant_id_number": number,
            "applicant_phone": applicant.phone.strip(),
            "applicant_address": applicant.address.strip(),
            "agent_name": agent.name.strip() if agent else "",
            "agent_id_number": agent_number,
            "agent_phone": agent.phone.strip() if agent else "",
        }
        before = {k: getattr(case, k) for k in columns if getattr(case, k) != columns[k]}
        if not before and not corrections:
            return
        for key, value in columns.items():
            setattr(case, key, value)
        append(
            session,
            actor,
            "correct_applicant" if corrections else "applicant",
            case_id=case.id,
            receipt_no=case.receipt_no,
            at=now,
            before=before,
            after={
                **{k: columns[k] for k in before},
                "corrections": [dict(c) for c in corrections],
            },
        )

    def record_material(
        self,
        actor: Actor,
        receipt_no: str,
        material_id: str,
        status: str,
        *,
        reviewed: Sequence[str] = (),
        exempt_reason: str = "",
    ) -> CaseView:
        """What the clerk found: received original/copy, exempt (and why), or still missing."""
        return self.record_materials(
            actor, receipt_no, [MaterialCheck(material_id, status, tuple(reviewed), exempt_reason)]
        )

    def record_materials(
        self, actor: Actor, receipt_no: str, checks_: Sequence[MaterialCheck]
    ) -> CaseView:
        """Several materials at once (e.g. "all received"), in one transaction."""
        for check in checks_:
            _check_status(check)
        with self.repository.change(receipt_no, "record_material") as (session, case):
            for check in checks_:
                row = material_of(case, check.material_id)
                if row.form == "thing" and check.status in ("received_copy", "received_both"):
                    raise InvalidInput(
                        f"“{row.name}”是物品，交原物，不收复印件。",
                        hint="收到原物时请登记“收到原件”。",
                    )
                if check.status == "committed" and row.plan_status != "commitment":
                    raise InvalidInput(
                        f"“{row.name}”不在告知承诺制的证明材料范围内，不能以承诺代替。",
                        hint="请收取该材料；确实无法提供的，可按容缺或补正处理。",
                    )
                if self.require_review and check.status in RECEIVED:
                    self._check_reviewed(case, row, check.reviewed)
                before = {"status": row.status, "reviewed": row.reviewed}
                row.status = check.status
                row.exempt_reason = check.exempt_reason.strip() if check.status == "exempt" else ""
                row.reviewed = list(check.reviewed)
                row.checked_at = self.clock()
                row.received_at = row.checked_at if check.status in RECEIVED else None
                append(
                    session,
                    actor,
                    "material",
                    case_id=case.id,
                    receipt_no=receipt_no,
                    before={"material": check.material_id, **before},
                    after={
                        "material": check.material_id,
                        "status": check.status,
                        "reviewed": row.reviewed,
                        "exempt_reason": row.exempt_reason,
                    },
                )
            return CaseView.of(case)

    def _check_reviewed(self, case: CaseRow, row: CaseMaterialRow, reviewed: Sequence[str]) -> None:
        """The hall requires every 形式审核 point ticked before an original or a copy is taken."""
        catalog = self.catalogs.get(case.catalog_version)
        scenario = catalog.scenarios.get(case.scenario_code) if catalog else None
        material = (
            next((m for m in scenario.materials if m.id == row.material_id), None)
            if (scenario)
            else None
        )
        points = material.review.formal if material else ()
        left = [p for p in points if p not in reviewed]
        if left:
            raise InvalidInput(
                f"“{row.name}”还有 {len(left)} 项审核要点没有核对：{'；'.join(left)}。",
                hint="本厅要求逐项核对并勾选审核要点后，才能登记收到原件或复印件。",
            )

    def attach_scan(
        self,
        actor: Actor,
        receipt_no: str,
        material_id: str,
        data: bytes,
        *,
        file_name: str,
        mime: str = "application/pdf",
        pages: int = 1,
        quality: Sequence[Mapping[str, Any]] = (),
    ) -> CaseView:
        """Store a scan by its SHA-256 and attach it to a material of the case (with the
        quality check of each page the camera or scanner took, for the audit trail)."""
        scan = NewScan(material_id, data, file_name, mime, pages, tuple(quality))
        sha = self._store(scan)
        now = self.clock()
        with self.repository.change(receipt_no, "attach_scan") as (session, case):
            self._add_scan(session, actor, case, scan, sha=sha, now=now)
            return CaseView.of(case)

    def _store(self, scan: NewScan) -> str:
        """The scan's bytes into the file store (by content, before the transaction: a file
        left by a rollback is harmless and reused)."""
        if not scan.data:
            raise InvalidInput("扫描件是空文件，没有保存。", hint="请重新扫描或选择文件。")
        return self.files.put(scan.data)

    def _add_scan(
        self,
        session: Session,
        actor: Actor,
        case: CaseRow,
        scan: NewScan,
        *,
        sha: str,
        now: datetime,
        queue: bool = True,
    ) -> None:
        row = material_of(case, scan.material_id)
        if session.get(StoredFile, sha) is None:
            session.add(StoredFile(sha256=sha, size=len(scan.data), mime=scan.mime))
        row.scans.append(
            MaterialScanRow(sha256=sha, file_name=scan.file_name, pages=scan.pages, added_at=now)
        )
        after: dict[str, Any] = {
            "material": scan.material_id,
            "sha256": sha,
            "file_name": scan.file_name,
            "pages": scan.pages,
        }
        if scan.quality:
            after["quality"] = [dict(page) for page in scan.quality]
        append(
            session, actor, "scan", case_id=case.id, receipt_no=case.receipt_no, at=now, after=after
        )
        if queue and case.state != "draft":
            stored = StoredScan(scan.material_id, sha, scan.file_name, len(scan.data), scan.mime)
            message = file_message(case.receipt_no, row.name, stored)
            enqueue(
                session,
                case,
                message.kind,
                message.payload,
                file_sha256=message.file_sha256,
                at=now,
            )

    # -- the plan -------------------------------------------------------------------------------
    def _plan(
        self,
        catalog: Catalog,
        scenario: str,
        answers: Mapping[str, Any] | None,
        facts: Mapping[str, Any] | None,
        items: Sequence[str] | None,
    ) -> Plan:
        planner = self.catalogs.planner(catalog.meta.version)
        plan = planner.plan(scenario, answers or {}, facts or {}, items)
        if plan.blocked:
            block = plan.blocked[0]
            raise AnswerError(f"不符合办理条件：{block.reason}", hint=block.advice)
        if not plan.complete:
            raise AnswerError(
                f"问卷还有 {len(plan.pending_questions)} 个问题没有回答，不能建立办件。",
                hint="请先回答完全部问题。",
            )
        return plan

    @staticmethod
    def _apply_plan(case: CaseRow, plan: Plan, form: Mapping[str, str]) -> None:
        case.scenario_code, case.scenario_name = plan.scenario, plan.scenario_name
        case.catalog_version = plan.catalog_version
        case.answers = {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in plan.answers.items()
            if v not in ((), None)
        }
        case.chosen_items = [i.id for i in plan.items]
        case.promised_days = plan.promised_days
        case.promised_calendar_days = plan.promise.calendar_days
        values = {f.key: f.value for f in plan.fields if f.value}
        values.update({k: str(v) for k, v in form.items()})
        case.form_data = values
        old_items = {i.item_id: i for i in case.items}
        items: list[CaseItemRow] = []
        for i in plan.items:
            item = old_items.get(i.id) or CaseItemRow(item_id=i.id, state="waiting")
            item.code, item.name, item.department, item.stage = (
                i.code,
                i.name,
                i.department,
                i.stage,
            )
            item.result = i.result
            item.needs, item.promised_days = list(i.needs), i.promised_days
            item.calendar_days = i.calendar_days
            items.append(item)
        case.items = items
        kept = {m.material_id: m for m in case.materials}
        rows: list[CaseMaterialRow] = []
        for m in plan.materials:
            exempt = m.status in EXEMPT_PLAN_STATUSES
            reason = f"{m.status_label}：{m.reason}" if m.reason else m.status_label
            row = kept.pop(m.id, None) or CaseMaterialRow(
                material_id=m.id,
                status="exempt" if exempt else "missing",
                exempt_reason=reason if exempt else "",
            )
            if exempt and row.status == "missing":  # spared since (an e-licence verified)
                row.status, row.exempt_reason = "exempt", reason
            row.name, row.plan_status, row.form, row.copies = m.name, m.status, m.form, m.copies
            rows.append(row)
        if case.agent_name and not any("委托书" in r.name for r in rows):
            # 代办: the applicant's authorisation, whatever the scenario (its own 委托书 aside)
            paper = (
                kept.pop(AUTHORISATION)
                if AUTHORISATION in kept
                else CaseMaterialRow(material_id=AUTHORISATION, status="missing", exempt_reason="")
            )
            paper.name, paper.plan_status, paper.form, paper.copies = (
                AUTHORISATION_NAME,
                "submit",
                "original",
                1,
            )
            rows.append(paper)
        for row in kept.values():  # no longer needed, but scans are never thrown away
            if row.scans:
                row.plan_status = "not_needed"
                rows.append(row)
        case.materials = rows


@dataclass(frozen=True)
class NewScan:
    """A scan to store: the material it belongs to, its bytes and how it is called."""

    material_id: str
    data: bytes
    file_name: str
    mime: str = "application/pdf"
    pages: int = 1
    # Each page's quality check as the camera or scanner judged it ({"page": 1, "problems":
    # […], "measures": {…}}), kept in the audit trail with the scan; none for a chosen file.
    quality: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class MaterialCheck:
    """What the clerk found for one material."""

    material_id: str
    status: str  # received_original | received_copy | received_both | exempt | missing
    reviewed: tuple[str, ...] = ()  # the review points (审核要点) ticked
    exempt_reason: str = ""


def _check_status(check: MaterialCheck) -> None:
    if check.status not in (*RECEIVED, "exempt", "missing", "committed"):
        raise InvalidInput(
            f"材料状态“{check.status}”不对。",
            hint="请选择已收原件、已收复印件、免提交、告知承诺代替或未收取。",
        )
    if check.status == "exempt" and not check.exempt_reason.strip():
        raise InvalidInput("免提交必须写明原因。", hint="例如“已核验电子证照：居民户口簿”。")


def _items_for(
    items: Sequence[str] | None, answers: Mapping[str, Any] | None, chosen: list[str]
) -> Sequence[str] | None:
    """Keep the applicant's item choice unless new answers change what applies."""
    if items is not None:
        return items
    return None if answers is not None else chosen
