"""Retention on a real hall (SQLite and PostgreSQL): which finished cases are due, what a purge
leaves (nothing personal: not in the rows read back, not in the audit trail, not on the disk; the
reports' figures all), that a second run and a dry run change nothing, and that the audit chain
verifies after a purge — its anchors agreeing — while a forged purge marker is caught."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from app.bootstrap import Core
from app.cases.audit import GENESIS, KEYED, PURGED, entry_hash, is_purged
from app.cases.audit_verify import verify
from app.cases.queries import CaseQuery
from app.cases.retention import ACTION, Retention, trail_only
from app.db.models import (
    DELIVERY_CLEAR,
    AuditEntry,
    AuditHead,
    ComplaintStepRow,
    CustodyEventRow,
    MaterialScanRow,
    OutboxMessage,
    OutboxPayload,
)
from app.reports.effectiveness import effectiveness_report
from app.reports.evaluations import evaluation_report
from app.reports.figures import Period
from tests.helpers.cases import CLERK, MOTHER
from tests.helpers.clock import MONDAY, WallClock
from tests.helpers.cores import Cores
from tests.helpers.retention import ROUTES, deliver_messages, finished

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
PERSONAL = ("李芳", "43010419920315204X", "13800138000", "长沙市岳麓区")


@pytest.fixture
def clock() -> WallClock:
    return WallClock(MONDAY)


@pytest.fixture
def core(cores: Cores, clock: WallClock, database_url: str) -> Core:
    return cores("hall", clock=clock, database={"url": database_url}, transfers={"routes": ROUTES})


def retention(core: Core, clock: WallClock, keep_days: int = 180) -> Retention:
    return Retention(core.db, core.files, clock, keep_days)


def audit_count(core: Core) -> int:
    with core.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def figures(core: Core) -> dict[str, Any]:
    return {
        "effectiveness": effectiveness_report(
            core.db, core.catalog, core.calendar, NOVEMBER
        ).to_json(),
        "evaluations": evaluation_report(core.db, NOVEMBER).to_json(),
    }


def data_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_only_cases_over_everywhere_and_kept_their_days_are_due(
    core: Core, clock: WallClock
) -> None:
    done = finished(core)
    open_case = finished(core, deliver=False)  # accepted: not closed
    unsent = finished(core)  # its messages stay with the sender
    waiting = finished(core, papers=False)  # its papers never left the window
    clock.advance(days=10)
    recent = finished(core)
    deliver_messages(
        core, {done.receipt_no, open_case.receipt_no, waiting.receipt_no, recent.receipt_no}
    )
    keep = retention(core, clock)
    clock.now = MONDAY + timedelta(days=180)  # the 180th day after: still kept
    assert keep.due() == []
    clock.now = MONDAY + timedelta(days=181)
    assert [d.receipt_no for d in keep.due()] == [done.receipt_no]
    assert retention(core, clock, keep_days=0).due() == []  # 0: kept for ever

    deliver_messages(core, {unsent.receipt_no})  # the sender's lease ran out: sent again, taken
    assert [d.receipt_no for d in keep.due()] == [done.receipt_no, unsent.receipt_no]
    keep.run(CLERK)
    assert keep.due() == []  # purged once, never due again
    clock.advance(days=10)
    assert [d.receipt_no for d in keep.due()] == [recent.receipt_no]  # its days are up now
    assert waiting.receipt_no not in {d.receipt_no for d in keep.due()}


def test_a_purge_leaves_nothing_personal_and_every_figure(
    core: Core, clock: WallClock, tmp_path: Path
) -> None:
    case = finished(core)
    kept = finished(core)  # the same scan as ``case``: one file, gone with the last case
    clock.advance(days=10)
    later = finished(core, scan=b"%PDF-1.7 another page")  # closed later: kept whole
    deliver_messages(core, {case.receipt_no, kept.receipt_no, later.receipt_no})
    with core.db.read() as session:
        scan_sha = session.scalars(select(MaterialScanRow.sha256)).first()
    assert scan_sha is not None and core.files.has(scan_sha)
    before = figures(core)
    anchor = core.anchors.make("counter-01")
    assert anchor is not None

    clock.now = MONDAY + timedelta(days=185)
    keep = retention(core, clock)
    dry = keep.run(CLERK, dry_run=True)
    assert dry.cases == [case.receipt_no, kept.receipt_no] and dry.scans == 2
    entries = audit_count(core)
    assert core.cases.get(case.receipt_no).applicant.name == "李芳"  # a dry run changes nothing
    assert audit_count(core) == entries and core.files.has(scan_sha)

    run = keep.run(CLERK)
    assert (run.cases, run.entries, run.dry_run) == (dry.cases, dry.entries, False)
    assert (run.scans, run.files, run.entries_left, run.failed) == (2, 3, 0, [])
    assert dry.files == 2  # each case's signature: the shared scan was named by the other
    assert run.entries > 0
    assert not core.files.has(scan_sha)  # the same scan in both cases: gone with the last
    assert audit_count(core) == entries + 2  # one retention_purged entry per case

    purged = core.cases.get(case.receipt_no)
    assert purged.purged_at == clock.now
    assert (purged.applicant.name, purged.applicant.id_number, purged.applicant.phone) == (
        "",
        "",
        "",
    )
    assert purged.applicant.address == "" and purged.agent is None
    assert purged.form_data == {} and purged.answers == {}
    assert purged.delivery is not None and set(purged.delivery) <= set(DELIVERY_CLEAR)
    assert purged.delivery["method"] == "pickup"
    assert [e.level for e in purged.evaluations] == [1] and purged.evaluations[0].text == ""
    assert all(m.scans == () for m in purged.materials)
    assert [m.status for m in purged.materials] == [m.status for m in case.materials]
    assert purged.state == "delivered" and purged.closed_at == case.closed_at
    found = core.queries.find(CaseQuery(id_number=MOTHER.id_number))
    assert [c.receipt_no for c in found] == [later.receipt_no]  # no longer found by her number
    with core.db.read() as session:
        steps = session.scalars(select(ComplaintStepRow.note)).all()
        parties = session.execute(
            select(CustodyEventRow.case_id, CustodyEventRow.from_party, CustodyEventRow.to_party)
        ).all()
        payloads = session.execute(
            select(OutboxMessage.receipt_no, OutboxPayload.payload, OutboxMessage.file_sha256).join(
                OutboxPayload, OutboxPayload.id == OutboxMessage.id
            )
        ).all()
    assert "" in steps and any("李芳" in s for s in steps)  # the later case's call-back stays
    assert all(p.from_party == p.to_party == "" for p in parties if p.case_id == purged.id)
    assert all(
        (p.payload, p.file_sha256) == ({}, None)
        for p in payloads
        if p.receipt_no == case.receipt_no
    )
    trail = core.cases.timeline(case.receipt_no)
    assert trail[-1].action == ACTION
    assert trail[-1].after == {
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "keep_days": 180,
        "scans": 1,
    }
    for entry in trail:
        for value in (entry.before, entry.after):
            assert value is None or is_purged(value) or trail_only(value) or entry.action == ACTION
    assert not any(p in str([(e.before, e.after) for e in trail]) for p in PERSONAL)
    accepting = next(e for e in trail if e.action == "accept")
    assert accepting.before is not None and "state" in accepting.before  # what happened stays
    assert accepting.after is not None and is_purged(accepting.after)  # it named the signer

    assert figures(core) == before  # the reports count as before
    with core.db.read() as session:
        report = verify(session)
    assert report.ok, report.problems
    assert report.purged == run.entries and report.anchors  # the anchor still agrees

    # Kept cases are whole; the disk holds nobody's data in clear, and no scan page.
    assert core.cases.get(later.receipt_no).applicant.name == "李芳"
    folder = data_bytes(tmp_path / "hall")
    assert b"SCAN-PAGE-0001" not in folder and b"SIG-" not in folder
    assert not any(p.encode() in folder for p in PERSONAL)

    again = keep.run(CLERK)  # idempotent
    assert again.cases == [] and audit_count(core) == entries + 2


def test_a_forged_purge_marker_is_caught(core: Core, clock: WallClock) -> None:
    case = finished(core)
    deliver_messages(core, {case.receipt_no})
    clock.now = MONDAY + timedelta(days=200)
    assert retention(core, clock).run(CLERK).cases == [case.receipt_no]
    with core.db.transaction() as session:
        marked = session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case.id, AuditEntry.action == "open")
        ).one()
        assert marked.after is not None and is_purged(marked.after)
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == marked.id)
            .values(after={PURGED: "0" * 64})  # someone hides what the entry said
        )
    with core.db.read() as session:
        report = verify(session)
    assert not report.ok
    assert any(f"第 {marked.id} 条" in p and "改动" in p for p in report.problems)


def as_format_one(core: Core) -> None:
    """The chain as a database from before format 2 has it: its switch point names no format,
    every keyed hash covers the values themselves, and the head says format 1."""
    ring = core.keys.audit
    with core.db.transaction() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        prevs: dict[str, str] = {}  # per chain (one per terminal)
        keys: dict[str, bytes | None] = {}
        for row in rows:
            if row.action == KEYED and row.after is not None:
                row.after = {k: v for k, v in row.after.items() if k != "format"}
                keys[row.chain] = ring.secret(row.after["key_id"])
            row.prev_hash = prev = prevs.get(row.chain, GENESIS)
            row.hash = prevs[row.chain] = entry_hash(
                prev, at=row.at, actor=row.actor, terminal=row.terminal, case_id=row.case_id,
                receipt_no=row.receipt_no, action=row.action, before=row.before,
                after=row.after, key=keys.get(row.chain),
            )  # fmt: skip
        for chain, last in prevs.items():
            session.execute(
                update(AuditHead)
                .where(AuditHead.terminal == chain)
                .values(last_hash=last, format=1)
            )


def test_entries_from_before_format_two_keep_their_data_and_are_counted(
    core: Core, clock: WallClock
) -> None:
    old = finished(core)
    deliver_messages(core, {old.receipt_no})
    as_format_one(core)
    with core.db.read() as session:
        assert verify(session).ok
    new = finished(core)  # its first entry switches the chain to format 2
    deliver_messages(core, {new.receipt_no})
    clock.now = MONDAY + timedelta(days=200)
    run = retention(core, clock).run(CLERK)
    assert run.cases == [old.receipt_no, new.receipt_no]
    assert run.entries_left > 0  # the old case's entries, sealed but whole
    old_trail = core.cases.timeline(old.receipt_no)
    assert any("李芳" in str(e.after) for e in old_trail)
    assert not any("李芳" in str(e.after) for e in core.cases.timeline(new.receipt_no))
    with core.db.read() as session:
        report = verify(session)
    assert report.ok, report.problems
    assert core.cases.get(old.receipt_no).applicant.name == ""  # the case itself is purged
