"""The searches the counter needs: by receipt number, ID number, name, phone, state and dates;
today's cases of a terminal; cases waiting for a result or for delivery.

Names and numbers are sealed (:mod:`app.db.sealed`): an ID number or a phone is found by its blind
index, one index lookup whatever the hall's size; part of a name by opening the names of the cases
the other conditions leave — the counter's search always has a date range — newest first, at most
:data:`NAME_SCAN` of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from app.cases.receipts import HALL_TZ, normalise_receipt
from app.cases.snapshots import CaseSummary
from app.db.engine import Database
from app.db.models import INDEXED, CaseRow
from app.identity.resident_id import normalise

NAME_SCAN = 20_000  # names opened for one search by part of a name (about 0.2 s)
RECENT_SCAN = 200  # newest cases read to find the recent scenarios


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
        sealer = self.db.sealer
        if query.id_number:
            number = normalise(query.id_number)  # full-width digits and spaces, as typed
            if sealer is None:  # a database kept unsealed (a test's)
                statement = statement.where(
                    or_(CaseRow.applicant_id_number == number, CaseRow.agent_id_number == number)
                )
            else:
                index = sealer.index(number, INDEXED["applicant_id_index"][1])
                statement = statement.where(
                    or_(CaseRow.applicant_id_index == index, CaseRow.agent_id_index == index)
                )
        if query.phone:
            phone = query.phone.strip()
            if sealer is None:
                statement = statement.where(CaseRow.applicant_phone == phone)
            else:
                index = sealer.index(phone, INDEXED["applicant_phone_index"][1])
                statement = statement.where(CaseRow.applicant_phone_index == index)
        statement = self._filtered(statement, query)
        with self.db.read() as session:
            if query.name:
                ids = self._named(session, statement, query.name.strip(), query.limit)
                statement = statement.where(CaseRow.id.in_(ids))
            return [CaseSummary.of(row) for row in session.scalars(statement.limit(query.limit))]

    @staticmethod
    def _named(session: Session, statement: Select[CaseRow], part: str, limit: int) -> list[int]:
        """The ids of the newest cases of ``statement`` whose applicant's name has ``part``."""
        names = statement.with_only_columns(CaseRow.id, CaseRow.applicant_name).limit(NAME_SCAN)
        found = []
        for case_id, name in session.execute(names):
            if part in name:
                found.append(case_id)
                if len(found) >= limit:
                    break
        return found

    @staticmethod
    def _filtered(statement: Select[CaseRow], query: CaseQuery) -> Select[CaseRow]:
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
        return statement

    def today(self, terminal: str, today: date) -> list[CaseSummary]:
        return self.find(CaseQuery(terminal=terminal, date_from=today, date_to=today))

    def recent_scenarios(self, terminal: str, limit: int = 5) -> list[str]:
        """The scenario codes this terminal's newest cases were for, newest first, each once —
        what the clerk's scenario list puts first before anything is typed."""
        statement = (
            select(CaseRow.scenario_code)
            .where(CaseRow.terminal == terminal)
            .order_by(CaseRow.created_at.desc(), CaseRow.id.desc())
            .limit(RECENT_SCAN)
        )
        with self.db.read() as session:
            codes = list(dict.fromkeys(session.scalars(statement)))
        return codes[:limit]

    def unfinished(self, terminal: str) -> list[CaseSummary]:
        """This terminal's drafts: cases the clerk began and did not decide (the app was closed
        or killed mid-case), offered for resumption at the next start."""
        return self.find(CaseQuery(terminal=terminal, states=("draft",), limit=50))

    def waiting_for_result(self) -> list[CaseSummary]:
        return self.find(CaseQuery(states=("accepted", "accepted_on_commitment"), limit=1000))

    def waiting_for_delivery(self) -> list[CaseSummary]:
        return self.find(CaseQuery(states=("completed",), limit=1000))
