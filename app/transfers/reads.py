"""Reading the paper trail: what waits per department, a case's trace, the batches — in
read transactions, as plain data (:mod:`app.transfers.snapshots`). :class:`~app.transfers.ledger.
Ledger` adds the steps that change it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Row, Select, exists, func, select
from sqlalchemy.orm import Session

from app.cases.receipts import HALL_TZ, hall_day
from app.db.base import table
from app.db.engine import Database
from app.db.models import (
    AuditEntry,
    CaseRow,
    CustodyEventRow,
    TransferBatchRow,
    TransferItemRow,
)
from app.errors import CaseNotFound, OneStopError
from app.transfers.snapshots import (
    NOT_SIGNED_OFF,
    NOT_TRACED,
    UNTRACED,
    Batch,
    CustodyEvent,
    Trace,
    TransferItem,
    Waiting,
)


class TransferError(OneStopError):
    """A transfer step that cannot be done as asked (nothing was changed)."""


ITEMS = table(TransferItemRow)  # the papers as a table, for Core statements


class LedgerReads:
    db: Database
    clock: Callable[[], datetime]

    # -- what waits ------------------------------------------------------------------------------
    def waiting(self, department: str = "") -> list[TransferItem]:
        """Papers waiting to go, oldest first (per department when one is named)."""
        with self.db.read() as session:
            query = select(TransferItemRow).where(TransferItemRow.state == "waiting")
            if department:
                query = query.where(TransferItemRow.department == department)
            rows = session.scalars(query.order_by(TransferItemRow.created_at, TransferItemRow.id))
            return [self._item(row, "") for row in rows]

    def waiting_by_department(self) -> list[Waiting]:
        """Per department: how many papers wait, since when, and the earliest promised date."""
        with self.db.read() as session:
            return self._waiting_lines(session)

    @staticmethod
    def _waiting_lines(session: Session, department: str = "") -> list[Waiting]:
        query = (
            select(
                TransferItemRow.department,
                func.count(),
                func.min(TransferItemRow.created_at),
                func.min(TransferItemRow.promised_date),
            )
            .where(TransferItemRow.state == "waiting")
            .group_by(TransferItemRow.department)
            .order_by(func.min(TransferItemRow.created_at))
        )
        if department:
            query = query.where(TransferItemRow.department == department)
        rows = session.execute(query).all()
        return [(d, n, oldest, promised) for d, n, oldest, promised in rows]

    # -- where is it -----------------------------------------------------------------------------
    def trace(self, receipt_no: str) -> Trace:
        """Every piece of paper of the case and every hand-over (two indexed lookups)."""
        with self.db.read() as session:
            case_id = session.scalar(
                select(CaseRow.id).where(CaseRow.receipt_no == receipt_no.strip())
            )
            if case_id is None:
                raise CaseNotFound(
                    f"没有受理编号为 {receipt_no.strip()} 的办件。", hint="请核对编号。"
                )
            items = session.scalars(
                select(TransferItemRow)
                .where(TransferItemRow.case_id == case_id)
                .order_by(TransferItemRow.id)
            ).all()
            numbers = self._batch_numbers(session, {i.batch_id for i in items if i.batch_id})
            names = {i.id: i.name for i in items}
            events = session.scalars(
                select(CustodyEventRow)
                .where(CustodyEventRow.case_id == case_id)
                .order_by(CustodyEventRow.at, CustodyEventRow.id)
            ).all()
            return Trace(
                receipt_no.strip(),
                tuple(self._item(i, numbers.get(i.batch_id or 0, "")) for i in items),
                tuple(
                    CustodyEvent(
                        e.at,
                        names.get(e.item_id, ""),
                        e.action,
                        e.from_party,
                        e.to_party,
                        e.batch_no,
                        e.actor,
                        e.terminal,
                        e.note,
                    )
                    for e in events
                ),
                "" if items else _untraced(session, case_id),
            )

    def at_window(self) -> list[TransferItem]:
        """Results and returned papers at the window, not yet handed to the applicant."""
        with self.db.read() as session:
            rows = session.scalars(
                select(TransferItemRow)
                .where(TransferItemRow.state == "at_window")
                .order_by(TransferItemRow.created_at, TransferItemRow.id)
            )
            return [self._item(row, "") for row in rows]

    def batch(self, batch_no: str) -> Batch:
        with self.db.read() as session:
            return self._batch(session, self._row(session, batch_no))

    def applicants(self, batch: Batch) -> dict[str, str]:
        """Receipt number → applicant's name, for the batch's slip (which masks them)."""
        numbers = {i.receipt_no for i in batch.items}
        if not numbers:
            return {}
        with self.db.read() as session:
            rows = session.execute(
                select(CaseRow.receipt_no, CaseRow.applicant_name).where(
                    CaseRow.receipt_no.in_(numbers)
                )
            ).all()
            return {number: name for number, name in rows}

    def batches(
        self, *, states: Sequence[str] = NOT_SIGNED_OFF, department: str = "", limit: int = 200
    ) -> list[Batch]:
        with self.db.read() as session:
            query = select(TransferBatchRow).where(TransferBatchRow.state.in_(states))
            if department:
                query = query.where(TransferBatchRow.department == department)
            return self._batches(session, query.order_by(TransferBatchRow.created_at).limit(limit))

    def sent_on(self, day: date) -> list[Batch]:
        """The batches that left on ``day`` (hall-local), in the order they left."""
        start = datetime.combine(day, time.min, tzinfo=HALL_TZ)
        end = start + timedelta(days=1)
        with self.db.read() as session:
            return self._batches(
                session,
                select(TransferBatchRow)
                .where(
                    TransferBatchRow.sent_at >= start,
                    TransferBatchRow.sent_at < end,
                )
                .order_by(TransferBatchRow.sent_at, TransferBatchRow.id),
            )

    def overdue(self, today: date | None = None) -> list[Batch]:
        """Batches sent but not signed for by their due date (working days from sending)."""
        today = today or hall_day(self.clock())
        with self.db.read() as session:
            return self._batches(
                session,
                select(TransferBatchRow)
                .where(
                    TransferBatchRow.state == "sent",
                    TransferBatchRow.due_date < today,
                )
                .order_by(TransferBatchRow.due_date),
            )

    # -- rows → views ----------------------------------------------------------------------------
    def _row(self, session: Session, batch_no: str, *, lock: bool = False) -> TransferBatchRow:
        query = select(TransferBatchRow).where(TransferBatchRow.batch_no == batch_no.strip())
        row = session.scalar(query.with_for_update() if lock else query)
        if row is None:
            raise TransferError(
                f"没有编号为 {batch_no.strip()} 的交接单。",
                hint="请核对交接单上的批次号，或重新扫码。",
            )
        return row

    @staticmethod
    def _batch_numbers(session: Session, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = session.execute(
            select(TransferBatchRow.id, TransferBatchRow.batch_no).where(
                TransferBatchRow.id.in_(ids)
            )
        ).all()
        return {i: n for i, n in rows}

    @staticmethod
    def _item(row: TransferItemRow | Row[Any], batch_no: str) -> TransferItem:
        return TransferItem(
            row.id,
            row.receipt_no,
            row.direction,
            row.kind,
            row.ref,
            row.name,
            row.department,
            row.originals,
            row.copies,
            row.state,
            batch_no,
            row.promised_date,
            row.created_at,
        )

    def _batch(self, session: Session, row: TransferBatchRow) -> Batch:
        return self._with_items(session, [row])[0]

    def _batches(self, session: Session, query: Select[TransferBatchRow]) -> list[Batch]:
        """The batches ``query`` selects, in its order, with their papers: two statements
        however many batches there are."""
        return self._with_items(session, session.scalars(query).all())

    def _with_items(self, session: Session, rows: Sequence[TransferBatchRow]) -> list[Batch]:
        """The batches with their papers, read in one statement (plain rows, not ORM objects:
        many papers cost less so)."""
        papers: dict[int, list[Row[Any]]] = {row.id: [] for row in rows}
        if papers:
            for item in session.execute(
                select(ITEMS)
                .where(ITEMS.c.batch_id.in_(papers))
                .order_by(ITEMS.c.receipt_no, ITEMS.c.id)
            ):
                papers[item.batch_id].append(item)
        return [self._view(row, papers[row.id]) for row in rows]

    def _view(self, row: TransferBatchRow, items: Sequence[Row[Any]]) -> Batch:
        return Batch(
            row.batch_no,
            row.department,
            row.route,
            row.state,
            row.created_by,
            row.created_at,
            row.sent_by,
            row.sent_at,
            row.courier,
            row.waybill,
            row.waybill_warning,
            row.pickup,
            row.due_date,
            row.receipt_sha,
            row.confirmed_by,
            row.confirmed_at,
            tuple(self._item(i, row.batch_no) for i in items),
        )


def _untraced(session: Session, case_id: int) -> str:
    """Why a case has no papers in the ledger, when an upgrade decided so (:mod:`app.backfills`)."""
    decided = exists().where(AuditEntry.case_id == case_id, AuditEntry.action == NOT_TRACED)
    return UNTRACED if session.scalar(select(decided)) else ""
