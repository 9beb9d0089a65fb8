"""The status bar and the outbox dialog: counts, the platform's reason, resend and cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from app.accounts import Operator
from app.bootstrap import Core
from app.cases.snapshots import CaseView
from counter.session import Session
from counter.ui.outbox import OutboxDialog
from counter.ui.station import Station
from counter.ui.status import StatusPanel

if TYPE_CHECKING:
    from pytestqt.modeltest import ModelTester

Settle = Callable[[], None]


def test_status_counts_and_the_outbox(
    qtbot: QtBot, station: Station, session: Session, core: Core, draft: CaseView, settle: Settle
) -> None:
    session.in_hand.receive_all()
    session.in_hand.accept()
    first = core.outbox.claim("test", limit=1)[0]
    core.outbox.rejected(first.id, "test", "平台：申请人证件号码与人口库不符")
    panel = StatusPanel(station, every_ms=60_000)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.last is not None, timeout=5000)
    assert panel.online.text() == "● 未连接平台（单机）"
    assert "需处理 1" in panel.outbox.text()
    assert panel.today.text() == "今日办件 1"
    assert panel.catalog.text() == f"目录 {core.catalog.version}"

    dialog = OutboxDialog(station)
    qtbot.addWidget(dialog)
    settle()
    reasons = [dialog.model.data(dialog.model.index(r, 4)) for r in range(dialog.model.rowCount())]
    assert "平台：申请人证件号码与人口库不符" in reasons
    row = next(i for i, m in enumerate(dialog.model.messages) if m.id == first.id)
    dialog.table.selectRow(row)
    assert not dialog.cancel_button.isEnabled()  # a clerk: only a manager cancels
    dialog.cancel()  # and the service says so, if the button were pressed anyway
    settle()
    assert "没有“取消发往平台的消息”的权限" in station.bar.text()
    assert core.outbox.messages(states=("cancelled",)) == []
    session.switch(Operator("wangli", "王丽", "manager"))
    dialog = OutboxDialog(station)
    qtbot.addWidget(dialog)
    settle()
    assert dialog.cancel_button.isEnabled()
    dialog.table.selectRow(row)
    dialog.cancel()
    settle()
    assert "必须写明原因" in station.bar.text()
    dialog.reason.setText("已在平台人工补录")
    dialog.cancel()
    settle()
    assert core.outbox.messages(states=("cancelled",))[0].id == first.id
    assert "已取消发送" in station.bar.text()


def test_outbox_model(
    qtmodeltester: ModelTester,
    station: Station,
    session: Session,
    draft: CaseView,
    settle: Settle,
) -> None:
    session.in_hand.receive_all()
    session.in_hand.accept()
    dialog = OutboxDialog(station)
    settle()
    assert dialog.model.rowCount() >= 1
    qtmodeltester.check(dialog.model)


def test_the_operator_shown_is_the_one_signed_in(
    qtbot: QtBot, station: Station, session: Session
) -> None:
    """The back office's tabs appeared under the clerk's name: a status read still under way
    kept the name from changing."""
    window = QMainWindow()
    qtbot.addWidget(window)
    status = StatusPanel(station, window, every_ms=60_000)
    window.setStatusBar(status)
    release = threading.Event()
    status.lane.run(lambda: release.wait(10), label="a slow database")
    try:
        session.switch(Operator("liuyang", "刘洋", "backoffice"))
        status.refresh()
        assert status.clerk.text() == "刘洋（后台人员）"
    finally:
        release.set()
        status.lane.wait()
