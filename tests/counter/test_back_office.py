"""The back office's screens on a real core: a courier batch built by scanning and picking, its
slip previewed and printed, sent with a checked waybill, flagged overdue, signed off with the
department's receipt from the document camera; a department's pick-up with a tablet signature;
results checked in by scanning the slip, handed over at the window; the trace — and every wrong
step (waybill, department, twice, role) said clearly with nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.accounts import Operator
from app.bootstrap import Core
from app.cases.audit import Actor
from app.cases.receipts import hall_day
from app.db.models import AuditEntry, TransferBatchRow
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from app.widgets.pdf_preview import PdfPreview
from app.widgets.rows import CellsModel
from app.widgets.signature import SignaturePad
from counter.session import Session
from counter.ui.case_dialogs import DeliveryDialog
from counter.ui.cases import CasesScreen
from counter.ui.check_in import CheckInScreen
from counter.ui.station import Station
from counter.ui.trace import TraceScreen
from counter.ui.transfer_dialogs import CourierDialog, PickupDialog, ReceiptDialog
from counter.ui.transfers import TransfersScreen
from printing import qr
from tests.helpers.cases import CLERK, accepted
from tests.helpers.clock import MONDAY, WallClock
from tests.helpers.cores import Cores, statements
from tests.helpers.transfers import BACK, HEALTH, MARKET, MEDICAL, POLICE, ROUTES

Settle = Callable[[], None]
BACK_OFFICE = Operator("liuyang", "刘洋", "backoffice")
WINDOW_CLERK = Operator("zhangmin", "张敏", "clerk")
RED = QColor("#b00020")


class Tray:
    """The A4 printer's far side: the PDFs that reached it, by title."""

    name = "tray"

    def __init__(self) -> None:
        self.printed: list[tuple[str, bytes]] = []

    def send(self, pdf: bytes, *, title: str) -> str:
        self.printed.append((title, pdf))
        return f"tray-{len(self.printed)}"


class Today:
    """The screen's day: the hall's day of the clock at first, then wherever a test moves it."""

    def __init__(self, clock: WallClock) -> None:
        self.day = hall_day(clock.now)

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def core(cores: Cores, clock: WallClock) -> Core:
    return cores(clock=clock, transfers={"routes": ROUTES})


@pytest.fixture
def session(core: Core) -> Session:
    session = Session(core, BACK_OFFICE, Devices(SimulatedIdReader(), SimulatedCapture()), None)
    session.papers.a4 = Tray()
    return session


@pytest.fixture
def clock() -> WallClock:
    return WallClock(MONDAY)


@pytest.fixture
def today(clock: WallClock) -> Today:
    return Today(clock)


@pytest.fixture
def screen(qtbot: QtBot, station: Station, today: Today, settle: Settle) -> TransfersScreen:
    screen = TransfersScreen(station, today=today)
    qtbot.addWidget(screen)
    screen.resize(1280, 760)
    return screen


def column(model: CellsModel[Any], number: int) -> list[str]:
    return [str(model.index(row, number).data()) for row in range(model.rowCount())]


def choose_department(screen: TransfersScreen, department: str, settle: Settle) -> None:
    names = [row[0] for row in screen.departments.rows]
    screen.department_table.selectRow(names.index(department))
    settle()
    assert screen.department() == department


def scan(screen: QWidget, edit_name: str, text: str, settle: Settle) -> None:
    """What a wedge scanner does in a focused field: the text, then Enter."""
    from PySide6.QtWidgets import QLineEdit

    edit = screen.findChild(QLineEdit, edit_name)
    assert edit is not None
    edit.setText(text)
    QTest.keyClick(edit, Qt.Key.Key_Return)
    settle()


def signed_qr(core: Core, receipt_no: str) -> str:
    return qr.sign(receipt_no, core.receipt_keys)


def dialog_of(screen: TransfersScreen, kind: type[Any]) -> Any:
    dialog = screen.dialog
    assert isinstance(dialog, kind) and dialog.isVisible()
    return dialog


