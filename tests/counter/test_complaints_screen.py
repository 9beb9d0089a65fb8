"""The 差评工单 screen with the real core: the overdue item first and in red, then a manager walks
it from open to closed — call back, verify, rectify, close — while a clerk only looks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.accounts import Operator
from app.bootstrap import Core
from app.cases.audit import Actor
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from app.widgets.tasks import Tasks
from counter.session import Session
from counter.ui.complaints import OVERDUE, ComplaintsScreen
from counter.ui.notify import MessageBar
from counter.ui.station import Station
from tests.counter.conftest import CLERK as CLERK_OPERATOR
from tests.helpers.cases import CLERK, open_newborn, receive_all
from tests.helpers.clock import WallClock

MANAGER = Operator("wangli", "王丽", "manager")
KIOSK = Actor("一楼自助机", "kiosk-01")
LONG_AGO = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def session(core: Core) -> Session:
    return Session(core, MANAGER, Devices(SimulatedIdReader(), SimulatedCapture()), None)


def poor(core: Core, when: datetime) -> str:
    core.cases.clock = WallClock(when)
    case = receive_all(core.cases, open_newborn(core.cases, core.catalog))
    core.cases.accept(CLERK, case.receipt_no)
    core.cases.evaluate(
        KIOSK,
        case.receipt_no,
        stage="accept",
        level=2,
        channel="kiosk",
        reasons=["等候时间过长"],
        text="排队一个多小时",
    )
    return case.receipt_no


@pytest.fixture
def receipts(core: Core) -> tuple[str, str]:
    """An overdue 差评 from September and one given now."""
    return poor(core, datetime.now(UTC)), poor(core, LONG_AGO)


@pytest.fixture
def screen(
    qtbot: QtBot, station: Station, receipts: tuple[str, str], settle: Callable[[], None]
) -> ComplaintsScreen:
    screen = ComplaintsScreen(station)
    qtbot.addWidget(screen)
    screen.show()
    screen.enter()
    settle()
    return screen


def texts(screen: ComplaintsScreen, row: int) -> list[str]:
    model = screen.model
    return [str(model.data(model.index(row, c))) for c in range(model.columnCount())]


def step(
    screen: ComplaintsScreen,
    qtbot: QtBot,
    settle: Callable[[], None],
    kind: str,
    note: str,
    choice: str = "",
) -> None:
    screen.kind.setCurrentIndex(screen.kind.findText(kind))
    if choice:
        screen.choice.setCurrentIndex(screen.choice.findText(choice))
    screen.note.setText(note)
    qtbot.mouseClick(screen.submit, Qt.MouseButton.LeftButton)
    settle()


def test_a_manager_walks_an_overdue_item_from_open_to_closed(
    qtmodeltester: ModelTester,
    qtbot: QtBot,
    screen: ComplaintsScreen,
    station: Station,
    core: Core,
    receipts: tuple[str, str],
    settle: Callable[[], None],
) -> None:
    now, old = receipts
    qtmodeltester.check(screen.model)
    assert screen.model.rowCount() == 2
    assert texts(screen, 0)[1:] == [
        old,
        "新生儿出生一件事",
        "受理 · 不满意",
        "2026-09-15",
        "已超期",
    ]
    assert texts(screen, 1)[1] == now and texts(screen, 1)[5] == "处理中"
    red = screen.model.data(screen.model.index(0, 5), Qt.ItemDataRole.ForegroundRole)
    assert red == OVERDUE
    assert screen.model.data(screen.model.index(1, 5), Qt.ItemDataRole.ForegroundRole) is None
    assert "其中已超期 1 张" in screen.summary.text()
    assert "排队一个多小时（等候时间过长）" in screen.detail.text()
    assert "李芳 13800138000" in screen.detail.text() and "已超期" in screen.detail.text()
    assert [screen.kind.itemText(i) for i in range(screen.kind.count())] == ["回访", "核实"]
    chosen = screen.current
    assert chosen is not None and chosen.receipt_no == old

    step(screen, qtbot, settle, "回访", "", "已联系上")  # no note: refused, nothing recorded
    assert station.bar.kind == "error" and "登记回访时必须填写说明" in station.bar.text()
    assert screen.steps.rowCount() == 0

    step(screen, qtbot, settle, "回访", "群众反映高峰期只开一个窗口", "已联系上")
    assert station.bar.text() == f"已登记回访：差评工单 {chosen.id}。"
    step(screen, qtbot, settle, "核实", "叫号记录显示等候 70 分钟", "属实")
    assert screen.choice.isVisibleTo(screen)
    screen.kind.setCurrentIndex(screen.kind.findText("整改"))
    assert not screen.choice.isVisibleTo(screen) and screen.submit.text() == "登记整改"
    step(screen, qtbot, settle, "整改", "高峰期增开两个综合窗口")
    qtmodeltester.check(screen.steps)
    assert [screen.steps.data(screen.steps.index(r, c)) for r in range(3) for c in (1, 2, 3)] == [
        "回访",
        "已联系上",
        "王丽",
        "核实",
        "属实",
        "王丽",
        "整改",
        "",
        "王丽",
    ]
    assert [screen.kind.itemText(i) for i in range(screen.kind.count())] == [
        "回访",
        "核实",
        "整改",
        "办结",
    ]
    assert screen.current is not None and screen.current.id == chosen.id  # still chosen
    step(screen, qtbot, settle, "办结", "已电话告知群众增开窗口的安排")
    assert station.bar.text() == f"差评工单 {chosen.id} 已办结，已从待办列表中移除。"
    assert screen.model.rowCount() == 1 and texts(screen, 0)[1] == now
    assert "没有超期的" in screen.summary.text()
    done = core.complaints.get(chosen.id)
    assert (done.state, done.outcome, done.closed_by) == ("closed", "rectified", "王丽")
    assert [(s.kind, s.actor) for s in done.steps] == [
        ("call_back", "王丽"),
        ("verify", "王丽"),
        ("rectify", "王丽"),
        ("close", "王丽"),
    ]


@pytest.fixture
def clerk_desk(qtbot: QtBot, core: Core) -> Iterator[Station]:
    bar = MessageBar()
    qtbot.addWidget(bar)
    session = Session(core, CLERK_OPERATOR, Devices(SimulatedIdReader(), SimulatedCapture()), None)
    station = Station(session, Tasks(bar.show_exception), Tasks(bar.show_exception), bar)
    yield station
    station.work.wait()


def test_a_clerk_sees_the_list_but_cannot_handle_nor_see_the_contact(
    qtbot: QtBot, clerk_desk: Station, receipts: tuple[str, str]
) -> None:
    screen = ComplaintsScreen(clerk_desk)
    qtbot.addWidget(screen)
    screen.enter()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=15_000)
    assert not screen.submit.isEnabled() and not screen.note.isEnabled()
    assert screen.submit.toolTip() == "只有管理员可以处理差评"
    assert "（仅处理差评的人员可见）" in screen.detail.text()
    assert "13800138000" not in screen.detail.text()
