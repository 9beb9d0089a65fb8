"""After the decision, without Qt: what a search box's text means, what a case's trail says in
words, and which documents a case can be (re)printed with."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from app.cases.queries import CaseQuery
from app.cases.states import CASE_STATE_LABELS, MATERIAL_STATE_LABELS
from app.cases.views import TimelineEntry
from app.identity.resident_id import normalise
from printing.documents import DOCUMENTS

RECEIPT = re.compile(r"^\d{6,}-\d{8}-\d{3,}$")
PHONE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
ACTIONS = {
    "open": "建立办件", "update": "修改申请信息", "material": "登记材料", "scan": "保存扫描件",
    "accept": "受理", "accept_on_commitment": "容缺受理", "not_accept": "不予受理",
    "supplement": "补交材料", "item_decision": "部门办理结果", "deliver": "结果送达",
    "withdraw": "撤回", "evaluate": "好差评", "print": "打印", "reprint": "补打",
    "print_failed": "打印失败", "outbox_resend": "重发平台消息", "outbox_cancel": "取消平台消息",
    "dispatch": "分送部门", "complete": "办结",
}  # fmt: skip


def query_of(text: str, states: tuple[str, ...] = (), date_from: date | None = None,
             date_to: date | None = None) -> CaseQuery:  # fmt: skip
    """A receipt number, an ID number, a phone number or else part of a name."""
    text = text.strip()
    number = normalise(text)
    if RECEIPT.match(text):
        return CaseQuery(receipt_no=text, states=states)  # a receipt needs no date range
    if len(number) in (15, 18) and number[:-1].isdigit():
        return CaseQuery(id_number=number, states=states, date_from=date_from, date_to=date_to)
    if PHONE.match(text):
        return CaseQuery(phone=text.replace("-", ""), states=states, date_from=date_from,
                         date_to=date_to)  # fmt: skip
    return CaseQuery(name=text, states=states, date_from=date_from, date_to=date_to)


def describe(entry: TimelineEntry, names: Mapping[str, str] | None = None) -> str:
    """One line of a case's trail: when, who, what, and the detail that matters; ``names``
    gives the materials' names by id."""
    after = entry.after or {}
    names = names or {}
    what = ACTIONS.get(entry.action, entry.action)
    detail = ""
    if entry.action == "material":
        material, status = str(after.get("material", "")), str(after.get("status", ""))
        detail = f"{names.get(material, material)}：{MATERIAL_STATE_LABELS.get(status, status)}"
    elif entry.action == "scan":
        material = str(after.get("material", ""))
        detail = f"{names.get(material, material)}（{after.get('pages', '')} 页）"
    elif entry.action in ("print", "reprint", "print_failed"):
        document = DOCUMENTS.get(str(after.get("document", "")))
        detail = document.title if document else str(after.get("document", ""))
        if after.get("reason"):
            detail += f"（原因：{after['reason']}）"
        if after.get("error"):
            detail += f"（{after['error']}）"
    elif entry.action == "item_decision":
        detail = f"{after.get('item', '')}：{after.get('state', '')}"
    elif entry.action == "deliver":
        detail = str(after.get("method_label", ""))
    elif entry.action == "withdraw":
        detail = str(after.get("reason", ""))
    elif entry.action == "evaluate":
        detail = f"{after.get('level', '')} 星"
    elif "state" in after and entry.action not in ("open",):
        state = str(after.get("state", ""))
        detail = CASE_STATE_LABELS.get(state, state)
    when = entry.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return f"{when}　{entry.actor}　{what}" + (f"　{detail}" if detail else "")


def printable(state: str) -> list[tuple[str, str]]:
    """(name, title) of the documents a case in ``state`` can be printed with."""
    return [(d.name, d.title) for d in DOCUMENTS.values() if state in d.states]
