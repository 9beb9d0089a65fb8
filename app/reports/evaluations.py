"""好差评 in a period: how many ratings of each of the five levels (5 非常满意 … 1 非常不满意) were
given, per scenario, clerk or rating channel, and the share of 差评 (levels 1 and 2).

Every rating given on a hall-local day of the period counts — the acceptance and the completion
stage alike, a follow-up rating (追评) as a rating of its own. Grouped by clerk, a rating belongs
to the clerk who decided the case at the window (else to whoever opened it), as in the period
report; grouped by channel, to where the rating was given (大厅平板, 二维码, 短信…). A 差评
whose appeal was upheld (a mistaken or malicious rating, :mod:`app.cases.complaints`) does not
count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, func

from app.cases.checks import EVALUATION_CHANNELS
from app.cases.evaluation import POOR_LEVELS
from app.cases.snapshots import LEVEL_LABELS
from app.db.base import table
from app.db.engine import Database
from app.db.models import ComplaintRow, EvaluationRow
from app.errors import InvalidInput
from app.reports.figures import (
    CASES,
    Cell,
    Column,
    Grouping,
    Period,
    Table,
    between,
    grouping,
)

EVALUATIONS = table(EvaluationRow)
COMPLAINTS = table(ComplaintRow)
LEVELS = (5, 4, 3, 2, 1)
EVALUATION_GROUPINGS = {"scenario": "一件事", "clerk": "窗口人员", "channel": "评价渠道"}
NOTES = (
    "统计本期（北京时间）作出的全部评价：受理环节和办结环节，追评也算一次评价。",
    "差评为“不满意”和“非常不满意”，差评率为差评数占评价总数的比例。",
    "经申诉认定为误评或恶意差评的评价不计入。",
)


@dataclass(frozen=True)
class EvaluationCounts:
    key: str
    label: str
    levels: tuple[int, int, int, int, int]  # how many of each level, 5 (非常满意) first

    def count(self, level: int) -> int:
        return self.levels[LEVELS.index(level)]

    @property
    def total(self) -> int:
        return sum(self.levels)

    @property
    def poor(self) -> int:
        return sum(self.count(level) for level in POOR_LEVELS)

    @property
    def poor_share(self) -> float | None:
        return self.poor / self.total if self.total else None


@dataclass(frozen=True)
class EvaluationReport:
    period: Period
    by: str
    rows: tuple[EvaluationCounts, ...]

    @property
    def total(self) -> EvaluationCounts:
        sums = [sum(row.levels[i] for row in self.rows) for i in range(len(LEVELS))]
        return EvaluationCounts("", "合计", (sums[0], sums[1], sums[2], sums[3], sums[4]))

    def table(self) -> Table:
        columns = (
            Column("key", "编码", "key"),
            Column("label", EVALUATION_GROUPINGS[self.by], "text"),
            *(Column(f"level_{level}", LEVEL_LABELS[level]) for level in LEVELS),
            Column("total", "合计"),
            Column("poor", "差评"),
            Column("poor_share", "差评率", "share"),
        )
        rows: list[tuple[Cell, ...]] = [
            (row.key, row.label, *row.levels, row.total, row.poor, row.poor_share)
            for row in (*self.rows, self.total)
        ]
        title = f"好差评统计（按{EVALUATION_GROUPINGS[self.by]}）"
        return Table("evaluations", title, self.period, columns, tuple(rows), NOTES, self.by)

    def to_json(self) -> dict[str, Any]:
        return self.table().to_json()


def _grouping(by: str) -> Grouping:
    if by not in EVALUATION_GROUPINGS:
        choices = "、".join(f"{k}（{v}）" for k, v in EVALUATION_GROUPINGS.items())
        raise InvalidInput(f"好差评不能按“{by}”分组。", hint=f"可选：{choices}。")
    if by == "channel":
        return Grouping(EVALUATIONS, EVALUATIONS.c.channel, EVALUATIONS.c.channel)
    cases = grouping(by)
    source = cases.source.join(EVALUATIONS, EVALUATIONS.c.case_id == CASES.c.id)
    return Grouping(source, cases.key, cases.label)


def _appeal_upheld() -> ColumnElement[bool]:
    return exists().where(
        COMPLAINTS.c.evaluation_id == EVALUATIONS.c.id, COMPLAINTS.c.outcome == "appeal_upheld"
    )


def evaluation_report(db: Database, period: Period, *, by: str = "scenario") -> EvaluationReport:
    """Ratings given in the period, per level and group (see the module's docstring)."""
    group = _grouping(by)
    levels: defaultdict[str, list[int]] = defaultdict(lambda: [0] * len(LEVELS))
    labels: dict[str, str] = {}
    query = (
        group.select(EVALUATIONS.c.level, func.count().label("n"))
        .where(between(EVALUATIONS.c.created_at, period), ~_appeal_upheld())
        .group_by(EVALUATIONS.c.level)
    )
    with db.read() as session:
        for row in session.execute(query):
            label = row.group_label or row.group_key
            labels[row.group_key] = (
                EVALUATION_CHANNELS.get(label, label) if by == "channel" else label
            )
            levels[row.group_key][LEVELS.index(row.level)] += row.n
    rows = [
        EvaluationCounts(key, labels[key], (v[0], v[1], v[2], v[3], v[4]))
        for key, v in sorted(levels.items(), key=lambda kv: (labels[kv[0]], kv[0]))
    ]
    return EvaluationReport(period, by, tuple(rows))
