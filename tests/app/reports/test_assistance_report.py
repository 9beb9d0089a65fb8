"""帮办代办与特殊群体 over a hall's cases (SQLite and PostgreSQL): modes and minutes per scenario
and per staff member, the special groups and what was offered, the kiosk's sessions in 长辈模式;
a case counts in the period of its visit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from app.cases.kiosk_sessions import KioskSessions
from app.errors import InvalidInput
from app.reports.assistance import assistance_report
from app.reports.figures import Period
from tests.app.reports.conftest import LI, NOVEMBER, S2, ZHANG, Hall, at

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
