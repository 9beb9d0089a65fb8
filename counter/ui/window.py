"""The counter's main window: the message bar on top, the case desk (steps on the left, one screen
at a time on the right) and the case search in tabs, the status bar at the bottom.

Frequent actions have keys: Ctrl+N next applicant, F2 read the ID card, F3 find a scenario,
Alt+1…6 go to a step, Ctrl+F search cases, Ctrl+L lock. A QR scanner works on every screen.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Union

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.accounts import Operator
from app.cases.assistance import group_words
from app.cases.receipts import hall_day, hall_time
from app.cases.snapshots import CaseSummary, CaseView
from app.cases.unresolved import Report
from app.roles import allowed
from app.widgets.code_relay import CameraCodes, CodeRelay
from app.widgets.tasks import Tasks
from counter.session import Session
from counter.ui.cases import CasesScreen
from counter.ui.check_in import CheckInScreen
from counter.ui.complaints import ComplaintsScreen
from counter.ui.decision import DecisionScreen
from counter.ui.display import cover_screen, em
from counter.ui.form import FormScreen
from counter.ui.identify import IdentifyScreen
from counter.ui.materials import MaterialsScreen
from counter.ui.notify import MessageBar
from counter.ui.questions import QuestionsScreen
from counter.ui.scenario import ScenarioScreen
from counter.ui.station import Screen, Station
from counter.ui.status import StatusPanel
from counter.ui.supplements import SupplementsScreen
from counter.ui.trace import TraceScreen
from counter.ui.transfers import TransfersScreen
from counter.ui.unresolved import ReportDialog, UnresolvedScreen
from counter.ui.verifications import VerificationsScreen

if TYPE_CHECKING:
    from counter.ui.reports import ReportsScreen

IDENTIFY, SCENARIO, QUESTIONS, FORM, MATERIALS, DECISION = range(6)
# 培训模式 (国办发〔2025〕24号 (十六)): said on every screen, so nobody serves a real applicant
# on a practice terminal without knowing
TRAINING_WORDS = (
    "培训模式：本机办件存放在培训数据库，不报送省级平台、不计入统计、不占用受理编号（编号以 PX"
    " 开头），打印件均标注“培训”。请勿为真实申请人办理。"
)
TRAINING_STYLE = "background:#fff3cd; color:#8a4b00; font-weight:bold; padding:6px;"
RoleScreen = Union[
    SupplementsScreen,
    VerificationsScreen,
    UnresolvedScreen,
    TransfersScreen,
    CheckInScreen,
    TraceScreen,
    ComplaintsScreen,
    "ReportsScreen",
]


class ResumeDialog(QDialog):
    """Drafts this window left unfinished (closed or killed mid-case), offered at the start."""

    def __init__(self, drafts: list[CaseSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("有未完成的办件")
        self.list = QListWidget()
        self.list.setObjectName("drafts")
        for draft in drafts:
            when = hall_time(draft.created_at, "%m-%d %H:%M")
            item = QListWidgetItem(
                f"{draft.receipt_no}　{draft.applicant_name}　{draft.scenario_name}　{when}"
            )
            item.setData(Qt.ItemDataRole.UserRole, draft.receipt_no)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _: self.accept())
        buttons = QDialogButtonBox()
        go_on = buttons.addButton("继续办理", QDialogButtonBox.ButtonRole.AcceptRole)
        go_on.setObjectName("resume")
        later = buttons.addButton("以后再说", QDialogButtonBox.ButtonRole.RejectRole)
        later.setObjectName("later")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("上次关闭程序时，以下办件还没有作出受理决定，已保存为草稿："))
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def receipt_no(self) -> str:
        item = self.list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""


class MainWindow(QMainWindow):
    lock_requested = Signal()

    def __init__(
        self, session: Session, parent: QWidget | None = None, *, status_every_ms: int = 3000
    ) -> None:
        super().__init__(parent)
        settings = session.core.settings
        practice = "【培训模式】" if settings.terminal.training else ""
        self.setWindowTitle(
            f"OneStop 综合窗口{practice} — {settings.hall.name} {settings.terminal.name}"
        )
        self.bar = MessageBar()
        shown = self.bar.show_exception
        self.station = Station(
            session, Tasks(shown, self, name="work"), Tasks(shown, self, name="devices"), self.bar
        )
        self.identify = IdentifyScreen(self.station)
        self.scenario = ScenarioScreen(self.station)
        self.questions = QuestionsScreen(self.station)
        self.form = FormScreen(self.station)
        self.materials = MaterialsScreen(self.station)
        self.decision = DecisionScreen(self.station)
        self.decision.printouts.preview = settings.counter.preview
        self.screens: list[Screen] = [
            self.identify,
            self.scenario,
            self.questions,
            self.form,
            self.materials,
            self.decision,
        ]
        self.cases = CasesScreen(self.station)
        self.role_tabs = self._role_screens()
        self.report_dialog: ReportDialog | None = None
        self.reports: ReportsScreen | None = None  # made for the first manager (QtCharts is big)

        self._lay_out(status_every_ms)

        self.identify.identified.connect(lambda: self.go(SCENARIO))
        self.identify.code_read.connect(self.scanned)
        self.code_relay: CodeRelay | None = None
        if session.devices.code_scanner is not None:  # a QR scanner in serial mode
            self.code_relay = CodeRelay(session.devices.code_scanner, self)
            self.code_relay.code.connect(self.scanned)
            self.code_relay.state.connect(
                lambda ok, message: self.bar.info(message) if ok else self.bar.error(message)
            )
            self.code_relay.start()
        self.camera_codes: CameraCodes | None = None
        on_frame = getattr(session.devices.capture, "on_frame", None)
        if on_frame is not None and settings.devices.camera_qr:  # a code held under the camera
            self.camera_codes = CameraCodes(on_frame, self)
            self.camera_codes.code.connect(self.scanned)
        self.scenario.chosen.connect(lambda: self.go(QUESTIONS))
        self.questions.done.connect(lambda: self.go(FORM))
        self.form.done.connect(lambda: self.go(MATERIALS))
        self.materials.changed.connect(self._show_who)
        self.materials.done.connect(lambda: self.go(DECISION))
        self.decision.decided.connect(self._decided)
        # Whatever changes the case in hand (a card read, a saved form, a decision) runs on the
        # work lane: the applicant panel shows the case in hand as it stands after each job.
        self.station.work.idle.connect(self._show_who)
        self._keys()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)  # a dialog closing gives the keyboard back (take_focus)
        self.go(IDENTIFY)

    def _role_screens(self) -> list[tuple[RoleScreen, str, str]]:
        """The back office's tabs: (screen, title, the permission that shows it; "" for
        everyone)."""
        self.transfers = TransfersScreen(self.station)
        self.check_in = CheckInScreen(self.station)
        self.trace = TraceScreen(self.station)
        self.complaints = ComplaintsScreen(self.station)
        self.supplements = SupplementsScreen(self.station)
        self.verifications = VerificationsScreen(self.station)
        self.unresolved = UnresolvedScreen(self.station)
        return [
            (self.supplements, "容缺补交", "supplement.follow"),
            (self.verifications, "告知承诺核查", "verification.record"),
            (self.unresolved, "办不成事", "unresolved.handle"),
            (self.transfers, "材料流转", "transfer.prepare"),
            (self.check_in, "结果回收", "transfer.check_in"),
            (self.trace, "流转追踪", ""),
            (self.complaints, "差评处理", "complaint.handle"),
        ]

    def _lay_out(self, status_every_ms: int) -> None:
        self.steps = QListWidget()
        self.steps.setObjectName("steps")
        self.steps.setFixedWidth(self._side_width())
        for number, screen in enumerate(self.screens, start=1):
            self.steps.addItem(f"{number}  {screen.title}")
        self.steps.currentRowChanged.connect(self._step_clicked)
        self.who = QLabel("")
        self.who.setObjectName("who")
        self.who.setWordWrap(True)
        self.who.setFixedWidth(self._side_width())
        self.who.setStyleSheet("background:#f3f6fa; padding:6px;")
        self.pages = QStackedWidget()
        for screen in self.screens:
            self.pages.addWidget(screen)
        left = QVBoxLayout()
        left.addWidget(self.who)
        left.addWidget(self.steps, 1)
        self.report_button = QPushButton("办不成事反映 (Ctrl+B)")
        self.report_button.setObjectName("report_unresolved")
        self.report_button.setFixedWidth(self._side_width())
        self.report_button.clicked.connect(self.report_unresolved)
        left.addWidget(self.report_button)
        case_desk = QWidget()
        self.case_desk = case_desk
        row = QHBoxLayout(case_desk)
        row.addLayout(left)
        row.addWidget(self.pages, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(case_desk, "办件")
        self.tabs.addTab(self.cases, "查询办件")
        self.show_tabs()
        self.tabs.currentChanged.connect(self._tab_changed)
        central = QWidget()
        column = QVBoxLayout(central)
        self.training = QLabel(TRAINING_WORDS)
        self.training.setObjectName("training_banner")
        self.training.setStyleSheet(TRAINING_STYLE)
        self.training.setVisible(self.station.session.core.settings.terminal.training)
        column.addWidget(self.training)
        column.addWidget(self.bar)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.content = central
        self.status = StatusPanel(self.station, self, every_ms=status_every_ms)
        self.setStatusBar(self.status)

    def _keys(self) -> None:
        shortcuts: list[tuple[str, Callable[[], None]]] = [
            ("Ctrl+N", self.next_applicant),
            ("Ctrl+F", self.find_cases),
            ("Ctrl+L", self.lock_requested.emit),
            ("F3", lambda: self.go(SCENARIO)),
            ("Ctrl+B", self.report_unresolved),
        ]
        for number in range(len(self.screens)):
            shortcuts.append((f"Alt+{number + 1}", partial(self.go, number)))
        for keys, action in shortcuts:
            QShortcut(QKeySequence(keys), self, action)

    def report_unresolved(self) -> None:
        """办不成事反映: the applicant and the scenario in hand are filled in."""
        in_hand = self.station.session.in_hand
        party = in_hand.applicant.party if in_hand.applicant else None
        scenario = in_hand.scenario
        dialog = ReportDialog(
            name=party.name if party else "",
            phone=party.phone if party else "",
            scenario=scenario.name if scenario else "",
            departments=tuple(dict.fromkeys(i.department for i in scenario.items))
            if scenario
            else (),
            parent=self,
        )
        if self.report_dialog is not None:
            self.report_dialog.deleteLater()  # on the GUI thread (see SupplementsScreen._open)
        self.report_dialog = dialog
        core, actor = self.station.session.core, self.station.session.actor
        case = in_hand.case

        def save() -> None:
            self.station.work.run(
                lambda: core.unresolved.report(
                    actor,
                    source=dialog.source(),
                    grade=dialog.grade(),
                    what=dialog.what.toPlainText(),
                    name=dialog.name.text(),
                    phone=dialog.phone.text(),
                    scenario_code=scenario.code if scenario else "",
                    scenario_name=dialog.scenario.text(),
                    department=dialog.department.currentText(),
                    receipt_no=case.receipt_no if case else "",
                    order_no=dialog.order_no.text() if dialog.hotline.isChecked() else "",
                ),
                done=lambda report: self._reported(dialog, report),
                failed=lambda exc: self._report_refused(dialog, exc),
                label="办不成事反映",
            )

        dialog.submitted.connect(save)
        dialog.open()

    def _reported(self, dialog: ReportDialog, report: Report) -> None:
        dialog.accept()
        hours = "2 小时" if report.grade == "urgent" else "24 小时"
        self.bar.info(f"已登记办不成事反映 {report.ref_no}，将在 {hours}内回访答复反映人。")

    def _report_refused(self, dialog: ReportDialog, exc: BaseException) -> None:
        self.bar.show_exception(exc)
        dialog.refuse(self.bar.text())

    # -- the keyboard ---------------------------------------------------------------------------
    def present(self) -> None:
        """Cover the screen and take the keyboard: a counter PC may run no window manager, and
        then nothing else sizes the window or gives it focus."""
        cover_screen(self)
        self.take_focus()

    def take_focus(self) -> None:
        """Activate and raise the window, and put the keyboard on the step's first field unless
        a field of the window still has it — after sign-in, the lock screen and every dialog,
        so F2, Ctrl+N and the digits a clerk types reach the window without a click."""
        if not self.isVisible() or QApplication.activeModalWidget() is not None:
            return
        self.raise_()
        self.activateWindow()
        focused = self.focusWidget()
        if focused is not None and focused.isVisible() and focused is not self:
            focused.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
            return
        screen = self.tabs.currentWidget()
        if screen is self.case_desk:
            self.screens[self.pages.currentIndex()].focus_first()
        elif isinstance(screen, QWidget):
            screen.setFocus(Qt.FocusReason.ActiveWindowFocusReason)
            screen.focusNextChild()

    def _side_width(self) -> int:
        """The left column: the applicant panel shows a whole receipt number on one line."""
        receipt = QFontMetrics(self.font()).horizontalAdvance("430100001-20261123-00017")
        return max(em(self, 15), receipt + 24)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """Widths in characters follow a new font (another screen's text size)."""
        if event.type() == QEvent.Type.FontChange:
            for widget in (self.steps, self.who):
                widget.setFixedWidth(self._side_width())
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Hide and isinstance(watched, QDialog):
            QTimer.singleShot(0, self.take_focus)  # once the dialog is gone
        return False

    # -- moving between steps ---------------------------------------------------------------------
    def reachable(self, step: int) -> bool:
        in_hand = self.station.session.in_hand
        if step == SCENARIO:
            return in_hand.applicant is not None
        if step == QUESTIONS:
            return in_hand.applicant is not None and in_hand.scenario is not None
        if step >= FORM:
            return in_hand.case is not None
        return True

    def go(self, step: int) -> None:
        refusal = ""
        if not self.reachable(step):
            needed = {SCENARIO: "请先确认申请人。", QUESTIONS: "请先选择一件事。"}
            refusal = needed.get(step, "请先完成问卷并保存办件。")
            step = self.pages.currentIndex()
        moved = step != self.pages.currentIndex() or self.tabs.currentIndex() != 0
        self.tabs.setCurrentIndex(0)
        if moved:
            self.bar.clear_message()  # a message belongs to the step it was said on
        if refusal:
            self.bar.error(refusal)
        self.pages.setCurrentIndex(step)
        if self.camera_codes is not None:  # pages being photographed are not scans
            self.camera_codes.paused = step in (MATERIALS, DECISION)
        self.steps.blockSignals(True)
        self.steps.setCurrentRow(step)
        self.steps.blockSignals(False)
        for index in range(self.steps.count()):
            item = self.steps.item(index)
            if item is not None:
                flags = item.flags()
                enabled = flags | Qt.ItemFlag.ItemIsEnabled
                item.setFlags(
                    enabled if self.reachable(index) else flags & ~Qt.ItemFlag.ItemIsEnabled
                )
        self._show_who()
        self.screens[step].enter()

    def _step_clicked(self, step: int) -> None:
        if step >= 0:
            self.go(step)

    def show_tabs(self) -> None:
        """The tabs the signed-in operator's role may use (the services check the role again)."""
        actor = self.station.session.actor
        if self.reports is None and allowed(actor, "report.view"):
            from counter.ui.reports import ReportsScreen

            self.reports = ReportsScreen(self.station)
            self.role_tabs.append((self.reports, "统计报表", "report.view"))
        place = self.tabs.indexOf(self.cases) + 1  # the role's tabs follow, in their order
        for screen, title, permission in self.role_tabs:
            index = self.tabs.indexOf(screen)
            if not permission or allowed(actor, permission):
                if index < 0:
                    self.tabs.insertTab(place, screen, title)
                place += 1
            elif index >= 0:
                self.tabs.removeTab(index)

    def signed_in(self, operator: Operator) -> None:
        """Another operator signed in at the lock screen: their changes, their role's tabs."""
        self.station.session.switch(operator)
        self.bar.clear_message()  # what was said was said to the one before
        self.show_tabs()
        self.status.refresh()

    def _tab_changed(self, index: int) -> None:
        self.bar.clear_message()  # what was said was said about the tab left behind
        screen = self.tabs.widget(index)
        if screen is self.cases:
            self.cases.enter()
        for role_screen, *_ in self.role_tabs:
            if screen is role_screen:
                role_screen.enter()

    def _show_who(self) -> None:
        in_hand = self.station.session.in_hand
        lines = []
        if in_hand.applicant is not None:
            party = in_hand.applicant.party
            lines.append(f"<b>{party.name}</b>")
            lines.append(party.id_number)
            marked = ((in_hand.case.assistance if in_hand.case else None) or {}).get("groups", [])
            today = hall_day(self.station.session.core.cases.clock())
            special = group_words(party, today, marked)
            if special:  # §7.4.4: offered before the clerk goes on
                lines.append(f"<span style='color:#8a5a00'>★ {special}</span>")
        if in_hand.agent is not None:
            lines.append(f"代办：{in_hand.agent.name}")
        if in_hand.scenario is not None:
            lines.append(in_hand.scenario.name)
        if in_hand.case is not None:
            lines.append(f"{in_hand.case.receipt_no}<br>{in_hand.case.state_label}")
        self.who.setText("<br>".join(lines) or "等待申请人<br>刷身份证（F2）或扫码")

    # -- the next person, resumption, scans -------------------------------------------------------
    def next_applicant(self) -> None:
        in_hand = self.station.session.in_hand
        in_hand.reset()
        catalog = self.station.session.core.catalog
        if catalog.version != in_hand.catalog.version:
            in_hand.use_catalog(catalog)
        self.bar.clear_message()
        self.go(IDENTIFY)

    def _decided(self, receipt_no: str) -> None:
        problem = self.bar.text() if self.bar.kind == "error" else ""
        self.next_applicant()
        done = f"{receipt_no} 已办结本次窗口环节。请接待下一位（刷身份证或扫码）。"
        if problem:  # a printer that failed on the way: still said, with what was done
            self.bar.error(f"{problem}\n{done}")
        else:
            self.bar.info(done)

    def offer_unfinished(self) -> None:
        """At the start: drafts this terminal left are offered for resumption."""
        core = self.station.session.core
        terminal = core.settings.terminal.name
        self.station.work.run(
            lambda: core.queries.unfinished(terminal), done=self._offer, label="未完成的办件"
        )

    def _offer(self, drafts: list[CaseSummary]) -> None:
        if not drafts:
            return
        dialog = ResumeDialog(drafts, self)
        self.resume_dialog = dialog
        dialog.accepted.connect(lambda: self.resume(dialog.receipt_no()))
        dialog.open()

    def resume(self, receipt_no: str) -> None:
        in_hand = self.station.session.in_hand

        def resumed(case: CaseView) -> None:
            self.go(FORM)
            self.bar.info(f"继续办理 {case.receipt_no}（{case.applicant.name}）。")

        self.station.work.run(lambda: in_hand.resume(receipt_no), done=resumed, label="继续办理")

    def scanned(self, text: str) -> None:
        """A QR code or barcode from the wedge scanner: an ID number, a pre-application ticket
        (the case opens, filled in), a receipt (the case is shown), or something not ours.
        Nothing is taken while the screen is locked."""
        if self.content.isHidden():
            return
        screen = self.tabs.currentWidget()
        if isinstance(screen, TransfersScreen | CheckInScreen | TraceScreen):
            screen.scanned(text)  # a receipt or a slip for the back office's screen in front
            return
        in_hand = self.station.session.in_hand
        number = in_hand.scanned_id(text)
        if number:
            self.go(IDENTIFY)
            self.identify.number.setText(number)
            self.identify.name.setFocus()
            self.bar.info("已扫入身份证号码，请输入姓名并核对证件。")
            return
        if in_hand.case is not None and in_hand.case.state == "draft":
            self.bar.error("当前办件还没有作出决定。请先完成或按 Ctrl+N 后再扫码。")
            return

        def opened(case: CaseView) -> None:
            if case.state == "pre_application":
                self.go(MATERIALS)
                self.bar.info(f"已调出自助终端预申请 {case.receipt_no}，请核对材料后受理。")
            else:
                self.find_cases()
                self.cases.show_case(case.receipt_no)

        self.station.work.run(lambda: in_hand.scan(text), done=opened, label="扫码")

    def find_cases(self) -> None:
        self.tabs.setCurrentWidget(self.cases)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.status.timer.stop()
        self.status.device_timer.stop()
        if self.code_relay is not None:
            self.code_relay.stop()
        if self.camera_codes is not None:
            self.camera_codes.stop()
        for lane in (self.station.work, self.station.devices, self.status.lane):
            lane.wait(10_000)
        super().closeEvent(event)
