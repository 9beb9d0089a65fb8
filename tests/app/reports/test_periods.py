"""The period report over the known cases of November 2026 (tests/app/reports/conftest.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.cases.audit import Actor
from app.errors import InvalidInput
from app.reports.figures import Period
from app.reports.periods import PeriodReport, period_report
from tests.app.reports.conftest import LI, NOVEMBER, S1, S2, ZHANG, Hall

FIGURES = (
    "pre_applied",
    "accepted",
    "on_commitment",
    "not_accepted",
    "withdrawn",
    "completed_on_time",
    "completed_overdue",
    "overdue_open",
)


def figures(report: PeriodReport) -> dict[str, tuple[int, ...]]:
    """Each group's figures in the order of FIGURES, by label; the total as 合计."""
    return {
        row.label: tuple(getattr(row, f) for f in FIGURES) for row in (*report.rows, report.total)
    }


def report(hall: Hall, by: str, period: Period = NOVEMBER) -> PeriodReport:
    return period_report(hall.core.db, hall.core.calendar, period, by=by)


def test_period_is_hall_local_days() -> None:
    period = Period(date(2026, 11, 1), date(2026, 11, 30))
    assert period.start == datetime(2026, 10, 31, 16, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 30, 16, tzinfo=UTC)
    assert period.label == "2026年11月01日至2026年11月30日"
    with pytest.raises(InvalidInput, match="早于开始日期"):
        Period(date(2026, 11, 2), date(2026, 11, 1))


def test_by_scenario(hall: Hall) -> None:
    result = report(hall, "scenario")
    assert [row.key for row in result.rows] == [S1, S2]
    assert figures(result) == {
        # pre, accepted, commitment, not accepted, withdrawn, on time, overdue, overdue open
        "测试一件事": (1, 5, 1, 1, 1, 2, 1, 1),
        "第二件事": (0, 1, 0, 0, 0, 0, 1, 0),
        "合计": (1, 6, 1, 1, 1, 2, 2, 1),
    }
    assert result.rows[0].not_accepted_by_ground == (("4", 1),)


def test_by_clerk_counts_who_decided_and_who_took_the_pre_application(hall: Hall) -> None:
    assert figures(report(hall, "clerk")) == {
        "一楼自助机": (1, 0, 0, 0, 0, 0, 0, 0),  # D, pre-applied at the kiosk
        "张敏": (0, 4, 0, 1, 1, 1, 1, 0),  # A E G H1 accepted, C refused, E withdrawn, A G done
        "李娜": (0, 2, 1, 0, 0, 1, 1, 1),  # B D accepted (B on commitment), F on time, B late
        "合计": (1, 6, 1, 1, 1, 2, 2, 1),
    }


def test_by_channel(hall: Hall) -> None:
    assert figures(report(hall, "channel")) == {
        "综合窗口": (0, 5, 1, 1, 1, 1, 2, 0),
        "自助终端": (1, 1, 0, 0, 0, 1, 0, 1),
        "合计": (1, 6, 1, 1, 1, 2, 2, 1),
    }


def test_by_department_counts_items_with_their_own_due_days(hall: Hall) -> None:
    # 甲局's item of B was decided 10 Nov, due 5 Nov (3 working days from 2 Nov): late; 乙局's
    # item of B was sent on 10 Nov and decided on its due day, 16 Nov: on time, but its item of
    # A, sent 3 Nov, was due 9 Nov and decided 11 Nov: late, though A as a whole was on time.
    # D's first item (due 10 Nov) was open at the end of November; its second still waited.
    assert figures(report(hall, "department")) == {
        "丙局": (0, 1, 0, 0, 0, 0, 1, 0),
        "乙局": (1, 5, 1, 1, 1, 2, 1, 0),
        "甲局": (1, 5, 1, 1, 1, 2, 1, 1),
        "合计": (2, 11, 2, 2, 2, 4, 3, 1),
    }


