"""What the integrated service achieved (GB/T 45836 §8.1 成效): for each scenario, the catalog's
figures before and after the reform beside what the hall's own cases done in the period show.

The catalog's figures (``reform.before`` / ``reform.after``): materials, days, trips and steps
as published; 表单字段 is the number of distinct fields of the scenario's one merged form (the
catalog publishes no such figure), shown as the "after" figure.

The hall's figures cover the cases completed in the period (the last item decided on a hall-local
day in it), whichever day they were accepted:

- 办结件数: how many.
- 办理时间: working days from the acceptance day to the completion day by the official calendar
  (a case accepted and done on the same day took 0), as the median and the 90th percentile
  (nearest rank: 90 % of the cases took no longer).
- 申请材料: per case on average, the materials handed in (received as original or copy, also
  when brought later on commitment) and those the applicant did not have to bring, by why:
  produced by another item of the scenario (内部流转), verified e-licence (电子证照), generated from
  the form (系统生成), exempted by the clerk at the window with a reason (窗口核验), or replaced
  by the applicant's commitment (告知承诺, checked afterwards by the department). Materials
  promised on commitment and not brought yet are counted apart; materials the case no longer
  needed are left out.
- 跑动次数: per case, 1 for the visit at which it was accepted (a kiosk or online pre-application
  completed at the window is that same visit), plus 1 when it was accepted on commitment (the
  promised materials must be brought), plus 1 when the result was collected at the window
  (窗口领取; mailed or electronic delivery needs no trip, and a result not handed over yet counts
  none). Shown as the average and the share of cases done with at most one trip (最多跑一次).
- 帮办代办: of those cases, how many staff helped with (帮办, 代办, 陪同办, each counted apart),
  and how many applicants belonged to a special group (§7.4.3, §7.4.4, §8.1 d).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from app.calendar.workdays import WorkCalendar
from app.cases.assistance import MODES
from app.cases.states import RECEIVED
from app.catalog.catalog import Catalog
from app.catalog.models import Scenario
from app.db.base import table
from app.db.engine import Database
from app.db.models import CaseMaterialRow
from app.reports.figures import (
    CASES,
    Cell,
    Column,
    Deadlines,
    Period,
    Table,
    assisted,
    between,
    committed,
    day_of,
    hall_date,
    special_group,
)

MATERIALS = table(CaseMaterialRow)
MATERIAL_KINDS = {
    "submitted": "已提交",
    "produced": "内部流转免提交",
    "e_licence": "电子证照免提交",
    "generated": "系统生成免提交",
    "verified": "窗口核验免提交",
    "committed": "告知承诺免提交",
    "on_commitment": "容缺未补交",
    "missing": "未收取",
    "optional": "可选未提供",
}
EXEMPT_KINDS = ("produced", "e_licence", "generated", "verified", "committed")
NOTES = (
    "改革前、改革后：事项目录公布的数字；表单字段为本目录该一件事一张表单的字段数。",
    "本期实际：本期办结的办件。办理时间为受理日至办结日的工作日数（中位数，说明栏为90%分位数）。",
    "申请材料为件均实际提交的材料数，免提交按原因分列。",
    "跑动次数为件均到窗口的次数：受理 1 次（自助终端、网上预申请到窗口受理算同一次），"
    "容缺受理需补交材料加 1 次，窗口领取结果加 1 次。",
    "帮办代办：本期办结的办件中由工作人员帮办、代办或陪同办理的件数；特殊群体为申请人属于"
    "老年人（按身份证出生日期识别）、残疾人、孕妇、军人军属的件数。",
)


@dataclass(frozen=True)
class Promise:
    """The catalog's figures for one side of the reform; None where it publishes none."""

    materials: int | None = None
    days: int | None = None
    trips: int | None = None
    steps: int | None = None
    fields: int | None = None


