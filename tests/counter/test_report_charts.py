"""What the reports screen draws, decided without Qt: the series of each report, the headline,
the groups left out of a crowded chart, the empty periods, the quick periods and the axis."""

from __future__ import annotations

from datetime import date

import pytest

from app.reports.effectiveness import EffectivenessReport, EffectivenessRow, Promise
from app.reports.evaluations import EvaluationCounts, EvaluationReport
from app.reports.figures import Period, Report
from app.reports.periods import PeriodReport, PeriodRow
from counter.ui.report_charts import (
    GROUPS,
    NAME,
    REPORTS,
    TOP,
    Chart,
    axis_scale,
    last_month,
    picture,
    this_month,
    this_year,
)

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def values(chart: Chart) -> dict[str, tuple[float, ...]]:
    return {series.name: series.values for series in chart.series}


def test_period_bars_per_group() -> None:
    report = PeriodReport(
        NOVEMBER,
        "scenario",
        (
            PeriodRow(
                "S1",
                "新生儿出生一件事",
                pre_applied=2,
                accepted=10,
                on_commitment=1,
                not_accepted=2,
                not_accepted_by_ground=(("4", 2),),
                withdrawn=1,
                completed_on_time=6,
                completed_overdue=1,
                overdue_open=2,
            ),
            PeriodRow("S2", "退休一件事", accepted=4, completed_on_time=4),
            PeriodRow("S3", "自助终端", pre_applied=3),  # nothing to draw
        ),
    )
    shown = picture(report)
    assert not shown.empty
    (chart,) = shown.charts
    assert chart.title == "办件情况（按一件事）" and chart.unit == "件" and not chart.stacked
    assert chart.categories == ("新生儿出生一件事", "退休一件事")
    assert values(chart) == {
        "受理": (10, 4),
        "按期办结": (6, 4),
        "超期（办结或未办结）": (3, 0),
        "不予受理": (2, 0),
    }
    assert shown.headline == (
        "受理 14 件（其中容缺受理 1 件）　容缺补齐 0 件（逾期补齐 0）、逾期未补终止 0 件　"
        "办结 11 件，按期率 90.9%　"
        "超期 3 件（超期办结 1，超期未办结 2）　不予受理 2 件　撤回 1 件　预申请 5 件"
    )
    assert shown.note == ""


def test_a_crowded_chart_keeps_the_busiest_groups_in_the_tables_order() -> None:
    rows = tuple(PeriodRow(f"I{n:02d}", f"事项{n:02d}", accepted=n) for n in range(1, 21))
    shown = picture(PeriodReport(NOVEMBER, "item", rows))
    (chart,) = shown.charts
    assert chart.categories == tuple(f"事项{n:02d}" for n in range(21 - TOP, 21))
    assert shown.note == f"图中为办件最多的 {TOP} 个分组，其余 {20 - TOP} 个见下表。"
    assert chart.title == "办件情况（按事项）"


def test_long_names_are_shortened_in_the_chart_only() -> None:
    name = "公众聚集场所投入使用、营业前消防安全检查（告知承诺制流程）"
    shown = picture(PeriodReport(NOVEMBER, "item", (PeriodRow("I1", name, accepted=1),)))
    assert shown.charts[0].categories == ("公众聚集场所投入使用、…",)
    assert len(shown.charts[0].categories[0]) == NAME
    ratings = EvaluationReport(
        NOVEMBER, "channel", (EvaluationCounts("qr", name, (1, 0, 0, 0, 1)),)
    )
    assert picture(ratings).charts[0].categories == ("公众聚集场所投入使用、…（差评 50.0%）",)


