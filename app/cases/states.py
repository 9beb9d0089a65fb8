"""Case, item and message states, and which action is allowed from which state.

The table is the single place a transition is decided; the case service asks it before every
change, so a screen can also ask it which buttons to enable.
"""

from __future__ import annotations

from typing import Literal

from app.errors import InvalidTransition

CaseState = Literal[
    "draft",
    "pre_application",
    "accepted",
    "accepted_on_commitment",
    "not_accepted",
    "completed",
    "delivered",
    "withdrawn",
]
ItemState = Literal["waiting", "dispatched", "approved", "not_approved", "terminated"]
MessageState = Literal["pending", "in_flight", "retrying", "attention", "delivered", "cancelled"]
MaterialState = Literal[
    "missing",
    "received_original",
    "received_copy",
    "received_both",
    "exempt",
    "on_commitment",
    "committed",
]

CASE_STATE_LABELS: dict[str, str] = {
    "draft": "收件中",
    "pre_application": "预申请",
    "accepted": "已受理",
    "accepted_on_commitment": "容缺受理",
    "not_accepted": "不予受理",
    "completed": "已办结",
    "delivered": "已送达",
    "withdrawn": "已撤回",
}
ITEM_STATE_LABELS: dict[str, str] = {
    "waiting": "等待前置事项结果",
    "dispatched": "已分送部门办理",
    "approved": "已办结（准予）",
    "not_approved": "已办结（不予批准）",
    "terminated": "已终止",
}
MESSAGE_STATE_LABELS: dict[str, str] = {
    "pending": "待发送",
    "in_flight": "发送中",
    "retrying": "发送失败，等待重试",
    "attention": "平台退回，需要处理",
    "delivered": "已送达平台",
    "cancelled": "已取消",
}
MATERIAL_STATE_LABELS: dict[str, str] = {
    "missing": "未收取",
    "received_original": "已收原件",
    "received_copy": "已收复印件",
    "received_both": "已收原件和复印件",
    "exempt": "免提交",
    "on_commitment": "容缺（承诺后补）",
    "committed": "告知承诺代替",
}
MISSING_CHECKED = "缺（已核对，申请人未带）"
RECEIVED: frozenset[str] = frozenset({"received_original", "received_copy", "received_both"})
# Nothing more is waited for at acceptance: received, exempt, or replaced by a commitment.
SATISFIED: frozenset[str] = RECEIVED | {"exempt", "committed"}
OPEN_CASE_STATES: frozenset[str] = frozenset({"draft", "pre_application"})
IN_DEPARTMENTS: frozenset[str] = frozenset({"accepted", "accepted_on_commitment"})
FINAL_ITEM_STATES: frozenset[str] = frozenset({"approved", "not_approved", "terminated"})

ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    # action: (states it is allowed from, what it is called in a message)
    "update": (OPEN_CASE_STATES, "修改申请信息"),
    "record_material": (OPEN_CASE_STATES, "登记材料"),
    "attach_scan": (OPEN_CASE_STATES | {"accepted_on_commitment"}, "添加扫描件"),
    "accept": (OPEN_CASE_STATES, "受理"),
    "accept_on_commitment": (OPEN_CASE_STATES, "容缺受理"),
    "not_accept": (OPEN_CASE_STATES, "不予受理"),
    "supplement": (frozenset({"accepted_on_commitment", "completed"}), "补交容缺材料"),
    "lapse": (frozenset({"accepted_on_commitment"}), "按容缺逾期未补交处理"),
    "verify": (IN_DEPARTMENTS | {"completed", "delivered"}, "登记告知承诺核查结果"),
    "item_decision": (IN_DEPARTMENTS, "登记部门办理结果"),
    "deliver": (frozenset({"completed"}), "登记结果送达"),
    "withdraw": (OPEN_CASE_STATES | IN_DEPARTMENTS, "撤回"),
    "evaluate_accept": (
        IN_DEPARTMENTS | {"not_accepted", "completed", "delivered", "withdrawn"},
        "受理环节评价",
    ),
    "evaluate_complete": (frozenset({"completed", "delivered"}), "办结环节评价"),
}


def allowed(action: str, state: str) -> bool:
    return state in ACTIONS[action][0]


def require(action: str, state: str, receipt_no: str) -> None:
    states, name = ACTIONS[action]
    if state not in states:
        can = "、".join(
            CASE_STATE_LABELS[s] for s in sorted(states, key=list(CASE_STATE_LABELS).index)
        )
        raise InvalidTransition(
            f"办件 {receipt_no} 当前状态为“{CASE_STATE_LABELS[state]}”，不能{name}。",
            hint=f"只有“{can}”的办件可以{name}。",
        )
