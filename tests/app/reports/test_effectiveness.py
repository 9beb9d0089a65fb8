"""§8.1 effectiveness over the known cases of November 2026 (tests/app/reports/conftest.py)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from app.reports.effectiveness import (
    EffectivenessReport,
    EffectivenessRow,
    Promise,
    effectiveness_report,
    quantiles,
)
from app.reports.figures import Period
from tests.app.reports.conftest import NOVEMBER, S1, S2, Hall


def rows(hall: Hall) -> dict[str, EffectivenessRow]:
    report = effectiveness_report(hall.core.db, hall.catalog, hall.core.calendar, NOVEMBER)
    return {row.scenario_code: row for row in report.rows}


def test_catalog_figures_beside_the_halls(hall: Hall) -> None:
    one, two = rows(hall)[S1], rows(hall)[S2]
    assert one.before == Promise(materials=6, days=20, trips=3, steps=4)
    assert one.after == Promise(materials=2, days=7, trips=1, steps=1, fields=1)
    assert two.before == Promise() and two.after == Promise(fields=1)
    # A, B and F were done in November: 7, 10 and 4 working days after acceptance (F was
    # accepted on a Saturday, so its days count from Monday 2 November); G took 3.
    assert one.completed == 3
    assert (one.days_median, one.days_p90) == (7, 10)
    assert (two.completed, two.days_median, two.days_p90) == (1, 3, 3)


def test_materials_handed_in_and_exempted(hall: Hall) -> None:
    one = rows(hall)[S1]
    # A and B handed in 材料一 and 材料二 (B's 材料二 later, on commitment), F only 材料二 (材料一
    # verified at the window); 第一项结果 came from the first item for all three.
    assert one.materials == (("submitted", 5), ("produced", 3), ("verified", 1))
    assert one.submitted_mean == pytest.approx(5 / 3)
    assert one.exempt_mean == pytest.approx(4 / 3)


def test_trips(hall: Hall) -> None:
    one, two = rows(hall)[S1], rows(hall)[S2]
    # A: accepted, result mailed — 1. B: on commitment and collected at the window — 3.
    # F: a kiosk pre-application accepted at the window, result not handed over yet — 1.
    assert one.trips_mean == pytest.approx(5 / 3)
    assert one.one_trip_share == pytest.approx(2 / 3)
    assert (two.trips_mean, two.one_trip_share) == (1, 1)


def test_table_in_long_form(hall: Hall) -> None:
    report = effectiveness_report(hall.core.db, hall.catalog, hall.core.calendar, NOVEMBER)
    table = report.table()
    assert [c.label for c in table.columns] == [
        "编码",
        "一件事",
        "指标",
        "改革前",
        "改革后",
        "本期实际",
        "说明",
    ]
    lines = {(row[0], row[2]): row for row in table.rows}
    assert lines[(S1, "办理时间（工作日）")][3:] == (20, 7, 7, "90%的办件 10 个工作日内办结")
    trips = lines[(S1, "跑动次数（次）")]
    assert trips[5] == pytest.approx(5 / 3) and trips[6] == "最多跑一次 66.7%"
    assert "窗口核验免提交 0.3" in str(lines[(S1, "申请材料（件）")][6])
    assert lines[(S2, "办结件数（件）")][5] == 1


def test_an_empty_period_keeps_the_catalog_figures(hall: Hall) -> None:
    quiet = Period(date(2027, 3, 1), date(2027, 3, 31))
    report = effectiveness_report(hall.core.db, hall.catalog, hall.core.calendar, quiet)
    assert isinstance(report, EffectivenessReport)
    one = {row.scenario_code: row for row in report.rows}[S1]
    assert one.completed == 0 and one.days_median is None and one.trips_mean is None
    assert one.before.days == 20


def test_quantiles() -> None:
    assert quantiles(Counter()) == (None, None)
    assert quantiles(Counter({3: 1})) == (3, 3)
    assert quantiles(Counter({1: 1, 2: 1, 3: 1, 4: 1})) == (2.5, 4)
    # Ten values 1..10: the median between 5 and 6, the 90th percentile the 9th value.
    assert quantiles(Counter(range(1, 11))) == (5.5, 9)
