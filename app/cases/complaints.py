"""差评 work items (国办发〔2019〕51号 and local rules): every rating of level 1 or 2 is called
back, verified, rectified or appealed, and closed with feedback to the citizen by a deadline.

**Opening.** A 差评 opens its work item in the rating's own transaction (:meth:`Complaints.rated`,
run by :meth:`CaseService.evaluate <app.cases.service.CaseService.evaluate>`), due
``complaint_deadline_days`` working days (:class:`~app.settings.EvaluationSettings`) after the
hall-local day of the rating, counted by the same :class:`WorkCalendar` as every promised date.
A follow-up rating (追评) of a stage that has a work item is recorded on the newest one as its
``re_rating``, even when that one is closed: it is the citizen's word, not a handling step. A
follow-up 差评 opens a new item when no item of that stage is still open.

**Steps and their rules** (:func:`refusal`; each with a note, who and when):

- ``call_back`` 回访, any time: reached or not, and what the citizen said;
- ``verify`` 核实: justified or not; may be repeated (the latest counts) until an appeal is made;
- ``rectify`` 整改: needs the latest finding "justified" or a rejected appeal, not while an
  appeal waits;
- ``appeal`` 申诉 against a mistaken or malicious rating: needs the latest finding "not
  justified", once per item;
- ``appeal_decided`` 申诉裁定: needs a waiting appeal; upheld, the item's outcome is
  "appeal_upheld" at once and the rating leaves the evaluation statistics
  (:mod:`app.reports.evaluations`);
- ``close`` 办结, its note the feedback given to the citizen: needs a call back (an unreachable
  citizen too, but the attempt is on record), no waiting appeal, and a rectification or an
  upheld appeal. Nothing but the citizen's re-rating is recorded after it.

Handling needs the permission ``complaint.handle`` (:mod:`app.roles`); every step writes its
audit entry in its own transaction. Reads return plain frozen data, never ORM rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from app.calendar.workdays import DueDate, WorkCalendar
from app.cases.audit import Actor, append
from app.cases.evaluation import POOR_LEVELS
from app.cases.receipts import hall_day
from app.cases.snapshots import LEVEL_LABELS
from app.db.base import utcnow
from app.db.engine import Database
from app.db.models import CaseRow, ComplaintRow, ComplaintStepRow, EvaluationRow
from app.errors import CaseNotFound, InvalidInput, InvalidTransition
from app.roles import require
from app.settings import EvaluationSettings

STEP_LABELS = {
    "call_back": "回访",
    "verify": "核实",
    "rectify": "整改",
    "re_rating": "重新评价",
    "appeal": "申诉",
    "appeal_decided": "申诉裁定",
    "close": "办结",
}
HANDLING = ("call_back", "verify", "rectify", "appeal", "appeal_decided", "close")
FINDINGS = {"justified": "属实", "not_justified": "不属实"}
GROUNDS = {"mistaken": "误评", "malicious": "恶意差评"}
STATE_LABELS = {"open": "处理中", "closed": "已办结"}
OUTCOME_LABELS = {"": "", "rectified": "已整改", "appeal_upheld": "申诉成立，不计入评价统计"}
STAGE_LABELS = {"accept": "受理", "complete": "办结"}
MAX_NOTE = 500
# The choice a step records besides its note (a screen offers these): the value's name and the
# values with their words.
STEP_CHOICES: dict[str, tuple[str, tuple[tuple[Any, str], ...]]] = {
    "call_back": ("reached", ((True, "已联系上"), (False, "未联系上"))),
    "verify": ("finding", tuple(FINDINGS.items())),
    "appeal": ("grounds", tuple(GROUNDS.items())),
    "appeal_decided": ("upheld", ((True, "申诉成立"), (False, "申诉不成立"))),
}
CHOICE_QUESTIONS = {
    "call_back": "是否联系上群众",
    "verify": "核实结论",
    "appeal": "申诉理由",
    "appeal_decided": "申诉是否成立",
}
NOTE_HINTS = {
    "call_back": "请写明群众的意见，联系不上时写明联系的时间和方式。",
    "verify": "请写明核实了什么、结论的依据。",
    "rectify": "请写明采取了哪些整改措施。",
    "appeal": "请写明申诉的事实和依据。",
    "appeal_decided": "请写明裁定机关和裁定意见。",
    "close": "请写明反馈给群众的处理结果。",
}


@dataclass(frozen=True)
class Step:
    kind: str
    actor: str
    terminal: str
    at: datetime
    note: str
    data: dict[str, Any]

    @property
    def label(self) -> str:
        return STEP_LABELS[self.kind]

    @property
    def summary(self) -> str:
        """What the step decided, in words ("" when only its note says it)."""
        if self.kind == "re_rating":
            level, before = int(self.data.get("level", 0)), int(self.data.get("previous", 0))
            return f"{LEVEL_LABELS.get(level, '')}（原为{LEVEL_LABELS.get(before, '')}）"
        if self.kind not in STEP_CHOICES:
            return ""
        name, choices = STEP_CHOICES[self.kind]
        words: dict[Any, str] = dict(choices)
        return words.get(self.data.get(name), "")


@dataclass(frozen=True)
class Complaint:
    """A 差评 work item with its steps, oldest first. The applicant's name and phone are for the
    call back; show them only to those who handle complaints."""

    id: int
    receipt_no: str
    scenario_name: str
    clerk: str
    applicant_name: str
    applicant_phone: str
    stage: str
    level: int
    channel: str
    rating_text: str
    reasons: tuple[str, ...]
    opened_at: datetime
    due_date: date
    due_warning: str  # the calendar does not know a year of the deadline yet
    state: str
    outcome: str
    closed_at: datetime | None
    closed_by: str
    steps: tuple[Step, ...]

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def stage_label(self) -> str:
        return STAGE_LABELS.get(self.stage, self.stage)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    def overdue(self, today: date) -> bool:
        """Still open after its deadline (on the due day itself it is still in time)."""
        return self.state == "open" and today > self.due_date

    @property
    def closed_late(self) -> bool:
        return self.closed_at is not None and hall_day(self.closed_at) > self.due_date

    @property
    def finding(self) -> str | None:
        """The latest verification's finding, if any."""
        found = [s.data.get("finding") for s in self.steps if s.kind == "verify"]
        return str(found[-1]) if found else None

    @property
    def appeal(self) -> str:
        """none | waiting | upheld | rejected."""
        kinds = [s for s in self.steps if s.kind in ("appeal", "appeal_decided")]
        if not kinds:
            return "none"
        last = kinds[-1]
        if last.kind == "appeal":
            return "waiting"
        return "upheld" if last.data.get("upheld") else "rejected"

    @property
    def called_back(self) -> bool:
        return any(s.kind == "call_back" for s in self.steps)

    @property
    def rectified(self) -> bool:
        return any(s.kind == "rectify" for s in self.steps)

    @property
    def next_steps(self) -> tuple[str, ...]:
        """The handling steps the rules allow now (for the buttons a screen offers)."""
        return tuple(kind for kind in HANDLING if refusal(kind, self) is None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "receipt_no": self.receipt_no,
            "scenario": self.scenario_name,
            "clerk": self.clerk,
            "applicant": self.applicant_name,
            "phone": self.applicant_phone,
            "stage": self.stage,
            "level": self.level,
            "level_label": self.level_label,
            "channel": self.channel,
            "rating_text": self.rating_text,
            "reasons": list(self.reasons),
            "opened_at": self.opened_at.isoformat(),
            "due_date": self.due_date.isoformat(),
            "due_warning": self.due_warning,
            "state": self.state,
            "outcome": self.outcome,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "closed_by": self.closed_by,
            "next_steps": list(self.next_steps),
            "steps": [
                {
                    "kind": s.kind,
                    "label": s.label,
                    "summary": s.summary,
                    "actor": s.actor,
                    "terminal": s.terminal,
                    "at": s.at.isoformat(),
                    "note": s.note,
                    "data": s.data,
                }
                for s in self.steps
            ],
        }