def test_effectiveness_days_and_materials_per_scenario_done() -> None:
    newborn = EffectivenessRow(
        "S1",
        "新生儿出生一件事",
        Promise(22, 72, 4, 7),
        Promise(4, 5, 0, 1, 16),
        completed=3,
        days_median=2.0,
        days_p90=4,
        materials=(("submitted", 25), ("produced", 3), ("e_licence", 4)),
        trips_mean=1.0,
        one_trip_share=1.0,
    )
    late = EffectivenessRow(
        "S2",
        "开办餐饮店一件事",
        Promise(32, 37),
        Promise(10, 4),
        completed=1,
        days_median=14.0,
        days_p90=14,
        materials=(("submitted", 9),),
        trips_mean=2.0,
        one_trip_share=0.0,
    )
    idle = EffectivenessRow("S3", "退休一件事", Promise(23, 110), Promise(3, 22))
    shown = picture(EffectivenessReport(NOVEMBER, (newborn, late, idle)))
    days, materials = shown.charts
    assert days.categories == materials.categories == ("新生儿出生一件事", "开办餐饮店一件事")
    assert values(days) == {
        "承诺时限（改革后）": (5, 4),
        "本期中位数": (2, 14),
        "本期90%分位": (4, 14),
    }
    assert values(materials) == {
        "改革前": (22, 32),
        "改革后": (4, 10),
        "本期件均提交": (8.3, 9),
        "本期件均免提交": (2.3, 0),
    }
    assert days.unit == "工作日" and materials.unit == "件"
    assert shown.headline == (
        "本期办结 4 件　2 个一件事中 1 个办理时间中位数不超过承诺时限　最多跑一次 75.0%"
    )
    assert "本期没有办结件的 1 个一件事不在图中。" in shown.note


def test_evaluations_stack_the_five_levels() -> None:
    report = EvaluationReport(
        NOVEMBER,
        "clerk",
        (
            EvaluationCounts("li", "李娜", (6, 2, 1, 0, 1)),
            EvaluationCounts("zhang", "张敏", (3, 0, 0, 0, 0)),
        ),
    )
    shown = picture(report)
    (chart,) = shown.charts
    assert chart.stacked and chart.unit == "次"
    assert chart.title == "好差评（按窗口人员，括号内为差评率）"
    assert chart.categories == ("李娜（差评 10.0%）", "张敏（差评 0.0%）")
    assert values(chart) == {
        "非常满意": (6, 3),
        "满意": (2, 0),
        "基本满意": (1, 0),
        "不满意": (0, 0),
        "非常不满意": (1, 0),
    }
    colours = [series.colour for series in chart.series]
    assert colours[0] == "#1b5e20" and colours[-1] == "#c62828"  # green to red
    assert shown.headline == "评价 13 次　满意（非常满意和满意）84.6%　差评 1 次，差评率 7.7%"
    assert shown.note == "差评为不满意、非常不满意。"


@pytest.mark.parametrize(
    "report, message",
    [
        (PeriodReport(NOVEMBER, "scenario", ()), "该期间没有办件。"),
        (PeriodReport(NOVEMBER, "clerk", (PeriodRow("li", "李娜"),)), "该期间没有办件。"),
        (
            EffectivenessReport(
                NOVEMBER, (EffectivenessRow("S1", "新生儿", Promise(), Promise()),)
            ),
            "该期间没有办结的办件，无法与承诺时限比较。",
        ),
        (EvaluationReport(NOVEMBER, "channel", ()), "该期间没有评价。"),
    ],
)
def test_an_empty_period_says_so(report: Report, message: str) -> None:
    shown = picture(report)
    assert shown.empty == f"{message}请调整统计期间后重新生成。"
    assert shown.charts == () and shown.headline == ""


def test_quick_periods_end_today() -> None:
    today = date(2026, 3, 31)
    assert this_month(today) == (date(2026, 3, 1), today)
    assert last_month(today) == (date(2026, 2, 1), date(2026, 2, 28))
    assert last_month(date(2026, 1, 15)) == (date(2025, 12, 1), date(2025, 12, 31))
    assert this_year(today) == (date(2026, 1, 1), today)


@pytest.mark.parametrize("biggest, top, step", [
    (0, 1, 1), (1, 2, 1), (4, 5, 1), (8, 10, 2), (22, 30, 5), (31, 40, 10), (110, 150, 50),
    (1234, 1500, 500), (4.5, 6, 1),
])  # fmt: skip
def test_axis_leaves_room_for_the_labels(biggest: float, top: float, step: float) -> None:
    assert axis_scale(biggest) == (top, step)
    assert top >= biggest * 1.15 and top / step <= 7


def test_each_report_offers_the_groupings_it_supports() -> None:
    assert set(REPORTS) == set(GROUPS)
    assert list(GROUPS["period"]) == ["scenario", "item", "department", "clerk", "channel"]
    assert list(GROUPS["effectiveness"]) == ["scenario"]
    assert list(GROUPS["evaluations"]) == ["scenario", "clerk", "channel"]
