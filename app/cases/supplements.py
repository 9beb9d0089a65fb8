"""容缺受理 followed through (issue 25, 3): the materials promised at acceptance, which are overdue
and which are due soon, for each clerk who accepted them and for each department waiting for
them — with the applicant's phone for the call list.

A case accepted on commitment keeps its promise in ``cases.commitment`` (materials, due date,
signed by) until every material is in (``fulfilled_at``); :meth:`CaseDecisions.supplement`
receives them. This module only reads: who must be reminded, and of what.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.cases.audit import Actor
from app.cases.receipts import hall_day
from app.catalog.catalog import Catalog
from app.db.base import utcnow
from app.db.engine import Database
from app.db.models import CaseItemRow, CaseRow
from app.errors import OneStopError, RemindOnly
from app.identity.masking import mask_name, mask_phone

DUE_SOON_DAYS = 3  # calendar days: a reminder now still leaves time to gather a paper
Standing = Literal["overdue", "due_soon", "later"]
STANDING_LABELS: dict[Standing, str] = {
    "overdue": "已逾期",
    "due_soon": "即将到期",
    "later": "未到期",
}
# where a promise may still be open: accepted on it, or the items already done without it
OPEN_STATES = ("accepted_on_commitment", "accepted", "completed")


@dataclass(frozen=True)
class SupplementDue:
    """One case's promised materials still to come."""

    receipt_no: str
    scenario_name: str
    applicant_name: str
    applicant_phone: str
    clerk: str  # who accepted the case on the promise (before it was recorded: who opened it)
    departments: tuple[str, ...]  # the departments of the items that need the materials
    items: tuple[str, ...]  # those items' names
    materials: tuple[str, ...]  # their names
    material_ids: tuple[str, ...]  # and their ids, in the same order
    due_date: date
    days_left: int  # calendar days; negative: overdue by that many

    @property
    def standing(self) -> Standing:
        if self.days_left < 0:
            return "overdue"
        return "due_soon" if self.days_left <= DUE_SOON_DAYS else "later"

    @property
    def when_words(self) -> str:
        """ "逾期 3 天" / "今天到期" / "还有 2 天"."""
        if self.days_left < 0:
            return f"逾期 {-self.days_left} 天"
        return "今天到期" if self.days_left == 0 else f"还有 {self.days_left} 天"

    def to_dict(self, *, phones: bool = False) -> dict[str, object]:
        """As listed: names and phones masked unless ``phones`` (the call list)."""
        return {
            "receipt_no": self.receipt_no,
            "scenario": self.scenario_name,
            "applicant": self.applicant_name if phones else mask_name(self.applicant_name),
            "phone": self.applicant_phone if phones else mask_phone(self.applicant_phone),
            "clerk": self.clerk,
            "departments": list(self.departments),
            "materials": list(self.materials),
            "due_date": self.due_date.isoformat(),
            "days_left": self.days_left,
            "standing": self.standing,
            "standing_label": STANDING_LABELS[self.standing],
        }


@dataclass(frozen=True)
class Tally:
    """Open promises of one clerk or one department."""

    label: str
    overdue: int
    due_soon: int
    later: int

    @property
    def total(self) -> int:
        return self.overdue + self.due_soon + self.later


class Supplements:
    def __init__(
        self, db: Database, catalog: Catalog, *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock

    def open(
        self,
        *,
        today: date | None = None,
        clerk: str | None = None,
        department: str | None = None,
    ) -> list[SupplementDue]:
        """Every open promise, the most overdue first; of one clerk or department if named."""
        today = today or hall_day(self.clock())
        with self.db.read() as session:
            rows = session.scalars(
                select(CaseRow)
                .where(CaseRow.state.in_(OPEN_STATES), CaseRow.commitment.is_not(None))
                .options(selectinload(CaseRow.items), selectinload(CaseRow.materials))
            ).all()
            found = [due for row in rows if (due := self._due(row, today)) is not None]
        chosen = [
            d
            for d in found
            if (clerk is None or d.clerk == clerk)
            and (department is None or department in d.departments)
        ]
        return sorted(chosen, key=lambda d: (d.due_date, d.receipt_no))

    def _due(self, row: CaseRow, today: date) -> SupplementDue | None:
        commitment = row.commitment or {}
        waiting = [m for m in row.materials if m.status == "on_commitment"]
        closed = commitment.get("fulfilled_at") or commitment.get("lapsed_at")
        if closed or not waiting or not commitment.get("due_date"):
            return None
        due = date.fromisoformat(str(commitment["due_date"]))
        needing = self._needing(row, [m.material_id for m in waiting])
        return SupplementDue(
            receipt_no=row.receipt_no,
            scenario_name=row.scenario_name,
            applicant_name=row.applicant_name,
            applicant_phone=row.applicant_phone or row.agent_phone,
            clerk=str(commitment.get("accepted_by") or row.clerk),
            departments=tuple(dict.fromkeys(i.department for i in needing)),
            items=tuple(i.name for i in needing),
            materials=tuple(m.name for m in waiting),
            material_ids=tuple(m.material_id for m in waiting),
            due_date=due,
            days_left=(due - today).days,
        )

    def _needing(self, row: CaseRow, materials: Sequence[str]) -> list[CaseItemRow]:
        """The case's items that need these materials (the catalog says which items need which
        material); every item when the catalog no longer has the scenario."""
        scenario = self.catalog.scenarios.get(row.scenario_code)
        needing = set(scenario.items_needing(materials)) if scenario else set()
        return [i for i in row.items if i.item_id in needing] or list(row.items)


@dataclass(frozen=True)
class Lapsed:
    """What a sweep of missed deadlines did: the cases stopped (fully or in part), those the
    catalog says only to remind about, and those that could not be handled (with why)."""

    stopped: tuple[str, ...] = ()
    reminded: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()


def lapse_overdue(
    rows: Iterable[SupplementDue], lapse: Callable[[Actor, str], object], actor: Actor
) -> Lapsed:
    """The outcome the catalog says for every promise whose deadline has passed
    (:meth:`~app.cases.decisions.Decisions.lapse`); one case's refusal does not stop the rest."""
    stopped: list[str] = []
    reminded: list[str] = []
    failed: list[tuple[str, str]] = []
    for row in rows:
        if row.standing != "overdue":
            continue
        try:
            lapse(actor, row.receipt_no)
        except RemindOnly:
            reminded.append(row.receipt_no)
            continue
        except OneStopError as exc:
            failed.append((row.receipt_no, exc.message))
            continue
        stopped.append(row.receipt_no)
    return Lapsed(tuple(stopped), tuple(reminded), tuple(failed))


def tally(rows: Iterable[SupplementDue], by: Literal["clerk", "department"]) -> list[Tally]:
    """Open promises counted per clerk or per department, the most overdue first."""
    counts: dict[str, Counter[Standing]] = {}
    for row in rows:
        for label in (row.clerk,) if by == "clerk" else row.departments:
            counts.setdefault(label, Counter())[row.standing] += 1
    tallies = [Tally(k, c["overdue"], c["due_soon"], c["later"]) for k, c in counts.items()]
    return sorted(tallies, key=lambda t: (-t.overdue, -t.due_soon, t.label))
