"""Roles are the core's business: each permission's roles, the refusal's words, and the audit
entry a refusal leaves (in its own transaction: the refused change never starts)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.cases.audit import Actor
from app.cases.audit_verify import verify
from app.db.engine import Database
from app.db.models import AuditEntry
from app.roles import PERMISSIONS, NotAllowed, allowed, require

CLERK = Actor("张敏", "counter-01", "clerk")
BACK = Actor("刘洋", "back-01", "backoffice")
MANAGER = Actor("王丽", "counter-09", "manager")
KIOSK = Actor("自助终端", "kiosk-01")


@pytest.mark.parametrize(
    ("actor", "permission", "expected"),
    [
        (CLERK, "transfer.prepare", False),
        (CLERK, "transfer.confirm", False),
        (BACK, "transfer.prepare", True),
        (BACK, "transfer.confirm", True),
        (MANAGER, "transfer.confirm", True),
        (BACK, "outbox.cancel", False),
        (MANAGER, "outbox.cancel", True),
        (CLERK, "settings.change", False),
        (MANAGER, "settings.change", True),
        (KIOSK, "transfer.check_in", False),
    ],
)
def test_who_may_do_what(actor: Actor, permission: str, expected: bool) -> None:
    assert allowed(actor, permission) is expected


def test_a_refusal_names_the_role_needed_and_is_audited(db: Database) -> None:
    require(db, BACK, "transfer.confirm")  # allowed: nothing written
    with pytest.raises(NotAllowed) as refused:
        require(db, CLERK, "transfer.confirm", receipt_no="430100001-20261123-00001")
    assert (
        refused.value.message
        == "窗口人员（张敏）没有“登记部门签收（签收凭证）”的权限，操作没有执行。"
    )
    assert refused.value.hint == "请由后台人员或管理员登录后办理。"
    assert refused.value.permission == "transfer.confirm"
    with pytest.raises(NotAllowed, match="本终端（自助终端）没有"):
        require(db, KIOSK, "outbox.cancel")
    with db.read() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert verify(session).ok
    assert [(e.action, e.actor, e.terminal, e.receipt_no, e.after) for e in entries] == [
        (
            "refused",
            "张敏",
            "counter-01",
            "430100001-20261123-00001",
            {"permission": "transfer.confirm", "role": "clerk"},
        ),
        ("refused", "自助终端", "kiosk-01", "", {"permission": "outbox.cancel", "role": ""}),
    ]


def test_every_permission_has_words_and_at_least_one_role() -> None:
    for permission, (what, roles) in PERMISSIONS.items():
        assert what and roles, permission
