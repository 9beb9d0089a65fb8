"""Period statistics of the hall (GB/T 45836 §8.1): what came in, what was decided and what was
done between two hall-local days, grouped by scenario, item, department, clerk or channel.

A period is the hall-local days ``first`` to ``last`` inclusive (``Asia/Shanghai``, the day a
receipt shows); each figure counts the cases whose moment in question falls in it:

- 预申请 ``pre_applied``: kiosk and online pre-applications created in the period, whatever
  became of them later.
- 受理 ``accepted``: cases accepted in the period, on commitment included.
- 容缺受理 ``on_commitment``: of those, the ones accepted on commitment (容缺受理).
- 不予受理 ``not_accepted``: cases not accepted in the period, also by the §32 ground given.
- 撤回 ``withdrawn``: cases withdrawn in the period, before or after acceptance.
- 帮办代办 ``assisted`` / 特殊群体 ``special``: cases whose visit began in the period
  (``created_at``) that staff helped with (帮办, 代办 or 陪同办), and those whose applicant
  belongs to a special group (older people recognised from the card, the others as marked).
- 告知承诺受理 ``pledged``: of the cases accepted in the period, those with a proof replaced by
  the applicant's commitment (证明事项告知承诺制); 核查属实 / 承诺不实 ``checked_true`` /
  ``checked_false``: cases whose department's check was recorded in the period, by its outcome.
- 按期办结 / 超期办结 ``completed_on_time`` / ``completed_overdue``: cases whose last item was
  decided in the period; on time when that day is no later than the promised date on the
  acceptance receipt (受理 day + the promised working days, by the official calendar).
- 超期未办结 ``overdue_open``: cases accepted before the period ended that were neither done nor
  withdrawn at its end although their promised date was the period's last day or earlier — they
  can no longer be done on time. Counted from the recorded times, so a case done since still
  counts for a past period; for a period that ends today it counts what is known now.

Grouped by item or department, each figure counts the items (事项) of those cases instead: a
case with three items counts three times, once for each item's department. The two completion
figures and 超期未办结 then concern the items themselves: an item is done when its department
decided (approved or not; items ended by a withdrawal or a refused earlier item are not done), on
time when decided no later than its own due day — the day it was sent to its department plus its
promised working days, computed like the case's promised date. An item still waiting for an
earlier item's result has no due day yet and is never overdue.

Grouped by clerk, a case belongs to the clerk who decided it at the window (受理, 容缺受理 or
不予受理, from the audit trail), else to whoever opened it; pre-applications always belong to the
kiosk or channel that took them. Grouped by channel: where the case was opened (综合窗口,
自助终端 or 网上预申请).

Everything is counted in SQL over indexed columns (``created_at``, ``accepted_at``,
``completed_at``, ``state``); no case is loaded whole.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlalchemy.orm import Session

from app.calendar.workdays import WorkCalendar
from app.cases.checks import NOT_ACCEPTED_GROUNDS
from app.db.engine import Database
from app.reports.figures import (
    CASES,
    GROUPINGS,
    ITEMS,
    Cell,
    Column,
    Deadlines,
    Grouping,
    Period,
    Table,
    assisted,
    between,
    committed,
    day_of,
    group_label,
    grouping,
    hall_date,
    in_departments,
    special_group,
)

DONE_ITEM_STATES = ("approved", "not_approved")  # decided; "terminated" ends undecided


@dataclass(frozen=True)
class PeriodRow:
    key: str
    label: str
    pre_applied: int = 0
    accepted: int = 0
    on_commitment: int = 0
    not_accepted: int = 0
    not_accepted_by_ground: tuple[tuple[str, int], ...] = ()  # (§32 ground, count)
    withdrawn: int = 0
    assisted: int = 0
    special: int = 0
    supplied: int = 0
    supplied_late: int = 0
    lapsed: int = 0
    pledged: int = 0
    checked_true: int = 0
    checked_false: int = 0
    completed_on_time: int = 0
    completed_overdue: int = 0
    overdue_open: int = 0

    def ground(self, ground: str) -> int:
        return dict(self.not_accepted_by_ground).get(ground, 0)


COUNTS = (
    ("pre_applied", "预申请"),
    ("accepted", "受理"),
    ("on_commitment", "其中容缺受理"),
    ("not_accepted", "不予受理"),
    ("withdrawn", "撤回"),
    ("assisted", "帮办代办"),
    ("special", "特殊群体"),
    ("supplied", "容缺补齐"),
    ("supplied_late", "其中逾期补齐"),
    ("lapsed", "容缺逾期终止"),
    ("pledged", "告知承诺受理"),
    ("checked_true", "核查属实"),
    ("checked_false", "承诺不实"),
    ("completed_on_time", "按期办结"),
    ("completed_overdue", "超期办结"),
    ("overdue_open", "超期未办结"),
)
PERIOD_NOTES = (
    "预申请：本期在自助终端或网上提交的预申请。受理：本期受理（含容缺受理）。",
    "不予受理、撤回：本期作出不予受理决定或撤回的办件；"
    "“其中第（X）项”为《行政许可法》第三十二条第一款的依据。",
    "帮办代办、特殊群体：本期接待的办件中由工作人员帮办、代办或陪同办理的，"
    "以及申请人属于老年人、残疾人、孕妇、军人军属等特殊群体的。",
    "容缺补齐：本期补齐全部容缺材料的办件，晚于承诺补交日期的为逾期补齐；容缺逾期终止："
    "本期因容缺材料逾期未补交而按目录终止相关事项的办件。",
    "告知承诺受理：本期受理、有证明材料以申请人书面承诺代替（证明事项告知承诺制）的办件；"
    "核查属实、承诺不实：本期登记部门核查结论的办件，承诺不实的撤销或终止相关事项并记入信用记录。",
    "按期办结、超期办结：本期办结的办件，办结日不晚于受理凭证上的承诺办结日为按期。",
    "超期未办结：本期结束时仍未办结、未撤回，且承诺办结日不晚于本期最后一天的已受理办件。",
    "日期均按大厅所在地（北京时间）计算，工作日按国务院公布的节假日和调休安排计算。",
)
ITEM_NOTES = (
    "按事项或部门统计时，每个办件按其所含事项分别计数；按期、超期和超期未办结按各事项"
    "自分送部门之日起的承诺工作日判断，尚在等待前置事项结果的事项不计。",
)
CLERK_NOTES = (
    "按窗口人员统计时，办件计入作出受理或不予受理决定的人员；预申请计入提交它的自助终端或渠道。",
)


@dataclass(frozen=True)
class PeriodReport:
    period: Period
    by: str
    rows: tuple[PeriodRow, ...]

    @property
    def total(self) -> PeriodRow:
        sums: dict[str, int] = {}
        grounds: Counter[str] = Counter()
        for row in self.rows:
            for name, _ in COUNTS:
                sums[name] = sums.get(name, 0) + getattr(row, name)
            grounds.update(dict(row.not_accepted_by_ground))
        return PeriodRow("", "合计", **sums, not_accepted_by_ground=tuple(sorted(grounds.items())))

    def grounds(self) -> list[str]:
        seen = {g for row in self.rows for g, _ in row.not_accepted_by_ground}
        return sorted(set(NOT_ACCEPTED_GROUNDS) | seen)

    def table(self) -> Table:
        grounds = self.grounds()
        columns = [Column("key", "编码", "key"), Column("label", GROUPINGS[self.by], "text")]
        for name, label in COUNTS:
            columns.append(Column(name, label))
            if name == "not_accepted":
                columns += [Column(f"not_accepted_{g}", f"其中{_ground_short(g)}") for g in grounds]
        rows = []
        for row in (*self.rows, self.total):
            cells: list[Cell] = [row.key, row.label]
            for name, _ in COUNTS:
                cells.append(getattr(row, name))
                if name == "not_accepted":
                    cells += [row.ground(g) for g in grounds]
            rows.append(tuple(cells))
        notes = PERIOD_NOTES + (ITEM_NOTES if self.by in ("item", "department") else ())
        notes += CLERK_NOTES if self.by == "clerk" else ()
        return Table(
            "period",
            f"办件统计（按{GROUPINGS[self.by]}）",
            self.period,
            tuple(columns),
            tuple(rows),
            notes,
            self.by,
        )

    def to_json(self) -> dict[str, Any]:
        return self.table().to_json()


def moment_between(key: str, period: Period, record: str = "commitment") -> ColumnElement[bool]:
    """A moment a case's record (the commitment, the verification) holds — ISO text in UTC, as
    ``datetime.isoformat`` writes it — in the period: such texts sort as their moments do."""
    moment = CASES.c[record][key].as_string()
    return and_(moment >= period.start.isoformat(), moment < period.end.isoformat())


def _ground_short(ground: str) -> str:
    found = re.search(r"第（[一二三四五六七八九十]+）项", NOT_ACCEPTED_GROUNDS.get(ground, ""))
    return found.group() if found else f"依据{ground}"


def period_report(
    db: Database, calendar: WorkCalendar, period: Period, *, by: str = "scenario"
) -> PeriodReport:
    """The period's figures per group (see the module's docstring for what each one counts)."""
    group = grouping(by)
    counts: dict[str, dict[str, int]] = {}
    labels: dict[str, str] = {}
    grounds: dict[str, Counter[str]] = {}

    def add(name: str, rows: Iterable[Any]) -> None:
        for row in rows:
            labels.setdefault(row.group_key, group_label(by, row.group_key, row.group_label))
            counts.setdefault(row.group_key, {})[name] = row.n

    n = func.count().label("n")
    with db.read() as session:
        opener = grouping(by, opener=True)
        add(
            "pre_applied",
            session.execute(
                opener.select(n).where(
                    CASES.c.channel != "counter", between(CASES.c.created_at, period)
                )
            ),
        )
        accepted = between(CASES.c.accepted_at, period)
        add("accepted", session.execute(group.select(n).where(accepted)))
        add("on_commitment", session.execute(group.select(n).where(accepted, committed())))
        refused = and_(CASES.c.state == "not_accepted", between(CASES.c.closed_at, period))
        ground = CASES.c.not_accepted["ground"].as_string().label("ground")
        for row in session.execute(group.select(ground, n).where(refused).group_by("ground")):
            labels.setdefault(row.group_key, group_label(by, row.group_key, row.group_label))
            grounds.setdefault(row.group_key, Counter())[row.ground or "?"] += row.n
        withdrawn = and_(CASES.c.state == "withdrawn", between(CASES.c.closed_at, period))
        add("withdrawn", session.execute(group.select(n).where(withdrawn)))
        visited = between(CASES.c.created_at, period)
        add("assisted", session.execute(group.select(n).where(visited, assisted())))
        add("special", session.execute(group.select(n).where(visited, special_group())))
        supplied = moment_between("fulfilled_at", period)
        add("supplied", session.execute(group.select(n).where(supplied)))
        late = CASES.c.commitment["fulfilled_late"].as_boolean()
        add("supplied_late", session.execute(group.select(n).where(supplied, late.is_(True))))
        add("lapsed", session.execute(group.select(n).where(moment_between("lapsed_at", period))))
        pledged = CASES.c.verification["status"].as_string().is_not(None)
        add("pledged", session.execute(group.select(n).where(accepted, pledged)))
        checked = moment_between("recorded_at", period, "verification")
        outcome = CASES.c.verification["status"].as_string()
        add("checked_true", session.execute(group.select(n).where(checked, outcome == "true")))
        add("checked_false", session.execute(group.select(n).where(checked, outcome == "false")))
        if by in ("item", "department"):
            done = _item_figures(session, group, Deadlines(calendar), db.dialect, period)
        else:
            done = _case_figures(session, group, db.dialect, period)
        for name, per_group in done.items():
            for key, (label, value) in per_group.items():
                labels.setdefault(key, group_label(by, key, label))
                counts.setdefault(key, {})[name] = value
    rows = []
    for key in sorted(labels, key=lambda k: (labels[k], k)):
        per_ground = grounds.get(key, Counter())
        by_ground = tuple(sorted(per_ground.items()))
        rows.append(
            PeriodRow(
                key,
                labels[key],
                **counts.get(key, {}),
                not_accepted=sum(per_ground.values()),
                not_accepted_by_ground=by_ground,
            )
        )
    return PeriodReport(period, by, tuple(rows))


Figures = dict[str, dict[str, tuple[str, int]]]  # figure → group key → (label, count)


def _case_figures(session: Session, group: Grouping, dialect: str, period: Period) -> Figures:
    figures: Figures = {"completed_on_time": {}, "completed_overdue": {}, "overdue_open": {}}
    on_time = func.sum(
        case(
            (hall_date(CASES.c.completed_at, dialect) <= CASES.c.promised_date, 1),
            else_=0,
        )
    ).label("on_time")
    done = group.select(func.count().label("n"), on_time)
    for row in session.execute(done.where(between(CASES.c.completed_at, period))):
        on_time_n = int(row.on_time or 0)
        figures["completed_on_time"][row.group_key] = (row.group_label, on_time_n)
        figures["completed_overdue"][row.group_key] = (row.group_label, row.n - on_time_n)
    late = group.select(func.count().label("n")).where(
        in_departments(period.end, period.end), CASES.c.promised_date <= period.last
    )
    for row in session.execute(late):
        figures["overdue_open"][row.group_key] = (row.group_label, row.n)
    return figures


def _item_figures(
    session: Session, group: Grouping, deadlines: Deadlines, dialect: str, period: Period
) -> Figures:
    """The items decided in the period, on time or not, and those overdue at its end. Due days
    come from the calendar, so SQL counts the items per (sent day, working days, decided day)
    and each distinct due day is computed here once."""
    on_time: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    late: Counter[str] = Counter()
    labels: dict[str, str] = {}
    sent = hall_date(ITEMS.c.dispatched_at, dialect).label("sent")
    decided = hall_date(ITEMS.c.decided_at, dialect).label("decided")
    done = group.select(sent, ITEMS.c.promised_days, decided, func.count().label("n"))
    done = done.where(
        in_departments(period.start, period.end),
        ITEMS.c.state.in_(DONE_ITEM_STATES),
        between(ITEMS.c.decided_at, period),
    ).group_by("sent", ITEMS.c.promised_days, "decided")
    for row in session.execute(done):
        labels[row.group_key] = row.group_label
        due = deadlines.due(day_of(row.sent), row.promised_days)
        (on_time if day_of(row.decided) <= due else overdue)[row.group_key] += row.n
    still_open = group.select(sent, ITEMS.c.promised_days, func.count().label("n"))
    still_open = still_open.where(
        in_departments(period.end, period.end),
        ITEMS.c.dispatched_at < period.end,
        or_(ITEMS.c.decided_at.is_(None), ITEMS.c.decided_at >= period.end),
    ).group_by("sent", ITEMS.c.promised_days)
    for row in session.execute(still_open):
        labels[row.group_key] = row.group_label
        if deadlines.due(day_of(row.sent), row.promised_days) <= period.last:
            late[row.group_key] += row.n
    return {
        name: {key: (labels[key], counter[key]) for key in counter}
        for name, counter in (
            ("completed_on_time", on_time),
            ("completed_overdue", overdue),
            ("overdue_open", late),
        )
    }
