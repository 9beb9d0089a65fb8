"""办不成事 反映 (issue 25, 7) on a real database: taken at a window or from 12345 with its grade
and deadline, assigned, called back, closed with its outcome; refusals in Chinese; a work order
taken once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.cases.audit import Actor
from app.cases.unresolved import Unresolved, UnresolvedNotFound
from app.db.engine import Database
from app.errors import InvalidInput, InvalidTransition
from app.roles import NotAllowed
from tests.helpers.clock import WallClock

CLERK = Actor("张敏", "counter-01", "clerk")
MANAGER = Actor("王静", "counter-01", "manager")
NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)  # 10:00 in the hall


@pytest.fixture
def hall(db: Database) -> tuple[Unresolved, WallClock]:
    clock = WallClock(NOW)
    return Unresolved(db, hall_code="430100001", clock=clock), clock


def test_an_urgent_report_is_answered_and_closed(hall: tuple[Unresolved, WallClock]) -> None:
    desk, clock = hall
    taken = desk.report(
        CLERK,
        source="window",
        grade="urgent",
        what="新生儿落户被要求先到老家开证明，来回跑了三次",
        name="李芳",
        phone="138 0013 8000",
        scenario_code="43PCN0009",
        scenario_name="新生儿出生一件事",
        department="岳麓区公安分局",
    )
    assert taken.ref_no == "BC20261208-001" and taken.state == "open"
    assert taken.due_at == NOW + timedelta(hours=2) and taken.phone == "13800138000"
    assert taken.to_dict()["name"] == "李*" and taken.to_dict(full=True)["phone"] == "13800138000"
    assert taken.when_words(NOW + timedelta(minutes=30)) == "还有 1 小时 30 分钟"

    with pytest.raises(NotAllowed, match="处理办不成事反映"):
        desk.assign(CLERK, taken.ref_no, to="岳麓区公安分局")
    desk.assign(MANAGER, taken.ref_no, to="岳麓区公安分局户政科")
    with pytest.raises(InvalidTransition, match="还没有回访"):
        desk.close(MANAGER, taken.ref_no, outcome="solved", note="已办理")
    clock.advance(minutes=90)
    answered = desk.call_back(MANAGER, taken.ref_no, reached=True, note="已电话联系，明天来办")
    assert answered.state == "called_back" and not answered.overdue(clock())
    closed = desk.close(MANAGER, taken.ref_no, outcome="solved", note="户政科当日办结落户")
    assert (closed.state, closed.outcome) == ("closed", "solved")
    assert [s["kind"] for s in closed.steps] == ["report", "assign", "call_back", "close"]
    with pytest.raises(InvalidTransition, match="已办结"):
        desk.call_back(MANAGER, taken.ref_no, reached=True, note="再访")
    assert desk.open_reports() == []


def test_a_work_order_from_12345_is_taken_once_and_an_overdue_one_comes_first(
    hall: tuple[Unresolved, WallClock],
) -> None:
    desk, clock = hall
    ordinary = desk.report(
        CLERK, source="window", grade="ordinary", what="企业开办材料被退回两次", name="王",
        phone="13900139000",
    )  # fmt: skip
    hotline = desk.report(
        CLERK, source="hotline", grade="urgent", what="退休待遇认证一直办不了", name="赵秀英",
        phone="13707310000", order_no="GD20261208000123",
    )  # fmt: skip
    again = desk.report(
        CLERK, source="hotline", grade="urgent", what="退休待遇认证一直办不了", name="赵秀英",
        phone="13707310000", order_no="GD20261208000123",
    )  # fmt: skip
    assert again.ref_no == hotline.ref_no  # the same work order: not a second report
    clock.advance(hours=3)  # the urgent one is past its 2 hours, the ordinary one within 24
    first, second = desk.open_reports()
    assert (first.ref_no, second.ref_no) == (hotline.ref_no, ordinary.ref_no)
    assert first.overdue(clock()) and first.when_words(clock()) == "已超时 1 小时 0 分钟"
    desk.attach_order(MANAGER, ordinary.ref_no, "GD20261208000456")
    assert desk.get(ordinary.ref_no).order_no == "GD20261208000456"
    with pytest.raises(UnresolvedNotFound, match="没有编号为 BC1 的"):
        desk.get("BC1")


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ({"source": "email"}, "反映渠道“email”不对"),
        ({"grade": "soon"}, "紧急程度“soon”不对"),
        ({"what": " "}, "请写明哪件事没有办成"),
        ({"what": "长" * 501}, "反映内容最多 500 字"),
        ({"name": ""}, "请写明反映人的姓名"),
        ({"phone": "0731-1234"}, "应为 11 位手机号码"),
        ({"source": "hotline"}, "须写明工单号"),
    ],
)
def test_refusals_say_what_to_change(
    hall: tuple[Unresolved, WallClock], given: dict[str, str], words: str
) -> None:
    desk, _ = hall
    asked = {"source": "window", "grade": "ordinary", "what": "办不成", "name": "李",
             "phone": "13800138000", **given}  # fmt: skip
    with pytest.raises(InvalidInput, match=words):
        desk.report(CLERK, **asked)
    assert desk.open_reports() == []
