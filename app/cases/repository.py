"""Cases as the case services load and change them, always in the caller's transaction.

A change loads its case with the row lock that serialises changes to one case (``FOR UPDATE``
on PostgreSQL; SQLite's writer holds the database), writes the case, its audit entry
(:func:`app.cases.audit.append`) and its messages for the platform
(:func:`app.cases.outbox.enqueue`) in that one transaction, and hands back a snapshot
(:class:`~app.cases.snapshots.CaseView`), never a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, selectinload

from app.cases import rows
from app.cases.snapshots import CaseView, TimelineEntry
from app.cases.states import require
from app.db.engine import Database
from app.db.models import AuditEntry, CaseItemRow, CaseMaterialRow, CaseRow
from app.errors import CaseNotFound, InvalidInput


def snapshot(case: CaseRow) -> dict[str, Any]:
    """What the audit trail keeps before and after a change of the case's state."""
    return {"state": case.state, "promised_date": case.promised_date}


class CaseRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- reading ---------------------------------------------------------------------------------
    def get(self, receipt_no: str) -> CaseView:
        with self.db.read() as session:
            return self.load(session.connection(), receipt_no, lock=False).view

    def timeline(self, receipt_no: str) -> list[TimelineEntry]:
        """Every recorded change of the case, oldest first (the audit trail)."""
        with self.db.read() as session:
            case = self.case(session, receipt_no, lock=False)
            entries = session.scalars(
                select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.id)
            )
            return [TimelineEntry.of(r) for r in entries]

    # -- loading in the caller's transaction -----------------------------------------------------
    @contextmanager
    def change(self, receipt_no: str, action: str) -> Iterator[tuple[Session, CaseRow]]:
        """A transaction holding the case locked, once ``action`` is allowed in its state."""
        with self.db.transaction() as session:
            case = self.case(session, receipt_no)
            require(action, case.state, receipt_no)
            yield session, case

    def load(self, connection: Connection, receipt_no: str, *, lock: bool) -> rows.LoadedCase:
        """The case in plain SQL (:mod:`app.cases.rows`), for the paths run on every case."""
        loaded = rows.load(connection, receipt_no.strip(), lock=lock)
        if loaded is None:
            raise not_found(receipt_no)
        return loaded

    def case(self, session: Session, receipt_no: str, *, lock: bool = True) -> CaseRow:
        query = (
            select(CaseRow)
            .where(CaseRow.receipt_no == receipt_no.strip())
            .options(
                selectinload(CaseRow.items),
                selectinload(CaseRow.evaluations),
                selectinload(CaseRow.materials).selectinload(CaseMaterialRow.scans),
            )
        )
        if lock and self.db.dialect == "postgresql":
            query = query.with_for_update(of=CaseRow)
        case = session.scalar(query)
        if case is None:
            raise not_found(receipt_no)
        return case

    def cases_with_items(self, session: Session, receipts: set[str]) -> dict[str, CaseRow]:
        """Cases with their items (all a decision touches), locked, in one round of queries."""
        query = (
            select(CaseRow)
            .where(CaseRow.receipt_no.in_(sorted(receipts)))
            .options(selectinload(CaseRow.items))
        )
        if self.db.dialect == "postgresql":
            query = query.with_for_update(of=CaseRow)
        return {case.receipt_no: case for case in session.scalars(query)}


def material_of(case: CaseRow, material_id: str) -> CaseMaterialRow:
    for row in case.materials:
        if row.material_id == material_id:
            return row
    raise InvalidInput(
        f"办件 {case.receipt_no} 没有材料“{material_id}”。", hint="请刷新材料清单后再试。"
    )


def item_of(case: CaseRow, item_id: str) -> CaseItemRow:
    for row in case.items:
        if row.item_id == item_id:
            return row
    raise InvalidInput(f"办件 {case.receipt_no} 没有事项“{item_id}”。")


def not_found(receipt_no: str) -> CaseNotFound:
    return CaseNotFound(
        f"没有找到受理编号为 {receipt_no} 的办件。",
        hint="请核对编号，或按身份证号、姓名查找。",
    )
