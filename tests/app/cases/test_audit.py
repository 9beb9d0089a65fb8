"""The audit chain: every change recorded once, and any edit, removal or insertion detected."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from app.cases.audit import verify
from app.cases.service import CaseService
from app.catalog.catalog import Catalog
from app.db.engine import Database
from app.db.models import AuditEntry
from tests.helpers.cases import CLERK, open_newborn, receive_all


@pytest.fixture
def history(service: CaseService, catalog: Catalog) -> str:
    case = service.accept(CLERK, receive_all(service, open_newborn(service, catalog)).receipt_no)
    open_newborn(service, catalog)
    return case.receipt_no


def test_untouched_chain_verifies(db: Database, history: str) -> None:
    with db.read() as session:
        report = verify(session)
    assert report.ok and report.entries > 5


def test_entries_carry_who_where_and_before_after(service: CaseService, history: str) -> None:
    accept = service.timeline(history)[-1]
    assert (accept.actor, accept.terminal, accept.action) == ("clerk-zhang", "counter-01", "accept")
    assert accept.before == {"state": "draft", "promised_date": None}
    assert accept.after is not None and accept.after["state"] == "accepted"


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "delete_last"])
def test_tampering_is_detected(db: Database, history: str, tamper: str) -> None:
    with db.transaction() as session:
        ids = list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))
        if tamper == "edit":
            session.execute(
                update(AuditEntry).where(AuditEntry.id == ids[2]).values(actor="someone-else")
            )
        elif tamper == "delete_middle":
            session.execute(delete(AuditEntry).where(AuditEntry.id == ids[2]))
        else:
            session.execute(delete(AuditEntry).where(AuditEntry.id == ids[-1]))
    with db.read() as session:
        report = verify(session)
    assert not report.ok
    assert any(("改动" in p) or ("删除" in p) for p in report.problems)