@dataclass(frozen=True)
class EffectivenessRow:
    scenario_code: str
    scenario_name: str
    before: Promise
    after: Promise
    completed: int = 0
    days_median: float | None = None
    days_p90: int | None = None
    materials: tuple[tuple[str, int], ...] = ()  # (kind in MATERIAL_KINDS, total over the cases)
    trips_mean: float | None = None
    one_trip_share: float | None = None
    assisted: tuple[tuple[str, int], ...] = ()  # (mode in MODES, cases)
    special: int = 0  # cases whose applicant belongs to a special group

    def material_count(self, kind: str) -> int:
        return dict(self.materials).get(kind, 0)

    @property
    def submitted_mean(self) -> float | None:
        return self.material_count("submitted") / self.completed if self.completed else None

    @property
    def exempt_mean(self) -> float | None:
        if not self.completed:
            return None
        return sum(self.material_count(k) for k in EXEMPT_KINDS) / self.completed


@dataclass(frozen=True)
class EffectivenessReport:
    period: Period
    rows: tuple[EffectivenessRow, ...]

    def table(self) -> Table:
        columns = (
            Column("scenario_code", "编码", "key"),
            Column("scenario", "一件事", "text"),
            Column("figure", "指标", "text"),
            Column("before", "改革前", "number"),
            Column("after", "改革后", "number"),
            Column("actual", "本期实际", "number"),
            Column("note", "说明", "text"),
        )
        rows: list[tuple[Cell, ...]] = []
        for row in self.rows:
            b, a = row.before, row.after
            head = (row.scenario_code, row.scenario_name)
            rows += [
                (*head, "办结件数（件）", None, None, row.completed, ""),
                (
                    *head,
                    "申请材料（件）",
                    b.materials,
                    a.materials,
                    row.submitted_mean,
                    _materials_note(row),
                ),
                (
                    *head,
                    "办理时间（工作日）",
                    b.days,
                    a.days,
                    row.days_median,
                    f"90%的办件 {row.days_p90} 个工作日内办结" if row.days_p90 is not None else "",
                ),
                (
                    *head,
                    "跑动次数（次）",
                    b.trips,
                    a.trips,
                    row.trips_mean,
                    f"最多跑一次 {row.one_trip_share:.1%}"
                    if row.one_trip_share is not None
                    else "",
                ),
                (
                    *head,
                    "帮办代办（件）",
                    None,
                    None,
                    sum(n for _, n in row.assisted) if row.completed else None,
                    _assisted_note(row),
                ),
                (*head, "办理环节（个）", b.steps, a.steps, None, ""),
                (*head, "表单字段（项）", b.fields, a.fields, None, ""),
            ]
        return Table(
            "effectiveness",
            "“高效办成一件事”改革成效（按一件事）",
            self.period,
            columns,
            tuple(rows),
            NOTES,
        )

    def to_json(self) -> dict[str, Any]:
        return self.table().to_json()


def _materials_note(row: EffectivenessRow) -> str:
    if not row.completed:
        return ""
    parts = [
        f"{MATERIAL_KINDS[k]} {row.material_count(k) / row.completed:.1f}"
        for k in (*EXEMPT_KINDS, "on_commitment")
        if row.material_count(k)
    ]
    return f"件均免提交 {row.exempt_mean or 0:.1f} 件" + (
        f"（{'，'.join(parts)}）" if parts else ""
    )


def _assisted_note(row: EffectivenessRow) -> str:
    parts = [f"{MODES[mode]} {n}" for mode, n in row.assisted]
    if row.special:
        parts.append(f"特殊群体 {row.special} 件")
    return "，".join(parts)


def material_kind(status: str, plan_status: str) -> str:
    if status in RECEIVED:
        return "submitted"
    if status == "exempt":
        return plan_status if plan_status in EXEMPT_KINDS else "verified"
    if status == "committed":
        return "committed"
    if plan_status == "optional":
        return "optional"
    return status if status in MATERIAL_KINDS else "missing"


