"""The halls' audit anchors: the head of each audit trail of a hall (one per database the hall
keeps: ``chain``) as its terminals send it, one per entry and never changed. A second anchor for
an entry with the same hash is a resend; with another hash it is refused — the trail was
rewritten at the hall, and the anchor the platform holds is what shows it. The hall asks for the
latest of each of its trails to check them against."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select

from app.db.base import utcnow
from sync import contract
from sync.server.store.errors import Rejected
from sync.server.store.schema import Storage, audit_anchors
from sync.server.store.terminals import Terminal

_A = audit_anchors.c


def record_anchor(
    storage: Storage,
    terminal: Terminal,
    anchor: contract.AuditAnchor,
    *,
    now: datetime | None = None,
) -> contract.AnchorReceipt:
    now = now or utcnow()
    with storage.tx() as connection:
        held = connection.execute(
            select(_A.entry_hash, _A.key_id, _A.received_at).where(
                _A.hall_code == terminal.hall_code,
                _A.chain == anchor.chain,
                _A.entry_id == anchor.entry_id,
            )
        ).first()
        if held is not None:
            if (held.entry_hash, held.key_id) != (anchor.entry_hash, anchor.key_id):
                raise Rejected(
                    f"平台已记下本大厅审计链 {anchor.chain} 第 {anchor.entry_id} 条记录的哈希 "
                    f"{held.entry_hash[:12]}…（密钥 {held.key_id or '无'}），与这次发来的不同："
                    "大厅的审计记录在这之后被改写过，请大厅信息管理员立即运行 "
                    "onestop audit verify 核查。"
                )
            received_at = held.received_at
            outcome = "duplicate"
        else:
            connection.execute(
                insert(audit_anchors),
                {
                    "hall_code": terminal.hall_code,
                    "chain": anchor.chain,
                    "entry_id": anchor.entry_id,
                    "entry_hash": anchor.entry_hash,
                    "key_id": anchor.key_id,
                    "at": anchor.at,
                    "terminal": terminal.id,
                    "received_at": now,
                },
            )
            received_at, outcome = now, "recorded"
    return contract.AnchorReceipt(
        chain=anchor.chain,
        entry_id=anchor.entry_id,
        entry_hash=anchor.entry_hash,
        outcome=outcome,
        received_at=received_at,
    )


def latest_anchors(storage: Storage, hall_code: str) -> list[contract.AnchorRecord]:
    """The anchor with the highest entry of each of the hall's chains."""
    highest = (
        select(_A.chain, func.max(_A.entry_id).label("entry_id"))
        .where(_A.hall_code == hall_code)
        .group_by(_A.chain)
        .subquery()
    )
    with storage.read() as connection:
        rows = connection.execute(
            select(audit_anchors)
            .join(
                highest,
                (highest.c.chain == _A.chain) & (highest.c.entry_id == _A.entry_id),
            )
            .where(_A.hall_code == hall_code)
            .order_by(_A.received_at, _A.chain)
        ).all()
    return [
        contract.AnchorRecord(
            chain=r.chain,
            entry_id=r.entry_id,
            entry_hash=r.entry_hash,
            key_id=r.key_id,
            at=r.at,
            terminal=r.terminal,
            received_at=r.received_at,
        )
        for r in rows
    ]