def test_by_item(hall: Hall) -> None:
    result = report(hall, "item")
    assert {row.key: row.label for row in result.rows} == {
        f"{S1}/first": "第一项",
        f"{S1}/second": "第二项",
        f"{S2}/third": "第三项",
    }
    assert figures(result)["第一项"] == (1, 5, 1, 1, 1, 2, 1, 1)


def test_period_edges(hall: Hall) -> None:
    # 1 December (hall time) holds H2 only, accepted at 00:10 — 30 November 16:10 in UTC.
    december = report(hall, "scenario", Period(date(2026, 12, 1), date(2026, 12, 1)))
    assert figures(december)["合计"] == (0, 1, 0, 0, 0, 0, 0, 1)  # D still overdue, done 3 Dec
    # On 31 October F was pre-applied and accepted; nothing was overdue yet.
    october = report(hall, "scenario", Period(date(2026, 10, 31), date(2026, 10, 31)))
    assert figures(october)["合计"] == (1, 1, 0, 0, 0, 0, 0, 0)
    # By 11 November B was due and not done: overdue, and D was not due yet (16 November).
    early = report(hall, "scenario", Period(date(2026, 11, 1), date(2026, 11, 11)))
    assert figures(early)["测试一件事"] == (1, 4, 1, 1, 1, 2, 0, 1)


def test_unknown_grouping_is_refused(hall: Hall) -> None:
    with pytest.raises(InvalidInput, match="不能按“window”分组"):
        report(hall, "window")


def test_table_has_chinese_columns_and_a_total(hall: Hall) -> None:
    table = report(hall, "scenario").table()
    labels = [c.label for c in table.columns]
    assert labels[:4] == ["编码", "一件事", "预申请", "受理"]
    assert "其中第（四）项" in labels and "超期未办结" in labels
    data = table.to_json()
    assert data["from"] == "2026-11-01" and data["by"] == "scenario"
    total = data["rows"][-1]
    assert total["label"] == "合计" and total["accepted"] == 6 and total["not_accepted_4"] == 1
    assert any("承诺办结日" in note for note in data["notes"])


def test_supplements_handed_in_late_and_missed(hall: Hall) -> None:
    """容缺 followed through: B handed in its 材料二 a day before its date in November; in
    December one promise is kept late and one is missed, its item stopped."""
    december = (2026, 12)
    hall.on(date(*december, 1), 9)
    kept = hall.open(LI).receipt_no
    hall.receive(LI, kept, skip=("m2",))
    hall.service.accept_on_commitment(
        LI, kept, materials=["m2"], due_date=date(*december, 2), signed_by="李芳"
    )
    missed = hall.open(ZHANG).receipt_no
    hall.receive(ZHANG, missed, skip=("m2",))
    hall.service.accept_on_commitment(
        ZHANG, missed, materials=["m2"], due_date=date(*december, 2), signed_by="王强"
    )
    hall.on(date(*december, 4), 10)
    hall.service.supplement(LI, kept, ["m2"])
    hall.on(date(*december, 7), 10)
    hall.service.lapse(Actor(ZHANG.name, ZHANG.terminal, "clerk"), missed)

    def counted(period: Period, by: str = "scenario") -> dict[str, tuple[int, int, int]]:
        return {
            row.label: (row.supplied, row.supplied_late, row.lapsed)
            for row in (*report(hall, by, period).rows, report(hall, by, period).total)
        }

    assert counted(NOVEMBER)["测试一件事"] == (1, 0, 0)  # B, on time
    month = Period(date(*december, 1), date(*december, 31))
    assert counted(month)["合计"] == (1, 1, 1)
    assert counted(month, "clerk")["张敏"] == (0, 0, 1)
    assert counted(month, "clerk")["李娜"] == (1, 1, 0)
    assert counted(Period(date(*december, 1), date(*december, 6)))["合计"] == (1, 1, 0)
    labels = [c.label for c in report(hall, "scenario", month).table().columns]
    assert {"容缺补齐", "其中逾期补齐", "容缺逾期终止"} <= set(labels)
