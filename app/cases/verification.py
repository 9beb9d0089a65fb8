"""告知承诺制 verified afterwards (证明事项告知承诺制, 事后核查): a proof the catalog allows to be
replaced by the applicant's written commitment (``exemption.commitment``) is marked 告知承诺代替 at
the materials step; the case is accepted without it, and the department checks the commitment
afterwards, by a date (``exemption.verify_days`` working days after acceptance, else the hall's
``[verification] due_days``).

The check's outcome is recorded here — on the department's word at the hall, or as the platform
relays it:

- 属实 ``true``: nothing changes but the record.
- 不实 ``false``: the items that rested on the commitment lose their result (an approved item's
  result is revoked: 撤销), those still in the departments end (终止), and so do the items waiting
  for their results; the applicant gets a credit record (记入信用记录) with its number when the
  department gives one. The platform is told (a ``verification`` message).

The record is the case's ``verification``; the reports count it and the counter's 告知承诺核查 tab
lists the checks due, overdue first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app import roles
from app.calendar.workdays import WorkCalendar
from app.cases.audit import SYSTEM, Actor, append
from app.cases.outbox import enqueue
from app.cases.receipts import hall_day
from app.cases.repository import CaseRepository, item_of, snapshot
from app.cases.snapshots import CaseView
from app.cases.states import FINAL_ITEM_STATES
from app.catalog.models import Scenario
from app.db.models import CaseRow
from app.errors import InvalidInput, InvalidTransition
from app.identity.masking import mask_name

OUTCOMES = {"true": "承诺属实", "false": "承诺不实"}
STATUS_WORDS = {"pending": "待核查", "true": "核查属实", "false": "承诺不实"}
DEFAULT_DAYS = 20  # working days; the hall's [verification] due_days
MAX_NOTE = 200
SOON_DAYS = 5


def committed_record(
    case: CaseView,
    scenario: Scenario | None,
    calendar: WorkCalendar,
    *,
    accepted_on: date,
    default_days: int,
    accepted_by: str,
) -> dict[str, Any] | None:
    """What acceptance stores when proofs were replaced by the applicant's commitment: which,
    the items resting on them, and the date the department checks by; None when none was."""
    committed = [m for m in case.materials if m.status == "committed"]
    if not committed:
        return None
    ids = [m.material_id for m in committed]
    rules = {m.id: m for m in scenario.materials} if scenario else {}
    days = max(
        (rules[i].exemption.verify_days or default_days) if i in rules else default_days
        for i in ids
    )
    chosen = {i.item_id for i in case.items}
    resting = scenario.items_needing(ids) if scenario else tuple(chosen)
    return {
        "materials": ids,
        "names": [m.name for m in committed],
        "items": [i for i in resting if i in chosen],
        "due_date": calendar.add_working_days(accepted_on, days).day.isoformat(),
        "status": "pending",
        "accepted_by": accepted_by,
    }


def check_outcome(outcome: str, checked_on: date, today: date, department: str, note: str) -> None:
    """Every refusal in Chinese, saying what to change; nothing is stored when one applies."""
    if outcome not in OUTCOMES:
        raise InvalidInput(
            f"核查结果“{outcome}”不对。", hint=f"可选：{'、'.join(OUTCOMES.values())}。"
        )
    if checked_on > today:
        raise InvalidInput(
            f"核查日期 {checked_on:%Y-%m-%d} 晚于今天。", hint="请填写部门实际核查的日期。"
        )
    if not department.strip():
        raise InvalidInput("请写明作出核查的部门。", hint="例如“长沙市岳麓区民政局”。")
    if len(note) > MAX_NOTE:
        raise InvalidInput(
            f"说明最多 {MAX_NOTE} 字，现在 {len(note)} 字。", hint="请精简后再保存。"
        )
    if outcome == "false" and not note.strip():
        raise InvalidInput(
            "承诺不实须写明核查发现的情况。",
            hint="例如“经婚姻登记系统核查，申请人婚姻状况与承诺不符”。",
        )


Terminate = Callable[[CaseRow, Any, datetime], list[str]]


class Verifying:
    """Records the department's check of a commitment, with its consequences, audit entry and
    platform message."""

    def __init__(
        self,
        repository: CaseRepository,
        *,
        clock: Callable[[], datetime],
        terminate_dependents: Terminate,
    ) -> None:
        self.repository = repository
        self.clock = clock
        self.terminate_dependents = terminate_dependents

    def record(
        self,
        actor: Actor,
        receipt_no: str,
        *,
        outcome: str,
        checked_on: date,
        department: str,
        note: str = "",
        credit_no: str = "",
    ) -> CaseView:
        if actor.name != SYSTEM:
            roles.require(self.repository.db, actor, "verification.record", receipt_no=receipt_no)
        now = self.clock()
        note, department, credit_no = note.strip(), department.strip(), credit_no.strip()
        check_outcome(outcome, checked_on, hall_day(now), department, note)
        with self.repository.change(receipt_no, "verify") as (session, case):
            record = dict(case.verification or {})
            if not record:
                raise InvalidTransition(
                    f"办件 {receipt_no} 没有以告知承诺代替的材料，无需核查。",
                    hint="只有受理时登记了“告知承诺代替”的办件需要登记核查结果。",
                )
            if record.get("status") != "pending":
                raise InvalidTransition(
                    f"办件 {receipt_no} 的告知承诺已登记核查结果"
                    f"（{STATUS_WORDS.get(str(record.get('status')), '')}）。",
                    hint="核查结果只登记一次；登记有误请联系管理员更正。",
                )
            before = {**snapshot(case), "verification": record.get("status")}
            revoked: list[str] = []
            ended: list[str] = []
            if outcome == "false":
                reason = f"告知承诺不实（{department} {checked_on:%Y-%m-%d} 核查）：{note}"
                for item in case.items:
                    if item.item_id not in record.get("items", []):
                        continue
                    if item.state == "approved":
                        item.decision = {
                            **(item.decision or {}),
                            "revoked": {"at": now.isoformat(), "reason": reason},
                        }
                        revoked.append(item.item_id)
                    elif item.state not in FINAL_ITEM_STATES:
                        item.state, item.decided_at = "terminated", now
                        item.decision = {
                            "approved": False,
                            "opinion": reason,
                            "result_name": "",
                            "result_no": "",
                            "by": actor.name,
                        }
                        ended.append(item.item_id)
                for item_id in [*revoked, *ended]:
                    ended += self.terminate_dependents(case, item_of(case, item_id), now)
                if case.state in ("accepted", "accepted_on_commitment") and all(
                    i.state in FINAL_ITEM_STATES for i in case.items
                ):
                    case.state, case.completed_at = "completed", now
            record.update(
                status=outcome,
                outcome=OUTCOMES[outcome],
                checked_on=checked_on.isoformat(),
                department=department,
                note=note,
                revoked=revoked,
                terminated=ended,
                credit_recorded=outcome == "false",
                credit_no=credit_no if outcome == "false" else "",
                recorded_at=now.isoformat(),
                recorded_by=actor.name,
            )
            case.verification = record
            case.updated_at = now
            append(
                session,
                actor,
                "verify",
                case_id=case.id,
                receipt_no=receipt_no,
                before=before,
                after={**snapshot(case), "verification": outcome, "revoked": revoked,
                       "terminated": ended},
                at=now,
            )  # fmt: skip
            enqueue(session, case, "verification", verification_message(case), at=now)
            return CaseView.of(case)


def verification_message(case: CaseRow) -> dict[str, Any]:
    """The check as the platform gets it (the department's note, not the applicant's words)."""
    record = case.verification or {}
    return {
        "receipt_no": case.receipt_no,
        "outcome": record.get("status"),
        "checked_on": record.get("checked_on"),
        "department": record.get("department", ""),
        "note": record.get("note", ""),
        "materials": list(record.get("materials", [])),
        "revoked": list(record.get("revoked", [])),
        "terminated": list(record.get("terminated", [])),
        "credit_no": record.get("credit_no", ""),
        "state": case.state,
        "at": record.get("recorded_at"),
    }


@dataclass(frozen=True)
class VerificationDue:
    """A commitment the department still has to check, with what it concerns."""

    receipt_no: str
    scenario_name: str
    applicant_name: str
    materials: tuple[str, ...]
    items: tuple[str, ...]
    departments: tuple[str, ...]
    due_date: date
    days_left: int

    @property
    def standing(self) -> str:
        if self.days_left < 0:
            return "overdue"
        return "due_soon" if self.days_left <= SOON_DAYS else "later"

    @property
    def when_words(self) -> str:
        if self.days_left < 0:
            return f"超过核查期限 {-self.days_left} 天"
        return "今天到期" if self.days_left == 0 else f"还有 {self.days_left} 天"

    def to_dict(self) -> dict[str, Any]:
        """For ``--json``: the applicant's name masked, as on the screen."""
        return {
            "receipt_no": self.receipt_no,
            "scenario": self.scenario_name,
            "applicant": mask_name(self.applicant_name),
            "materials": list(self.materials),
            "items": list(self.items),
            "departments": list(self.departments),
            "due_date": self.due_date.isoformat(),
            "days_left": self.days_left,
            "standing": self.standing,
        }


