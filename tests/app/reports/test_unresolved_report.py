"""办不成事 反映 in figures (SQLite and PostgreSQL): per department and per scenario, how many,
urgent, from 12345, answered in time, the mean minutes to the answer and the outcomes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from app.cases.audit import Actor
from app.cases.unresolved import Unresolved
from app.errors import InvalidInput
from app.reports.unresolved import unresolved_report
from tests.app.reports.conftest import NOVEMBER, ZHANG, Hall

BACK = Actor("刘洋", "backoffice-01", "backoffice")


def test_counts_answers_in_time_and_outcomes(make_hall: Callable[..., Hall]) -> None:
    hall = make_hall()
    desk = Unresolved(hall.core.db, hall_code="430100001", clock=hall.clock)
    hall.on(date(2026, 11, 2), 9)
    quick = desk.report(
        ZHANG, source="window", grade="urgent", what="落户要求回老家开证明", name="李芳",
        phone="13800138000", scenario_code="43PCN0009", scenario_name="新生儿出生一件事",
        department="公安部门",
    )  # fmt: skip
    slow = desk.report(
        ZHANG, source="hotline", grade="urgent", what="认证办不了", name="赵秀英",
        phone="13707310000", order_no="GD1", department="人社部门",
    )  # fmt: skip
    desk.report(
        ZHANG, source="window", grade="ordinary", what="材料退回", name="王", phone="13900139000",
        department="公安部门",
    )  # fmt: skip
    hall.clock.advance(minutes=30)
    desk.call_back(BACK, quick.ref_no, reached=True, note="已联系")
    desk.close(BACK, quick.ref_no, outcome="solved", note="当日办结")
    hall.clock.advance(hours=3)  # past the 2 hours of the second urgent one
    desk.call_back(BACK, slow.ref_no, reached=False, note="两次未接通")
    desk.close(BACK, slow.ref_no, outcome="referred", note="转市人社局")
    hall.on(date(2026, 12, 1))
    desk.report(ZHANG, source="window", grade="ordinary", what="十二月的", name="周",
                phone="13600136000")  # fmt: skip

    report = unresolved_report(hall.core.db, NOVEMBER, by="department")
    rows = {r.label: r for r in report.rows}
    police, social = rows["公安部门"], rows["人社部门"]
    assert (police.total, police.urgent, police.answered, police.on_time) == (2, 1, 1, 1)
    assert police.outcomes["solved"] == 1 and police.minutes_mean == pytest.approx(30)
    assert (social.hotline, social.on_time, social.outcomes["referred"]) == (1, 0, 1)
    total = report.total
    assert (total.total, total.closed, total.on_time) == (3, 2, 1)
    assert total.minutes_mean == pytest.approx((30 + 210) / 2)
    table = report.table()
    last = dict(zip([c.key for c in table.columns], table.rows[-1], strict=True))
    assert last["on_time_share"] == pytest.approx(1 / 3) and last["outcome_solved"] == 1
    by_scenario = {
        r.label: r.total for r in unresolved_report(hall.core.db, NOVEMBER, by="scenario").rows
    }
    assert by_scenario == {"新生儿出生一件事": 1, "未写明事项": 2}
    with pytest.raises(InvalidInput, match="不能按“clerk”分组"):
        unresolved_report(hall.core.db, NOVEMBER, by="clerk")
