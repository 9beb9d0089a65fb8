"""Retention: a terminal keeps a case's personal data and scans only while the hall needs them.

A case is due once it is over here and everywhere else — closed (delivered, not accepted or
withdrawn) more than ``keep_days`` hall calendar days ago, every message of it delivered to the
platform (or cancelled by a person), its papers come to rest (materials received by their
departments, results handed over) — and not purged yet. Purging clears, in one transaction per
case: the applicant's and agent's names, numbers, phones and address (and their blind indexes),
the form and answers, the personal parts of its decisions (what the reports count stays: the
``*_CLEAR`` keys of :mod:`app.db.models`), ratings' words, call-back notes, hand-over parties,
the payloads of its outbox messages, its scans and signatures (rows and files, when nothing else
names the same file) and the personal values of its audit entries (format 2 only:
:func:`app.cases.audit.purge_case`); it stamps ``purged_at`` and writes one ``retention_purged``
entry. States, dates, items, materials' statuses, rating levels and 差评 work items stay, so the
reports give the same figures after as before. A run is resumable (each case commits alone) and
idempotent (a purged case is never due again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session

from app.cases.audit import Actor, append, purge_case
from app.cases.files import FileStore
from app.cases.receipts import HALL_TZ, hall_day
from app.db.base import utcnow
from app.db.engine import Database
from app.db.models import (
    ACTIVE_MESSAGE_STATES,
    COMMITMENT_CLEAR,
    DELIVERY_CLEAR,
    NOT_ACCEPTED_CLEAR,
    WITHDRAWAL_CLEAR,
    CaseMaterialRow,
    CaseRow,
    ComplaintRow,
    ComplaintStepRow,
    CustodyEventRow,
    EvaluationRow,
    MaterialScanRow,
    OutboxMessage,
    OutboxPayload,
    StoredFile,
    TransferBatchRow,
    TransferItemRow,
)

log = logging.getLogger(__name__)
ACTION = "retention_purged"
CLOSED_STATES = ("delivered", "not_accepted", "withdrawn")
# Papers still travelling: an item out ends "received" (by its department), one back
# "handed_over" (to the applicant).
PAPERS_MOVING = ("waiting", "batched", "sent", "at_window")
# Audit values made only of these keys say what happened, never to whom: they stay readable in
# a purged case's trail (a state, a date, which material or item, a rating's level).
TRAIL_KEYS = frozenset(
    {
        "state",
        "promised_date",
        "material",
        "status",
        "pages",
        "item",
        "approved",
        "stage",
        "round",
        "level",
        "channel",
        "document",
        "copy",
        "method",
        "method_label",
        "at",
    }
)


def trail_only(value: Any) -> bool:
    """Whether an audit value holds nothing personal (kept when its case is purged)."""
    return isinstance(value, dict) and set(value) <= TRAIL_KEYS


@dataclass(frozen=True)
class Due:
    case_id: int
    receipt_no: str
    closed_at: datetime


@dataclass
class RetentionRun:
    """What a run did (or, dry, would do)."""

    keep_days: int
    cutoff: datetime | None  # cases closed before it are due; None: retention is off
    dry_run: bool = False
    cases: list[str] = field(default_factory=list)  # receipt numbers purged (or due)
    scans: int = 0  # scan rows removed
    files: int = 0  # files removed from the file store
    entries: int = 0  # audit entries whose personal data went
    entries_left: int = 0  # audit entries of these cases that keep it (written before format 2)
    failed: list[str] = field(default_factory=list)  # receipt numbers whose purge failed

    def to_dict(self) -> dict[str, Any]:
        return {
            "keep_days": self.keep_days,
            "cutoff": self.cutoff.isoformat() if self.cutoff else None,
            "dry_run": self.dry_run,
            "cases": list(self.cases),
            "scans": self.scans,
            "files": self.files,
            "audit_entries_purged": self.entries,
            "audit_entries_left": self.entries_left,
            "failed": list(self.failed),
        }


@dataclass(frozen=True)
class _Purge:
    scans: int
    files: int
    entries: int
    entries_left: int


class Retention:
    """Finds the cases due and purges them (see the module). ``keep_days`` 0 purges nothing."""

    def __init__(
        self,
        db: Database,
        files: FileStore,
        clock: Callable[[], datetime] = utcnow,
        keep_days: int = 180,
    ) -> None:
        self.db = db
        self.files = files
        self.clock = clock
        self.keep_days = keep_days

    def cutoff(self, now: datetime | None = None) -> datetime | None:
        """The start of the hall's day ``keep_days`` before today: a case closed before it has
        been kept its full days. None when retention is off."""
        if self.keep_days <= 0:
            return None
        day = hall_day(now or self.clock()) - timedelta(days=self.keep_days)
        return datetime.combine(day, time(), tzinfo=HALL_TZ)

    def due(self, *, now: datetime | None = None, limit: int | None = None) -> list[Due]:
        """The cases due for purging, the longest closed first."""
        cutoff = self.cutoff(now)
        if cutoff is None:
            return []
        statement = (
            select(CaseRow.id, CaseRow.receipt_no, CaseRow.closed_at)
            .where(*_due_conditions(cutoff))
            .order_by(CaseRow.closed_at, CaseRow.id)
            .limit(limit)
        )
        with self.db.read() as session:
            rows = session.execute(statement).all()
        return [Due(r.id, r.receipt_no, r.closed_at) for r in rows]

    def run(
        self, actor: Actor, *, dry_run: bool = False, now: datetime | None = None
    ) -> RetentionRun:
        """Purge every case due, each in its own transaction: a failure leaves that case for the
        next run (logged, counted) and goes on with the others."""
        now = now or self.clock()
        done = RetentionRun(self.keep_days, self.cutoff(now), dry_run)
        for case in self.due(now=now):
            try:
                purge = self.purge(actor, case, now=now, dry_run=dry_run)
            except Exception:
                log.exception("retention: case %s not purged", case.receipt_no)
                done.failed.append(case.receipt_no)
                continue
            if purge is None:
                continue  # no longer due (another terminal purged it, or it changed)
            done.cases.append(case.receipt_no)
            done.scans += purge.scans
            done.files += purge.files
            done.entries += purge.entries
            done.entries_left += purge.entries_left
        if done.cases and not dry_run:
            log.info(
                "retention: %d cases purged, %d scans, %d audit entries (%d older left)",
                len(done.cases),
                done.scans,
                done.entries,
                done.entries_left,
            )
        return done

    def purge(
        self, actor: Actor, case: Due, *, now: datetime | None = None, dry_run: bool = False
    ) -> _Purge | None:
        """Purge one case, if it is still due; None when not. ``dry_run`` only counts."""
        now = now or self.clock()
        cutoff = self.cutoff(now)
        if cutoff is None:
            return None
        with self.db.transaction() as session:
            row = session.scalar(
                select(CaseRow)
                .where(CaseRow.id == case.case_id, *_due_conditions(cutoff))
                .with_for_update()
            )
            if row is None:
                return None
            scans = self._scans(session, row)
            shas = {s.sha256 for s in scans} | _signatures(row)
            removable = [sha for sha in sorted(shas) if not _named_elsewhere(session, sha, row.id)]
            audit = purge_case(session.connection(), row.id, trail_only, dry_run=dry_run)
            if dry_run:
                files = sum(1 for sha in removable if self.files.has(sha))
                return _Purge(len(scans), files, audit.purged, audit.left)
            _clear_case(row)
            _clear_children(session, row.id)
            for scan in scans:
                session.delete(scan)
            session.flush()
            for sha in removable:
                stored = session.get(StoredFile, sha)
                if stored is not None:
                    session.delete(stored)
            row.purged_at = now
            session.flush()
            append(
                session,
                actor,
                ACTION,
                case_id=row.id,
                receipt_no=row.receipt_no,
                after={
                    "closed_at": row.closed_at.isoformat() if row.closed_at else None,
                    "keep_days": self.keep_days,
                    "scans": len(scans),
                },
                at=now,
            )
            session.flush()
            # The files go last, just before the commit: a failure before here leaves the case
            # whole for the next run; a crash after leaves only rows for files already gone,
            # which the next run (the case then purged) never needs.
            files = sum(1 for sha in removable if self.files.remove(sha))
        return _Purge(len(scans), files, audit.purged, audit.left)

    @staticmethod
    def _scans(session: Session, row: CaseRow) -> list[MaterialScanRow]:
        return list(
            session.scalars(
                select(MaterialScanRow)
                .join(CaseMaterialRow, MaterialScanRow.material_row_id == CaseMaterialRow.id)
                .where(CaseMaterialRow.case_id == row.id)
            )
        )


def _due_conditions(cutoff: datetime) -> list[Any]:
    active = exists().where(
        OutboxMessage.case_id == CaseRow.id, OutboxMessage.state.in_(ACTIVE_MESSAGE_STATES)
    )
    moving = exists().where(
        TransferItemRow.case_id == CaseRow.id, TransferItemRow.state.in_(PAPERS_MOVING)
    )
    return [
        CaseRow.state.in_(CLOSED_STATES),
        CaseRow.closed_at < cutoff,
        CaseRow.purged_at.is_(None),
        ~active,
        ~moving,
    ]


def _signatures(row: CaseRow) -> set[str]:
    """The signature images a delivery or a commitment letter named."""
    found = set()
    for decision in (row.delivery, row.commitment):
        sha = (decision or {}).get("signature_sha256")
        if isinstance(sha, str) and len(sha) == 64:
            found.add(sha)
    return found


def _kept(value: dict[str, Any] | None, keys: tuple[str, ...]) -> dict[str, Any] | None:
    return None if value is None else {k: v for k, v in value.items() if k in keys}


def _clear_case(row: CaseRow) -> None:
    for name in (
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_address",
        "agent_name",
        "agent_id_number",
        "agent_phone",
    ):
        setattr(row, name, "")
    row.applicant_id_index = row.agent_id_index = row.applicant_phone_index = None
    row.form_data, row.answers = {}, {}
    row.not_accepted = _kept(row.not_accepted, NOT_ACCEPTED_CLEAR)
    row.commitment = _kept(row.commitment, COMMITMENT_CLEAR)
    row.delivery = _kept(row.delivery, DELIVERY_CLEAR)
    row.withdrawal = _kept(row.withdrawal, WITHDRAWAL_CLEAR)


def _clear_children(session: Session, case_id: int) -> None:
    session.execute(update(EvaluationRow).where(EvaluationRow.case_id == case_id).values(text=""))
    complaints = select(ComplaintRow.id).where(ComplaintRow.case_id == case_id)
    session.execute(
        update(ComplaintStepRow)
        .where(ComplaintStepRow.complaint_id.in_(complaints))
        .values(note="", data={})
    )
    session.execute(
        update(CustodyEventRow)
        .where(CustodyEventRow.case_id == case_id)
        .values(from_party="", to_party="")
    )
    messages = select(OutboxMessage.id).where(OutboxMessage.case_id == case_id)
    session.execute(
        update(OutboxMessage).where(OutboxMessage.case_id == case_id).values(file_sha256=None)
    )
    session.execute(update(OutboxPayload).where(OutboxPayload.id.in_(messages)).values(payload={}))


def _named_elsewhere(session: Session, sha: str, case_id: int) -> bool:
    """Whether a row outside the case still names the file: another case's scan, a batch's
    signature or signed receipt. (A signature image is a capture of its own: no other case's
    delivery or commitment names the same bytes.)"""
    scans = (
        select(func.count())
        .select_from(MaterialScanRow)
        .join(CaseMaterialRow, MaterialScanRow.material_row_id == CaseMaterialRow.id)
        .where(MaterialScanRow.sha256 == sha, CaseMaterialRow.case_id != case_id)
    )
    batches = select(func.count()).where(
        or_(TransferBatchRow.signature_sha == sha, TransferBatchRow.receipt_sha == sha)
    )
    return bool(session.scalar(scans) or session.scalar(batches))
