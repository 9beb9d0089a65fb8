"""After the decision, without Qt: what a search box's text means, what a case and its trail say
in words, which actions and documents its state allows, and what the clerk's and the
applicant's dialogs must hold before anything is sent to the case service."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from app.cases.assistance import describe as assistance_words
from app.cases.checks import DELIVERY_METHODS
from app.cases.evaluation import STAGE_WORDS, next_turn
from app.cases.files import FileStore
from app.cases.queries import CaseQuery
from app.cases.receipts import RECEIPT_RE, hall_time, normalise_receipt
from app.cases.snapshots import (
    LEVEL_LABELS,
    CaseSummary,
    CaseView,
    EvaluationView,
    ItemView,
    MaterialView,
    TimelineEntry,
)
from app.cases.states import CASE_STATE_LABELS, MATERIAL_STATE_LABELS, allowed
from app.cases.verification import verification_words
from app.errors import InvalidInput
from app.identity.resident_id import normalise
from printing.documents import DOCUMENTS

SearchKind = Literal["receipt", "id_number", "phone", "name", ""]

RESIDENT_ID = re.compile(r"^(\d{15}|\d{17}[\dX])$")
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
ACTIONS = {
    "open": "建立办件", "update": "修改申请信息", "material": "登记材料", "scan": "保存扫描件",
    "accept": "受理", "accept_on_commitment": "容缺受理", "not_accept": "不予受理",
    "supplement": "补交材料", "item_decision": "部门办理结果", "deliver": "结果送达",
    "withdraw": "撤回", "evaluate": "好差评", "print": "打印", "reprint": "补打",
    "print_failed": "打印失败", "outbox_resend": "重发平台消息", "outbox_cancel": "取消平台消息",
    "dispatch": "分送部门", "complete": "办结", "refused": "无权限的操作（未执行）",
    "complaint_open": "差评工单", "complaint_step": "差评处理", "transfer_add": "放入交接单",
    "transfer_remove": "从交接单取出", "transfer_check_in": "结果到窗口",
    "applicant": "修改申请人信息", "correct_applicant": "更正身份证读取的信息",
    "transfer_backfilled": "升级时补登待流转材料",
    "transfer_untraced": "材料去向无登记（升级前办结）",
    "retention_purged": "按保存期限清除个人信息",
    "assist": "登记帮办代办", "lapse": "容缺逾期未补交，相关事项终止",
}  # fmt: skip
# The window's own tablet or second screen turned towards the applicant.
EVALUATION_CHANNEL = "hall_pad"
SIGNED_ON_PAPER = "领取人已在纸质送达回执上签字"
SIGNATURE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"%PDF", b"GIF8", b"BM")
WITHDRAWAL_REASONS = ("申请人主动撤回", "申请人情况发生变化", "申请人需重新准备材料")
REPRINT_REASONS = ("申请人遗失", "打印不清或破损", "申请人需要另一份")


# -- searching ------------------------------------------------------------------------------------
def kind_of(text: str) -> SearchKind:
    """What a person typed or a scanner read: a receipt number (with or without hyphens), an ID
    number (resident ID or credit code), a phone number, or else part of a name."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return ""
    if "-" in text and RECEIPT_RE.match(normalise_receipt(text)):
        return "receipt"
    compact = normalise(text)
    if RESIDENT_ID.match(compact) or CREDIT_CODE.match(compact):
        return "id_number"
    if PHONE.match(text.replace(" ", "")):
        return "phone"
    receipt = RECEIPT_RE.match(normalise_receipt(text))
    if receipt and _is_day(receipt["day"]):
        return "receipt"
    return "name"


