"""The staff's way out of the kiosk: five quick taps on the hall's name and nothing else open the
staff screen; a PIN checked against its hash, a pause after five wrong ones; then the devices'
state and the exit with EXIT_STAFF. Neither the PIN nor its hash ever appears on the screen."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from escpos.escpos import Escpos
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.accounts import hash_password
from app.bootstrap import Core
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from app.errors import UNEXPECTED
from app.settings import TicketPrinterSettings
from kiosk.journey import Journey
from kiosk.papers import KioskPapers
from kiosk.status import (
    LOCK_S,
    MAX_WRONG,
    NO_PIN,
    PinLock,
    device_line,
    line,
    quick_lines,
    ticket_line,
)
from kiosk.ui.staff import TAPS_WITHIN_S, StaffScreen
from kiosk.ui.window import KioskWindow
from kiosk.watchdog import EXIT_STAFF
from printing.a4_printer import cups_state
from printing.thermal import PrinterUnavailable, TicketPrinter
from tests.helpers.a11y import ELDERLY, NORMAL, audit, report
from tests.helpers.clock import Clock

PIN = "246810"
HASH = hash_password(PIN)
TOKEN = "platform-token-never-shown"
CORNER = QPoint(20, 20)
ELSEWHERE = QPoint(300, 20)  # the hall's name too, but outside the corner's square


class Tray:
    """An A4 printer that is not CUPS: its state cannot be asked."""

    name = "tray"

    def send(self, pdf: bytes, *, title: str) -> str:
        return "tray-1"


class Roll(Escpos):  # type: ignore[misc]
    """A thermal printer's far side that answers the paper query (DLE EOT 4) with ``answer``."""

    def __init__(self, answer: bytes, *, reachable: bool = True) -> None:
        super().__init__()
        self.answer = answer
        self.reachable = reachable

    def open(self, raise_not_found: bool = False) -> None:
        if not self.reachable:
            raise OSError("device not found")

    def _raw(self, msg: bytes) -> None:
        pass

    def _read(self) -> bytes:
        return self.answer

    def close(self) -> None:
        pass


def roll_printer(answer: bytes, *, reachable: bool = True) -> TicketPrinter:
    settings = TicketPrinterSettings(kind="usb", address="04b8:0e15")
    return TicketPrinter(settings, opener=lambda _: Roll(answer, reachable=reachable))


@pytest.fixture
def exits() -> list[int]:
    return []


@pytest.fixture
def window(
    qtbot: QtBot, core: Core, journey: Journey, clock: Clock, exits: list[int]
) -> Iterator[KioskWindow]:
    settings = core.settings
    core.settings = settings.model_copy(
        update={
            "kiosk": settings.kiosk.model_copy(update={"staff_pin_hash": HASH}),
            "platform": settings.platform.model_copy(update={"token": TOKEN}),
        }
    )
    window = kiosk_window(qtbot, core, journey, clock, exits)
    yield window
    window.close()


def kiosk_window(
    qtbot: QtBot, core: Core, journey: Journey, clock: Clock, exits: list[int]
) -> KioskWindow:
    papers = KioskPapers(core)
    papers.a4 = Tray()
    papers.tickets = roll_printer(b"\x1e")  # the paper's near-end sensor
    window = KioskWindow(
        core,
        journey,
        Devices(None, SimulatedCapture()),
        papers=papers,
        clock=clock,
        exit_app=exits.append,
    )
    qtbot.addWidget(window)
    window.resize(1080, 1920)
    window.show()
    qtbot.waitExposed(window)
    return window


def staff_of(window: KioskWindow) -> StaffScreen:
    screen = window.screens["staff"]
    assert isinstance(screen, StaffScreen)
    return screen


def tap(window: KioskWindow, clock: Clock, at: QPoint, *, after: float = 0.5) -> None:
    clock.advance(after)
    target = window.childAt(at) or window
    QTest.mouseClick(
        target,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        target.mapFrom(window, at),
    )