def quantiles(counts: Counter[int]) -> tuple[float | None, int | None]:
    """The median (the mean of the two middle values for an even count) and the 90th percentile
    (nearest rank) of values given with how often each occurs."""
    total = sum(counts.values())
    if not total:
        return None, None
    ordered = sorted(counts.items())

    def nth(rank: int) -> int:  # 1-based
        seen = 0
        for value, count in ordered:
            seen += count
            if seen >= rank:
                return value
        raise AssertionError("rank beyond the values")

    median = (nth((total + 1) // 2) + nth(total // 2 + 1)) / 2
    return median, nth(math.ceil(total * 0.9))


def promises(scenario: Scenario) -> tuple[Promise, Promise]:
    before, after = scenario.reform.before, scenario.reform.after
    fields = len({f.key for f in scenario.fields}) or None
    return (
        Promise(before.materials, before.days, before.trips, before.steps),
        Promise(after.materials, after.days, after.trips, after.steps, fields),
    )


def effectiveness_report(
    db: Database, catalog: Catalog, calendar: WorkCalendar, period: Period
) -> EffectivenessReport:
    """Per scenario of the catalog (and any other scenario with cases done in the period), the
    catalog's before/after figures and the hall's own (see the module's docstring)."""
    deadlines = Deadlines(calendar)
    days: defaultdict[str, Counter[int]] = defaultdict(Counter)
    trips: defaultdict[str, Counter[int]] = defaultdict(Counter)
    materials: defaultdict[str, Counter[str]] = defaultdict(Counter)
    modes: defaultdict[str, Counter[str]] = defaultdict(Counter)
    special: Counter[str] = Counter()
    names: dict[str, str] = {}
    done = between(CASES.c.completed_at, period)
    pickup = (CASES.c.delivery["method"].as_string() == "pickup").label("pickup")
    with db.read() as session:
        # One row per distinct (scenario, accepted day, completed day, commitment, pickup):
        # a month's cases shrink to a few thousand rows before they leave the database.
        accepted = hall_date(CASES.c.accepted_at, db.dialect).label("accepted")
        completed = hall_date(CASES.c.completed_at, db.dialect).label("completed")
        per_case = (
            select(
                CASES.c.scenario_code,
                func.max(CASES.c.scenario_name).label("name"),
                accepted,
                completed,
                committed().label("committed"),
                pickup,
                func.count().label("n"),
            )
            .where(done)
            .group_by("scenario_code", "accepted", "completed", "committed", "pickup")
        )
        for row in session.execute(per_case):
            names.setdefault(row.scenario_code, row.name)
            worked = deadlines.working_days(day_of(row.accepted), day_of(row.completed))
            days[row.scenario_code][worked] += row.n
            trips[row.scenario_code][1 + bool(row.committed) + bool(row.pickup)] += row.n
        per_material = (
            select(
                CASES.c.scenario_code,
                MATERIALS.c.status,
                MATERIALS.c.plan_status,
                func.count().label("n"),
            )
            .select_from(CASES.join(MATERIALS, MATERIALS.c.case_id == CASES.c.id))
            .where(done, MATERIALS.c.plan_status != "not_needed")
            .group_by(CASES.c.scenario_code, MATERIALS.c.status, MATERIALS.c.plan_status)
        )
        for row in session.execute(per_material):
            materials[row.scenario_code][material_kind(row.status, row.plan_status)] += row.n
        helped = select(CASES.c.scenario_code, CASES.c.assistance).where(
            done, or_(assisted(), special_group())
        )
        for row in session.execute(helped):  # a small share of the cases
            record = row.assistance if isinstance(row.assistance, dict) else {}
            if record.get("mode") in MODES:
                modes[row.scenario_code][record["mode"]] += 1
            if record.get("groups"):
                special[row.scenario_code] += 1
    rows = []
    codes = sorted(set(catalog.scenarios) | set(names))
    for code in codes:
        scenario = catalog.scenarios.get(code)
        before, after = promises(scenario) if scenario else (Promise(), Promise())
        n = sum(days[code].values())
        median, p90 = quantiles(days[code])
        rows.append(
            EffectivenessRow(
                code,
                scenario.name if scenario else names[code],
                before,
                after,
                n,
                median,
                p90,
                tuple((k, materials[code][k]) for k in MATERIAL_KINDS if materials[code][k]),
                sum(t * c for t, c in trips[code].items()) / n if n else None,
                sum(c for t, c in trips[code].items() if t <= 1) / n if n else None,
                tuple((m, modes[code][m]) for m in MODES if modes[code][m]),
                special[code],
            )
        )
    return EffectivenessReport(period, tuple(rows))
