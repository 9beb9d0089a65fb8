"""The searches the counter needs: by receipt number, ID number, name, phone, state and dates;
today's cases of a terminal; cases waiting for a result or for delivery."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from app.cases.receipts import HALL_TZ, normalise_receipt
from app.cases.snapshots import CaseSummary
from app.db.engine import Database
from app.db.models import CaseRow
from app.identity.resident_id import normalise


@dataclass(frozen=True)
class CaseQuery:
    receipt_no: str = ""
    id_number: str = ""  # the applicant's or the agent's
    name: str = ""  # part of the applicant's name
    phone: str = ""
    states: Sequence[str] = ()
    date_from: date | None = None  # hall-local dates, inclusive
    date_to: date | None = None
    terminal: str = ""
    limit: int = 200


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=HALL_TZ)


class CaseQueries:
    def __init__(self, db: Database) -> None:
        self.db = db

    def find(self, query: CaseQuery) -> list[CaseSummary]:
        statement = select(CaseRow).order_by(CaseRow.created_at.desc(), CaseRow.id.desc())
        if query.receipt_no:
            statement = statement.where(CaseRow.receipt_no == normalise_receipt(query.receipt_no))
        if query.id_number:
            number = normalise(query.id_number)  # full-width digits and spaces, as typed
            statement = statement.where(
                or_(CaseRow.applicant_id_number == number, CaseRow.agent_id_number == number)
            )
        if query.name:
            statement = statement.where(CaseRow.applicant_name.contains(query.name.strip()))
        if query.phone:
            statement = statement.where(CaseRow.applicant_phone == query.phone.strip())
        if query.states:
            statement = statement.where(CaseRow.state.in_(tuple(query.states)))
        if query.date_from:
            statement = statement.where(CaseRow.created_at >= _start_of(query.date_from))
        if query.date_to:
            statement = statement.where(
                CaseRow.created_at < _start_of(query.date_to + timedelta(days=1))
            )
        if query.terminal:
            statement = statement.where(CaseRow.terminal == query.terminal)
        with self.db.read() as session:
            return [CaseSummary.of(row) for row in session.scalars(statement.limit(query.limit))]

    def today(self, terminal: str, today: date) -> list[CaseSummary]:
        return self.find(CaseQuery(terminal=terminal, date_from=today, date_to=today))

    def unfinished(self, terminal: str) -> list[CaseSummary]:
        """This terminal's drafts: cases the clerk began and did not decide (the app was closed
        or killed mid-case), offered for resumption at the next start."""
        return self.find(CaseQuery(terminal=terminal, states=("draft",), limit=50))

    def waiting_for_result(self) -> list[CaseSummary]:
        return self.find(CaseQuery(states=("accepted", "accepted_on_commitment"), limit=1000))

    def waiting_for_delivery(self) -> list[CaseSummary]:
        return self.find(CaseQuery(states=("completed",), limit=1000))
