"""办件进度查询 at the kiosk, without Qt: how a case is getting on.

:class:`Progress` finds a case by the QR code on its receipt, by its receipt number, or by the
ID card of the applicant (or agent), and describes it in words a citizen understands, with the
applicant's name and number masked: a kiosk screen is seen by whoever stands behind.
``wipe()`` forgets everything at the end of a session.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from app.calendar.workdays import WorkCalendar
from app.cases.in_hand import QrCheck
from app.cases.queries import CaseQueries, CaseQuery
from app.cases.receipts import RECEIPT_RE, hall_day, normalise_receipt
from app.cases.service import CaseService
from app.cases.snapshots import CaseView, ItemView
from app.cases.states import CASE_STATE_LABELS
from app.db.base import utcnow
from app.errors import CaseNotFound, InvalidInput
from app.guide.promise import add_calendar_days
from app.identity.masking import mask_name, mask_number
from app.identity.resident_id import parse_resident_id

log = logging.getLogger(__name__)
# A promised date past the years the holiday calendar knows: the citizen's words (staff get the
# log line that says which settings to fill in).
ESTIMATED = "以上日期按工作日估算，遇法定节假日顺延，以窗口通知为准。"
# The case's state as the citizen reads it (every state of app.cases.states).
CASE_WORDS = {
    "draft": "窗口正在受理",
    "pre_application": "已预申请，请带齐材料到窗口办理",
    "accepted": "已受理，部门审批中",
    "accepted_on_commitment": "已容缺受理，部门审批中，请按承诺补交材料",
    "not_accepted": "不予受理",
    "completed": "已办结",
    "delivered": "已办结，结果已送达",
    "withdrawn": "已撤回",
}
# An item's state in words, once the window has accepted the case.
ITEM_WORDS = {
    "waiting": "等待前置事项办结",
    "dispatched": "审批中",
    "approved": "已办结",
    "not_approved": "不予批准",
    "terminated": "已终止",
}
# Before acceptance, and when the case did not go on, the case's state says it for every item.
ITEM_WORDS_BY_CASE = {
    "draft": "受理中",
    "pre_application": "待窗口受理",
    "not_accepted": "不予受理",
}
NO_CASES = "没有查到这张身份证名下的办件。如刚在窗口办理，请稍后再查，或到综合窗口咨询。"
LIST_LIMIT = 10


@dataclass(frozen=True)
class ItemProgress:
    name: str
    department: str
    state: str
    words: str  # the state in plain words
    promised_date: date | None  # while the department works on it
    decided_on: date | None
    ready: bool  # the result waits at the hall
    pickup: str  # where and whom to call, when ready ("" otherwise)


@dataclass(frozen=True)
class ProgressView:
    """A case as the kiosk shows it: nothing of the person unmasked."""

    receipt_no: str
    scenario_name: str
    applicant_name: str  # masked: 李*, 张*三
    applicant_id: str  # masked: 4301**********204X
    state: str
    words: str
    promised_date: date | None
    items: tuple[ItemProgress, ...]
    ready: bool
    pickup: str
    summary: str  # one line for the voice
    calendar_warning: str = ""
    supplement: str = ""  # 容缺: what is still to bring, and by when


def item_words(case_state: str, item: ItemView, lapsed: Collection[str] = ()) -> str:
    if case_state in ITEM_WORDS_BY_CASE:
        return ITEM_WORDS_BY_CASE[case_state]
    if item.state == "terminated":
        if case_state == "withdrawn" and not item.decision:
            return "已撤回"
        if item.item_id in lapsed:
            return "已终止（容缺材料逾期未补交）"
        if item.decision:
            return "已终止（前置事项未获批准）"
    return ITEM_WORDS[item.state]


def progress_of(
    case: CaseView,
    calendar: WorkCalendar,
    *,
    hall_place: str,
    hall_phone: str,
    today: date | None = None,
) -> ProgressView:
    """What the kiosk says about ``case``; promised dates from the working-day calendar the
    receipts use, counted from the day each item reached its department."""
    pickup = f"请到{hall_place}领取" + (f"，咨询电话 {hall_phone}" if hall_phone else "")
    estimated = False
    items = []
    commitment = case.commitment or {}
    lapsed = commitment.get("lapsed_items") or ()
    for item in case.items:
        promised = None
        if item.state == "dispatched" and item.dispatched_at is not None:
            due = add_calendar_days(
                calendar,
                calendar.add_working_days(hall_day(item.dispatched_at), item.promised_days),
                item.calendar_days,
            )
            promised = due.day
            if due.warning and not estimated:
                estimated = True
                log.warning("kiosk progress: %s", due.warning)  # for staff: the settings
        ready = case.state == "completed" and item.state == "approved"
        items.append(
            ItemProgress(
                item.name,
                item.department,
                item.state,
                item_words(case.state, item, lapsed),
                promised,
                hall_day(item.decided_at) if item.decided_at else None,
                ready,
                pickup if ready else "",
            )
        )
    ready = any(i.ready for i in items)
    supplement = supplement_words(case, today or hall_day(utcnow()), hall_place)
    return ProgressView(
        case.receipt_no,
        case.scenario_name,
        mask_name(case.applicant.name),
        mask_number(case.applicant.id_number),
        case.state,
        CASE_WORDS[case.state],
        case.promised_date,
        tuple(items),
        ready,
        pickup if ready else "",
        _summary(case, items, pickup if ready else "") + supplement,
        ESTIMATED if estimated else "",
        supplement,
    )


def supplement_words(case: CaseView, today: date, hall_place: str) -> str:
    """容缺: the materials still to bring and by when, said plainly; "" when none are owed."""
    commitment = case.commitment or {}
    owed = [m.name for m in case.materials if m.status == "on_commitment"]
    due_text = commitment.get("due_date")
    if not owed or not due_text or commitment.get("fulfilled_at") or commitment.get("lapsed_at"):
        return ""
    due = date.fromisoformat(str(due_text))
    what = "、".join(owed)
    if due < today:
        return (
            f"您承诺补交的{what}已超过 {due.month} 月 {due.day} 日的期限，请尽快带到{hall_place}。"
        )
    return f"还需补交{what}，请在 {due.month} 月 {due.day} 日前带到{hall_place}。"


def _summary(case: CaseView, items: Sequence[ItemProgress], pickup: str) -> str:
    words = [f"您的{case.scenario_name}{CASE_WORDS[case.state]}。"]
    if case.state in ("accepted", "accepted_on_commitment", "completed") and len(items) > 1:
        done = sum(i.state in ("approved", "not_approved", "terminated") for i in items)
        words.append(f"共 {len(items)} 个事项，已办结 {done} 个。")
    if pickup:
        words.append(f"结果可以领取了，{pickup}。")
    elif case.promised_date and case.state in ("accepted", "accepted_on_commitment"):
        words.append(f"承诺 {case.promised_date.month} 月 {case.promised_date.day} 日前办结。")
    return "".join(words)


def receipt_from_qr(check_qr: QrCheck, text: str) -> str:
    """The receipt number a scanned QR code carries; a forged or foreign code is refused."""
    receipt_no, why_not = check_qr(text)
    if why_not:
        raise InvalidInput(
            f"这个二维码不是本大厅的办件凭条（{why_not.rstrip('。')}）。",
            hint="请扫描本大厅打印的受理凭证或预申请凭条上的二维码，或刷身份证查询。",
        )
    return receipt_no


@dataclass
class Progress:
    """办件进度查询: the cases found last are kept for the screen until :meth:`wipe`."""

    cases: CaseService
    queries: CaseQueries
    check_qr: QrCheck
    hall_place: str
    hall_phone: str
    found: tuple[ProgressView, ...] = field(default=())

    def by_qr(self, text: str) -> ProgressView:
        receipt_no = receipt_from_qr(self.check_qr, text)
        try:
            case = self.cases.get(receipt_no)
        except CaseNotFound:
            raise CaseNotFound(
                f"本机没有查到凭条上的办件 {receipt_no}。",
                hint=f"请到综合窗口查询，或拨打 {self.hall_phone}。",
            ) from None
        return self._show(case)

    def by_receipt(self, text: str) -> ProgressView:
        """A receipt number as typed (spaces and missing hyphens are fine)."""
        receipt_no = normalise_receipt(text)
        if not RECEIPT_RE.match(receipt_no):
            raise InvalidInput(
                "受理编号不对。",
                hint="受理编号印在凭条上，形如 430100001-20261123-00001，请核对后重新输入。",
            )
        try:
            case = self.cases.get(receipt_no)
        except CaseNotFound:
            raise CaseNotFound(
                f"没有找到受理编号为 {receipt_no} 的办件。",
                hint="请核对凭条上的编号后重新输入，或扫描凭条上的二维码、刷身份证查询。",
            ) from None
        return self._show(case)

    def by_id_number(self, id_number: str) -> tuple[ProgressView, ...]:
        """The cases of the person whose card was read (as applicant or agent), newest first;
        none: the screen says :data:`NO_CASES`. A draft at a window is not shown."""
        number = parse_resident_id(id_number).number
        states = tuple(s for s in CASE_STATE_LABELS if s != "draft")
        found = self.queries.find(CaseQuery(id_number=number, states=states, limit=LIST_LIMIT))
        self.found = tuple(self._view(self.cases.get(row.receipt_no)) for row in found)
        return self.found

    def _show(self, case: CaseView) -> ProgressView:
        view = self._view(case)
        self.found = (view,)
        return view

    def _view(self, case: CaseView) -> ProgressView:
        return progress_of(
            case,
            self.cases.calendar,
            hall_place=self.hall_place,
            hall_phone=self.hall_phone,
            today=hall_day(self.cases.clock()),
        )

    def wipe(self) -> None:
        self.found = ()
