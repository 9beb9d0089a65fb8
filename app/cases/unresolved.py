"""办不成事 反映 (国办发〔2025〕24号 (九); 一网通办 7.3): a window, a kiosk or the 12345 hotline
takes a report that someone could not get a matter done — who, which scenario, item or
department, what went wrong — and the hall answers it by a deadline: urgent within 2 hours,
ordinary within 24 (clock hours: a person is waiting, whatever the day).

**Steps** (each with a note, who and when; the record's ``steps``):

- ``assign`` 交办: to a department or a person (may be repeated: the latest counts);
- ``call_back`` 回访: the person reached or not, and what they said; the first answers the report
  (``answered_at``: the time the reports measure);
- ``order`` 12345 工单: the hotline's work-order number, when the report came from it or was
  passed to it;
- ``close`` 办结, with the outcome — 已办成, 已解释说明, 已转有关部门 or 未能解决 — and the
  answer given: needs a call back first (an unreachable person too: the attempt is on record).

Taking a report needs no role (a window, a kiosk); handling it needs ``unresolved.handle``
(:mod:`app.roles`). Every step writes its audit entry. The person's name and phone, what they said
and the notes are sealed; the grade, the dates, the department and the outcome stay readable for
the reports (:mod:`app.reports.unresolved`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from app.cases.audit import Actor, append
from app.cases.receipts import hall_day, hall_time
from app.db.base import utcnow
from app.db.engine import Database
from app.db.models import UnresolvedRow
from app.errors import InvalidInput, InvalidTransition, OneStopError
from app.identity.masking import mask_name, mask_phone
from app.roles import require

GRADES = {"urgent": "紧急", "ordinary": "一般"}
ANSWER_WITHIN = {"urgent": timedelta(hours=2), "ordinary": timedelta(hours=24)}
SOURCES = {"window": "窗口", "kiosk": "自助终端", "hotline": "12345热线", "platform": "省级平台"}
STATES = {"open": "待交办", "assigned": "已交办", "called_back": "已回访", "closed": "已办结"}
OUTCOMES = {
    "solved": "已办成",
    "explained": "已解释说明",
    "referred": "已转有关部门",
    "unsolved": "未能解决",
}
STEP_LABELS = {"report": "受理反映", "assign": "交办", "call_back": "回访", "order": "12345工单",
               "close": "办结"}  # fmt: skip
MAX_WHAT = 500
MAX_NOTE = 500
PHONE_DIGITS = 11


class UnresolvedNotFound(OneStopError):
    """No report with that number."""


@dataclass(frozen=True)
class Report:
    """One report as the screens and the CLI show it (masked unless asked for in full)."""

    ref_no: str
    source: str
    order_no: str
    grade: str
    state: str
    scenario_name: str
    department: str
    receipt_no: str
    reported_at: datetime
    due_at: datetime
    assigned_to: str
    answered_at: datetime | None
    closed_at: datetime | None
    outcome: str
    name: str
    phone: str
    what: str
    steps: tuple[dict[str, Any], ...]

    def overdue(self, now: datetime) -> bool:
        """Not answered (called back) by its deadline: by ``now``, or when it was answered."""
        return (self.answered_at or now) > self.due_at

    @property
    def label(self) -> str:
        return f"{GRADES[self.grade]}·{STATES[self.state]}"

    def when_words(self, now: datetime) -> str:
        if self.answered_at is not None:
            late = self.answered_at > self.due_at
            return f"已于 {hall_time(self.answered_at)} 回访" + ("（超时）" if late else "")
        left = self.due_at - now
        minutes = int(left.total_seconds() // 60)
        if minutes < 0:
            return f"已超时 {_span(-minutes)}"
        return f"还有 {_span(minutes)}"

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        return {
            "ref_no": self.ref_no,
            "source": self.source,
            "order_no": self.order_no,
            "grade": self.grade,
            "state": self.state,
            "scenario": self.scenario_name,
            "department": self.department,
            "receipt_no": self.receipt_no,
            "reported_at": self.reported_at.isoformat(),
            "due_at": self.due_at.isoformat(),
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "outcome": self.outcome,
            "name": self.name if full else mask_name(self.name),
            "phone": self.phone if full else mask_phone(self.phone),
            "what": self.what,
        }


def _span(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} 小时 {rest} 分钟" if hours else f"{rest} 分钟"


def _view(row: UnresolvedRow) -> Report:
    person, what = row.person or {}, row.what or {}
    return Report(
        row.ref_no,
        row.source,
        row.order_no,
        row.grade,
        row.state,
        row.scenario_name,
        row.department,
        row.receipt_no,
        row.reported_at,
        row.due_at,
        row.assigned_to,
        row.answered_at,
        row.closed_at,
        row.outcome,
        str(person.get("name", "")),
        str(person.get("phone", "")),
        str(what.get("text", "")),
        tuple(row.steps or ()),
    )


def checked_report(
    *, source: str, grade: str, what: str, name: str, phone: str, order_no: str
) -> None:
    """Every refusal in Chinese, saying what to change; nothing is stored when one applies."""
    if source not in SOURCES:
        raise InvalidInput(
            f"反映渠道“{source}”不对。", hint=f"可选：{'、'.join(SOURCES.values())}。"
        )
    if grade not in GRADES:
        raise InvalidInput(
            f"紧急程度“{grade}”不对。",
            hint="请选择“紧急”（2 小时内答复）或“一般”（24 小时内答复）。",
        )
    if not what.strip():
        raise InvalidInput(
            "请写明哪件事没有办成、卡在哪里。", hint="例如“补办社保卡，被要求回户籍地办理”。"
        )
    if len(what) > MAX_WHAT:
        raise InvalidInput(
            f"反映内容最多 {MAX_WHAT} 字，现在 {len(what)} 字。", hint="请精简后再保存。"
        )
    if not name.strip():
        raise InvalidInput("请写明反映人的姓名（可只写姓）。", hint="回访时要称呼对方。")
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) != PHONE_DIGITS or not digits.startswith("1"):
        raise InvalidInput(
            f"联系电话“{phone}”不对：应为 11 位手机号码。",
            hint="回访要打这个电话，请核对后再输入。",
        )
    if source == "hotline" and not order_no.strip():
        raise InvalidInput("12345 热线转来的反映须写明工单号。", hint="工单号在转办单上。")


class Unresolved:
    """The hall's 办不成事 reports: taken, handled, closed and listed."""

    def __init__(
        self,
        db: Database,
        *,
        hall_code: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.hall_code = hall_code
        self.clock = clock

    # -- taking one ------------------------------------------------------------------------------
    def report(
        self,
        actor: Actor,
        *,
        source: str,
        grade: str,
        what: str,
        name: str,
        phone: str,
        scenario_code: str = "",
        scenario_name: str = "",
        department: str = "",
        receipt_no: str = "",
        order_no: str = "",
    ) -> Report:
        checked_report(
            source=source, grade=grade, what=what, name=name, phone=phone, order_no=order_no
        )
        now = self.clock()
        digits = "".join(c for c in phone if c.isdigit())
        with self.db.transaction() as session:
            if order_no.strip():
                known = session.scalar(
                    select(UnresolvedRow).where(UnresolvedRow.order_no == order_no.strip())
                )
                if known is not None:  # the same work order again: the one already taken
                    return _view(known)
            day = hall_day(now)
            taken = session.scalar(
                select(func.count()).where(UnresolvedRow.ref_no.like(f"BC{day:%Y%m%d}-%"))
            )
            row = UnresolvedRow(
                ref_no=f"BC{day:%Y%m%d}-{int(taken or 0) + 1:03d}",
                source=source,
                order_no=order_no.strip(),
                grade=grade,
                state="open",
                scenario_code=scenario_code,
                scenario_name=scenario_name,
                department=department.strip(),
                receipt_no=receipt_no.strip(),
                reported_at=now,
                due_at=now + ANSWER_WITHIN[grade],
                reported_by=actor.name,
                person={"name": name.strip(), "phone": digits},
                what={"text": what.strip()},
                steps=[_step("report", actor, now, what.strip())],
            )
            session.add(row)
            session.flush()
            append(
                session,
                actor,
                "unresolved_report",
                receipt_no=receipt_no.strip(),
                after={"ref_no": row.ref_no, "grade": grade, "source": source,
                       "department": row.department, "order_no": row.order_no},
                at=now,
            )  # fmt: skip
            return _view(row)

    # -- handling it -----------------------------------------------------------------------------
    def assign(self, actor: Actor, ref_no: str, *, to: str, note: str = "") -> Report:
        if not to.strip():
            raise InvalidInput("请写明交办给哪个部门或哪位工作人员。")
        return self._step(actor, ref_no, "assign", note, assigned_to=to.strip())

    def call_back(self, actor: Actor, ref_no: str, *, reached: bool, note: str) -> Report:
        if not note.strip():
            raise InvalidInput(
                "请写明回访情况。", hint="联系上的写群众的意见；联系不上的写联系的时间和方式。"
            )
        return self._step(actor, ref_no, "call_back", note, reached=reached)

    def attach_order(self, actor: Actor, ref_no: str, order_no: str) -> Report:
        if not order_no.strip():
            raise InvalidInput("请输入 12345 工单号。")
        return self._step(actor, ref_no, "order", "", order_no=order_no.strip())

    def close(self, actor: Actor, ref_no: str, *, outcome: str, note: str) -> Report:
        if outcome not in OUTCOMES:
            raise InvalidInput(
                f"办结结果“{outcome}”不对。", hint=f"可选：{'、'.join(OUTCOMES.values())}。"
            )
        if not note.strip():
            raise InvalidInput("请写明答复群众的内容。", hint="办结时要把处理结果告诉反映人。")
        return self._step(actor, ref_no, "close", note, outcome=outcome)

    def _step(self, actor: Actor, ref_no: str, kind: str, note: str, **data: Any) -> Report:
        require(self.db, actor, "unresolved.handle")
        if len(note) > MAX_NOTE:
            raise InvalidInput(f"说明最多 {MAX_NOTE} 字，现在 {len(note)} 字。")
        now = self.clock()
        with self.db.transaction() as session:
            row = self._row(session, ref_no)
            if row.state == "closed":
                raise InvalidTransition(f"反映 {ref_no} 已办结，不能再{STEP_LABELS[kind]}。")
            before = row.state
            if kind == "assign":
                row.assigned_to = data["assigned_to"]
                if row.state == "open":
                    row.state = "assigned"
            elif kind == "call_back":
                row.answered_at = row.answered_at or now
                row.state = "called_back"
            elif kind == "order":
                row.order_no = data["order_no"]
            elif kind == "close":
                if row.answered_at is None:
                    raise InvalidTransition(
                        f"反映 {ref_no} 还没有回访，不能办结。",
                        hint="请先回访反映人（联系不上也请登记），再办结。",
                    )
                row.state, row.closed_at, row.outcome = "closed", now, data["outcome"]
            row.steps = [*(row.steps or []), _step(kind, actor, now, note.strip(), **data)]
            append(
                session,
                actor,
                f"unresolved_{kind}",
                receipt_no=row.receipt_no,
                before={"ref_no": ref_no, "state": before},
                after={"ref_no": ref_no, "state": row.state, **data},
                at=now,
            )
            return _view(row)

    @staticmethod
    def _row(session: Any, ref_no: str) -> UnresolvedRow:
        row = session.scalar(select(UnresolvedRow).where(UnresolvedRow.ref_no == ref_no.strip()))
        if row is None:
            raise UnresolvedNotFound(f"没有编号为 {ref_no} 的办不成事反映。", hint="请核对编号。")
        return row  # type: ignore[no-any-return]

    # -- reading ---------------------------------------------------------------------------------
    def get(self, ref_no: str) -> Report:
        with self.db.read() as session:
            return _view(self._row(session, ref_no))

    def open_reports(self) -> list[Report]:
        """The reports not closed, the ones past their deadline and unanswered first, then by
        deadline."""
        now = self.clock()
        with self.db.read() as session:
            rows = session.scalars(
                select(UnresolvedRow)
                .where(UnresolvedRow.state != "closed")
                .order_by(UnresolvedRow.due_at)
            )
            found = [_view(row) for row in rows]
        return sorted(
            found, key=lambda r: (r.answered_at is not None, not (r.due_at < now), r.due_at)
        )


def _step(kind: str, actor: Actor, at: datetime, note: str, **data: Any) -> dict[str, Any]:
    return {"kind": kind, "by": actor.name, "terminal": actor.terminal, "at": at.isoformat(),
            "note": note, **data}  # fmt: skip
