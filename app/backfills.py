"""Catching up the cases from before an upgrade (migration 0015 lists them; see its docstring).

**Paper trail (0006).** A case accepted before the ledger existed, still with the departments
(已受理, 容缺受理), gets its papers registered as today's acceptance registers them — each paper
received waits for the first of the case's items that needs it (by the catalog version the case
was accepted under, else the current one, named in the entry) and whose department takes paper
under the hall's routes — dated from its acceptance, its first custody event saying it was
registered at the upgrade. A case whose scenario no catalog knows any more cannot be worked out:
it is recorded as untraced, like a finished one. A case already
finished (办结, 送达, 撤回) gets none: where its papers went was never recorded, and nothing of it
waits to go; that decision goes into its audit trail and the trace of the case shows it.

**差评 work items (0007).** A rating of level 1 or 2 given before work items existed opens its
work item now, as a rating does today, due the configured working days after the rating (so an
old one is overdue at once: it was never handled).

Each case's decision is an audit entry of that case (its 办件记录). It runs at each start and at
``onestop db upgrade`` after the sealing, in batches, each its own transaction; a case done
already is skipped, so an interrupted run goes on where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.cases.audit import SYSTEM, Actor, append
from app.cases.catalogs import CaseCatalogs
from app.cases.complaints import Complaints
from app.cases.states import IN_DEPARTMENTS
from app.catalog.catalog import Catalog
from app.db.base import utcnow
from app.db.engine import Database
from app.db.models import (
    AuditEntry,
    BackfillRow,
    CaseRow,
    ComplaintRow,
    CustodyEventRow,
    EvaluationRow,
    TransferItemRow,
)
from app.settings import TransferSettings
from app.transfers.ledger import papers_to_send
from app.transfers.snapshots import APPLICANT, NOT_TRACED, UNTRACED, WINDOW

log = logging.getLogger(__name__)
BATCH = 200
REGISTERED = "升级时补登：本办件受理时还没有材料流转登记"
BACKFILLED = "transfer_backfilled"


def run_backfills(
    db: Database,
    catalogs: CaseCatalogs,
    routes: TransferSettings,
    complaints: Complaints,
    terminal: str,
    *,
    now: datetime | None = None,
) -> dict[str, Any] | None:
    """Do what the upgrades left pending; what was done per backfill, or None when nothing was
    pending (one small read at each start)."""
    with db.read() as session:
        pending = {
            row.name: list(row.pending)
            for row in session.scalars(select(BackfillRow).where(BackfillRow.done_at.is_(None)))
        }
    if not pending:
        return None
    actor = Actor(SYSTEM, terminal)
    at = now or utcnow()
    done: dict[str, Any] = {}
    for name, ids in pending.items():
        if name == "transfer_ledger":
            outcome = _ledger(db, catalogs, routes, actor, ids, at=at)
        elif name == "complaints":
            outcome = _complaints(db, complaints, actor, ids)
        else:  # written by a newer version: left for it
            continue
        with db.transaction() as session:
            row = _hold(session, name)
            if row.done_at is not None:  # another terminal finished it meanwhile
                continue
            row.done_at, row.outcome = at, outcome
            append(session, actor, "backfilled", after={"backfill": name, **outcome}, at=at)
        log.info("backfill %s done: %s", name, outcome)
        done[name] = outcome
    return done


def _hold(session: Session, name: str) -> BackfillRow:
    """The backfill's row, locked for the transaction: a hall's terminals starting together
    after an upgrade take its batches one at a time, and each sees what the one before did
    (PostgreSQL reads committed rows afresh after the lock; SQLite writes one at a time)."""
    row = session.get(BackfillRow, name, with_for_update=True)
    assert row is not None
    return row


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _ledger(
    db: Database,
    catalogs: CaseCatalogs,
    routes: TransferSettings,
    actor: Actor,
    ids: Sequence[int],
    *,
    at: datetime,
) -> dict[str, int]:
    counts = {"cases": 0, "papers": 0, "untraced": 0}
    for chunk in _chunks(ids):
        with db.transaction() as session:
            _hold(session, "transfer_ledger")
            for case_id in chunk:
                case = session.get(CaseRow, case_id)
                if case is None or _registered(session, case_id):
                    continue  # gone (retention), or done by an interrupted run
                catalog = _catalog_of(catalogs, case)
                if case.state in IN_DEPARTMENTS and catalog is not None:
                    papers = _register(session, case, catalog, routes, actor, at=at)
                    counts["cases"] += bool(papers)
                    counts["papers"] += papers
                else:
                    _untraced(session, case, actor, at)
                    counts["untraced"] += 1
    return counts


def _registered(session: Session, case_id: int) -> bool:
    """Whether the case has papers in the ledger or a decision of an earlier run."""
    papers = exists().where(TransferItemRow.case_id == case_id)
    decided = exists().where(
        AuditEntry.case_id == case_id, AuditEntry.action.in_((BACKFILLED, NOT_TRACED))
    )
    return bool(session.scalar(select(papers)) or session.scalar(select(decided)))


def _catalog_of(catalogs: CaseCatalogs, case: CaseRow) -> Catalog | None:
    """The catalog the case was accepted under, else the current one, if it has the scenario."""
    for catalog in (catalogs.get(case.catalog_version), catalogs.current):
        if catalog is not None and case.scenario_code in catalog.scenarios:
            return catalog
    return None


def _register(
    session: Session,
    case: CaseRow,
    catalog: Catalog,
    routes: TransferSettings,
    actor: Actor,
    *,
    at: datetime,
) -> int:
    """:meth:`app.transfers.ledger.Ledger.accepted`, for a case accepted before it existed."""
    scenario = catalog.scenarios[case.scenario_code]
    since = case.accepted_at or at
    made: list[TransferItemRow] = []
    for paper in papers_to_send(scenario, case.items, case.materials, routes):
        item = TransferItemRow(
            case_id=case.id,
            receipt_no=case.receipt_no,
            direction="out",
            kind=paper.kind,
            ref=paper.material_id,
            name=paper.name,
            department=paper.department,
            originals=paper.originals,
            copies=paper.copies,
            state="waiting",
            promised_date=case.promised_date,
            created_at=since,
            updated_at=at,
        )
        session.add(item)
        made.append(item)
    session.flush()
    for item in made:
        session.add(
            CustodyEventRow(
                item_id=item.id,
                case_id=case.id,
                at=since,
                action="received",
                from_party=APPLICANT,
                to_party=WINDOW,
                batch_no="",
                actor=actor.name,
                terminal=actor.terminal,
                note=REGISTERED,
            )
        )
    append(
        session,
        actor,
        BACKFILLED,
        case_id=case.id,
        receipt_no=case.receipt_no,
        after={
            "items": [i.ref for i in made],
            "departments": sorted({i.department for i in made}),
            "catalog": catalog.version,
            "note": REGISTERED,
        },
        at=at,
    )
    return len(made)


def _untraced(session: Session, case: CaseRow, actor: Actor, at: datetime) -> None:
    append(
        session,
        actor,
        NOT_TRACED,
        case_id=case.id,
        receipt_no=case.receipt_no,
        after={"state": case.state, "note": UNTRACED},
        at=at,
    )


def _complaints(
    db: Database, complaints: Complaints, actor: Actor, ids: Sequence[int]
) -> dict[str, int]:
    opened = 0
    for chunk in _chunks(ids):
        with db.transaction() as session:
            _hold(session, "complaints")
            for rating_id in chunk:
                rating = session.get(EvaluationRow, rating_id)
                if rating is None or session.scalar(
                    select(exists().where(ComplaintRow.evaluation_id == rating_id))
                ):
                    continue
                case = session.get(CaseRow, rating.case_id)
                assert case is not None
                complaints.rated(session, actor, case, rating)
                opened += 1
    return {"opened": opened}
