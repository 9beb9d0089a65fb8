"""``onestop counter --screenshots DIR``: the demo world, one clerk, one case walked from the ID
card to the printed receipt, and a PNG of each main screen at 1366×768 (for the README and for
review). Runs without a display (offscreen)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cases.demo import NEWBORN_ANSWERS, value_for
from app.cases.snapshots import Party

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from app.transfers.snapshots import Batch
    from counter.main import CounterApp
    from counter.ui.window import MainWindow

Shoot = Callable[["QWidget", str], None]

SIZE = (1366, 768)
LAPTOP_DPI, MONITOR_DPI = 112.0, 92.0  # a 14-inch 1366×768 panel, a 24-inch 1920×1080 one


# Every picture the walk takes, in order: the README shows them by these file names (a test
# holds the README to them), so a picture keeps its name when another is added or left out.
SHOTS = (
    "sign-in",
    "applicant",
    "scenario",
    "questions-items",
    "form",
    "materials",
    "materials-1920x1080",
    "decision",
    "print-preview",
    "cases-timeline",
    "outbox",
    "transfers",
    "pickup-signature",
    "check-in",
    "trace",
    "complaints",
    "report-evaluations",
    "report-period",
    "supplements",
    "verifications",
    "verifications-dialog",
    "unresolved",
)


def shot_file(name: str) -> str:
    return f"{SHOTS.index(name) + 1:02d}-{name}.png"


def save_screenshots(folder: Path) -> list[Path]:  # noqa: PLR0915 (one walk, in order)
    from app.widgets.screenshots import prepare, save_picture

    app = prepare(folder)

    from counter.main import CounterApp
    from counter.ui.display import text_px_for, use_font_px
    from counter.ui.sign_in import SignInDialog
    from counter.ui.window import DECISION, MATERIALS
    from sync.demo import DEMO_PASSWORD, DEMO_USER, demo_world

    saved: list[Path] = []

    def wait(done: Callable[[], bool], timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError("screenshots: the screen did not get ready")
            app.processEvents()
            time.sleep(0.01)
        for _ in range(5):
            app.processEvents()

    def shoot(widget: QWidget, name: str) -> None:
        for _ in range(5):
            app.processEvents()
        path = folder / shot_file(name)
        save_picture(widget.grab().toImage(), path)
        saved.append(path)

    with demo_world(cases=40) as demo:
        settings = demo.settings.model_copy(
            update={
                "printing": demo.settings.printing.model_copy(
                    update={"a4_printer": "onestop-demo-no-printer"}
                )
            }
        )
        counter = CounterApp(settings)
        try:
            dialog = SignInDialog(counter.sign_in)
            dialog.username.setText(DEMO_USER)
            dialog.message.setText(f"演示账号：{DEMO_USER}　密码：{DEMO_PASSWORD}")
            dialog.show()
            shoot(dialog, "sign-in")
            dialog.close()
            use_font_px(app, text_px_for(SIZE[1], LAPTOP_DPI))  # as `onestop counter` sizes it
            window = counter.start(counter.sign_in(DEMO_USER, DEMO_PASSWORD))
            window.resize(*SIZE)
            window.show()
            station, in_hand = window.station, window.station.session.in_hand

            def idle() -> None:
                wait(lambda: not station.work.busy and not station.devices.busy)

            wait(lambda: window.status.last is not None and window.status.last.online)
            window.identify.read_card()
            idle()
            window.identify.phone.setText("13800138000")
            shoot(window, "applicant")
            window.identify.confirm()
            idle()
            window.scenario.search.setText("xse")
            shoot(window, "scenario")
            window.scenario.take()
            for question, value in NEWBORN_ANSWERS.items():
                row = window.questions.rows.get(question)
                if row and row.combo and value in row.values and row.source.text() == "待回答":
                    row.combo.setCurrentIndex(row.values.index(value) + 1)
                    window.questions.single_chosen(question, row.values.index(value) + 1)
            shoot(window, "questions-items")
            window.questions.confirm()
            idle()
            assert in_hand.applicant is not None
            person = Party(in_hand.applicant.party.name, in_hand.applicant.party.id_number)
            for spec in in_hand.plan().fields:
                editor = window.form.editors[spec.key]
                if not editor.text():
                    editor.set_text(value_for(spec, person))
                    in_hand.set_field(spec.key, editor.text())
            shoot(window, "form")
            window.form.confirm()
            idle()
            window.go(MATERIALS)
            materials = window.materials
            materials.capture()
            idle()
            shoot(window, "materials")
            use_font_px(app, text_px_for(1080, MONITOR_DPI))  # the same on a 24-inch monitor
            window.resize(1920, 1080)
            shoot(window, "materials-1920x1080")
            use_font_px(app, text_px_for(SIZE[1], LAPTOP_DPI))
            materials.enter()  # its fixed heights and widths measured again in the smaller font
            idle()
            window.resize(*SIZE)
            station.work.run(in_hand.receive_all, label="全部收齐")
            idle()
            window.go(DECISION)
            shoot(window, "decision")
            window.decision.accept()
            wait(lambda: window.decision.printouts.dialog is not None)
            preview = window.decision.printouts.dialog
            assert preview is not None
            preview.resize(900, 740)
            shoot(preview, "print-preview")
            case = in_hand.case
            preview.reject()
            idle()
            window.find_cases()
            if case is not None:
                window.cases.show_case(case.receipt_no)
            idle()
            wait(lambda: not window.cases.station.work.busy)
            shoot(window, "cases-timeline")
            window.status.open_outbox()
            idle()
            outbox = window.status.dialog
            assert outbox is not None
            shoot(outbox, "outbox")
            outbox.close()
            window.tabs.setCurrentWidget(window.supplements)  # the demo's 容缺 promises
            idle()
            shoot(window, "supplements")
            back_office(window, counter, shoot, idle)
            window.close()
        finally:
            counter.close()
    return saved


def back_office(  # noqa: PLR0915
    window: MainWindow,
    counter: CounterApp,
    shoot: Shoot,
    idle: Callable[[], None],
) -> None:
    """The back office's screens (刘洋, 后台人员) and the manager's (王静): a batch being built,
    a department's pick-up with its signature, results checked in, a trace, 差评 work items and a
    report with its charts."""
    from sync.demo import DEMO_PASSWORD, DEMO_STAFF

    (back_user, *_), (manager_user, *_) = DEMO_STAFF
    window.signed_in(counter.sign_in(back_user, DEMO_PASSWORD))
    ledger = window.station.session.core.transfers
    transfers = window.transfers
    window.tabs.setCurrentWidget(transfers)
    idle()
    names = [row[0] for row in transfers.departments.rows]
    pickup = next((n for n in names if ledger.settings.route(n) == "pickup"), names[0])
    transfers.department_table.selectRow(names.index(pickup))
    idle()
    transfers.new_batch()
    idle()
    transfers.waiting_table.selectRow(0)
    transfers.add_selected()
    idle()
    shoot(window, "transfers")
    if transfers.batch is not None:
        _signature(window, transfers.batch, shoot, idle)
    confirmed = ledger.batches(states=("confirmed",))
    window.tabs.setCurrentWidget(window.check_in)
    idle()
    for batch in confirmed:  # a batch with something still to come back
        window.check_in.scanned(batch.batch_no)
        idle()
        for row in range(len(window.check_in.cases.rows)):
            window.check_in.case_table.selectRow(row)
            idle()
            if window.check_in.ticks:
                break
        if window.check_in.ticks:
            window.check_in.ticks[0][0].setChecked(True)
            break
    shoot(window, "check-in")
    handed = [i for i in ledger.at_window()] or [i for b in confirmed for i in b.items]
    window.tabs.setCurrentWidget(window.trace)
    if handed:
        window.trace.scanned(handed[0].receipt_no)
        idle()
    shoot(window, "trace")
    window.tabs.setCurrentWidget(window.verifications)  # the demo's 告知承诺 to check
    idle()
    window.verifications.record()
    idle()
    if window.verifications.dialog is not None:
        window.verifications.dialog.show()
        idle()
        shoot(window.verifications.dialog, "verifications-dialog")
        window.verifications.dialog.reject()
    shoot(window, "verifications")
    window.tabs.setCurrentWidget(window.unresolved)  # the demo's 办不成事 reports
    idle()
    shoot(window, "unresolved")
    window.signed_in(counter.sign_in(manager_user, DEMO_PASSWORD))
    window.tabs.setCurrentWidget(window.complaints)
    idle()
    window.complaints.table.selectRow(0)
    idle()
    shoot(window, "complaints")
    reports = window.reports
    if reports is not None:
        window.tabs.setCurrentWidget(reports)
        idle()
        reports.choose_report("evaluations", "scenario")
        reports.generate()
        idle()
        shoot(window, "report-evaluations")
        reports.choose_report("period", "scenario")
        reports.generate()
        idle()
        shoot(window, "report-period")


def _signature(window: MainWindow, batch: Batch, shoot: Shoot, idle: Callable[[], None]) -> None:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from counter.ui.transfer_dialogs import PickupDialog

    dialog = PickupDialog(batch, window.station, window)
    dialog.name.setText("周丽")
    dialog.id_number.setText("430104198506123022")
    dialog.phone.setText("13800138000")
    dialog.show()
    idle()
    QTest.mousePress(dialog.pad, Qt.MouseButton.LeftButton, pos=QPoint(40, 80))
    for x in range(40, 330, 3):  # a signature's swing on the tablet
        swing = 18 * math.sin(x / 9) + 7 * math.sin(x / 3.7)
        QTest.mouseMove(dialog.pad, QPoint(x, 80 + int(swing)))
    QTest.mouseRelease(dialog.pad, Qt.MouseButton.LeftButton, pos=QPoint(330, 80))
    shoot(dialog, "pickup-signature")
    dialog.close()
