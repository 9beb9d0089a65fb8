"""Snapshots of a case: the frozen plain data a screen, a printer or the sender gets about a case,
never a live ORM row. A class named ``…View`` here is such a snapshot (a read-only view of the
stored case), not a widget."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any

from app.cases.states import (
    CASE_STATE_LABELS,
    ITEM_STATE_LABELS,
    MATERIAL_STATE_LABELS,
    MISSING_CHECKED,
)
from app.db.models import AuditEntry, CaseRow

LEVEL_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


@dataclass(frozen=True)
class Party:
    """An applicant (a person or an enterprise) or an agent (代办人)."""

    name: str
    id_number: str
    kind: str = "person"  # person | enterprise
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class ScanView:
    sha256: str
    file_name: str
    pages: int
    added_at: datetime


def material_label(status: str, checked_at: datetime | None) -> str:
    """未收取 until a clerk looks; 缺 once a clerk recorded that the applicant has not got it."""
    return MISSING_CHECKED if status == "missing" and checked_at else MATERIAL_STATE_LABELS[status]


@dataclass(frozen=True)
class MaterialView:
    material_id: str
    name: str
    plan_status: str
    status: str
    status_label: str
    exempt_reason: str
    form: str
    copies: int
    reviewed: tuple[str, ...]
    received_at: datetime | None
    returned_at: datetime | None
    scans: tuple[ScanView, ...]
    checked_at: datetime | None = None  # None: nobody has recorded it yet

    @classmethod
    def of(cls, row: Any, scans: tuple[ScanView, ...] | None = None) -> MaterialView:
        """From a :class:`CaseMaterialRow`, or a plain row of its table with ``scans`` given."""
        if scans is None:
            scans = tuple(ScanView(s.sha256, s.file_name, s.pages, s.added_at) for s in row.scans)
        return cls(
            row.material_id,
            row.name,
            row.plan_status,
            row.status,
            material_label(row.status, row.checked_at),
            row.exempt_reason,
            row.form,
            row.copies,
            tuple(row.reviewed),
            row.received_at,
            row.returned_at,
            scans,
            row.checked_at,
        )

    def moved(self, status: str) -> MaterialView:
        return replace(self, status=status, status_label=MATERIAL_STATE_LABELS[status])


@dataclass(frozen=True)
class ItemView:
    item_id: str
    code: str
    name: str
    department: str
    result: str
    stage: int
    needs: tuple[str, ...]
    state: str
    state_label: str
    promised_days: int
    dispatched_at: datetime | None
    decided_at: datetime | None
    decision: dict[str, Any] | None
    calendar_days: int = 0  # waiting periods in calendar days on top of promised_days

    @classmethod
    def of(cls, row: Any) -> ItemView:
        """From a :class:`CaseItemRow` or a plain row of its table."""
        return cls(
            row.item_id,
            row.code,
            row.name,
            row.department,
            row.result,
            row.stage,
            tuple(row.needs),
            row.state,
            ITEM_STATE_LABELS[row.state],
            row.promised_days,
            row.dispatched_at,
            row.decided_at,
            dict(row.decision) if row.decision else None,
            row.calendar_days,
        )

    def moved(self, state: str, **changes: Any) -> ItemView:
        return replace(self, state=state, state_label=ITEM_STATE_LABELS[state], **changes)


@dataclass(frozen=True)
class EvaluationView:
    stage: str
    round: str
    level: int
    level_label: str
    channel: str
    text: str
    created_at: datetime
    reasons: tuple[str, ...] = ()  # chosen from the options of the level
    reasons_version: str = ""  # the option set's version ("" before there were options)

    @classmethod
    def of(cls, row: Any) -> EvaluationView:
        """From an :class:`EvaluationRow` or a plain row of its table."""
        return cls(
            row.stage,
            row.round,
            row.level,
            LEVEL_LABELS[row.level],
            row.channel,
            row.text,
            row.created_at,
            tuple(row.reasons or ()),
            row.reasons_version or "",
        )


@dataclass(frozen=True)
class CaseView:
    id: int
    receipt_no: str
    hall_code: str
    channel: str
    state: str
    state_label: str
    scenario_code: str
    scenario_name: str
    catalog_version: str
    platform_no: str
    applicant: Party
    agent: Party | None
    answers: dict[str, Any]
    chosen_items: tuple[str, ...]
    form_data: dict[str, str]
    promised_days: int
    promised_date: date | None
    clerk: str
    terminal: str
    created_at: datetime
    accepted_at: datetime | None
    completed_at: datetime | None
    delivered_at: datetime | None
    closed_at: datetime | None
    not_accepted: dict[str, Any] | None
    commitment: dict[str, Any] | None
    delivery: dict[str, Any] | None
    withdrawal: dict[str, Any] | None
    items: tuple[ItemView, ...]
    materials: tuple[MaterialView, ...]
    evaluations: tuple[EvaluationView, ...]
    results_at_window: datetime | None = None  # 结果已到窗口: checked in by the back office
    # Its personal data and scans cleared after the hall's retention period (app.cases.retention)
    purged_at: datetime | None = None
    promised_calendar_days: int = 0  # waiting periods in calendar days on top of promised_days
    assistance: dict[str, Any] | None = None  # 帮办代办 and special groups (app.cases.assistance)
    verification: dict[str, Any] | None = None  # 告知承诺制 and its check (app.cases.verification)

    @property
    def promise_words(self) -> str:
        """ "10 个工作日" / "10 个工作日另加 20 个自然日"."""
        extra = (
            f"另加 {self.promised_calendar_days} 个自然日" if self.promised_calendar_days else ""
        )
        return f"{self.promised_days} 个工作日{extra}"

    def material(self, material_id: str) -> MaterialView:
        return next(m for m in self.materials if m.material_id == material_id)

    def item(self, item_id: str) -> ItemView:
        return next(i for i in self.items if i.item_id == item_id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def moved(self, state: str, **changes: Any) -> CaseView:
        return replace(self, state=state, state_label=CASE_STATE_LABELS[state], **changes)

    @classmethod
    def of(cls, row: CaseRow) -> CaseView:
        return cls.build(
            row,
            tuple(ItemView.of(i) for i in row.items),
            tuple(MaterialView.of(m) for m in row.materials),
            tuple(EvaluationView.of(e) for e in row.evaluations),
        )

    @classmethod
    def build(
        cls,
        row: Any,
        items: tuple[ItemView, ...],
        materials: tuple[MaterialView, ...],
        evaluations: tuple[EvaluationView, ...],
    ) -> CaseView:
        """From a :class:`CaseRow` or a plain row of its table, and the views of its children."""
        agent = (
            Party(row.agent_name, row.agent_id_number, "person", row.agent_phone)
            if row.agent_name
            else None
        )
        return cls(
            row.id,
            row.receipt_no,
            row.hall_code,
            row.channel,
            row.state,
            CASE_STATE_LABELS[row.state],
            row.scenario_code,
            row.scenario_name,
            row.catalog_version,
            row.platform_no,
            Party(
                row.applicant_name,
                row.applicant_id_number,
                row.applicant_kind,
                row.applicant_phone,
                row.applicant_address,
            ),
            agent,
            dict(row.answers),
            tuple(row.chosen_items),
            dict(row.form_data),
            row.promised_days,
            row.promised_date,
            row.clerk,
            row.terminal,
            row.created_at,
            row.accepted_at,
            row.completed_at,
            row.delivered_at,
            row.closed_at,
            row.not_accepted,
            row.commitment,
            row.delivery,
            row.withdrawal,
            items,
            materials,
            evaluations,
            row.results_at_window,
            row.purged_at,
            row.promised_calendar_days,
            row.assistance,
            row.verification,
        )


@dataclass(frozen=True)
class CaseSummary:
    """A row of a search result list."""

    receipt_no: str
    state: str
    state_label: str
    scenario_name: str
    applicant_name: str
    applicant_id_number: str
    applicant_phone: str
    created_at: datetime
    promised_date: date | None
    terminal: str

    @classmethod
    def of(cls, row: CaseRow) -> CaseSummary:
        return cls(
            row.receipt_no,
            row.state,
            CASE_STATE_LABELS[row.state],
            row.scenario_name,
            row.applicant_name,
            row.applicant_id_number,
            row.applicant_phone,
            row.created_at,
            row.promised_date,
            row.terminal,
        )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    actor: str
    terminal: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of(cls, row: AuditEntry) -> TimelineEntry:
        return cls(row.at, row.actor, row.terminal, row.action, row.before, row.after)