def sign(qtbot: QtBot, pad: SignaturePad) -> None:
    """A signature drawn with the pen held down (a tablet's pen arrives as mouse events too)."""
    qtbot.waitExposed(pad)
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 60))
    for x in range(30, 240, 15):
        QTest.mouseMove(pad, QPoint(x, 60 + (x // 15 % 3) * 12))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(240, 70))


# -- a courier batch --------------------------------------------------------------------------------
def test_a_courier_batch_built_printed_sent_flagged_and_signed_off(
    qtbot: QtBot,
    screen: TransfersScreen,
    core: Core,
    session: Session,
    today: Today,
    settle: Settle,
) -> None:
    first, second = accepted(core.cases, core.catalog), accepted(core.cases, core.catalog)
    screen.enter()
    settle()
    assert {row[0]: row[1] for row in screen.departments.rows} == {HEALTH: 8, POLICE: 2, MEDICAL: 6}
    choose_department(screen, MEDICAL, settle)
    assert column(screen.waiting, 0) == [first.receipt_no] * 3 + [second.receipt_no] * 3
    screen.buttons["new_batch"].click()
    settle()
    batch = screen.batch
    assert batch is not None and batch.department == MEDICAL and batch.state == "open"
    assert screen.buttons["send"].text() == "快递寄出…" and not screen.buttons["send"].isEnabled()

    scan(screen, "transfer_code", signed_qr(core, first.receipt_no), settle)  # the receipt's QR
    assert "3 份材料已放入" in session_bar(screen)
    screen.waiting_table.selectAll()  # the second case's papers, all picked from the list
    screen.buttons["add_selected"].click()
    settle()
    assert screen.batch is not None and (screen.batch.cases, len(screen.batch.items)) == (2, 6)
    assert MEDICAL not in [row[0] for row in screen.departments.rows]  # nothing waits for it

    scan(screen, "transfer_code", first.receipt_no, settle)  # a material sent twice
    assert_refused(screen, "已经组批或寄出，不能再放一次")
    assert len(core.transfers.batch(batch.batch_no).items) == 6
    scan(screen, "transfer_code", "https://example.com/not-ours", settle)
    assert_refused(screen, "请扫描受理凭证上的二维码，或交接单上的条码")

    screen.buttons["print"].click()
    settle()
    preview = screen.preview
    assert isinstance(preview, PdfPreview) and preview.isVisible()
    preview.accept()
    settle()
    tray = session.papers.a4
    assert isinstance(tray, Tray)
    assert [t for t, _ in tray.printed] == [f"材料流转交接单 {batch.batch_no}"]
    assert tray.printed[0][1].startswith(b"%PDF")
    assert audited(core, "transfer_slip_print") == 1

    screen.buttons["send"].click()
    courier = dialog_of(screen, CourierDialog)
    courier.waybill.setText("RB123456786US")
    assert "校验位" in courier.check.text()  # said while typing
    courier.ok.click()
    settle()
    assert courier.isVisible() and "校验位" in courier.problem.text()
    assert core.transfers.batch(batch.batch_no).state == "open"  # nothing changed
    courier.waybill.setText("EA123456785CN")
    assert courier.check.text() == "运单号格式和校验位正确。"
    courier.ok.click()
    settle()
    assert not courier.isVisible()
    sent = core.transfers.batch(batch.batch_no)
    assert (sent.state, sent.courier, sent.waybill) == ("sent", "中国邮政 EMS", "EA123456785CN")
    assert fact(screen, "状态").startswith("已发出，待签收")
    assert not screen.buttons["remove"].isEnabled() and screen.buttons["confirm"].isEnabled()

    assert sent.due_date is not None
    today.day = sent.due_date + timedelta(days=1)
    screen.enter()
    settle()
    row = [b.batch_no for b in screen.batches.rows].index(batch.batch_no)
    assert screen.batches.index(row, 2).data() == "已发出，待签收（超期）"
    assert screen.batches.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) == RED
    assert "已超期" in fact(screen, "状态")

    screen.buttons["confirm"].click()
    receipt = dialog_of(screen, ReceiptDialog)
    receipt.ok.click()
    assert "请先拍摄或选择" in receipt.problem.text()
    receipt.findChild(QWidget, "capture_receipt").click()  # the document camera
    settle()
    assert receipt.scan.data.startswith(b"\x89PNG")
    receipt.ok.click()
    settle()
    assert not receipt.isVisible()
    done = core.transfers.batch(batch.batch_no)
    assert done.state == "confirmed" and done.confirmed_by == "刘洋"
    assert core.files.read(done.receipt_sha or "") == receipt.scan.data
    assert not screen.buttons["confirm"].isEnabled()
    assert core.transfers.overdue(today.day) == []


def session_bar(screen: TransfersScreen) -> str:
    return screen.station.bar.text()


def assert_refused(screen: QWidget, words: str) -> None:
    bar = screen.station.bar  # type: ignore[attr-defined]
    assert bar.kind == "error" and words in bar.text(), bar.text()


def fact(screen: TransfersScreen, label: str) -> str:
    from PySide6.QtWidgets import QLabel

    value = screen.findChild(QLabel, f"fact_{label}")
    assert value is not None
    return value.text()


def audited(core: Core, action: str) -> int:
    with core.db.read() as db:
        return len(db.scalars(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_a_case_in_the_wrong_departments_batch_and_a_role_without_the_right(
    screen: TransfersScreen, core: Core, session: Session, settle: Settle
) -> None:
    case = accepted(core.cases, core.catalog)
    market = core.transfers.open_batch(BACK, MARKET)
    screen.enter()
    settle()
    scan(screen, "transfer_code", market.batch_no, settle)  # the slip's barcode opens the batch
    assert screen.batch is not None and screen.batch.batch_no == market.batch_no
    scan(screen, "transfer_code", case.receipt_no, settle)
    assert_refused(screen, f"不是{MARKET}")
    assert "请把它放进" in screen.station.bar.text()  # the hint names the right departments
    assert core.transfers.batch(market.batch_no).items == ()

    session.switch(WINDOW_CLERK)  # a clerk at the same screen: the core refuses, not the button
    choose_department(screen, POLICE, settle)
    screen.buttons["new_batch"].click()
    settle()
    assert_refused(screen, "窗口人员（张敏）没有“组批、打印交接单、登记寄出或取件”的权限")
    assert len(core.transfers.batches()) == 1 and audited(core, "refused") == 1


def test_a_scan_and_a_paper_taken_out_change_the_lists_without_reading_them_again(
    screen: TransfersScreen, core: Core, settle: Settle
) -> None:
    first, second = accepted(core.cases, core.catalog), accepted(core.cases, core.catalog)
    ledger = core.transfers
    screen.enter()
    settle()
    choose_department(screen, MEDICAL, settle)
    screen.buttons["new_batch"].click()
    settle()
    with statements(core) as sent:
        scan(screen, "transfer_code", first.receipt_no, settle)
    assert sum("FROM transfer_batches" in s for s in sent) == 1  # the scan's; nothing reloaded
    assert screen.batch is not None and screen.batch == ledger.batch(screen.batch.batch_no)
    assert screen.batches.rows == ledger.batches()
    assert column(screen.waiting, 0) == [second.receipt_no] * 3
    assert {w[:2] for w in screen.departments.rows} == {(HEALTH, 8), (POLICE, 2), (MEDICAL, 3)}

    choose_department(screen, MEDICAL, settle)
    screen.item_table.selectRow(1)
    screen.buttons["remove"].click()
    settle()
    assert "它回到待流转" in session_bar(screen)
    assert screen.batch is not None and screen.batch == ledger.batch(screen.batch.batch_no)
    assert len(screen.batch.items) == 2 and screen.batches.rows == ledger.batches()
    assert screen.waiting.rows == ledger.waiting(MEDICAL)
    assert sorted(screen.departments.rows) == sorted(ledger.waiting_by_department())


def test_a_batch_confirmed_twice(screen: TransfersScreen, core: Core, settle: Settle) -> None:
    case = accepted(core.cases, core.catalog)
    ledger = core.transfers
    batch = ledger.add_case(BACK, ledger.open_batch(BACK, MEDICAL).batch_no, case.receipt_no)
    ledger.send_by_courier(BACK, batch.batch_no, courier="顺丰速运", waybill="SF1234567890123")
    screen.enter()
    settle()
    scan(screen, "transfer_code", batch.batch_no, settle)
    assert screen.buttons["confirm"].isEnabled()
    ledger.confirm(BACK, batch.batch_no, b"%PDF-1.4 at the other desk")  # meanwhile
    screen.buttons["confirm"].click()
    receipt = dialog_of(screen, ReceiptDialog)
    receipt.scan.took(b"%PDF-1.4 here too", "签收.pdf")
    receipt.ok.click()
    settle()
    assert receipt.isVisible() and "不能再签收一次" in receipt.problem.text()
    assert core.files.read(ledger.batch(batch.batch_no).receipt_sha or "") == (
        b"%PDF-1.4 at the other desk"
    )


# -- a pick-up, results back, the hand-over, the trace --------------------------------------------
def test_a_pick_up_results_checked_in_and_handed_over_at_the_window(
    qtbot: QtBot,
    screen: TransfersScreen,
    station: Station,
    core: Core,
    session: Session,
    tmp_path: Path,
    settle: Settle,
) -> None:
    case = accepted(core.cases, core.catalog)
    screen.enter()
    settle()
    choose_department(screen, POLICE, settle)
    screen.buttons["new_batch"].click()
    settle()
    scan(screen, "transfer_code", case.receipt_no, settle)
    batch_no = screen.batch.batch_no if screen.batch else ""
    assert screen.buttons["send"].text() == "部门取件交接…"
    screen.buttons["send"].click()
    pickup = dialog_of(screen, PickupDialog)
    pickup.name.setText("赵强")
    pickup.id_number.setText("430104196411152016")
    pickup.phone.setText("138 0013 8000")
    pickup.ok.click()
    assert "签名板" in pickup.problem.text()
    sign(qtbot, pickup.pad)
    assert pickup.pad.signed
    pickup.ok.click()
    settle()
    assert not pickup.isVisible()
    sent = core.transfers.batch(batch_no)
    assert sent.state == "sent" and sent.pickup is not None and sent.pickup["name"] == "赵强"
    with core.db.read() as db:
        row = db.scalar(select(TransferBatchRow).where(TransferBatchRow.batch_no == batch_no))
        assert row is not None and row.signature_sha is not None
        assert core.files.read(row.signature_sha) == pickup.pad.png()

    scanned_paper = tmp_path / "签收凭证.pdf"
    scanned_paper.write_bytes(b"%PDF-1.4 signed by the police station")
    screen.buttons["confirm"].click()
    receipt = dialog_of(screen, ReceiptDialog)
    receipt.scan.ask_path = lambda parent, title: str(scanned_paper)
    receipt.findChild(QWidget, "receipt_file").click()
    settle()
    assert "签收凭证.pdf" in receipt.shown.text()
    receipt.ok.click()
    settle()
    assert core.transfers.batch(batch_no).state == "confirmed"

    check_in = CheckInScreen(station)
    qtbot.addWidget(check_in)
    check_in.enter()
    settle()
    scan(check_in, "check_in_code", batch_no, settle)  # the slip's barcode lists its cases
    assert column(check_in.cases, 0) == [case.receipt_no]
    offered = [box.text() for box, *_ in check_in.ticks]
    assert "退回原件：居民户口簿（" + POLICE + "）" in offered
    results = [text for text in offered if text.startswith("结果：")]
    assert len(results) == len([i for i in case.items if i.state != "terminated"])
    check_in.save.click()
    settle()
    assert_refused(check_in, "请勾选")
    for box, kind, value in check_in.ticks:
        box.setChecked(kind == "returned" or value[1] == POLICE)
    check_in.save.click()
    settle()
    assert check_in.station.bar.kind == "info" and "结果已到窗口" in check_in.station.bar.text()
    assert len(check_in.waiting.rows) == 2
    assert all(not text.startswith("退回") for text in [b.text() for b, *_ in check_in.ticks])
    assert core.cases.get(case.receipt_no).results_at_window is not None

    for item in case.items:  # the departments decide
        core.cases.record_item_decision(CLERK, case.receipt_no, item.item_id, approved=True)
    session.switch(WINDOW_CLERK)
    cases = CasesScreen(station)
    qtbot.addWidget(cases)
    cases.show_case(case.receipt_no)
    settle()
    labels = " ".join(w.text() for w in cases.findChildren(type(receipt.shown)))
    assert "结果已到窗口" in labels and "请通知申请人领取后出件" in labels
    cases.buttons["deliver"].click()
    delivery = cases.dialog
    assert isinstance(delivery, DeliveryDialog)
    delivery.signed.setChecked(True)
    delivery.ok.click()
    settle()
    assert core.cases.get(case.receipt_no).state == "delivered"
    assert core.transfers.at_window() == []

    trace = TraceScreen(station)
    qtbot.addWidget(trace)
    scan(trace, "trace_code", signed_qr(core, case.receipt_no), settle)
    assert trace.trace is not None and trace.trace.receipt_no == case.receipt_no
    assert "已交申请人 2 份" in trace.summary.text()
    looked = core.access.entries(Actor("王静", "t", "manager"), receipt_no=case.receipt_no)
    assert ("trace", station.session.actor.name) in [(e.action, e.actor) for e in looked]
    household = [r for r in trace.events.rows if r.item == "居民户口簿"]
    # the original sent and returned, and the police's result (a 户口簿 too): both came back
    assert [e.action_label for e in household] == [
        "窗口收取",
        "放入交接单",
        "发出",
        "部门签收",
        "回到窗口",
        "回到窗口",
        "交给申请人",
        "交给申请人",
    ]
    steps = column(trace.events, 2)
    assert "发出（刘洋）" in steps and "交给申请人（张敏）" in steps
    assert f"{POLICE} 赵强" in column(trace.events, 4)
    scan(trace, "trace_code", "no such thing", settle)
    assert_refused(trace, "请扫描受理凭证上的二维码")


# -- the window, the models -------------------------------------------------------------------------
def test_the_windows_tabs_follow_the_role_and_scans_reach_the_screen_in_front(
    qtbot: QtBot, core: Core, session: Session, settle: Settle
) -> None:
    from counter.ui.window import MainWindow

    case = accepted(core.cases, core.catalog)
    batch = core.transfers.open_batch(BACK, POLICE)
    window = MainWindow(session, status_every_ms=10_000)
    qtbot.addWidget(window)
    try:
        titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        assert titles == [
            "办件",
            "查询办件",
            "告知承诺核查",
            "办不成事",
            "材料流转",
            "结果回收",
            "流转追踪",
        ]
        window.tabs.setCurrentWidget(window.transfers)
        qtbot.waitUntil(lambda: not window.station.work.busy, timeout=10_000)
        window.scanned(batch.batch_no)  # the wedge scanner, with the batch builder in front
        qtbot.waitUntil(lambda: window.transfers.batch is not None, timeout=10_000)
        window.scanned(signed_qr(core, case.receipt_no))
        qtbot.waitUntil(
            lambda: window.transfers.batch is not None and len(window.transfers.batch.items) == 1,
            timeout=10_000,
        )
        window.signed_in(WINDOW_CLERK)  # a clerk signs in at the lock screen
        titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        assert titles == ["办件", "查询办件", "容缺补交", "流转追踪"]
        window.signed_in(BACK_OFFICE)
        assert window.tabs.count() == 7 and window.reports is None
        window.signed_in(Operator("wangjing", "王静", "manager"))  # the hall's manager
        titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        assert titles[-2:] == ["差评处理", "统计报表"] and window.reports is not None
        with qtbot.waitSignal(window.reports.shown, timeout=10_000):
            window.tabs.setCurrentWidget(window.reports)  # the report is made when first shown
        assert window.reports.report is not None
    finally:
        window.close()


def test_models(qtmodeltester: Any, screen: TransfersScreen, core: Core, settle: Settle) -> None:
    case = accepted(core.cases, core.catalog)
    batch = core.transfers.open_batch(BACK, POLICE)
    core.transfers.add_case(BACK, batch.batch_no, case.receipt_no)
    screen.enter()
    settle()
    scan(screen, "transfer_code", batch.batch_no, settle)
    for model in (screen.departments, screen.waiting, screen.batches, screen.items):
        assert model.rowCount() > 0
        qtmodeltester.check(model)


def test_the_signature_pad(qtbot: QtBot) -> None:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.show()
    assert not pad.signed and pad.png() == b""
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    QTest.mouseMove(pad, QPoint(24, 22))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(24, 22))
    assert not pad.signed  # a dot is not a signature
    with qtbot.waitSignal(pad.changed):
        sign(qtbot, pad)
    png = pad.png()
    assert pad.signed and png.startswith(b"\x89PNG")
    from PySide6.QtGui import QImage

    image = QImage.fromData(png)
    assert image.pixelColor(30, 60) != QColor("white")  # ink where the pen went
    pad.resize(800, 300)  # a bigger pad keeps what was signed
    assert QImage.fromData(pad.png()).pixelColor(30, 60) != QColor("white")
    pad.clear()
    assert not pad.signed and pad.png() == b""
