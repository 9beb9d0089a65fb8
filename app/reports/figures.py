"""What the reports are made of: the period of hall-local days, the table every export shows,
and the SQL the reports share — which cases were in the departments when, how a case is grouped
(by scenario, item, department, clerk or channel), the hall-local day of a stored moment, and due
days by the official calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, Protocol

from sqlalchemy import Date, and_, case, cast, func, or_, select, type_coerce, union_all
from sqlalchemy.sql import ColumnElement, FromClause, Select

from app.calendar.workdays import WorkCalendar
from app.cases.checks import CHANNELS
from app.cases.receipts import HALL_TZ
from app.cases.states import IN_DEPARTMENTS
from app.db.base import table
from app.db.models import AuditEntry, CaseItemRow, CaseRow
from app.errors import InvalidInput

CASES = table(CaseRow)
ITEMS = table(CaseItemRow)
DECISIONS = table(AuditEntry).alias("decisions")
DECISION_ACTIONS = ("accept", "accept_on_commitment", "not_accept")

GROUPINGS = {
    "scenario": "一件事",
    "item": "事项",
    "department": "部门",
    "clerk": "窗口人员",
    "channel": "受理渠道",
}
Cell = int | float | str | None
Kind = Literal["key", "text", "count", "number", "share"]  # key: a code for machines, not shown


@dataclass(frozen=True)
class Period:
    """Hall-local days ``first`` to ``last``, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise InvalidInput(
                f"结束日期 {self.last:%Y-%m-%d} 早于开始日期 {self.first:%Y-%m-%d}。",
                hint="请把结束日期改为开始日期当天或之后。",
            )

    @property
    def start(self) -> datetime:
        """The first moment of the period (UTC, as stored)."""
        return datetime.combine(self.first, time(), HALL_TZ).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the period (UTC, as stored)."""
        return datetime.combine(self.last + timedelta(days=1), time(), HALL_TZ).astimezone(UTC)

    @property
    def label(self) -> str:
        return f"{self.first:%Y年%m月%d日}至{self.last:%Y年%m月%d日}"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = "count"


@dataclass(frozen=True)
class Table:
    """A report as every export shows it: a title, the period, labelled columns, rows of plain
    values and the definitions a reader needs to know what each number means."""

    name: str
    title: str
    period: Period
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...]
    by: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "report": self.name,
            "title": self.title,
            "by": self.by or None,
            "from": self.period.first.isoformat(),
            "to": self.period.last.isoformat(),
            "columns": [{"key": c.key, "label": c.label} for c in self.columns],
            "rows": [
                {c.key: _json_cell(v) for c, v in zip(self.columns, row, strict=True)}
                for row in self.rows
            ],
            "notes": list(self.notes),
        }


class Report(Protocol):
    def table(self) -> Table: ...


def _json_cell(value: Cell) -> Cell:
    return round(value, 4) if isinstance(value, float) else value


def between(column: ColumnElement[Any], period: Period) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def hall_date(column: ColumnElement[Any], dialect: str) -> ColumnElement[date]:
    """The hall-local day of a stored UTC moment, in SQL. China has kept UTC+8 without summer
    time since 1991, so SQLite adds the zone's offset; PostgreSQL converts by the zone's name."""
    if dialect == "postgresql":
        return cast(func.timezone(HALL_TZ.key, column), Date)
    offset = HALL_TZ.utcoffset(datetime(2000, 1, 1)) or timedelta()
    return type_coerce(func.date(column, f"+{int(offset.total_seconds())} seconds"), Date)


def committed() -> ColumnElement[bool]:
    """Accepted on commitment: the commitment holds its signer (a plain acceptance stores JSON
    null there, which is not SQL NULL)."""
    signer: ColumnElement[str] = CASES.c.commitment["signed_by"].as_string()
    return signer.is_not(None)


def assisted() -> ColumnElement[bool]:
    """Helped in one of the modes (帮办, 代办, 陪同办): the record holds a mode (a case with no
    record stores JSON null, and a record of a special group alone has a null mode)."""
    mode: ColumnElement[str] = CASES.c.assistance["mode"].as_string()
    return mode.is_not(None)


def special_group() -> ColumnElement[bool]:
    """The applicant belongs to a special group (the record names at least one)."""
    first: ColumnElement[str] = CASES.c.assistance[("groups", 0)].as_string()
    return first.is_not(None)


def in_departments(since: datetime, until: datetime) -> ColumnElement[bool]:
    """Cases accepted before ``until`` and neither done nor withdrawn before ``since``.

    Such a case is in the departments now, or was done or withdrawn since: three disjoint sets
    the indexes on ``state`` and ``completed_at`` find, where ``accepted_at < until`` alone would
    read every case the hall ever accepted."""
    candidates = union_all(
        select(CASES.c.id).where(CASES.c.state.in_(sorted(IN_DEPARTMENTS))),
        select(CASES.c.id).where(CASES.c.completed_at >= since),
        select(CASES.c.id).where(CASES.c.state == "withdrawn", CASES.c.closed_at >= since),
    )
    return and_(
        CASES.c.id.in_(candidates),
        CASES.c.accepted_at < until,
        or_(CASES.c.completed_at.is_(None), CASES.c.completed_at >= since),
        or_(CASES.c.closed_at.is_(None), CASES.c.closed_at >= since),
    )


@dataclass(frozen=True)
class Grouping:
    """Where a grouped query reads from, and the key and label of a group."""

    source: FromClause
    key: ColumnElement[str]
    label: ColumnElement[str]

    def select(self, *columns: Any) -> Select[Any]:
        """Grouped by the key's label: PostgreSQL would not see that two copies of an
        expression with bound parameters are the same."""
        return (
            select(self.key.label("group_key"), func.max(self.label).label("group_label"), *columns)
            .select_from(self.source)
            .group_by("group_key")
        )


def grouping(by: str, *, opener: bool = False) -> Grouping:
    """``opener``: a clerk is who opened the case (for pre-applications), not who decided it."""
    if by == "scenario":
        return Grouping(CASES, CASES.c.scenario_code, CASES.c.scenario_name)
    if by == "channel":
        return Grouping(CASES, CASES.c.channel, CASES.c.channel)
    if by == "clerk":
        if opener:
            return Grouping(CASES, CASES.c.clerk, CASES.c.clerk)
        decided = and_(DECISIONS.c.case_id == CASES.c.id, DECISIONS.c.action.in_(DECISION_ACTIONS))
        clerk = func.coalesce(DECISIONS.c.actor, CASES.c.clerk)
        return Grouping(CASES.outerjoin(DECISIONS, decided), clerk, clerk)
    with_items = CASES.join(ITEMS, ITEMS.c.case_id == CASES.c.id)
    if by == "department":
        return Grouping(with_items, ITEMS.c.department, ITEMS.c.department)
    if by == "item":  # the same administrative item in two scenarios shares its code
        key = case(
            (ITEMS.c.code != "", ITEMS.c.code), else_=CASES.c.scenario_code + "/" + ITEMS.c.item_id
        )
        return Grouping(with_items, key, ITEMS.c.name)
    raise InvalidInput(
        f"不能按“{by}”分组。",
        hint=f"可选：{'、'.join(f'{k}（{v}）' for k, v in GROUPINGS.items())}。",
    )


def group_label(by: str, key: str, label: str | None) -> str:
    if by == "channel":
        return CHANNELS.get(key, key)
    return label or key


class Deadlines:
    """Due days by the official calendar, each distinct (start day, working days) computed once."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._due: dict[tuple[date, int], date] = {}
        self._between: dict[tuple[date, date], int] = {}

    def due(self, start: date, days: int) -> date:
        key = (start, days)
        if key not in self._due:
            self._due[key] = self.calendar.add_working_days(start, days).day
        return self._due[key]

    def working_days(self, start: date, end: date) -> int:
        key = (start, end)
        if key not in self._between:
            self._between[key] = self.calendar.working_days_between(start, end)
        return self._between[key]


def day_of(value: date | str) -> date:
    """A day from SQL: a date, or ISO text where the driver leaves it so."""
    return value if isinstance(value, date) else date.fromisoformat(value)