class Verifications:
    """The checks still to be made, overdue first: for the counter's tab and the CLI."""

    def __init__(self, repository: CaseRepository, *, clock: Callable[[], datetime]) -> None:
        self.repository = repository
        self.clock = clock

    def due(self, *, today: date | None = None) -> list[VerificationDue]:
        today = today or hall_day(self.clock())
        status = CaseRow.verification["status"].as_string()
        query = (
            select(CaseRow)
            .where(status == "pending", CaseRow.state.not_in(("withdrawn",)))
            .order_by(CaseRow.accepted_at)
        )
        found = []
        with self.repository.db.read() as session:
            for row in session.scalars(query):
                record = row.verification or {}
                due = date.fromisoformat(str(record.get("due_date")))
                resting = [i for i in row.items if i.item_id in record.get("items", [])]
                found.append(
                    VerificationDue(
                        row.receipt_no,
                        row.scenario_name,
                        row.applicant_name,
                        tuple(_names(row, record)),
                        tuple(i.name for i in resting),
                        tuple(dict.fromkeys(i.department for i in resting)),
                        due,
                        (due - today).days,
                    )
                )
        return sorted(found, key=lambda d: (d.due_date, d.receipt_no))


def _names(row: CaseRow, record: dict[str, Any]) -> Sequence[str]:
    ids = record.get("materials", [])
    return [m.name for m in row.materials if m.material_id in ids]


def verification_words(record: dict[str, Any]) -> str:
    """Where a commitment's check stands, for 查询办件: what it replaced and by when it is
    checked, or what the check found and what followed."""
    names = "、".join(record.get("names") or record.get("materials") or [])
    status = str(record.get("status"))
    if status == "pending":
        return f"{names}以承诺代替，待部门核查（{record.get('due_date', '')} 前）"
    found = (
        f"{record.get('department', '')} {record.get('checked_on', '')} 核查："
        f"{OUTCOMES.get(status, '')}"
    )
    if status != "false":
        return found
    after = []
    if record.get("revoked"):
        after.append(f"撤销 {len(record['revoked'])} 项办理结果")
    if record.get("terminated"):
        after.append(f"终止 {len(record['terminated'])} 项事项")
    credit = record.get("credit_no") or ""
    after.append("记入信用记录" + (f"（{credit}）" if credit else ""))
    return f"{found}；{'，'.join(after)}"
