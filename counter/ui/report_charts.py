"""What the reports screen shows above the table, as plain data (STYLE 5): the reports and
groupings a manager can choose, the quick periods, and for a report the line of figures read
first, the charts (categories, named series of values, colours) or the message that the period
had nothing to show. The screen only draws it; nothing here imports Qt."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from app.bootstrap import Core
from app.cases.assistance import GROUPS as GROUPS_OF_PEOPLE
from app.cases.assistance import MODES
from app.cases.evaluation import POOR_LEVELS
from app.cases.receipts import HALL_TZ
from app.cases.snapshots import LEVEL_LABELS
from app.cases.unresolved import OUTCOMES
from app.reports.assistance import ASSISTANCE_GROUPINGS, AssistanceReport, assistance_report
from app.reports.effectiveness import EffectivenessReport, EffectivenessRow, effectiveness_report
from app.reports.evaluations import (
    EVALUATION_GROUPINGS,
    LEVELS,
    EvaluationCounts,
    EvaluationReport,
    evaluation_report,
)
from app.reports.figures import GROUPINGS, Period, Report
from app.reports.periods import PeriodReport, PeriodRow, period_report
from app.reports.unresolved import UNRESOLVED_GROUPINGS, UnresolvedReport, unresolved_report

REPORTS = {
    "period": "办件统计",
    "effectiveness": "成效评估",
    "evaluations": "好差评",
    "assistance": "帮办代办与特殊群体",
    "unresolved": "办不成事反映",
}
GROUPS: dict[str, dict[str, str]] = {
    "period": GROUPINGS,
    "effectiveness": {"scenario": "一件事"},
    "evaluations": EVALUATION_GROUPINGS,
    "assistance": ASSISTANCE_GROUPINGS,
    "unresolved": UNRESOLVED_GROUPINGS,
}
R = TypeVar("R")
TOP = 8  # groups in a chart; more bars than this no longer read at a glance
NAME = 12  # characters of a group's name in a chart (the table has it whole)
AGAIN = "请调整统计期间后重新生成。"

BLUE, GREEN, RED, GREY = "#1565c0", "#2e7d32", "#c62828", "#9e9e9e"
# the catalog's figures in greys, the hall's own in blues
BEFORE, PROMISED, MEASURED, MEASURED_LIGHT = "#c4c4c4", "#757575", "#1565c0", "#64b5f6"
LEVEL_COLOURS = {5: "#1b5e20", 4: "#7cb342", 3: "#fdd835", 2: "#fb8c00", 1: "#c62828"}


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]  # one per category
    colour: str


@dataclass(frozen=True)
class Chart:
    """Bars per category, top to bottom in reading order; ``stacked`` bars add up."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str
    stacked: bool = False


@dataclass(frozen=True)
class Picture:
    headline: str  # the figures a manager reads first
    charts: tuple[Chart, ...] = ()
    note: str = ""  # what the charts leave out
    empty: str = ""  # instead of charts: the period had nothing to show


def hall_today() -> date:
    return datetime.now(HALL_TZ).date()


def this_month(today: date) -> tuple[date, date]:
    """From the 1st to today: the days after today have no figures yet, and a later end would
    count cases as overdue whose promised date has not come."""
    return today.replace(day=1), today


def last_month(today: date) -> tuple[date, date]:
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def this_year(today: date) -> tuple[date, date]:
    return today.replace(month=1, day=1), today


QUICK_PERIODS: dict[str, Callable[[date], tuple[date, date]]] = {
    "本月": this_month,
    "上月": last_month,
    "本年": this_year,
}


def make_report(core: Core, name: str, period: Period, by: str) -> Report:
    """The report as ``onestop report`` makes it (runs on the work lane: it reads the database)."""
    if name == "period":
        return period_report(core.db, core.calendar, period, by=by)
    if name == "effectiveness":
        return effectiveness_report(core.db, core.catalog, core.calendar, period)
    if name == "assistance":
        return assistance_report(core.db, period, by=by)
    if name == "unresolved":
        return unresolved_report(core.db, period, by=by)
    return evaluation_report(core.db, period, by=by)


def picture(report: Report) -> Picture:
    if isinstance(report, PeriodReport):
        return period_picture(report)
    if isinstance(report, EffectivenessReport):
        return effectiveness_picture(report)
    if isinstance(report, EvaluationReport):
        return evaluation_picture(report)
    if isinstance(report, AssistanceReport):
        return assistance_picture(report)
    if isinstance(report, UnresolvedReport):
        return unresolved_picture(report)
    raise TypeError(f"no chart for {type(report).__name__}")


def share(part: float, whole: float) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def busiest(rows: Sequence[R], volume: Callable[[R], int]) -> list[R]:
    """The ``TOP`` rows of the most volume, in the table's order."""
    kept = set(sorted(range(len(rows)), key=lambda i: -volume(rows[i]))[:TOP])
    return [row for i, row in enumerate(rows) if i in kept]


