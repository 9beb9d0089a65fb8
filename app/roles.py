"""Who may do what: the operator roles of a hall, and the services' own check of them.

A button a role may not use is hidden in the app, but the check that counts is here, in the core:
a service asks :func:`require` before it changes anything, so a clerk cannot sign off a transfer
batch or cancel a platform message from the command line or a script either. A refusal is a
typed error (:class:`NotAllowed`) with a message that names the role needed, and it is written to
the audit trail — who tried what, from which terminal — in a transaction of its own (the refused
change itself never starts).

Actors that are not operators carry no role (""): the kiosk's sessions, the sync worker, the
platform's events. They are refused everything that needs a role.
"""

from __future__ import annotations

from app.cases.audit import Actor, append
from app.db.engine import Database
from app.errors import OneStopError

CLERK, BACKOFFICE, MANAGER, ADMIN = "clerk", "backoffice", "manager", "admin"
ROLE_LABELS = {CLERK: "窗口人员", BACKOFFICE: "后台人员", MANAGER: "管理员", ADMIN: "信息管理员"}

# What each permission is, in the words of the refusal, and who has it.
PERMISSIONS: dict[str, tuple[str, frozenset[str]]] = {
    "transfer.prepare": ("组批、打印交接单、登记寄出或取件", frozenset({BACKOFFICE, MANAGER})),
    "transfer.confirm": ("登记部门签收（签收凭证）", frozenset({BACKOFFICE, MANAGER})),
    "transfer.check_in": ("登记结果和退回材料到窗口", frozenset({BACKOFFICE, MANAGER})),
    "outbox.cancel": ("取消发往平台的消息", frozenset({MANAGER, ADMIN})),
    "settings.change": ("修改设置", frozenset({MANAGER, ADMIN})),
    "report.view": ("查看统计报表", frozenset({MANAGER, ADMIN})),
    "supplement.follow": (
        "跟进容缺补交（登记补交、催补、按逾期处理）",
        frozenset({CLERK, MANAGER}),
    ),
    "verification.record": ("登记告知承诺核查结果", frozenset({BACKOFFICE, MANAGER})),
    "unresolved.handle": ("处理办不成事反映（交办、回访、办结）", frozenset({BACKOFFICE, MANAGER})),
    "complaint.handle": ("处理差评（回访、核实、整改、申诉）", frozenset({MANAGER})),
    "access.read": ("查看个人信息的查阅记录", frozenset({MANAGER, ADMIN})),
}


class NotAllowed(OneStopError):
    """The actor's role does not have the permission; nothing was changed."""

    def __init__(self, message: str, *, hint: str = "", permission: str = "") -> None:
        super().__init__(message, hint=hint)
        self.permission = permission


def allowed(actor: Actor, permission: str) -> bool:
    return actor.role in PERMISSIONS[permission][1]


def require(
    db: Database, actor: Actor, permission: str, *, receipt_no: str = "", case_id: int | None = None
) -> None:
    """Raise :class:`NotAllowed` (and audit the attempt) unless ``actor`` may do ``permission``."""
    what, roles = PERMISSIONS[permission]
    if actor.role in roles:
        return
    with db.transaction() as session:
        append(
            session,
            actor,
            "refused",
            case_id=case_id,
            receipt_no=receipt_no,
            after={"permission": permission, "role": actor.role},
        )
    who = ROLE_LABELS.get(actor.role, "本终端") if actor.role else "本终端"
    needed = "或".join(ROLE_LABELS[r] for r in (CLERK, BACKOFFICE, MANAGER, ADMIN) if r in roles)
    raise NotAllowed(
        f"{who}（{actor.name}）没有“{what}”的权限，操作没有执行。",
        hint=f"请由{needed}登录后办理。",
        permission=permission,
    )