def refusal(kind: str, item: Complaint) -> InvalidTransition | None:
    """Why the handling step ``kind`` cannot be recorded on ``item`` now (None: it can); the rules
    are in the module's docstring."""
    label = STEP_LABELS[kind]
    if item.state == "closed":
        return InvalidTransition(
            f"差评工单 {item.id} 已经办结，不能再登记{label}。",
            hint="群众追评仍不满意时，系统会自动新开一张工单。",
        )
    appeal, finding = item.appeal, item.finding
    if kind == "verify" and appeal != "none":
        return InvalidTransition(
            "已经提出申诉，核实结论不能再改。", hint="请按申诉裁定结果继续办理。"
        )
    if kind == "rectify":
        if appeal == "waiting":
            return InvalidTransition(
                "申诉还没有裁定，现在不能登记整改。", hint="请先登记申诉裁定结果。"
            )
        if appeal == "upheld":
            return InvalidTransition(
                "申诉已成立，这条差评不计入统计，无需整改。", hint="请回访群众后登记办结。"
            )
        if appeal == "none" and finding is None:
            return InvalidTransition("还没有核实，不能登记整改。", hint="请先登记核实结论。")
        if appeal == "none" and finding == "not_justified":
            return InvalidTransition(
                "核实结论为差评不属实，无需整改。",
                hint="属误评或恶意差评的请登记申诉；重新核实后属实的，请先再登记一次核实。",
            )
    if kind == "appeal":
        if appeal != "none":
            return InvalidTransition("这张工单已经申诉过，每张工单只能申诉一次。")
        if finding != "not_justified":
            return InvalidTransition(
                "只有核实为不属实的差评才能申诉。",
                hint="请先登记核实结论。" if finding is None else "核实属实的差评请登记整改。",
            )
    if kind == "appeal_decided" and appeal != "waiting":
        return InvalidTransition(
            "没有待裁定的申诉。",
            hint="请先登记申诉。" if appeal == "none" else "申诉已经裁定过，请继续办理。",
        )
    if kind == "close":
        if not item.called_back:
            return InvalidTransition(
                "办结前必须回访群众。", hint="请先登记回访（联系不上也要登记）。"
            )
        if appeal == "waiting":
            return InvalidTransition("申诉还没有裁定，不能办结。", hint="请先登记申诉裁定结果。")
        if not item.rectified and appeal != "upheld":
            return InvalidTransition(
                "还没有整改，不能办结。", hint="请先登记整改情况；差评不属实的，请先申诉。"
            )
    return None


