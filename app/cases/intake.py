"""The case service up to the window's decision: opening a case, materials, scans, and
受理 / 容缺受理 / 不予受理 (GB/T 45836 §7.3–7.4; 《行政许可法》第三十二条).

Every method runs in one transaction that writes the change, its audit entry and any message for
the platform together (transactional outbox), after asking :mod:`app.cases.states` whether the
action is allowed. Methods take and return plain data; no ORM row leaves the service.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from app.calendar.workdays import WorkCalendar
from app.cases import checks, rows
from app.cases.audit import Actor, append
from app.cases.files import FileStore
from app.cases.outbox import NewMessage, enqueue, write_messages
from app.cases.receipts import hall_day, next_receipt_no
from app.cases.rows import StoredScan
from app.cases.states import RECEIVED, require
from app.cases.views import CaseView, ItemView, MaterialView, Party
from app.catalog.catalog import Catalog
from app.db.base import utcnow
from app.db.engine import Database
from app.db.models import CaseItemRow, CaseMaterialRow, CaseRow, MaterialScanRow, StoredFile
from app.errors import (
    AnswerError,
    CaseNotFound,
    CatalogVersionGone,
    DuplicateReceipt,
    InvalidInput,
    InvalidTransition,
    MissingMaterials,
)
from app.guide.engine import Guide
from app.guide.form import check_form
from app.guide.plan import Plan, PlanField

AfterAccept = Callable[[Connection, CaseView, Catalog, datetime], None]

EXEMPT_PLAN_STATUSES = {"produced", "e_licence", "generated"}
FIELD_CACHE_SIZE = 512  # distinct (scenario, answers, items) whose form fields are kept


def _snapshot(case: CaseRow) -> dict[str, Any]:
    return {"state": case.state, "promised_date": case.promised_date}


class Intake:
    def __init__(
        self,
        db: Database,
        catalog: Catalog,
        files: FileStore,
        *,
        hall_code: str,
        calendar: WorkCalendar | None = None,
        older_catalogs: Sequence[Catalog] = (),
        clock: Callable[[], datetime] = utcnow,
        require_review: bool = False,
    ) -> None:
        self.db = db
        self.require_review = require_review  # [counter] require_review_points
        self.catalog = catalog
        self.files = files
        self.hall_code = hall_code
        self.calendar = calendar or WorkCalendar()
        self.clock = clock
        self._catalogs = {c.meta.version: c for c in (*older_catalogs, catalog)}
        # One engine per catalog version: it compiles each scenario once, not on every call.
        self._guides = {version: Guide(c) for version, c in self._catalogs.items()}
        self._fields: dict[tuple[str, str, tuple[str, ...], str], tuple[PlanField, ...]] = {}
        # Run in the acceptance's transaction, with the accepted case (the transfer ledger
        # registers the paper materials that now wait to go to the departments).
        self.after_accept: AfterAccept | None = None

    def catalog_for(self, version: str) -> Catalog | None:
        """The catalog a case was guided under, if this terminal still has it."""
        return self._catalogs.get(version)

    def use_catalog(self, catalog: Catalog) -> None:
        """New cases use ``catalog`` from now on (a version published by the platform); cases
        started under an earlier version keep it. Call it between cases."""
        if catalog.version not in self._catalogs:
            self._catalogs[catalog.version] = catalog
            self._guides[catalog.version] = Guide(catalog)
        self.catalog = self._catalogs[catalog.version]

    # -- reading ---------------------------------------------------------------------------------
    def get(self, receipt_no: str) -> CaseView:
        with self.db.read() as session:
            return self._load(session.connection(), receipt_no, lock=False).view

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
        plan = self._plan(self.catalog, scenario, answers, facts, items)
        state = "draft" if channel == "counter" else "pre_application"
        stored = [(scan, self._store(scan)) for scan in scans]
        with self.db.transaction() as session:
            if receipt_no is None:
                receipt_no = next_receipt_no(session, self.hall_code, today)
            elif session.scalar(select(CaseRow.id).where(CaseRow.receipt_no == receipt_no)):
                raise DuplicateReceipt(
                    f"受理编号 {receipt_no} 已经存在。",
                    hint="请扫描或输入正确的编号；同一预申请不能导入两次。",
                )
            case = CaseRow(
                receipt_no=receipt_no, hall_code=self.hall_code, channel=channel, state=state,
                scenario_code=plan.scenario, scenario_name=plan.scenario_name,
                catalog_version=plan.catalog_version, applicant_kind=applicant.kind,
                applicant_name=applicant.name.strip(), applicant_id_type=kind,
                applicant_id_number=number, applicant_phone=applicant.phone.strip(),
                applicant_address=applicant.address.strip(),
                agent_name=agent.name.strip() if agent else "", agent_id_number=agent_number,
                agent_phone=agent.phone.strip() if agent else "", clerk=actor.name,
                terminal=actor.terminal, created_at=now, updated_at=now,
            )  # fmt: skip
            self._apply_plan(case, plan, form or {})
            if from_platform:
                case.outbox_seq = platform_seq
            session.add(case)
            try:
                session.flush()
            except IntegrityError:
                raise DuplicateReceipt(f"受理编号 {receipt_no} 已经存在。") from None
            append(session, actor, "open", case_id=case.id, receipt_no=receipt_no, at=now,
                   after={"state": state, "channel": channel, "scenario": plan.scenario,
                          "catalog_version": plan.catalog_version,
                          "items": case.chosen_items,
                          "from_platform": from_platform})  # fmt: skip
            if corrections:
                append(session, actor, "correct_applicant", case_id=case.id,
                       receipt_no=receipt_no, at=now,
                       after={"corrections": [dict(c) for c in corrections]})  # fmt: skip
            view = CaseView.of(case)
            if state == "pre_application" and not from_platform:
                enqueue(session, case, "submission", self._payload(view), at=now)
            for scan, sha in stored:
                self._add_scan(session, actor, case, scan, sha=sha, now=now,
                               queue=not from_platform)  # fmt: skip
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
        with self.db.transaction() as session:
            case = self._case(session, receipt_no)
            require("update", case.state, receipt_no)
            if applicant is not None:
                self._update_parties(session, actor, case, applicant, agent=agent,
                                     corrections=corrections, now=now)  # fmt: skip
            catalog = self._catalogs.get(case.catalog_version)
            if catalog is None:
                if answers is None:
                    raise self._version_gone(case)
                catalog = self.catalog  # answered again under the current catalog
            plan = self._plan(
                catalog, case.scenario_code,
                answers if answers is not None else case.answers, facts,
                _items_for(items, answers, case.chosen_items),
            )  # fmt: skip
            before = {"answers": case.answers, "items": case.chosen_items, "form": case.form_data}
            self._apply_plan(case, plan, {**case.form_data, **(form or {})})
            case.updated_at = self.clock()
            append(session, actor, "update", case_id=case.id, receipt_no=receipt_no, before=before,
                   after={"answers": case.answers, "items": case.chosen_items,
                          "form": case.form_data,
                          "catalog_version": case.catalog_version})  # fmt: skip
            view = CaseView.of(case)
            if case.state == "pre_application":
                enqueue(session, case, "update", self._payload(view), at=case.updated_at)
            return view

    @staticmethod
    def _update_parties(session: Session, actor: Actor, case: CaseRow, applicant: Party, *,
                        agent: Party | None, corrections: Sequence[Mapping[str, str]],
                        now: datetime) -> None:  # fmt: skip
        """The record changed at the counter: the case, every document and the departments'
        form follow it; the change is audited (with the card values the clerk confirmed)."""
        today = hall_day(now)
        kind, number = checks.checked_id(applicant, today)
        agent_number = checks.checked_id(agent, today)[1] if agent else ""
        columns = {
            "applicant_name": applicant.name.strip(), "applicant_id_type": kind,
            "applicant_id_number": number, "applicant_phone": applicant.phone.strip(),
            "applicant_address": applicant.address.strip(),
            "agent_name": agent.name.strip() if agent else "", "agent_id_number": agent_number,
            "agent_phone": agent.phone.strip() if agent else "",
        }  # fmt: skip
        before = {k: getattr(case, k) for k in columns if getattr(case, k) != columns[k]}
        if not before and not corrections:
            return
        for key, value in columns.items():
            setattr(case, key, value)
        append(session, actor, "correct_applicant" if corrections else "applicant",
               case_id=case.id, receipt_no=case.receipt_no, at=now, before=before,
               after={**{k: columns[k] for k in before},
                      "corrections": [dict(c) for c in corrections]})  # fmt: skip

    def record_material(
        self, actor: Actor, receipt_no: str, material_id: str, status: str, *,
        reviewed: Sequence[str] = (), exempt_reason: str = "",
    ) -> CaseView:  # fmt: skip
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
        with self.db.transaction() as session:
            case = self._case(session, receipt_no)
            require("record_material", case.state, receipt_no)
            for check in checks_:
                row = self._material(case, check.material_id)
                if self.require_review and check.status in RECEIVED:
                    self._check_reviewed(case, row, check.reviewed)
                before = {"status": row.status, "reviewed": row.reviewed}
                row.status = check.status
                row.exempt_reason = check.exempt_reason.strip() if check.status == "exempt" else ""
                row.reviewed = list(check.reviewed)
                row.checked_at = self.clock()
                row.received_at = row.checked_at if check.status in RECEIVED else None
                append(session, actor, "material", case_id=case.id, receipt_no=receipt_no,
                       before={"material": check.material_id, **before},
                       after={"material": check.material_id, "status": check.status,
                              "reviewed": row.reviewed,
                              "exempt_reason": row.exempt_reason})  # fmt: skip
            return CaseView.of(case)

    def _check_reviewed(self, case: CaseRow, row: CaseMaterialRow, reviewed: Sequence[str]) -> None:
        """The hall requires every 形式审核 point ticked before an original or a copy is taken."""
        catalog = self._catalogs.get(case.catalog_version)
        scenario = catalog.scenarios.get(case.scenario_code) if catalog else None
        material = next((m for m in scenario.materials if m.id == row.material_id), None) if (
            scenario) else None  # fmt: skip
        points = material.review.formal if material else ()
        left = [p for p in points if p not in reviewed]
        if left:
            raise InvalidInput(
                f"“{row.name}”还有 {len(left)} 项审核要点没有核对：{'；'.join(left)}。",
                hint="本厅要求逐项核对并勾选审核要点后，才能登记收到原件或复印件。",
            )

    def attach_scan(
        self, actor: Actor, receipt_no: str, material_id: str, data: bytes, *,
        file_name: str, mime: str = "application/pdf", pages: int = 1,
        quality: Sequence[Mapping[str, Any]] = (),
    ) -> CaseView:  # fmt: skip
        """Store a scan by its SHA-256 and attach it to a material of the case (with the
        quality check of each page the camera or scanner took, for the audit trail)."""
        scan = NewScan(material_id, data, file_name, mime, pages, tuple(quality))
        sha = self._store(scan)
        now = self.clock()
        with self.db.transaction() as session:
            case = self._case(session, receipt_no)
            require("attach_scan", case.state, receipt_no)
            self._add_scan(session, actor, case, scan, sha=sha, now=now)
            return CaseView.of(case)

    def _store(self, scan: NewScan) -> str:
        """The scan's bytes into the file store (by content, before the transaction: a file
        left by a rollback is harmless and reused)."""
        if not scan.data:
            raise InvalidInput("扫描件是空文件，没有保存。", hint="请重新扫描或选择文件。")
        return self.files.put(scan.data)

    def _add_scan(
        self, session: Session, actor: Actor, case: CaseRow, scan: NewScan, *, sha: str,
        now: datetime, queue: bool = True,
    ) -> None:  # fmt: skip
        row = self._material(case, scan.material_id)
        if session.get(StoredFile, sha) is None:
            session.add(StoredFile(sha256=sha, size=len(scan.data), mime=scan.mime))
        row.scans.append(MaterialScanRow(sha256=sha, file_name=scan.file_name, pages=scan.pages,
                                         added_at=now))  # fmt: skip
        after: dict[str, Any] = {"material": scan.material_id, "sha256": sha,
                                 "file_name": scan.file_name, "pages": scan.pages}  # fmt: skip
        if scan.quality:
            after["quality"] = [dict(page) for page in scan.quality]
        append(session, actor, "scan", case_id=case.id, receipt_no=case.receipt_no, at=now,
               after=after)
        if queue and case.state != "draft":
            stored = StoredScan(scan.material_id, sha, scan.file_name, len(scan.data), scan.mime)
            message = self._file_message(case.receipt_no, row.name, stored)
            enqueue(session, case, message.kind, message.payload,
                    file_sha256=message.file_sha256, at=now)  # fmt: skip

    # -- the decision (《行政许可法》第三十二条) ------------------------------------------------
    def accept(self, actor: Actor, receipt_no: str) -> CaseView:
        """受理: every material needed is received or exempt, the form is complete."""
        return self._accept(actor, receipt_no, None)

    def accept_on_commitment(
        self, actor: Actor, receipt_no: str, *, materials: Sequence[str], due_date: date,
        signed_by: str, signature_sha256: str | None = None, text: str = "",
    ) -> CaseView:  # fmt: skip
        """容缺受理: the listed tolerable materials follow by ``due_date`` on a signed promise."""
        if not materials:
            raise InvalidInput(
                "容缺受理必须列出承诺后补的材料。", hint="没有缺少的材料时请直接受理。"
            )
        if not signed_by.strip():
            raise InvalidInput(
                "容缺受理必须有申请人签署的告知承诺书。", hint="请打印承诺书并由申请人签名。"
            )
        commitment = {"materials": list(materials), "due_date": due_date.isoformat(),
                      "signed_by": signed_by.strip(), "signature_sha256": signature_sha256,
                      "text": text}  # fmt: skip
        return self._accept(actor, receipt_no, commitment)

    def not_accept(
        self, actor: Actor, receipt_no: str, *, ground: str, reasons: Sequence[str],
        supplement: Sequence[str] = (), office: str = "",
    ) -> CaseView:  # fmt: skip
        """不予受理 with its §32 ground, reasons, what to supplement and where to go instead."""
        checks.check_not_accepted(ground, reasons, supplement, office)
        now = self.clock()
        with self.db.transaction() as session:
            case = self._case(session, receipt_no)
            require("not_accept", case.state, receipt_no)
            names = [self._material(case, m).name for m in supplement]
            before = _snapshot(case)
            self._announce(session, case)
            case.state = "not_accepted"
            case.closed_at = case.updated_at = now
            case.not_accepted = {
                "ground": ground, "ground_text": checks.NOT_ACCEPTED_GROUNDS[ground],
                "reasons": [r.strip() for r in reasons if r.strip()],
                "supplement": [
                    {"material": m, "name": n} for m, n in zip(supplement, names, strict=True)
                ],
                "office": office.strip(), "at": now.isoformat(),
            }  # fmt: skip
            for item in case.items:
                item.state = "terminated"
            append(session, actor, "not_accept", case_id=case.id, receipt_no=receipt_no,
                   before=before, after={"state": case.state, **case.not_accepted},
                   at=now)  # fmt: skip
            enqueue(session, case, "not_accepted", {"receipt_no": receipt_no, **case.not_accepted},
                    at=now)  # fmt: skip
            return CaseView.of(case)

    def _accept(self, actor: Actor, receipt_no: str, commitment: dict[str, Any] | None) -> CaseView:
        """In plain SQL (:mod:`app.cases.rows`): it runs for every case, and the ORM's unit of work
        would cost several times the commit."""
        now = self.clock()
        action = "accept" if commitment is None else "accept_on_commitment"
        with self.db.connect() as connection:
            loaded = self._load(connection, receipt_no, lock=True)
            case = loaded.view
            require(action, case.state, receipt_no)
            catalog = self._catalogs.get(case.catalog_version)
            if catalog is None:
                raise self._version_gone(case)
            form = self._checked_form(catalog, case)
            promised = commitment["materials"] if commitment else []
            self._check_materials(case.materials, promised)
            messages = self._announcement(case, loaded.scans) if case.state == "draft" else []
            due = self.calendar.add_working_days(hall_day(now), case.promised_days)
            dispatched = ready_items(case.items)
            state = "accepted" if commitment is None else "accepted_on_commitment"
            after = case.moved(
                state, accepted_at=now, promised_date=due.day, form_data=form,
                commitment=commitment,
                items=tuple(i.moved("dispatched", dispatched_at=now) if i.item_id in dispatched
                            else i for i in case.items),
                materials=tuple(m.moved("on_commitment") if m.material_id in promised else m
                                for m in case.materials),
            )  # fmt: skip
            messages.append(NewMessage("acceptance", {
                "receipt_no": receipt_no, "state": state, "accepted_at": now,
                "promised_days": case.promised_days, "promised_date": due.day,
                "calendar_warning": due.warning, "commitment": commitment,
                "items": [{"item": i.item_id, "code": i.code, "state": i.state}
                          for i in after.items],
                "materials": [{"material": m.material_id, "name": m.name, "status": m.status,
                               "copies": m.copies} for m in after.materials],
            }))  # fmt: skip
            seq = write_messages(
                connection, case.id, receipt_no, loaded.outbox_seq, messages, at=now
            )
            rows.update_case(
                connection, case.id, state=state, accepted_at=now, updated_at=now,
                promised_date=due.day, form_data=form, commitment=commitment, outbox_seq=seq,
            )  # fmt: skip
            rows.update_items(connection, case.id, dispatched, state="dispatched",
                              dispatched_at=now)  # fmt: skip
            rows.update_materials(connection, case.id,
                                  {m: {"status": "on_commitment"} for m in promised})  # fmt: skip
            if self.after_accept is not None:
                self.after_accept(connection, after, catalog, now)
            append(connection, actor, action, case_id=case.id, receipt_no=receipt_no,
                   before={"state": case.state, "promised_date": case.promised_date},
                   after={"state": state, "promised_date": due.day, "dispatched": dispatched,
                          "commitment": commitment}, at=now)  # fmt: skip
            return after

    # -- helpers shared with the later stages (app.cases.service) -------------------------------
    def _plan(self, catalog: Catalog, scenario: str, answers: Mapping[str, Any] | None,
              facts: Mapping[str, Any] | None, items: Sequence[str] | None) -> Plan:  # fmt: skip
        plan = self._guides[catalog.meta.version].plan(scenario, answers or {}, facts or {}, items)
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
            for k, v in plan.answers.items() if v not in ((), None)
        }  # fmt: skip
        case.chosen_items = [i.id for i in plan.items]
        case.promised_days = plan.promised_days
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
            items.append(item)
        case.items = items
        kept = {m.material_id: m for m in case.materials}
        rows: list[CaseMaterialRow] = []
        for m in plan.materials:
            exempt = m.status in EXEMPT_PLAN_STATUSES
            reason = f"{m.status_label}：{m.reason}" if m.reason else m.status_label
            row = kept.pop(m.id, None) or CaseMaterialRow(
                material_id=m.id, status="exempt" if exempt else "missing",
                exempt_reason=reason if exempt else "",
            )  # fmt: skip
            row.name, row.plan_status, row.form, row.copies = m.name, m.status, m.form, m.copies
            rows.append(row)
        for row in kept.values():  # no longer needed, but scans are never thrown away
            if row.scans:
                row.plan_status = "not_needed"
                rows.append(row)
        case.materials = rows

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
            catalog.meta.version, case.scenario_code, case.chosen_items,
            json.dumps(case.answers, sort_keys=True, ensure_ascii=False),
        )  # fmt: skip
        fields = self._fields.get(key)
        if fields is None:
            guide = self._guides[catalog.meta.version]
            fields = guide.plan(case.scenario_code, case.answers, {}, case.chosen_items).fields
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
            m.name for m in materials
            if m.plan_status not in EXEMPT_PLAN_STATUSES | {"not_needed"}
            and m.status not in RECEIVED | {"exempt"} and m.material_id not in promised
        ]  # fmt: skip
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
                scans.append(StoredScan(
                    material.material_id, scan.sha256, scan.file_name,
                    stored.size if stored else 0,
                    stored.mime if stored else "application/octet-stream",
                ))  # fmt: skip
        for message in self._announcement(CaseView.of(case), scans):
            enqueue(session, case, message.kind, message.payload,
                    file_sha256=message.file_sha256, at=self.clock())  # fmt: skip

    def _announcement(self, case: CaseView, scans: Sequence[StoredScan]) -> list[NewMessage]:
        """The messages that tell the platform about a draft: the submission, then its files."""
        names = {m.material_id: m.name for m in case.materials}
        return [
            NewMessage("submission", self._payload(case)),
            *(self._file_message(case.receipt_no, names[s.material_id], s) for s in scans),
        ]

    @staticmethod
    def _file_message(receipt_no: str, name: str, scan: StoredScan) -> NewMessage:
        return NewMessage("material", {
            "receipt_no": receipt_no, "material": scan.material_id, "name": name,
            "sha256": scan.sha256, "file_name": scan.file_name, "mime": scan.mime,
            "size": scan.size,
        }, file_sha256=scan.sha256)  # fmt: skip

    @staticmethod
    def _payload(view: CaseView) -> dict[str, Any]:
        return {
            "receipt_no": view.receipt_no, "hall_code": view.hall_code, "channel": view.channel,
            "scenario": view.scenario_code, "catalog_version": view.catalog_version,
            "applicant": view.applicant, "agent": view.agent, "answers": view.answers,
            "items": [{"item": i.item_id, "code": i.code, "name": i.name,
                       "department": i.department, "needs": i.needs, "result": i.result}
                      for i in view.items],
            "form": view.form_data,
            "materials": [{"material": m.material_id, "name": m.name, "status": m.status,
                           "form": m.form, "copies": m.copies} for m in view.materials],
            "created_at": view.created_at,
        }  # fmt: skip

    def _load(self, connection: Connection, receipt_no: str, *, lock: bool) -> rows.LoadedCase:
        loaded = rows.load(connection, receipt_no.strip(), lock=lock)
        if loaded is None:
            raise self._not_found(receipt_no)
        return loaded

    def _case(self, session: Session, receipt_no: str, *, lock: bool = True) -> CaseRow:
        case = self._find(session, receipt_no, lock=lock)
        if case is None:
            raise self._not_found(receipt_no)
        return case

    def _find(self, session: Session, receipt_no: str, *, lock: bool = True) -> CaseRow | None:
        query = (
            select(CaseRow)
            .where(CaseRow.receipt_no == receipt_no.strip())
            .options(
                selectinload(CaseRow.items),
                selectinload(CaseRow.evaluations),
                selectinload(CaseRow.materials).selectinload(CaseMaterialRow.scans),
            )  # fmt: skip
        )
        if lock and self.db.dialect == "postgresql":
            query = query.with_for_update(of=CaseRow)
        return session.scalar(query)

    @staticmethod
    def _not_found(receipt_no: str) -> CaseNotFound:
        return CaseNotFound(
            f"没有找到受理编号为 {receipt_no} 的办件。",
            hint="请核对编号，或按身份证号、姓名查找。",
        )

    @staticmethod
    def _material(case: CaseRow, material_id: str) -> CaseMaterialRow:
        for row in case.materials:
            if row.material_id == material_id:
                return row
        raise InvalidInput(
            f"办件 {case.receipt_no} 没有材料“{material_id}”。", hint="请刷新材料清单后再试。"
        )

    def _version_gone(self, case: CaseRow | CaseView) -> CatalogVersionGone:
        return CatalogVersionGone(
            f"办件 {case.receipt_no} 是按事项目录 {case.catalog_version} 版引导的，"
            f"本终端已没有该版本（当前为 {self.catalog.meta.version} 版）。",
            hint="请按当前目录重新回答问卷、核对材料后再受理。",
        )


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
    if check.status not in (*RECEIVED, "exempt", "missing"):
        raise InvalidInput(
            f"材料状态“{check.status}”不对。", hint="请选择已收原件、已收复印件、免提交或未收取。"
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


def ready_items(items: Sequence[ItemView]) -> list[str]:
    """The waiting items whose needed results are all in (or not asked for): dispatch them now."""
    approved = {i.item_id for i in items if i.state == "approved"}
    chosen = {i.item_id for i in items}
    return [
        i.item_id for i in items
        if i.state == "waiting" and all(n in approved or n not in chosen for n in i.needs)
    ]  # fmt: skip