def short(name: str) -> str:
    return name if len(name) <= NAME else f"{name[: NAME - 1]}…"


def _left_out(shown: int, total: int, what: str) -> str:
    return (
        f"图中为{what}最多的 {shown} 个分组，其余 {total - shown} 个见下表。"
        if total > shown
        else ""
    )


def rounded(value: float | None) -> float:
    """A value as the table shows it (averages to one decimal); none drawn as 0."""
    return round(float(value or 0), 1)


def axis_scale(biggest: float) -> tuple[float, float]:
    """The end of a value axis and the step between its ticks: a step of 1, 2 or 5 times a power
    of ten, whole for counts, about five ticks, and room after the longest bar for its label."""
    room = biggest * 1.15
    steps = (float(m * 10**e) for e in itertools.count() for m in (1, 2, 5))
    step = next(s for s in steps if room <= s * 6)
    return step * (room // step + 1), step


def overdue(row: PeriodRow) -> int:
    return row.completed_overdue + row.overdue_open


def period_picture(report: PeriodReport) -> Picture:
    """Grouped bars per group: accepted, completed on time, overdue (done late or still open
    past the promised date) and not accepted."""
    total = report.total
    done = total.completed_on_time + total.completed_overdue
    figures = (
        total.accepted,
        total.completed_on_time,
        overdue(total),
        total.not_accepted,
        total.withdrawn,
        total.pre_applied,
    )
    if not any(figures):
        return Picture("", empty=f"该期间没有办件。{AGAIN}")
    headline = (
        f"受理 {total.accepted} 件（其中容缺受理 {total.on_commitment} 件）　"
        + (
            f"容缺补齐 {total.supplied} 件（逾期补齐 {total.supplied_late}）、"
            f"逾期未补终止 {total.lapsed} 件　"
            if total.on_commitment or total.supplied or total.lapsed
            else ""
        )
        + f"办结 {done} 件，按期率 {share(total.completed_on_time, done)}　"
        f"超期 {overdue(total)} 件（超期办结 {total.completed_overdue}，"
        f"超期未办结 {total.overdue_open}）　不予受理 {total.not_accepted} 件　"
        f"撤回 {total.withdrawn} 件　预申请 {total.pre_applied} 件"
    )
    values: list[tuple[Callable[[PeriodRow], int], str, str]] = [
        (lambda r: r.accepted, "受理", BLUE),
        (lambda r: r.completed_on_time, "按期办结", GREEN),
        (overdue, "超期（办结或未办结）", RED),
        (lambda r: r.not_accepted, "不予受理", GREY),
    ]
    drawn = [r for r in report.rows if any(value(r) for value, _, _ in values)]
    rows = busiest(drawn, lambda r: r.accepted + r.not_accepted + overdue(r))
    chart = Chart(
        f"办件情况（按{GROUPINGS[report.by]}）",
        tuple(short(r.label) for r in rows),
        tuple(
            Series(name, tuple(float(value(r)) for r in rows), colour)
            for value, name, colour in values
        ),
        "件",
    )
    return Picture(headline, (chart,), _left_out(len(rows), len(drawn), "办件"))


def effectiveness_picture(report: EffectivenessReport) -> Picture:
    """Per scenario with cases done in the period: the promised working days beside the measured
    median and 90th percentile, and the materials before and after the reform beside those
    actually handed in and exempted."""
    done_rows = [r for r in report.rows if r.completed]
    if not done_rows:
        return Picture("", empty=f"该期间没有办结的办件，无法与承诺时限比较。{AGAIN}")
    done = sum(r.completed for r in done_rows)
    kept = sum(1 for r in done_rows if _kept(r))
    with_promise = sum(1 for r in done_rows if r.after.days is not None)
    one_trip = sum((r.one_trip_share or 0) * r.completed for r in done_rows)
    headline = (
        f"本期办结 {done} 件　{with_promise} 个一件事中 {kept} 个办理时间中位数"
        f"不超过承诺时限　最多跑一次 {share(one_trip, done)}"
    )
    rows = busiest(done_rows, lambda r: r.completed)
    names = tuple(short(r.scenario_name) for r in rows)

    def series(name: str, colour: str, value: Callable[[EffectivenessRow], float | None]) -> Series:
        return Series(name, tuple(rounded(value(r)) for r in rows), colour)

    days = Chart(
        "办理时间（工作日）",
        names,
        (
            series("承诺时限（改革后）", PROMISED, lambda r: r.after.days),
            series("本期中位数", MEASURED, lambda r: r.days_median),
            series("本期90%分位", MEASURED_LIGHT, lambda r: r.days_p90),
        ),
        "工作日",
    )
    materials = Chart(
        "申请材料（件）",
        names,
        (
            series("改革前", BEFORE, lambda r: r.before.materials),
            series("改革后", PROMISED, lambda r: r.after.materials),
            series("本期件均提交", MEASURED, lambda r: r.submitted_mean),
            series("本期件均免提交", MEASURED_LIGHT, lambda r: r.exempt_mean),
        ),
        "件",
    )
    idle = len(report.rows) - len(done_rows)
    note = (
        "改革前的办理时间、跑动次数和办理环节见下表。"
        + (f"本期没有办结件的 {idle} 个一件事不在图中。" if idle else "")
        + _left_out(len(rows), len(done_rows), "办结件")
    )
    return Picture(headline, (days, materials), note)


def _kept(row: EffectivenessRow) -> bool:
    promised, median = row.after.days, row.days_median
    return promised is not None and median is not None and median <= promised


def evaluation_picture(report: EvaluationReport) -> Picture:
    """The five levels stacked per group, the share of 差评 beside each group's name."""
    total = report.total
    if not total.total:
        return Picture("", empty=f"该期间没有评价。{AGAIN}")
    satisfied = total.count(5) + total.count(4)
    headline = (
        f"评价 {total.total} 次　满意（非常满意和满意）{share(satisfied, total.total)}　"
        f"差评 {total.poor} 次，差评率 {share(total.poor, total.total)}"
    )
    rows = busiest(report.rows, lambda r: r.total)
    chart = Chart(
        f"好差评（按{EVALUATION_GROUPINGS[report.by]}，括号内为差评率）",
        tuple(_with_poor_share(r) for r in rows),
        tuple(
            Series(
                LEVEL_LABELS[level],
                tuple(float(r.count(level)) for r in rows),
                LEVEL_COLOURS[level],
            )
            for level in LEVELS
        ),
        "次",
        stacked=True,
    )
    poor = "、".join(LEVEL_LABELS[level] for level in sorted(POOR_LEVELS, reverse=True))
    note = f"差评为{poor}。" + _left_out(len(rows), len(report.rows), "评价")
    return Picture(headline, (chart,), note)


def assistance_picture(report: AssistanceReport) -> Picture:
    """The modes stacked per group; the special groups and the kiosk's 长辈模式 in the headline."""
    total = report.total
    if not report.rows and not report.kiosk_sessions:
        return Picture("", empty=f"该期间没有登记帮办代办或特殊群体。{AGAIN}")
    mean = total.minutes_mean
    groups = "、".join(f"{label} {total.groups[g]}" for g, label in GROUPS_OF_PEOPLE.items())
    headline = (
        f"帮办代办 {total.helped} 件"
        + (f"（平均用时 {mean:.0f} 分钟）" if mean is not None else "")
        + f"　特殊群体：{groups}　"
        f"自助终端 {report.kiosk_sessions} 次，其中长辈模式 {report.kiosk_elderly} 次"
    )
    helped = [r for r in report.rows if r.helped]  # a group only marked has no bar to show
    rows = busiest(helped, lambda r: r.helped)
    chart = Chart(
        f"帮办代办（按{ASSISTANCE_GROUPINGS[report.by]}）",
        tuple(short(r.label) for r in rows),
        tuple(
            Series(label, tuple(float(r.modes[mode]) for r in rows), colour)
            for (mode, label), colour in zip(MODES.items(), (BLUE, GREEN, "#8a5a00"), strict=True)
        ),
        "件",
        stacked=True,
    )
    if not rows:  # only groups marked, nobody helped: the headline and the table say it
        return Picture(headline, ())
    return Picture(headline, (chart,), _left_out(len(rows), len(helped), "办件"))


def unresolved_picture(report: UnresolvedReport) -> Picture:
    """The reports per group, answered in time or not; the outcomes in the headline."""
    total = report.total
    if not report.rows:
        return Picture("", empty=f"该期间没有办不成事反映。{AGAIN}")
    mean = total.minutes_mean
    outcomes = "、".join(f"{label} {total.outcomes[o]}" for o, label in OUTCOMES.items())
    headline = (
        f"办不成事反映 {total.total} 件（紧急 {total.urgent}，12345 {total.hotline}）　"
        f"按时答复 {share(total.on_time, total.total)}"
        + (f"，平均 {mean:.0f} 分钟" if mean is not None else "")
        + f"　已办结 {total.closed}：{outcomes}"
    )
    rows = busiest(report.rows, lambda r: r.total)
    chart = Chart(
        f"办不成事反映（按{UNRESOLVED_GROUPINGS[report.by]}）",
        tuple(short(r.label) for r in rows),
        (
            Series("按时答复", tuple(float(r.on_time) for r in rows), GREEN),
            Series("超时或未答复", tuple(float(r.total - r.on_time) for r in rows), RED),
        ),
        "件",
        stacked=True,
    )
    return Picture(headline, (chart,), _left_out(len(rows), len(report.rows), "反映"))


def _with_poor_share(row: EvaluationCounts) -> str:
    return f"{short(row.label)}（差评 {share(row.poor, row.total)}）"
