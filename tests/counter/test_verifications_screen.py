"""告知承诺制 at the real counter window: the clerk marks a proof 告知承诺代替 on the materials step
and accepts (the 告知承诺书 prints before the receipt); the back office's 告知承诺核查 tab lists the
checks due, overdue first, and records the department's outcome — true, or false with what
follows said before it is done."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.accounts import Operator
from app.bootstrap import Core, build_core
from app.cases.audit import Actor
from app.cases.intake import MaterialCheck
from app.cases.snapshots import Party
from app.catalog.catalog import Catalog
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from app.settings import Settings
from counter.session import Session
from counter.ui.verifications import VerifyDialog
from counter.ui.window import DECISION, MainWindow
from tests.counter.conftest import activate
from tests.counter.test_window_flows import (
    idle,
    print_through,
    to_decision,
    tray,
    with_tray,
)
from tests.helpers.cases import MOTHER, open_newborn, receive_all
from tests.helpers.catalogs import committed_catalog
from tests.helpers.clock import WallClock
from tests.helpers.cores import Cores

CLERK = Operator("zhangmin", "张敏", "clerk")
BACK = Operator("liuyang", "刘洋", "backoffice")
NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Changsha
FATHER = Party("王强", "430104199001011230", phone="13900139000")


def test_the_clerk_replaces_a_proof_by_a_commitment(
    qtbot: QtBot, tmp_path: Path, catalog: Catalog
) -> None:
    core = build_core(Settings(data_dir=tmp_path / "hall"), committed_catalog(catalog))
    session = Session(core, CLERK, Devices(SimulatedIdReader(), SimulatedCapture()), None)
    with_tray(session)
    window = MainWindow(session, status_every_ms=10_000)
    qtbot.addWidget(window)
    activate(qtbot, window)
    try:
        case = to_decision(qtbot, window, receive=False)
        marriage = next(m for m in case.materials if m.plan_status == "commitment")
        in_hand = session.in_hand
        others = [
            MaterialCheck(m.material_id, "received_original")
            for m in case.materials
            if m.status == "missing" and m.plan_status == "submit"
        ]
        window.station.work.run(lambda: in_hand.receive(others), label="收材料")
        idle(qtbot, window)
        window.go(window.pages.indexOf(window.materials))
        screen = window.materials
        screen.select(marriage.material_id)
        assert screen.committed.isVisible() and screen.committed.isEnabled()
        assert "告知承诺制" in screen.about.text()
        screen.select(others[0].material_id)
        assert not screen.committed.isVisible()  # only where the catalog allows it
        screen.select(marriage.material_id)
        screen.committed.click()
        idle(qtbot, window)
        assert in_hand.case is not None
        assert in_hand.case.material(marriage.material_id).status == "committed"

        window.go(DECISION)
        assert "缺少" not in window.decision.summary.text()
        window.decision.accept_button.click()
        print_through(qtbot, window, 2)
        assert [d for _, d, _ in tray(window).printed] == ["commitment", "acceptance"]
        saved = core.cases.get(case.receipt_no)
        assert saved.state == "accepted"
        assert saved.verification and saved.verification["status"] == "pending"
    finally:
        window.close()
        core.close()


@pytest.fixture
def core(cores: Cores, tmp_path: Path, catalog: Catalog) -> Core:
    return cores.of(
        Settings(data_dir=tmp_path / "hall"), committed_catalog(catalog), clock=WallClock(NOW)
    )


def pledged(core: Core, who: Party, days_ago: int) -> str:
    """A 新生儿出生 case accepted ``days_ago`` with its 结婚证 replaced by a commitment."""
    clock = core.cases.clock
    assert isinstance(clock, WallClock)
    clock.now = NOW - timedelta(days=days_ago)
    case = open_newborn(core.cases, core.catalog, applicant=who)
    marriage = next(m for m in case.materials if m.plan_status == "commitment")
    receive_all(core.cases, case, skip=(marriage.material_id,))
    clerk = Actor(CLERK.username, "counter-01", CLERK.role)
    core.cases.record_material(clerk, case.receipt_no, marriage.material_id, "committed")
    core.cases.accept(clerk, case.receipt_no)
    clock.now = NOW
    return case.receipt_no


@pytest.fixture
def window(qtbot: QtBot, core: Core) -> Iterator[MainWindow]:
    session = Session(core, BACK, Devices(SimulatedIdReader(), SimulatedCapture()), None)
    window = MainWindow(session, status_every_ms=60_000)
    qtbot.addWidget(window)
    yield window
    window.close()


def test_the_back_office_records_the_departments_checks(
    qtbot: QtBot, window: MainWindow, core: Core
) -> None:
    late = pledged(core, MOTHER, 40)  # 20 working days have passed
    recent = pledged(core, FATHER, 1)
    screen = window.verifications
    assert window.tabs.indexOf(screen) >= 0  # the back office sees the tab
    window.tabs.setCurrentWidget(screen)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=20_000)
    idle(qtbot, window)
    assert [r.receipt_no for r in screen.model.rows] == [late, recent]
    assert screen.model.index(0, 6).data().startswith("已超期")
    assert "已超期 1 件" in screen.summary.text()
    assert screen.model.index(0, 1).data() == "李*"

    screen.table.selectRow(1)
    screen.record_button.click()
    dialog = screen.dialog
    assert isinstance(dialog, VerifyDialog)
    assert not dialog.warning.isVisible() and dialog.ok.text() == "登记：承诺属实"
    dialog.ok.click()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=20_000)
    idle(qtbot, window)
    record = core.cases.get(recent).verification
    assert record and record["status"] == "true"

    screen.table.selectRow(0)
    screen.record_button.click()
    dialog = screen.dialog
    assert isinstance(dialog, VerifyDialog)
    dialog.false.setChecked(True)
    assert dialog.warning.isVisible() and "不能撤销" in dialog.warning.text()
    dialog.ok.click()  # no finding written: refused, nothing stored
    idle(qtbot, window)
    assert dialog.isVisible() and "须写明核查发现的情况" in dialog.problem.text()
    dialog.note.setPlainText("经婚姻登记系统核查，婚姻状况与承诺不符")
    dialog.credit_no.setText("XY-2026-0007")
    dialog.ok.click()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0, timeout=20_000)
    idle(qtbot, window)
    found = core.cases.get(late).verification
    assert found and found["status"] == "false" and found["credit_no"] == "XY-2026-0007"
    assert "已登记承诺不实" in window.bar.text()
    assert "没有待核查的告知承诺" in screen.summary.text()


def test_a_clerk_does_not_see_the_tab(qtbot: QtBot, core: Core) -> None:
    session = Session(core, CLERK, Devices(SimulatedIdReader(), SimulatedCapture()), None)
    window = MainWindow(session, status_every_ms=60_000)
    qtbot.addWidget(window)
    try:
        assert window.tabs.indexOf(window.verifications) == -1
    finally:
        window.close()
