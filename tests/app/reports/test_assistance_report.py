"""帮办代办与特殊群体 over a hall's cases (SQLite and PostgreSQL): modes and minutes per scenario
and per staff member, the special groups and what was offered, the kiosk's sessions in 长辈模式;
a case counts in the period of its visit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from app.cases.kiosk_sessions import KioskSessions
from app.cases.snapshots import Party
from app.errors import InvalidInput
from app.reports.assistance import assistance_report
from app.reports.effectiveness import effectiveness_report
from app.reports.figures import Period
from app.reports.periods import period_report
from tests.app.reports.conftest import LI, NOVEMBER, S1, S2, ZHANG, Hall, at

DECEMBER = Period(date(2026, 12, 1), date(2026, 12, 31))


def test_modes_groups_and_kiosk_sessions(make_hall: Callable[[], Hall]) -> None:
    hall = make_hall()
    hall.on(date(2026, 11, 2))
    a = hall.open(ZHANG).receipt_no
    hall.service.assist(ZHANG, a, mode="peitong", helper="刘洋", minutes=20, groups=["disabled"])
    b = hall.open(LI).receipt_no
    hall.service.assist(LI, b, mode="bangban", helper="刘洋", minutes=40, offered=["priority"])
    c = hall.open(LI, S2).receipt_no
    hall.service.assist(LI, c, groups=["pregnant"], offered=["priority", "accompany"])
    hall.open(ZHANG)  # not helped: not counted
    hall.on(date(2026, 12, 1))
    d = hall.open(ZHANG).receipt_no  # December: not in November
    hall.service.assist(ZHANG, d, mode="bangban", helper="张敏", minutes=5)
    sessions = KioskSessions(hall.core.db)
    for day, elderly in ((2, True), (3, False), (4, True)):
        start = at(date(2026, 11, day))
        sessions.record(
            "kiosk-01", start, start + timedelta(minutes=6), elderly=elderly, submitted=False
        )

    report = assistance_report(hall.core.db, NOVEMBER)
    by_scenario = {r.label: r for r in report.rows}
    first = by_scenario["测试一件事"]
    assert (first.modes["peitong"], first.modes["bangban"], first.helped) == (1, 1, 2)
    assert first.minutes_mean == 30 and first.groups["disabled"] == 1
    second = by_scenario["第二件事"]
    assert second.helped == 0 and second.groups["pregnant"] == 1
    assert second.offered["accompany"] == 1
    assert (report.kiosk_sessions, report.kiosk_elderly) == (3, 2)
    table = report.table()
    total = dict(zip([c.key for c in table.columns], table.rows[-1], strict=True))
    assert total["helped"] == 2 and total["offer_priority"] == 2 and total["minutes_mean"] == 30
    assert any("其中长辈模式 2 次（66.7%）" in note for note in table.notes)

    staff = {r.label: r.helped for r in assistance_report(hall.core.db, NOVEMBER, by="helper").rows}
    assert staff == {"刘洋": 2, "李娜": 0}  # 李娜 recorded the group only
    assert assistance_report(hall.core.db, DECEMBER).total.helped == 1
    with pytest.raises(InvalidInput, match="不能按“department”分组"):
        assistance_report(hall.core.db, NOVEMBER, by="department")


OLDER = Party("周桂英", "430104195206101012", phone="13700137000", address="长沙市岳麓区")


def test_the_period_and_effectiveness_reports_count_help_and_special_groups(
    make_hall: Callable[[], Hall],
) -> None:
    """§8.1 d: the hall's own reports say how many were helped and how many belonged to a
    special group — an older applicant counts from the card even when no clerk recorded it."""
    hall = make_hall()
    hall.on(date(2026, 11, 2))
    older = hall.open(ZHANG, applicant=OLDER).receipt_no  # 74: recognised, nothing recorded
    assert hall.service.get(older).assistance == {
        **(hall.service.get(older).assistance or {}),
        "mode": None,
        "groups": ["elderly"],
        "recognised": "card",
    }
    helped = hall.open(LI).receipt_no
    hall.service.assist(LI, helped, mode="bangban", helper="刘洋", minutes=15)
    waiting = hall.open(LI, S2).receipt_no  # marked, never completed
    hall.service.assist(LI, waiting, groups=["pregnant"], offered=["priority"])
    hall.open(ZHANG)  # neither
    for receipt_no in (older, helped):
        hall.receive(ZHANG, receipt_no)
        hall.service.accept(ZHANG, receipt_no)
        hall.decide(receipt_no, "first", date(2026, 11, 3))
        hall.decide(receipt_no, "second", date(2026, 11, 4))

    period = period_report(hall.core.db, hall.core.calendar, NOVEMBER)
    counted = {r.label: (r.assisted, r.special) for r in (*period.rows, period.total)}
    assert counted == {"测试一件事": (1, 1), "第二件事": (0, 1), "合计": (1, 2)}
    by_clerk = period_report(hall.core.db, hall.core.calendar, NOVEMBER, by="clerk")
    assert {r.label: (r.assisted, r.special) for r in by_clerk.rows} == {
        "张敏": (1, 1),  # who accepted (as every figure by clerk): the older one and the helped
        "李娜": (0, 1),  # who opened the one not decided
    }
    assert period_report(hall.core.db, hall.core.calendar, DECEMBER).total.special == 0

    effect = effectiveness_report(hall.core.db, hall.catalog, hall.core.calendar, NOVEMBER)
    first = next(r for r in effect.rows if r.scenario_code == S1)
    assert (first.completed, first.assisted, first.special) == (2, (("bangban", 1),), 1)
    row = next(
        r
        for r in effect.table().rows
        if r[0] == S1 and r[2] == "帮办代办（件）"  # scenario, name, figure, before, after, …
    )
    assert row[5] == 1 and row[6] == "帮办 1，特殊群体 1 件"
    second = next(r for r in effect.table().rows if r[0] == S2 and r[2] == "帮办代办（件）")
    assert second[5] is None  # nothing completed: no figure
