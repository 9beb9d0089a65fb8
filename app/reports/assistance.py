"""帮办代办与特殊群体 (GB/T 45836 §7.4.3, §7.4.4, §8.1 d): for the cases opened in a period, how
many were helped in each mode and for how long on average, how many applicants belonged to each
special group and what they were offered — per scenario or per staff member; and how often the
kiosks were used, in 长辈模式 or not.

A case counts in the period its visit began (``created_at``, hall-local days). Grouped by staff
member, a case belongs to whoever helped (帮办, 陪同办) or, for 代办 and for a group only marked,
to the clerk who recorded it. Only cases with a record are read (a small share of all).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from app.cases.assistance import GROUPS, MODES, OFFERS
from app.db.engine import Database
from app.db.models import KioskSessionRow
from app.errors import InvalidInput
from app.reports.figures import CASES, Cell, Column, Period, Table, between

ASSISTANCE_GROUPINGS = {"scenario": "一件事", "helper": "工作人员"}
SESSIONS = KioskSessionRow.__table__
NOTES = (
    "按办件的接待日期统计（大厅所在地日期）；只统计登记了帮办代办或特殊群体的办件。",
    "帮办：工作人员代为填表、提交；代办：代办人持授权委托书代为办理；陪同办：工作人员陪同办理。",
    "老年人由身份证出生日期识别（六十周岁以上），其他特殊群体由窗口人员登记。",
    "按工作人员统计时，帮办、陪同办计入提供帮助的工作人员，代办和仅登记特殊群体的计入登记人。",
)


@dataclass
class AssistanceRow:
    key: str
    label: str
    modes: Counter[str] = field(default_factory=Counter)
    minutes: int = 0  # of the helped cases, summed
    groups: Counter[str] = field(default_factory=Counter)
    offered: Counter[str] = field(default_factory=Counter)

    @property
    def helped(self) -> int:
        return sum(self.modes.values())

    @property
    def minutes_mean(self) -> float | None:
        return self.minutes / self.helped if self.helped else None

    def add(self, record: dict[str, Any]) -> None:
        mode = record.get("mode")
        if mode in MODES:
            self.modes[mode] += 1
            self.minutes += int(record.get("minutes") or 0)
        self.groups.update(g for g in record.get("groups") or () if g in GROUPS)
        self.offered.update(o for o in record.get("offered") or () if o in OFFERS)


@dataclass(frozen=True)
class AssistanceReport:
    period: Period
    by: str
    rows: tuple[AssistanceRow, ...]
    kiosk_sessions: int = 0
    kiosk_elderly: int = 0

    @property
    def total(self) -> AssistanceRow:
        total = AssistanceRow("", "合计")
        for row in self.rows:
            total.modes.update(row.modes)
            total.minutes += row.minutes
            total.groups.update(row.groups)
            total.offered.update(row.offered)
        return total

    def table(self) -> Table:
        columns = [
            Column("key", "编码", "key"),
            Column("label", ASSISTANCE_GROUPINGS[self.by], "text"),
            *(Column(f"mode_{m}", label) for m, label in MODES.items()),
            Column("helped", "帮办代办合计"),
            Column("minutes_mean", "平均用时（分钟）", "number"),
            *(Column(f"group_{g}", label) for g, label in GROUPS.items()),
            *(Column(f"offer_{o}", f"提供{label}") for o, label in OFFERS.items()),
        ]
        rows = []
        for row in (*self.rows, self.total):
            cells: list[Cell] = [row.key, row.label]
            cells += [row.modes[m] for m in MODES]
            mean = row.minutes_mean
            cells += [row.helped, round(mean, 1) if mean is not None else None]
            cells += [row.groups[g] for g in GROUPS]
            cells += [row.offered[o] for o in OFFERS]
            rows.append(tuple(cells))
        kiosk = (
            f"自助终端：本期使用 {self.kiosk_sessions} 次，其中长辈模式 {self.kiosk_elderly} 次"
            + (
                f"（{self.kiosk_elderly / self.kiosk_sessions:.1%}）。"
                if self.kiosk_sessions
                else "。"
            )
        )
        return Table(
            "assistance",
            f"帮办代办与特殊群体（按{ASSISTANCE_GROUPINGS[self.by]}）",
            self.period,
            tuple(columns),
            tuple(rows),
            (*NOTES, kiosk),
            self.by,
        )

    def to_json(self) -> dict[str, Any]:
        return self.table().to_json()


def assistance_report(db: Database, period: Period, *, by: str = "scenario") -> AssistanceReport:
    if by not in ASSISTANCE_GROUPINGS:
        raise InvalidInput(
            f"不能按“{by}”分组。",
            hint=f"可选：{'、'.join(f'{k}（{v}）' for k, v in ASSISTANCE_GROUPINGS.items())}。",
        )
    query = select(CASES.c.scenario_code, CASES.c.scenario_name, CASES.c.assistance).where(
        CASES.c.assistance.is_not(None), between(CASES.c.created_at, period)
    )
    kiosk = select(
        func.count().label("n"),
        func.count().filter(SESSIONS.c.elderly.is_(True)).label("elderly"),
    ).where(between(SESSIONS.c.started_at, period))
    rows: dict[str, AssistanceRow] = {}
    with db.read() as session:
        for found in session.execute(query):
            record = found.assistance
            if not isinstance(record, dict):  # JSON null: never recorded
                continue
            if by == "scenario":
                key, label = found.scenario_code, found.scenario_name
            else:
                helper = record.get("helper") if record.get("mode") != "daiban" else ""
                key = label = str(helper or record.get("by") or "—")
            rows.setdefault(key, AssistanceRow(key, label)).add(record)
        sessions = session.execute(kiosk).one()
    ordered = tuple(sorted(rows.values(), key=lambda r: (-r.helped, r.label, r.key)))
    return AssistanceReport(period, by, ordered, int(sessions.n or 0), int(sessions.elderly or 0))
