"""办不成事 反映 in figures (国办发〔2025〕24号 (九)): for the reports taken in a period (hall-local
days of ``reported_at``), per department or per scenario — how many, how many urgent, how many from
the 12345 hotline, how many answered (called back) within their deadline, the mean minutes to the
answer, how many closed and with which outcome.

A report counts in the group of the department it names (or "未写明部门"), or of its scenario
(or "未写明事项"). Answered in time: the first call back no later than the deadline (2 hours for
an urgent report, 24 for an ordinary one). Only the readable columns are read; nothing sealed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.cases.unresolved import OUTCOMES
from app.db.base import table
from app.db.engine import Database
from app.db.models import UnresolvedRow
from app.errors import InvalidInput
from app.reports.figures import Cell, Column, Period, Table, between

UNRESOLVED_GROUPINGS = {"department": "部门", "scenario": "一件事"}
REPORTS = table(UnresolvedRow)
NOTES = (
    "按反映登记的日期统计（大厅所在地日期）。紧急的须 2 小时内、一般的须 24 小时内回访答复，"
    "首次回访不晚于时限的为按时答复。",
    "平均答复用时为登记到首次回访的分钟数，只计已回访的。",
)


@dataclass
class UnresolvedFigures:
    key: str
    label: str
    total: int = 0
    urgent: int = 0
    hotline: int = 0
    answered: int = 0
    on_time: int = 0
    minutes: float = 0.0  # to the answer, summed over the answered
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def closed(self) -> int:
        return sum(self.outcomes.values())

    @property
    def minutes_mean(self) -> float | None:
        return self.minutes / self.answered if self.answered else None

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.total if self.total else None

    def add(self, found: Any) -> None:
        self.total += 1
        self.urgent += found.grade == "urgent"
        self.hotline += bool(found.order_no) or found.source == "hotline"
        if found.answered_at is not None:
            self.answered += 1
            self.on_time += found.answered_at <= found.due_at
            self.minutes += (found.answered_at - found.reported_at).total_seconds() / 60
        if found.outcome in OUTCOMES:
            self.outcomes[found.outcome] += 1


@dataclass(frozen=True)
class UnresolvedReport:
    period: Period
    by: str
    rows: tuple[UnresolvedFigures, ...]

    @property
    def total(self) -> UnresolvedFigures:
        total = UnresolvedFigures("", "合计")
        for row in self.rows:
            total.total += row.total
            total.urgent += row.urgent
            total.hotline += row.hotline
            total.answered += row.answered
            total.on_time += row.on_time
            total.minutes += row.minutes
            total.outcomes.update(row.outcomes)
        return total

    def table(self) -> Table:
        columns = (
            Column("key", "编码", "key"),
            Column("label", UNRESOLVED_GROUPINGS[self.by], "text"),
            Column("total", "反映件数"),
            Column("urgent", "其中紧急"),
            Column("hotline", "其中12345"),
            Column("answered", "已回访"),
            Column("on_time", "按时答复"),
            Column("on_time_share", "按时答复率", "share"),
            Column("minutes_mean", "平均答复用时（分钟）", "number"),
            Column("closed", "已办结"),
            *(Column(f"outcome_{o}", label) for o, label in OUTCOMES.items()),
        )
        rows: list[tuple[Cell, ...]] = []
        for row in (*self.rows, self.total):
            mean = row.minutes_mean
            rows.append(
                (
                    row.key,
                    row.label,
                    row.total,
                    row.urgent,
                    row.hotline,
                    row.answered,
                    row.on_time,
                    row.on_time_share,
                    round(mean, 1) if mean is not None else None,
                    row.closed,
                    *(row.outcomes[o] for o in OUTCOMES),
                )
            )
        return Table(
            "unresolved",
            f"办不成事反映（按{UNRESOLVED_GROUPINGS[self.by]}）",
            self.period,
            columns,
            tuple(rows),
            NOTES,
            self.by,
        )

    def to_json(self) -> dict[str, Any]:
        return self.table().to_json()


def unresolved_report(db: Database, period: Period, *, by: str = "department") -> UnresolvedReport:
    if by not in UNRESOLVED_GROUPINGS:
        raise InvalidInput(
            f"不能按“{by}”分组。",
            hint=f"可选：{'、'.join(f'{k}（{v}）' for k, v in UNRESOLVED_GROUPINGS.items())}。",
        )
    c = REPORTS.c
    query = select(
        c.grade,
        c.source,
        c.order_no,
        c.department,
        c.scenario_code,
        c.scenario_name,
        c.reported_at,
        c.due_at,
        c.answered_at,
        c.outcome,
    ).where(between(c.reported_at, period))
    rows: dict[str, UnresolvedFigures] = {}
    with db.read() as session:
        for found in session.execute(query):
            if by == "department":
                key = label = found.department or "未写明部门"
            else:
                key = found.scenario_code or "—"
                label = found.scenario_name or "未写明事项"
            rows.setdefault(key, UnresolvedFigures(key, label)).add(found)
    ordered = tuple(sorted(rows.values(), key=lambda r: (-r.total, r.label)))
    return UnresolvedReport(period, by, ordered)