def _checked_data(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The step's choice (:data:`STEP_CHOICES`), which it must have, and nothing else."""
    label = STEP_LABELS[kind]
    name, choices = STEP_CHOICES.get(kind, ("", ()))
    unknown = sorted(set(data) - {name})
    if unknown:
        raise InvalidInput(
            f"登记{label}时不需要填写 {'、'.join(unknown)}。", hint="请只填写这一步要求的内容。"
        )
    if not name:
        return {}
    value = data.get(name)
    if not any(type(value) is type(v) and value == v for v, _ in choices):
        words = "或".join(w for _, w in choices)
        raise InvalidInput(
            f"登记{label}时请说明{CHOICE_QUESTIONS[kind]}。", hint=f"请选择{words}。"
        )
    return {name: value}


def _checked_note(kind: str, note: str) -> str:
    text = note.strip()
    if not text:
        raise InvalidInput(f"登记{STEP_LABELS[kind]}时必须填写说明。", hint=NOTE_HINTS[kind])
    if len(text) > MAX_NOTE:
        raise InvalidInput(
            f"说明最多 {MAX_NOTE} 字，现在有 {len(text)} 字。", hint="请删减后再登记。"
        )
    return text


def _query() -> Select[ComplaintRow]:
    return select(ComplaintRow).options(
        selectinload(ComplaintRow.steps),
        selectinload(ComplaintRow.case),
        selectinload(ComplaintRow.evaluation),
    )


class Complaints:
    def __init__(
        self,
        db: Database,
        calendar: WorkCalendar,
        settings: EvaluationSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.calendar = calendar
        self.settings = settings
        self.clock = clock

    # -- in the rating's transaction (CaseService.after_evaluate) --------------------------------
    def rated(self, session: Session, actor: Actor, case: CaseRow, rating: EvaluationRow) -> None:
        """A rating was given: a 差评 opens a work item, a follow-up is the newest item's
        re-rating (see the module)."""
        session.flush()  # the rating's id
        if rating.round == "follow_up":
            latest = session.scalars(
                select(ComplaintRow)
                .where(ComplaintRow.case_id == case.id, ComplaintRow.stage == rating.stage)
                .order_by(ComplaintRow.id.desc())
                .limit(1)
            ).first()
            if latest is not None:
                data = {"level": rating.level, "previous": latest.level, "rating": rating.id}
                self._record(
                    session,
                    actor,
                    latest,
                    "re_rating",
                    note=rating.text,
                    data=data,
                    at=rating.created_at,
                )
                if latest.state == "open":
                    return
        if rating.level not in POOR_LEVELS:
            return
        due = self.calendar.add_working_days(
            hall_day(rating.created_at), self.settings.complaint_deadline_days
        )
        row = ComplaintRow(
            case_id=case.id,
            evaluation_id=rating.id,
            receipt_no=case.receipt_no,
            stage=rating.stage,
            level=rating.level,
            opened_at=rating.created_at,
            due_date=due.day,
            state="open",
            outcome="",
            closed_by="",
        )
        session.add(row)
        session.flush()
        append(
            session,
            actor,
            "complaint_open",
            case_id=case.id,
            receipt_no=case.receipt_no,
            after={
                "complaint": row.id,
                "stage": rating.stage,
                "level": rating.level,
                "due_date": due.day,
                "calendar_warning": due.warning,
            },
            at=rating.created_at,
        )

    # -- handling --------------------------------------------------------------------------------
    def step(self, actor: Actor, complaint_id: int, kind: str, note: str, **data: Any) -> Complaint:
        """Record a handling step (see the module for the rules); returns the item after it."""
        kind = kind.strip()
        if kind == "re_rating":
            raise InvalidInput(
                "重新评价由群众本人追评时自动记录，不能手工登记。",
                hint="请请群众通过评价器、二维码或短信追评。",
            )
        if kind not in HANDLING:
            choices = "、".join(f"{k}（{STEP_LABELS[k]}）" for k in HANDLING)
            raise InvalidInput(f"没有“{kind}”这种处理步骤。", hint=f"可选：{choices}。")
        with self.db.read() as session:
            owner = session.execute(
                select(ComplaintRow.case_id, ComplaintRow.receipt_no).where(
                    ComplaintRow.id == complaint_id
                )
            ).first()
        if owner is None:
            raise self._missing(complaint_id)
        require(
            self.db, actor, "complaint.handle", receipt_no=owner.receipt_no, case_id=owner.case_id
        )
        checked = _checked_data(kind, data)
        text = _checked_note(kind, note)
        now = self.clock()
        with self.db.transaction() as session:
            query = select(ComplaintRow).where(ComplaintRow.id == complaint_id)
            if self.db.dialect == "postgresql":
                query = query.with_for_update()
            row = session.scalars(query).one()
            problem = refusal(kind, self._view(row))
            if problem is not None:
                raise problem
            self._record(session, actor, row, kind, note=text, data=checked, at=now)
            return self._view(row)

    def _record(
        self,
        session: Session,
        actor: Actor,
        row: ComplaintRow,
        kind: str,
        *,
        note: str,
        data: dict[str, Any],
        at: datetime,
    ) -> None:
        before = {"state": row.state, "outcome": row.outcome}
        row.steps.append(
            ComplaintStepRow(
                kind=kind, actor=actor.name, terminal=actor.terminal, at=at, note=note, data=data
            )
        )
        if kind == "appeal_decided" and data["upheld"]:
            row.outcome = "appeal_upheld"
        if kind == "close":
            row.state, row.closed_at, row.closed_by = "closed", at, actor.name
            row.outcome = row.outcome or "rectified"
        session.flush()
        append(
            session,
            actor,
            "complaint_step",
            case_id=row.case_id,
            receipt_no=row.receipt_no,
            before=before,
            after={
                "complaint": row.id,
                "kind": kind,
                "note": note,
                **data,
                "state": row.state,
                "outcome": row.outcome,
            },
            at=at,
        )

    # -- reading ---------------------------------------------------------------------------------
    def get(self, complaint_id: int) -> Complaint:
        with self.db.read() as session:
            row = session.scalars(_query().where(ComplaintRow.id == complaint_id)).first()
            if row is None:
                raise self._missing(complaint_id)
            return self._view(row)

    def open_items(self) -> list[Complaint]:
        """Open work items, the earliest deadline first."""
        return self._list(_query().where(ComplaintRow.state == "open"))

    def overdue(self, today: date) -> list[Complaint]:
        """Open work items past their deadline on ``today`` (hall-local), the oldest first."""
        return self._list(
            _query().where(ComplaintRow.state == "open", ComplaintRow.due_date < today)
        )

    def of_case(self, receipt_no: str) -> list[Complaint]:
        """Every work item of a case, open and closed, oldest first."""
        with self.db.read() as session:
            case_id = session.scalar(
                select(CaseRow.id).where(CaseRow.receipt_no == receipt_no.strip())
            )
        if case_id is None:
            raise CaseNotFound(
                f"没有受理编号为 {receipt_no.strip()} 的办件。", hint="请核对凭证上的编号。"
            )
        return self._list(_query().where(ComplaintRow.case_id == case_id), by_deadline=False)

    def _list(self, query: Select[ComplaintRow], *, by_deadline: bool = True) -> list[Complaint]:
        order = (ComplaintRow.due_date, ComplaintRow.opened_at) if by_deadline else ()
        with self.db.read() as session:
            rows = session.scalars(query.order_by(*order, ComplaintRow.id))
            return [self._view(row) for row in rows]

    def _view(self, row: ComplaintRow) -> Complaint:
        case, rating = row.case, row.evaluation
        years = {hall_day(row.opened_at).year, row.due_date.year}
        unknown = tuple(sorted(y for y in years if not self.calendar.covers(y)))
        steps = tuple(
            Step(s.kind, s.actor, s.terminal, s.at, s.note, dict(s.data)) for s in row.steps
        )
        return Complaint(
            row.id,
            row.receipt_no,
            case.scenario_name,
            case.clerk,
            case.applicant_name,
            case.applicant_phone,
            row.stage,
            row.level,
            rating.channel,
            rating.text,
            tuple(rating.reasons),
            row.opened_at,
            row.due_date,
            DueDate(row.due_date, unknown).warning,
            row.state,
            row.outcome,
            row.closed_at,
            row.closed_by,
            steps,
        )

    @staticmethod
    def _missing(complaint_id: int) -> InvalidInput:
        return InvalidInput(
            f"没有编号为 {complaint_id} 的差评工单。", hint="请在差评工单列表中核对编号。"
        )
