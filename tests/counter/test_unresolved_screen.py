"""办不成事 反映 at the real counter (issue 25, 7): a clerk takes one with the applicant and the
scenario in hand filled in; the back office's 办不成事 tab lists it, overdue first, and takes it
through 交办, 回访 and 办结."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.accounts import Operator
from app.bootstrap import Core
from app.cases.audit import Actor
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from app.settings import Settings
from counter.session import Session
from counter.ui.unresolved import ReportDialog, StepDialog
from counter.ui.window import MainWindow
from tests.counter.conftest import CLERK
from tests.helpers.cases import NEWBORN
from tests.helpers.clock import WallClock
from tests.helpers.cores import Cores

BACK = Operator("liuyang", "刘洋", "backoffice")
NOW = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)


@pytest.fixture
def core(cores: Cores, tmp_path: Path) -> Core:
    return cores.of(Settings(data_dir=tmp_path / "hall"), clock=WallClock(NOW))


def window_of(qtbot: QtBot, core: Core, operator: Operator) -> MainWindow:
    session = Session(core, operator, Devices(SimulatedIdReader(), SimulatedCapture()), None)
    window = MainWindow(session, status_every_ms=60_000)
    qtbot.addWidget(window)
    return window


def idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.station.work.busy, timeout=20_000)


@pytest.fixture
def clerks_window(qtbot: QtBot, core: Core) -> Iterator[MainWindow]:
    window = window_of(qtbot, core, CLERK)
    yield window
    window.close()


def test_a_clerk_takes_a_report_with_what_is_in_hand(
    qtbot: QtBot, clerks_window: MainWindow, core: Core
) -> None:
    window = clerks_window
    in_hand = window.station.session.in_hand
    in_hand.type_id("李芳", "43010419920315204X", phone="13800138000")
    in_hand.choose(NEWBORN)
    assert window.tabs.indexOf(window.unresolved) == -1  # a clerk takes, does not handle
    window.report_button.click()
    dialog = window.report_dialog
    assert isinstance(dialog, ReportDialog)
    assert (dialog.name.text(), dialog.phone.text()) == ("李芳", "13800138000")
    assert dialog.scenario.text() == "新生儿出生一件事" and dialog.department.count() > 2
    dialog.ok.click()  # nothing said about what went wrong: refused, nothing stored
    idle(qtbot, window)
    assert dialog.isVisible() and "请写明哪件事没有办成" in dialog.problem.text()
    dialog.what.setPlainText("出生登记被要求回老家开证明")
    dialog.urgent.setChecked(True)
    dialog.department.setCurrentText("公安部门（落户地派出所）")
    dialog.ok.click()
    idle(qtbot, window)
    assert not dialog.isVisible()
    (report,) = core.unresolved.open_reports()
    assert (report.grade, report.source, report.department) == (
        "urgent",
        "window",
        "公安部门（落户地派出所）",
    )
    assert report.name == "李芳" and "2 小时内回访" in window.bar.text()


def test_the_back_office_answers_and_closes_them(qtbot: QtBot, core: Core) -> None:
    clerk = Actor("张敏", "counter-01", "clerk")
    late = core.unresolved.report(
        clerk, source="hotline", grade="urgent", what="退休认证办不了", name="赵秀英",
        phone="13707310000", order_no="GD001",
    )  # fmt: skip
    fresh = core.unresolved.report(
        clerk, source="window", grade="ordinary", what="材料被退回", name="王强",
        phone="13900139000",
    )  # fmt: skip
    clock = core.unresolved.clock
    assert isinstance(clock, WallClock)
    clock.now = NOW + timedelta(hours=3)  # the urgent one is late
    window = window_of(qtbot, core, BACK)
    try:
        screen = window.unresolved
        window.tabs.setCurrentWidget(screen)
        qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=20_000)
        idle(qtbot, window)
        assert [r.ref_no for r in screen.model.rows] == [late.ref_no, fresh.ref_no]
        assert "超时未回访 1 件" in screen.summary.text()
        assert screen.model.index(0, 4).data() == "赵*英"  # masked on the list
        assert "已超时 1 小时 0 分钟" in screen.detail.text()

        for kind, fill in (
            ("assign", lambda d: d.to.setText("市人社局养老保险科")),
            ("call_back", lambda d: d.note.setPlainText("已联系，约好明天上午来办")),
            ("close", lambda d: d.note.setPlainText("人社局现场办结认证")),
        ):
            rows = [r.ref_no for r in screen.model.rows]  # answered ones sink: find it again
            screen.table.selectRow(rows.index(late.ref_no))
            screen.buttons[kind].click()
            dialog = screen.dialog
            assert isinstance(dialog, StepDialog) and dialog.kind == kind
            fill(dialog)
            dialog.ok.click()
            idle(qtbot, window)
            assert not dialog.isVisible(), (kind, dialog.problem.text(), window.bar.text())
            idle(qtbot, window)
        done = core.unresolved.get(late.ref_no)
        assert (done.state, done.outcome, done.assigned_to) == (
            "closed",
            "solved",
            "市人社局养老保险科",
        )
        qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=20_000)
    finally:
        window.close()
