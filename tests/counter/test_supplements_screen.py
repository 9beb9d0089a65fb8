"""容缺补交 at the real counter window: the open promises overdue first, counted per clerk and per
department; a supplement received continues its case; a reminder printed (and printed again, as
a new reminder); a missed date handled as the catalog says; the call list's look recorded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.accounts import Operator
from app.bootstrap import Core
from app.cases.audit import Actor
from app.cases.receipts import hall_day
from app.cases.snapshots import Party
from app.catalog.catalog import Catalog
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from app.settings import Settings
from counter.session import Session
from counter.ui.supplements import CallListDialog, LapseDialog, ReceiveDialog
from counter.ui.window import MainWindow
from tests.counter.test_window_flows import PaperTray
from tests.helpers.cases import MOTHER, open_newborn, receive_all
from tests.helpers.catalogs import tolerable_catalog
from tests.helpers.clock import WallClock
from tests.helpers.cores import Cores

CLERK = Operator("zhangmin", "张敏", "clerk")
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Changsha
TODAY = hall_day(NOW)
FATHER = Party("王强", "430104199001011230", phone="13900139000")
AUNT = Party("赵兰", "430104197001011223", phone="13700137000")


@pytest.fixture
def core(cores: Cores, tmp_path: Path, catalog: Catalog) -> Core:
    return cores.of(
        Settings(data_dir=tmp_path / "hall"), tolerable_catalog(catalog), clock=WallClock(NOW)
    )


def promise(core: Core, who: Party, due_in_days: int) -> str:
    """A 新生儿出生 case accepted on commitment by 张敏 ten days ago, 费用清单 due in
    ``due_in_days`` from now."""
    catalog = core.catalog
    clock = core.cases.clock
    assert isinstance(clock, WallClock)
    clock.now = NOW - timedelta(days=10)
    case = open_newborn(core.cases, catalog, applicant=who)
    late = next(m for m in case.materials if m.plan_status == "tolerable")
    receive_all(core.cases, case, skip=(late.material_id,))
    clerk = Actor(CLERK.username, "counter-01", CLERK.role)
    core.cases.accept_on_commitment(
        clerk,
        case.receipt_no,
        materials=[late.material_id],
        due_date=TODAY + timedelta(days=due_in_days),
        signed_by=who.name,
    )
    clock.now = NOW
    return case.receipt_no


@pytest.fixture
def window(qtbot: QtBot, core: Core) -> Iterator[MainWindow]:
    session = Session(core, CLERK, Devices(SimulatedIdReader(), SimulatedCapture()), None)
    session.papers.a4 = PaperTray()
    window = MainWindow(session, status_every_ms=60_000)
    window.supplements.printouts.preview = False
    qtbot.addWidget(window)
    yield window
    window.close()


def idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.station.work.busy, timeout=20_000)


def shown(qtbot: QtBot, window: MainWindow, count: int) -> None:
    qtbot.waitUntil(lambda: window.supplements.model.rowCount() == count, timeout=20_000)
    idle(qtbot, window)


def choose(window: MainWindow, receipt_no: str) -> None:
    screen = window.supplements
    row = next(n for n, r in enumerate(screen.model.rows) if r.receipt_no == receipt_no)
    screen.table.selectRow(row)
    assert screen.current is not None and screen.current.receipt_no == receipt_no


def test_the_clerk_follows_the_promises_through(
    qtbot: QtBot, window: MainWindow, core: Core
) -> None:
    missed = promise(core, MOTHER, -3)  # three days overdue
    brought = promise(core, FATHER, -1)
    soon = promise(core, AUNT, 2)
    screen = window.supplements
    window.tabs.setCurrentWidget(screen)
    shown(qtbot, window, 3)

    assert [r.receipt_no for r in screen.model.rows] == [missed, brought, soon]
    assert "已逾期 2 件" in screen.summary.text() and "3 天内到期 1 件" in screen.summary.text()
    assert screen.model.index(0, 6).data() == "已逾期（逾期 3 天）"
    assert screen.model.index(0, 1).data() == "李*"  # masked on the list
    assert screen.tallies.rows[0].label == "zhangmin"
    assert (screen.tallies.rows[0].overdue, screen.tallies.rows[0].due_soon) == (2, 1)
    screen.by.setCurrentIndex(1)  # per department
    assert {t.label for t in screen.tallies.rows} >= set(screen.model.rows[0].departments)

    choose(window, soon)
    assert not screen.lapse_button.isEnabled()  # not missed yet
    screen.remind_button.click()
    qtbot.waitUntil(lambda: len(tray(window).printed) == 1, timeout=20_000)
    screen.remind_button.click()  # a second reminder is a new one, not a refused reprint
    qtbot.waitUntil(lambda: len(tray(window).printed) == 2, timeout=20_000)
    assert tray(window).printed == [(soon, "reminder", ""), (soon, "reminder", "")]
    idle(qtbot, window)
    assert window.bar.kind != "error"

    choose(window, brought)
    screen.receive_button.click()
    dialog = screen.dialog
    assert isinstance(dialog, ReceiveDialog) and list(dialog.boxes.values())[0].isChecked()
    dialog.ok.click()
    shown(qtbot, window, 2)
    assert core.cases.get(brought).state == "accepted"
    assert "已全部补齐" in window.bar.text()

    choose(window, missed)
    assert screen.lapse_button.isEnabled()
    screen.lapse_button.click()
    lapse = screen.dialog
    assert isinstance(lapse, LapseDialog)
    assert "不能撤销" in lapse.text.text()
    lapse.ok.click()
    shown(qtbot, window, 1)
    ended = core.cases.get(missed)
    assert ended.commitment and ended.commitment["lapsed_items"]
    assert all(
        i.state == "terminated"
        for i in ended.items
        if i.item_id in ended.commitment["lapsed_items"]
    )
    assert "已按逾期处理" in window.bar.text()

    screen.calls_button.click()
    qtbot.waitUntil(lambda: isinstance(screen.dialog, CallListDialog), timeout=20_000)
    calls = screen.dialog
    assert isinstance(calls, CallListDialog)
    assert calls.table.model().index(0, 2).data() == AUNT.phone  # the full phone, to call
    manager = Actor("wangjing", "counter-01", "manager")
    looks = core.access.entries(manager, receipt_no=soon)
    assert "call_list" in [look.action for look in looks]
    calls.submit()  # 关闭
    assert not calls.isVisible()


def test_a_back_office_operator_may_not_stop_items(core: Core) -> None:
    missed = promise(core, MOTHER, -3)
    back = Actor("liuyang", "counter-01", "backoffice")
    from app.roles import NotAllowed

    with pytest.raises(NotAllowed, match="跟进容缺补交"):
        core.cases.lapse(back, missed)
    assert core.cases.get(missed).state == "accepted_on_commitment"


def tray(window: MainWindow) -> PaperTray:
    a4 = window.station.session.papers.a4
    assert isinstance(a4, PaperTray)
    return a4