def _is_day(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y%m%d")
    except ValueError:
        return False
    return True


def query_of(
    text: str,
    states: tuple[str, ...] = (),
    date_from: date | None = None,
    date_to: date | None = None,
) -> CaseQuery:
    """A receipt number, an ID number, a phone number or else part of a name."""
    kind = kind_of(text)
    text = unicodedata.normalize("NFKC", text).strip()
    if kind == "receipt":
        return CaseQuery(receipt_no=text, states=states)  # a receipt needs no date range
    dates: dict[str, Any] = {"states": states, "date_from": date_from, "date_to": date_to}
    if kind == "id_number":
        return CaseQuery(id_number=normalise(text), **dates)
    if kind == "phone":
        return CaseQuery(phone=text.replace(" ", ""), **dates)
    return CaseQuery(name=text, **dates)


def search_query(text: str, state: str, start: date, end: date) -> CaseQuery:
    """The query of the search row: the box's text, one state (empty: all) and a date range."""
    if start > end:
        raise InvalidInput("开始日期晚于结束日期。", hint="请调整查询的日期范围后再查。")
    states = (state,) if state else ()
    if not text.strip():
        return CaseQuery(states=states, date_from=start, date_to=end)
    return query_of(text, states, start, end)


def summary_of(case: CaseView) -> CaseSummary:
    """The search result row of a case just changed, without searching again."""
    return CaseSummary(
        case.receipt_no,
        case.state,
        case.state_label,
        case.scenario_name,
        case.applicant.name,
        case.applicant.id_number,
        case.applicant.phone,
        case.created_at,
        case.promised_date,
        case.terminal,
    )


# -- a case in words ------------------------------------------------------------------------------
def at(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A moment in the hall's time zone, or a dash."""
    return hall_time(moment, pattern)


def summary_cells(row: CaseSummary) -> tuple[str, ...]:
    promised = row.promised_date.isoformat() if row.promised_date else "—"
    return (
        row.receipt_no,
        row.applicant_name,
        row.applicant_id_number,
        row.scenario_name,
        row.state_label,
        promised,
        at(row.created_at),
    )


def _stage_of(evaluation: EvaluationView) -> str:
    """受理, 办结追评 …: the stage an evaluation is of, and whether it follows one up."""
    follow_up = "追评" if evaluation.round == "follow_up" else ""
    return f"{STAGE_WORDS.get(evaluation.stage, evaluation.stage)}{follow_up}"


def _commitment_words(case: CaseView) -> str:
    """Where a 容缺 promise stands: what is still to bring and by when, or how it ended."""
    commitment = case.commitment or {}
    due = str(commitment.get("due_date") or "")
    if commitment.get("lapsed_at"):
        lapsed = at(_moment(commitment["lapsed_at"]))
        return f"承诺 {due} 前补交，逾期未补交，相关事项已终止（{lapsed}）"
    if commitment.get("fulfilled_at"):
        late = "，逾期补齐" if commitment.get("fulfilled_late") else ""
        return f"已补齐（{at(_moment(commitment['fulfilled_at']))}{late}）"
    waiting = "、".join(m.name for m in case.materials if m.status == "on_commitment")
    return f"待补交：{waiting}（{due} 前）"


def _moment(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        return None


def case_facts(case: CaseView) -> list[tuple[str, str]]:
    """(label, value) lines above a case's items, materials and trail."""
    applicant = case.applicant
    if case.purged_at is not None:
        cleared = f"个人信息已按保存期限于 {at(case.purged_at, '%Y-%m-%d')} 清除"
        facts = [("申请人", cleared)]
    else:
        facts = [
            (
                "申请人",
                "　".join(v for v in (applicant.name, applicant.id_number, applicant.phone) if v),
            )
        ]
    if case.agent:
        agent = case.agent
        facts.append(
            ("代办人", "　".join(v for v in (agent.name, agent.id_number, agent.phone) if v))
        )
    promised = case.promised_date.isoformat() if case.promised_date else "—"
    facts += [
        ("一件事", case.scenario_name),
        ("状态", case.state_label),
        ("承诺办结", promised),
        ("受理时间", at(case.accepted_at)),
    ]
    helped = assistance_words(case.assistance)
    if helped:
        facts.append(("帮办代办", helped))
    if case.commitment:
        facts.append(("容缺", _commitment_words(case)))
    if case.verification:
        facts.append(("告知承诺", verification_words(case.verification)))
    if case.results_at_window:
        waiting = "" if case.delivery else "，请通知申请人领取后出件"
        facts.append(("结果", f"结果已到窗口（{at(case.results_at_window)}）{waiting}"))
    if case.delivery:
        facts.append(("送达", _delivery_words(case.delivery)))
    if case.withdrawal and case.purged_at is None:
        withdrawal = case.withdrawal
        facts.append(
            (
                "撤回",
                f"{withdrawal.get('reason', '')}；材料退还给 {withdrawal.get('returned_to', '')}",
            )
        )
    if case.evaluations:
        facts.append(
            (
                "评价",
                "；".join(f"{_stage_of(e)}：{e.level_label}" for e in case.evaluations),
            )
        )
    return facts


def _delivery_words(delivery: Mapping[str, Any]) -> str:
    words = [str(delivery.get("method_label", ""))]
    for key, label in (("recipient", "领取人"), ("tracking_no", "快递单号"), ("note", "")):
        if delivery.get(key):
            words.append(f"{label}{'：' if label else ''}{delivery[key]}")
    return "；".join(words)


def decision_text(item: ItemView) -> str:
    """What the department decided on an item, as it came back from the platform."""
    decision = item.decision
    if not decision:
        return {
            "waiting": "等待前置事项结果",
            "dispatched": "部门办理中",
            "terminated": "已终止",
        }.get(item.state, "—")
    if item.state == "terminated":
        words = ["终止"]
    else:
        words = ["准予" if decision.get("approved") else "不予批准"]
    if decision.get("result_name"):
        number = f"（{decision['result_no']}）" if decision.get("result_no") else ""
        words.append(f"结果：{decision['result_name']}{number}")
    if decision.get("opinion"):
        words.append(f"意见：{decision['opinion']}")
    return "；".join(words)


def item_cells(item: ItemView) -> tuple[str, ...]:
    return (item.name, item.department, item.state_label, decision_text(item), at(item.decided_at))


def material_cells(material: MaterialView) -> tuple[str, ...]:
    status = material.status_label
    if material.exempt_reason:
        status += f"（{material.exempt_reason}）"
    returned = at(material.returned_at) if material.returned_at else ""
    return (
        material.name,
        status,
        at(material.received_at) if material.received_at else "",
        returned,
    )


def shown_materials(case: CaseView) -> list[MaterialView]:
    return [m for m in case.materials if m.plan_status != "not_needed"]


def detail_of(entry: TimelineEntry, names: Mapping[str, str] | None = None) -> str:
    """The part of a trail entry that matters; ``names`` gives materials' and items' names by
    id."""
    after = entry.after or {}
    names = names or {}
    action = entry.action
    if action == "material":
        material, status = str(after.get("material", "")), str(after.get("status", ""))
        return f"{names.get(material, material)}：{MATERIAL_STATE_LABELS.get(status, status)}"
    if action == "scan":
        material = str(after.get("material", ""))
        return f"{names.get(material, material)}（{after.get('pages', '')} 页）"
    if action in ("print", "reprint", "print_failed"):
        document = DOCUMENTS.get(str(after.get("document", "")))
        detail = document.title if document else str(after.get("document", ""))
        if after.get("reason"):
            detail += f"（原因：{after['reason']}）"
        if after.get("error"):
            detail += f"（{after['error']}）"
        return detail
    if action == "item_decision":
        item = str(after.get("item", ""))
        verdict = "准予" if after.get("approved") else "不予批准"
        result = f"，{after['result_name']}" if after.get("result_name") else ""
        return f"{names.get(item, item)}：{verdict}{result}"
    if action == "deliver":
        return _delivery_words(after)
    if action == "correct_applicant":
        return "；".join(
            f"{c.get('field', '')}由“{c.get('from', '')}”改为“{c.get('to', '')}”"
            f"（{c.get('confirmed_by', '')}确认）"
            for c in after.get("corrections") or []
        )
    if action == "withdraw":
        return f"{after.get('reason', '')}；材料退还给 {after.get('returned_to', '')}"
    if action == "evaluate":
        stage = STAGE_WORDS.get(str(after.get("stage", "")), "")
        level = LEVEL_LABELS.get(int(after.get("level", 0) or 0), str(after.get("level", "")))
        text = f"（{after['text']}）" if after.get("text") else ""
        return f"{stage}环节：{level}{text}"
    if "state" in after and action != "open":
        state = str(after.get("state", ""))
        return CASE_STATE_LABELS.get(state, state)
    return ""


def trail_cells(entry: TimelineEntry, names: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """When, who, at which terminal, what, and its detail."""
    return (
        at(entry.at, "%Y-%m-%d %H:%M:%S"),
        entry.actor,
        entry.terminal,
        ACTIONS.get(entry.action, entry.action),
        detail_of(entry, names),
    )


def describe(entry: TimelineEntry, names: Mapping[str, str] | None = None) -> str:
    """One line of a case's trail: when, who, what, and the detail that matters."""
    when, actor, _, what, detail = trail_cells(entry, names)
    return f"{when}　{actor}　{what}" + (f"　{detail}" if detail else "")


def names_of(case: CaseView) -> dict[str, str]:
    """Materials' and items' names by id, for the trail."""
    return {
        **{m.material_id: m.name for m in case.materials},
        **{i.item_id: i.name for i in case.items},
    }


# -- what can be done -----------------------------------------------------------------------------
def printable(state: str) -> list[tuple[str, str]]:
    """(name, title) of the documents a case in ``state`` can be printed with."""
    return [(d.name, d.title) for d in DOCUMENTS.values() if state in d.states]


def reprintable(case: CaseView) -> list[tuple[str, str]]:
    """(name, title) of the documents this case has: its state's, and the commitment letter
    only when it was accepted on commitment or a proof was replaced by a commitment."""
    return [
        (name, title)
        for name, title in printable(case.state)
        if name != "commitment" or case.commitment or case.verification
    ]


def actions_for(case: CaseView | None) -> dict[str, bool]:
    """Which of the screen's actions the case's state allows (the state table decides)."""
    if case is None:
        return dict.fromkeys(("deliver", "withdraw", "reprint", "evaluate"), False)
    return {
        "deliver": allowed("deliver", case.state),
        "withdraw": allowed("withdraw", case.state),
        "reprint": bool(reprintable(case)),
        "evaluate": next_turn(case) is not None,
    }


# -- what the dialogs must hold -------------------------------------------------------------------
@dataclass(frozen=True)
class DeliveryForm:
    """The delivery dialog's fields; only those of the chosen method go to the service."""

    method: str
    recipient: str = ""
    recipient_id_number: str = ""
    phone: str = ""
    address: str = ""
    tracking_no: str = ""
    signed_on_paper: bool = False
    signature_file: str = ""
    note: str = ""

    @property
    def method_label(self) -> str:
        return DELIVERY_METHODS.get(self.method, self.method)

    def arguments(self, signature_sha256: str | None = None) -> dict[str, Any]:
        """Keyword arguments of ``CaseService.deliver`` (the service checks what is required)."""
        given: dict[str, Any] = {"method": self.method}
        if self.method == "pickup":
            given |= {
                "recipient": self.recipient,
                "recipient_id_number": self.recipient_id_number,
                "phone": self.phone,
                "signature_sha256": signature_sha256,
                "note": SIGNED_ON_PAPER if self.signed_on_paper else "",
            }
        elif self.method == "mail":
            given |= {
                "recipient": self.recipient,
                "phone": self.phone,
                "address": self.address,
                "tracking_no": self.tracking_no,
                "note": self.note,
            }
        else:
            given |= {"note": self.note}
        return given


def store_signature(files: FileStore, path: str) -> str:
    """A signature pad's image or a scanned signed receipt into the file store; its SHA-256."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError:
        raise InvalidInput(
            f"签名文件“{file.name}”无法读取。", hint="请重新选择签名板导出的图片或扫描件。"
        ) from None
    if not data.startswith(SIGNATURE_MAGIC):
        raise InvalidInput(
            f"签名文件“{file.name}”不是图片或 PDF。",
            hint="请选择签名板导出的图片，或签字回执的扫描件。",
        )
    return files.put(data)


def reprint_problem(reason: str) -> str:
    """Why a reprint cannot go yet (empty: it can)."""
    if not reason.strip():
        return "补打必须写明原因（如：申请人遗失），原因会记入办件记录。"
    return ""


def evaluation_problem(level: int, text: str) -> str:
    """What the applicant still has to do before the rating is sent (empty: nothing)."""
    if level not in LEVEL_LABELS:
        return "请先点选一个评价等级。"
    if level <= 2 and not text.strip():
        return f"选择“{LEVEL_LABELS[level]}”时，请写下不满意的原因，我们会认真整改。"
    return ""
