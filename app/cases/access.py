"""Who looked at whose personal data (个人信息保护法 第五十一条): every time an operator opens a
stored case, previews its documents, reads its paper trail or exports it, one line — who, from which
terminal, when, which case, what. Prints and reprints are already in the audit trail; the list a
manager reads (:meth:`AccessLog.entries`) shows them with the rest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Table, insert, literal, select, union_all

from app.cases.audit import Actor
from app.db.base import table, utcnow
from app.db.engine import Database
from app.db.models import AccessRow, AuditEntry
from app.roles import require

ACTIONS = {
    "view": "查看办件",
    "preview": "预览文书",
    "print": "打印文书",
    "reprint": "补打文书",
    "trace": "查看材料流转",
    "export": "导出",
    "call_list": "容缺补交提醒电话",
}
PRINTS = ("print", "reprint")  # in the audit trail
LIMIT = 1000

_ACCESS = table(AccessRow)
_AUDIT = table(AuditEntry)


@dataclass(frozen=True)
class Access:
    at: datetime
    actor: str
    terminal: str
    receipt_no: str
    action: str
    detail: str

    @property
    def label(self) -> str:
        return ACTIONS.get(self.action, self.action)

    def to_dict(self) -> dict[str, str]:
        return {
            "at": self.at.isoformat(),
            "actor": self.actor,
            "terminal": self.terminal,
            "receipt_no": self.receipt_no,
            "action": self.action,
            "label": self.label,
            "detail": self.detail,
        }


class AccessLog:
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock

    def record(self, actor: Actor, receipt_no: str, action: str, detail: str = "") -> None:
        """One look at a case's personal data, in its own transaction (before the data is shown)."""
        if action not in ACTIONS or action in PRINTS:
            raise ValueError(f"not an access kind: {action}")
        row = {
            "at": self.clock(),
            "actor": actor.name[:60],
            "terminal": actor.terminal[:60],
            "role": actor.role[:20],
            "receipt_no": receipt_no[:40],
            "action": action,
            "detail": detail[:200],
        }
        with self.db.transaction() as session:
            session.execute(insert(_ACCESS), [row])

    def entries(
        self,
        actor: Actor,
        *,
        receipt_no: str = "",
        operator: str = "",
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = LIMIT,
    ) -> list[Access]:
        """Newest first, per case and/or per operator (a manager or the IT administrator only;
        the refusal is audited)."""
        require(self.db, actor, "access.read", receipt_no=receipt_no)
        looks = select(
            _ACCESS.c.at,
            _ACCESS.c.actor,
            _ACCESS.c.terminal,
            _ACCESS.c.receipt_no,
            _ACCESS.c.action,
            _ACCESS.c.detail,
        )
        prints = select(
            _AUDIT.c.at,
            _AUDIT.c.actor,
            _AUDIT.c.terminal,
            _AUDIT.c.receipt_no,
            _AUDIT.c.action,
            literal("").label("detail"),
        ).where(_AUDIT.c.action.in_(PRINTS))

        def narrowed(query: Select[Any], source: Table) -> Select[Any]:
            if receipt_no:
                query = query.where(source.c.receipt_no == receipt_no)
            if operator:
                query = query.where(source.c.actor == operator)
            if since is not None:
                query = query.where(source.c.at >= since)
            if until is not None:
                query = query.where(source.c.at < until)
            return query

        looks, prints = narrowed(looks, _ACCESS), narrowed(prints, _AUDIT)
        both = union_all(looks, prints).subquery()
        query = select(both).order_by(both.c.at.desc()).limit(limit)
        with self.db.read() as session:
            return [Access(*row) for row in session.execute(query)]