def press(window: KioskWindow, name: str) -> None:
    QApplication.processEvents()
    push = window.findChild(QAbstractButton, name)
    assert push is not None and push.isVisible() and push.isEnabled(), name
    push.click()


def settle(qtbot: QtBot, window: KioskWindow) -> None:
    qtbot.waitUntil(lambda: not window.work.busy and not window.device_lane.busy, timeout=10_000)


def typed(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """At a person's pace: the kiosk's scanner filter holds faster keys as a possible scan."""
    qtbot.keyClicks(edit, text, delay=50)
    qtbot.wait(150)  # the last key is handed on once the scanner's quiet moment has passed


def enter_pin(qtbot: QtBot, window: KioskWindow, pin: str) -> None:
    staff = staff_of(window)
    staff.pin.clear()
    typed(qtbot, staff.pin, pin)
    assert pin not in staff.pin.displayText()  # dots, never the digits
    press(window, "staff_ok")
    settle(qtbot, window)


def open_staff(window: KioskWindow, clock: Clock) -> None:
    for _ in range(5):
        tap(window, clock, CORNER)
    assert window.current().name == "staff"


def texts(window: KioskWindow) -> list[str]:
    found: list[str] = []
    for widget in window.findChildren(QWidget):
        if isinstance(widget, QLabel | QPushButton):
            found.append(widget.text())
        if isinstance(widget, QLineEdit):
            found += [widget.text(), widget.displayText(), widget.placeholderText()]
        found.append(widget.toolTip())
    return found


def assert_no_credential(window: KioskWindow) -> None:
    _, salt, digest = HASH.split("$")
    for text in texts(window):
        for secret in (PIN, HASH, salt, digest, TOKEN):
            assert secret not in text, text


# -- the gesture -----------------------------------------------------------------------------------
def test_five_quick_taps_on_the_halls_name_open_the_staff_screen(
    window: KioskWindow, clock: Clock
) -> None:
    corner = window.childAt(CORNER)
    assert corner is None or not isinstance(corner, QPushButton)  # no button under the gesture
    for _ in range(4):
        tap(window, clock, CORNER)
    assert window.current().name == "start"
    tap(window, clock, CORNER)
    assert window.current().name == "staff"
    assert window.message.text() == ""  # a PIN is set: nothing to say yet


def test_four_slow_or_scattered_taps_do_not_open(window: KioskWindow, clock: Clock) -> None:
    for _ in range(4):
        tap(window, clock, CORNER)
    tap(window, clock, CORNER, after=TAPS_WITHIN_S)  # the first four are too long ago
    for _ in range(3):
        tap(window, clock, CORNER, after=1.1)  # five taps, but spread over 4.4 s
    assert window.current().name == "start"
    clock.advance(10)
    for _ in range(4):
        tap(window, clock, CORNER)
    tap(window, clock, ELSEWHERE)  # starts the count again
    for _ in range(4):
        tap(window, clock, CORNER)
    assert window.current().name == "start"
    tap(window, clock, CORNER)
    assert window.current().name == "staff"


def test_each_touch_counts_once(window: KioskWindow, clock: Clock) -> None:
    """A touch reaches the filter as a touch and again as the mouse press made of it."""
    screen = QTest.createTouchDevice()
    for _ in range(4):
        clock.advance(0.5)
        QTest.touchEvent(window, screen).press(0, CORNER, window).commit()
        QTest.touchEvent(window, screen).release(0, CORNER, window).commit()
    assert window.current().name == "start"
    clock.advance(0.5)
    QTest.touchEvent(window, screen).press(0, CORNER, window).commit()
    QTest.touchEvent(window, screen).release(0, CORNER, window).commit()
    assert window.current().name == "staff"


@pytest.mark.parametrize(
    ("key", "modifiers"),
    [
        (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier),
    ],
    ids=["Alt+F4", "Ctrl+Q", "Escape", "Ctrl+Alt+Delete", "Ctrl+W"],
)
def test_no_key_opens_anything(
    window: KioskWindow, clock: Clock, key: Qt.Key, modifiers: Qt.KeyboardModifier
) -> None:
    for _ in range(5):
        clock.advance(0.5)
        QTest.keyClick(window, key, modifiers)
    assert window.current().name == "start" and window.isVisible()
    for _ in range(4):
        tap(window, clock, CORNER)
    QTest.keyClick(window, key, modifiers)  # nor does a key finish the gesture
    assert window.current().name == "start"


def test_a_tap_on_another_window_does_not_count(
    qtbot: QtBot, window: KioskWindow, clock: Clock
) -> None:
    other = QLabel("另一个窗口")
    qtbot.addWidget(other)
    other.resize(200, 200)
    other.show()
    for _ in range(5):
        clock.advance(0.5)
        QTest.mouseClick(other, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, CORNER)
    assert window.current().name == "start"


# -- the PIN ---------------------------------------------------------------------------------------
def test_a_wrong_pin_is_refused_and_cleared_then_a_pause(
    qtbot: QtBot, window: KioskWindow, clock: Clock
) -> None:
    open_staff(window, clock)
    staff = staff_of(window)
    for tries in range(1, MAX_WRONG):
        enter_pin(qtbot, window, "1111")
        said = f"密码不对，请重新输入（还可以再试 {MAX_WRONG - tries} 次）。"
        assert window.message.text() == said
        assert staff.pin.text() == "" and staff.pages.currentWidget() is staff.pin_page
        assert_no_credential(window)
    enter_pin(qtbot, window, "1111")
    assert window.message.text() == f"连续输错 {MAX_WRONG} 次，请 60 秒后再试。"
    enter_pin(qtbot, window, PIN)  # refused unheard during the pause
    assert staff.pages.currentWidget() is staff.pin_page and staff.pin.text() == ""
    clock.advance(LOCK_S - 10)
    window.go("start")  # leaving and coming back does not end the pause
    open_staff(window, clock)  # 2.5 s of taps
    assert window.message.text() == f"连续输错 {MAX_WRONG} 次，请 8 秒后再试。"
    clock.advance(8)
    enter_pin(qtbot, window, PIN)
    assert staff.pages.currentWidget() is staff.status_page
    assert_no_credential(window)


def test_only_digits_go_in(qtbot: QtBot, window: KioskWindow, clock: Clock) -> None:
    open_staff(window, clock)
    staff = staff_of(window)
    typed(qtbot, staff.pin, "12a-3")
    assert staff.pin.text() == "123"
    assert staff.pin.echoMode() is QLineEdit.EchoMode.Password
    hints = staff.pin.inputMethodHints()
    assert hints & Qt.InputMethodHint.ImhDigitsOnly and hints & Qt.InputMethodHint.ImhSensitiveData


def test_an_empty_pin_is_asked_for(qtbot: QtBot, window: KioskWindow, clock: Clock) -> None:
    open_staff(window, clock)
    press(window, "staff_ok")
    assert window.message.text() == "请输入工作人员密码。"


def test_the_pin_is_forgotten_when_the_screen_is_left(
    qtbot: QtBot, window: KioskWindow, clock: Clock
) -> None:
    open_staff(window, clock)
    staff = staff_of(window)
    typed(qtbot, staff.pin, PIN)
    press(window, "home")  # the bar's 首页: the session ends
    assert window.current().name == "start" and staff.pin.text() == ""
    open_staff(window, clock)
    typed(qtbot, staff.pin, PIN)
    press(window, "staff_back")
    assert window.current().name == "start" and staff.pin.text() == ""
    open_staff(window, clock)
    typed(qtbot, staff.pin, PIN)
    window.go("start")
    assert staff.pin.text() == ""
    open_staff(window, clock)
    enter_pin(qtbot, window, PIN)
    window.wipe()  # the idle countdown ran out
    open_staff(window, clock)
    assert staff.pages.currentWidget() is staff.pin_page  # the PIN again, every time


def test_without_a_pin_set_the_screen_says_how_to_set_one(
    qtbot: QtBot, window: KioskWindow, clock: Clock
) -> None:
    settings = window.core.settings
    window.core.settings = settings.model_copy(
        update={"kiosk": settings.kiosk.model_copy(update={"staff_pin_hash": ""})}
    )
    open_staff(window, clock)
    staff = staff_of(window)
    assert window.message.text() == NO_PIN and "hash_password" in NO_PIN
    assert not staff.pin.isEnabled() and not staff.ok.isEnabled()
    staff.submit()
    assert window.message.text() == NO_PIN and not window.work.busy


def test_pin_lock() -> None:
    clock = Clock()
    lock = PinLock(clock)
    assert [lock.record(False) for _ in range(2)][-1].endswith("还可以再试 3 次）。")
    assert lock.record(True) == "" and lock.wrong == 0  # a right PIN starts the count again
    for _ in range(MAX_WRONG):
        said = lock.record(False)
    assert said == lock.refusal() == "连续输错 5 次，请 60 秒后再试。"
    clock.advance(59.5)
    assert lock.refusal() == "连续输错 5 次，请 1 秒后再试。"
    clock.advance(0.5)
    assert lock.refusal() == ""


def test_the_pause_outlives_a_restart(
    qtbot: QtBot, window: KioskWindow, core: Core, journey: Journey, clock: Clock, exits: list[int]
) -> None:
    open_staff(window, clock)
    for _ in range(MAX_WRONG - 2):
        enter_pin(qtbot, window, "1111")
    window.shutdown()  # the plug pulled: a new kiosk on the same data folder
    again = kiosk_window(qtbot, core, journey, clock, exits)
    open_staff(again, clock)
    enter_pin(qtbot, again, "1111")
    assert again.message.text() == "密码不对，请重新输入（还可以再试 1 次）。"
    enter_pin(qtbot, again, "1111")
    again.shutdown()
    clock.advance(5)
    third = kiosk_window(qtbot, core, journey, clock, exits)
    open_staff(third, clock)  # 2.5 s of taps
    assert third.message.text() == f"连续输错 {MAX_WRONG} 次，请 53 秒后再试。"
    enter_pin(qtbot, third, PIN)
    assert staff_of(third).pages.currentWidget() is staff_of(third).pin_page
    third.shutdown()


def test_a_pin_lock_file_set_far_ahead_or_spoilt_pauses_no_longer_than_a_pause(
    tmp_path: Path,
) -> None:
    clock, store = Clock(), tmp_path / "lock.json"
    store.write_text('{"wrong": 0, "until": 1e12}', encoding="utf-8")  # the clock was set back
    assert PinLock(clock, store).refusal() == f"连续输错 {MAX_WRONG} 次，请 60 秒后再试。"
    store.write_text("not json", encoding="utf-8")
    assert PinLock(clock, store).refusal() == f"连续输错 {MAX_WRONG} 次，请 60 秒后再试。"
    clock.advance(LOCK_S)
    lock = PinLock(clock, store)
    assert lock.refusal() == "" and lock.record(False).endswith("还可以再试 4 次）。")
    assert PinLock(clock, store).wrong == 1


# -- the devices -----------------------------------------------------------------------------------
def test_the_right_pin_shows_the_devices(qtbot: QtBot, window: KioskWindow, clock: Clock) -> None:
    open_staff(window, clock)
    enter_pin(qtbot, window, PIN)
    staff = staff_of(window)
    assert staff.pages.currentWidget() is staff.status_page and window.message.text() == ""
    shown = {key: label.text() for key, label in staff.lines.items()}
    warned = {key for key, label in staff.lines.items() if label.property("kind") == "warn"}
    assert shown["reader"].startswith("身份证读卡器：未连接：群众只能手动输入证件号码。")
    assert shown["camera"] == "高拍仪：已连接（模拟高拍仪）。"
    assert shown["terminal"] == "终端：自助终端（kiosk-01）"
    assert shown["database"].startswith("数据：本机数据库 ")
    assert shown["database"].endswith("onestop.sqlite3")
    assert shown["a4"] == "A4 打印机：tray（状态查询不到）。"
    assert shown["ticket"] == "凭条打印机：纸快用完了，请及时换纸。"
    assert shown["outbox"] == "发送队列：待发送 0 条。"
    assert warned == {"reader", "ticket"}
    assert_no_credential(window)
    press(window, "staff_refresh")
    assert staff.lines["a4"].text() == "A4 打印机：正在读取……"
    settle(qtbot, window)
    assert staff.lines["a4"].text() == "A4 打印机：tray（状态查询不到）。"


class Jammed:
    """An A4 printer whose driver breaks in a way nobody planned for."""

    @property
    def name(self) -> str:
        raise RuntimeError("driver crashed")

    def send(self, pdf: bytes, *, title: str) -> str:
        raise RuntimeError("driver crashed")


def test_a_failed_reading_can_be_tried_again(
    qtbot: QtBot, window: KioskWindow, clock: Clock
) -> None:
    open_staff(window, clock)
    enter_pin(qtbot, window, PIN)
    window.station.papers.a4 = Jammed()
    press(window, "staff_refresh")
    settle(qtbot, window)
    assert window.message.text() == UNEXPECTED and not staff_of(window).reading
    window.station.papers.a4 = Tray()
    press(window, "staff_refresh")
    settle(qtbot, window)
    assert staff_of(window).lines["a4"].text() == "A4 打印机：tray（状态查询不到）。"


def test_both_pages_meet_the_norms(qtbot: QtBot, window: KioskWindow, clock: Clock) -> None:
    open_staff(window, clock)
    staff = staff_of(window)
    QApplication.processEvents()
    assert audit(staff, NORMAL, window.dpi) == []
    enter_pin(qtbot, window, PIN)
    press(window, "elderly")
    settle(qtbot, window)
    QApplication.processEvents()
    assert staff.pages.currentWidget() is staff.status_page  # 长辈模式 redraws, stays open
    findings = audit(staff, ELDERLY, window.dpi)
    assert findings == [], report(findings)


def test_back_to_service(qtbot: QtBot, window: KioskWindow, clock: Clock) -> None:
    open_staff(window, clock)
    enter_pin(qtbot, window, PIN)
    press(window, "staff_resume")
    staff = staff_of(window)
    assert window.current().name == "start" and staff.pages.currentWidget() is staff.pin_page
    assert all(label.text() == "" for label in staff.lines.values())


def test_exit_terminal_ends_with_exit_staff(
    qtbot: QtBot, window: KioskWindow, clock: Clock, exits: list[int]
) -> None:
    open_staff(window, clock)
    enter_pin(qtbot, window, PIN)
    press(window, "staff_exit")
    assert exits == [EXIT_STAFF] == [80]


def test_a_result_after_leaving_is_dropped(qtbot: QtBot, window: KioskWindow, clock: Clock) -> None:
    open_staff(window, clock)
    staff = staff_of(window)
    typed(qtbot, staff.pin, PIN)
    staff.submit()
    staff.wipe()  # before the check came back
    settle(qtbot, window)
    assert staff.pages.currentWidget() is staff.pin_page


def test_device_lines_ask_each_device_whether_it_answers(core: Core) -> None:
    assert device_line("reader", None).problem
    assert "[devices] capture" in device_line("camera", None).text
    reader, camera = SimulatedIdReader(), SimulatedCapture()
    assert device_line("reader", reader) == line("reader", "已连接（模拟身份证阅读器）。")
    camera.fail = True  # unplugged since the kiosk started: the line says so, in red
    assert device_line("camera", camera) == line(
        "camera", "高拍仪没有响应（模拟）。（模拟高拍仪）", True
    )
    quick = {line.key: line for line in quick_lines(core.settings)}
    assert set(quick) == {"terminal", "database"}
    shared = core.settings.model_copy(
        update={
            "database": core.settings.database.model_copy(
                update={"url": "postgresql+psycopg://hall:secret@db.example/onestop"}
            )
        }
    )
    database = {line.key: line for line in quick_lines(shared)}["database"]
    assert database.text == "大厅共享数据库" and "secret" not in database.shown


@pytest.mark.parametrize(
    ("answer", "paper", "problem"),
    [
        (b"\x12", "纸张正常。", False),
        (b"\x1e", "纸快用完了，请及时换纸。", True),
        (b"\x72", "缺纸，请装纸；装好前群众可扫屏幕上的二维码代替凭条。", True),
        (b"", "已设置，纸张状态读不到（打印机不支持查询）。", False),
    ],
)
def test_thermal_paper(answer: bytes, paper: str, problem: bool) -> None:
    line = ticket_line(roll_printer(answer))
    assert (line.text, line.problem) == (paper, problem)


def test_thermal_printer_missing_or_unreachable(tmp_path: Path) -> None:
    assert ticket_line(None).problem and "二维码" in ticket_line(None).text
    with pytest.raises(PrinterUnavailable, match="找不到打印机"):
        roll_printer(b"\x12", reachable=False).paper()
    assert ticket_line(roll_printer(b"\x12", reachable=False)).problem
    file = TicketPrinter(TicketPrinterSettings(kind="file", address=str(tmp_path / "lp0")))
    assert file.paper() == "unknown"


LPSTAT = """#!/bin/sh
case "$1" in
  -r) echo "{running}" ;;
  -d) echo "{default}" ;;
  -p) {printer} ;;
esac
"""


@pytest.mark.parametrize(
    ("running", "default", "printer", "said", "problem"),
    [
        (
            "scheduler is running",
            "system default destination: Hall_A4",
            'echo "printer $2 is idle.  enabled since Jan 1"',
            "Hall_A4：就绪。",
            False,
        ),
        (
            "scheduler is running",
            "system default destination: Hall_A4",
            'echo "printer $2 now printing $2-7.  enabled since Jan 1"',
            "Hall_A4：正在打印。",
            False,
        ),
        (
            "scheduler is running",
            "system default destination: Hall_A4",
            'echo "printer $2 disabled since Jan 1 -"',
            "Hall_A4：已暂停，请在 CUPS 中恢复（cupsenable Hall_A4）。",
            True,
        ),
        (
            "scheduler is running",
            "no system default destination",
            "true",
            "没有默认打印机：请在 CUPS 中设置，或在设置 [printing] a4_printer 中填写。",
            True,
        ),
        (
            "scheduler is running",
            "system default destination: Gone",
            'echo "lpstat: Invalid destination name in list \\"$2\\"." >&2; exit 1',
            "找不到打印机“Gone”：请检查设置 [printing] a4_printer。",
            True,
        ),
        (
            "scheduler is not running",
            "",
            "true",
            "打印服务（CUPS）没有运行：请启动打印服务。",
            True,
        ),
    ],
)
def test_cups_state(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    running: str,
    default: str,
    printer: str,
    said: str,
    problem: bool,
) -> None:
    script = tmp_path / "lpstat"
    script.write_text(LPSTAT.format(running=running, default=default, printer=printer))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert cups_state("") == (said, problem)


def test_cups_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    said = "本机没有安装打印服务（CUPS）：请联系信息管理员安装并设置打印机。"
    assert cups_state("hall") == (said, True)


def test_locked_down_the_window_refuses_to_close(window: KioskWindow) -> None:
    window.lockdown = True
    assert not window.close()  # Alt+F4 or a window manager's close
    assert window.isVisible()
    window.shutdown()  # the staff exit's way
    assert not window.isVisible()
