"""Finding a case and what follows the decision (GB/T 45836 §7.5–7.8): one search box for a
receipt number, an ID number, a name or a phone number, with a state and a date range; the
chosen case's parties, items with the departments' decisions, materials and trail; and the
actions its state allows — delivery, withdrawal, reprint with a reason, the applicant's rating.

Every read and write runs on the station's work lane; the screen lays out and forwards, the
branching is in :mod:`counter.case_lookup`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate, QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.cases.evaluation import EvaluationTurn, next_turn
from app.cases.queries import CaseQuery
from app.cases.receipts import hall_day, normalise_receipt
from app.cases.snapshots import (
    LEVEL_LABELS,
    CaseSummary,
    CaseView,
    TimelineEntry,
)
from app.cases.states import CASE_STATE_LABELS
from app.errors import OneStopError, describe
from app.widgets.rows import CellsModel, read_only_table
from counter.case_lookup import (
    EVALUATION_CHANNEL,
    DeliveryForm,
    actions_for,
    reprint_problem,
    reprintable,
    search_query,
    store_signature,
    summary_cells,
    summary_of,
)
from counter.ui.case_detail import CaseDetail
from counter.ui.case_dialogs import (
    ActionDialog,
    DeliveryDialog,
    EvaluationWindow,
    ReprintDialog,
    WithdrawDialog,
    show_facing,
)
from counter.ui.station import Screen, Station
from printing.documents import DOCUMENTS
from printing.jobs import Printed

SUMMARY_HEADERS = ("受理编号", "申请人", "证件号", "一件事", "状态", "承诺办结日期", "申请时间")
SEARCH_DAYS = 30


class CasesScreen(Screen):
    """Search, one case's detail and its actions. ``show_case`` finds and selects one case."""

    title = "查询办件"
    found = Signal(int)  # a search finished with this many cases
    case_shown = Signal(str)  # the detail now shows this receipt number
    changed = Signal(str)  # an action changed this case (delivered, withdrawn, rated)

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(station, parent)
        self.case: CaseView | None = None
        self.dialog: ActionDialog | None = None
        self.evaluation: EvaluationWindow | None = None
        self.model = CellsModel[CaseSummary](SUMMARY_HEADERS, summary_cells, self)
        layout = QVBoxLayout(self)
        layout.addLayout(self._search_row())
        self.count = QLabel(
            "输入受理编号、身份证号、姓名或手机号后按回车查询（Ctrl+F 回到查询框）。"
        )
        self.count.setObjectName("result_count")
        layout.addWidget(self.count)
        self.table = read_only_table("case_table", self.model, 3)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        self.detail = CaseDetail()
        split.addWidget(self.detail)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout.addWidget(split, 1)
        layout.addLayout(self._action_row())
        self._enable()

    # -- layout -----------------------------------------------------------------------------------
    def _search_row(self) -> QHBoxLayout:
        self.search_box = QLineEdit()
        self.search_box.setObjectName("case_search")
        self.search_box.setPlaceholderText("受理编号、身份证号（申请人或代办人）、姓名或手机号")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.returnPressed.connect(self.search)
        self.state = QComboBox()
        self.state.setObjectName("state_filter")
        self.state.addItem("全部状态", "")
        for state, label in CASE_STATE_LABELS.items():
            self.state.addItem(label, state)
        today = self._today()
        start = today - timedelta(days=SEARCH_DAYS)
        self.date_from = QDateEdit(QDate(start.year, start.month, start.day))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for name, edit in (("date_from", self.date_from), ("date_to", self.date_to)):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        find = QPushButton("查询")
        find.setObjectName("find")
        find.clicked.connect(self.search)
        mine = QPushButton("今日办件")
        mine.setObjectName("today_cases")
        mine.setToolTip("本窗口今天建立的全部办件")
        mine.clicked.connect(self.today_cases)
        self._filters: tuple[QWidget, ...] = (
            self.search_box,
            self.state,
            self.date_from,
            self.date_to,
        )
        row = QHBoxLayout()
        row.addWidget(self.search_box, 3)
        row.addWidget(self.state, 1)
        row.addWidget(QLabel("日期"))
        row.addWidget(self.date_from)
        row.addWidget(QLabel("至"))
        row.addWidget(self.date_to)
        row.addWidget(find)
        row.addWidget(mine)
        return row

    def _action_row(self) -> QHBoxLayout:
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for name, text, slot in (
            ("deliver", "出件/交付…", self.deliver),
            ("withdraw", "撤回…", self.withdraw),
            ("reprint", "补打…", self.reprint),
            ("evaluate", "评价（好差评）…", self.evaluate),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            self.buttons[name] = button
            row.addWidget(button)
        row.addStretch(1)
        return row

    # -- keys -------------------------------------------------------------------------------------
    def enter(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def event(self, event: QEvent) -> bool:
        """Ctrl+F is taken here while the focus is on this screen, so that a window-wide Ctrl+F
        (which brings this screen forward) is not ambiguous with it."""
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Find)
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.matches(QKeySequence.StandardKey.Find):
            self.enter()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._in_filters():
            self.search()
            return
        super().keyPressEvent(event)

    def _in_filters(self) -> bool:
        focus = self.focusWidget()
        return focus is not None and any(f is focus or f.isAncestorOf(focus) for f in self._filters)

    # -- finding ----------------------------------------------------------------------------------
    def _today(self) -> date:
        return hall_day(self.station.session.core.cases.clock())

    @staticmethod
    def _date(edit: QDateEdit) -> date:
        day = edit.date()
        return date(day.year(), day.month(), day.day())

    def search(self) -> None:
        """Search with the box, the state and the dates (Enter in any of them)."""
        state = str(self.state.currentData() or "")
        try:
            query = search_query(
                self.search_box.text(), state, self._date(self.date_from), self._date(self.date_to)
            )
        except OneStopError as exc:
            self.station.bar.show_exception(exc)
            return
        queries = self.station.session.core.queries
        self.station.work.run(lambda: queries.find(query), done=self._found, label="查询办件")

    def today_cases(self) -> None:
        """This terminal's cases of today, whatever their state."""
        queries = self.station.session.core.queries
        terminal = self.station.session.core.settings.terminal.name
        today = self._today()
        self.station.work.run(
            lambda: queries.today(terminal, today), done=self._found, label="今日办件"
        )

    def show_case(self, receipt_no: str) -> None:
        """Find and select one case (after a decision, or a receipt's QR code scanned)."""
        self.search_box.setText(receipt_no)
        self.state.setCurrentIndex(0)
        wanted = normalise_receipt(receipt_no)
        queries = self.station.session.core.queries
        query = CaseQuery(receipt_no=receipt_no.strip())

        def found(rows: list[CaseSummary]) -> None:
            self._found(rows, wanted)
            if not rows:
                self.station.bar.error(f"没有找到受理编号为 {receipt_no} 的办件，请核对编号。")

        self.station.work.run(lambda: queries.find(query), done=found, label="调出办件")

    def _found(self, rows: list[CaseSummary], wanted: str = "") -> None:
        self.model.set_rows(rows)
        if rows:
            limited = "（只显示最近的 200 件，请缩小查询条件）" if len(rows) >= 200 else ""
            self.count.setText(f"共找到 {len(rows)} 件{limited}。")
            number = next((n for n, r in enumerate(rows) if r.receipt_no == wanted), 0)
            self.table.setCurrentIndex(self.model.index(number, 0))
        else:
            self.count.setText("没有找到符合条件的办件。可放宽日期范围、改选“全部状态”后再查。")
            self._show(None, [])
        self.found.emit(len(rows))

    # -- one case ---------------------------------------------------------------------------------
    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and current.row() < len(self.model.rows):
            self.load(self.model.rows[current.row()].receipt_no, opened=True)

    def _selected_receipt(self) -> str:
        row = self.table.currentIndex().row()
        return self.model.rows[row].receipt_no if 0 <= row < len(self.model.rows) else ""

    def load(self, receipt_no: str, *, opened: bool = False) -> None:
        """Read the case and its trail again and show them; ``opened``: the clerk chose it, which
        the access log records (个人信息保护法 第五十一条) before anything is shown."""
        session = self.station.session
        cases, access = session.core.cases, session.core.access

        def read() -> tuple[CaseView, list[TimelineEntry]]:
            if opened:
                access.record(session.actor, receipt_no, "view")
            return cases.get(receipt_no), cases.timeline(receipt_no)

        self.station.work.run(read, done=lambda got: self._show(*got), label="办件详情")

    def _show(self, case: CaseView | None, trail: list[TimelineEntry]) -> None:
        if case is not None:
            for number, row in enumerate(self.model.rows):
                if row.receipt_no == case.receipt_no:
                    self.model.replace(number, summary_of(case))
            if self._selected_receipt() not in ("", case.receipt_no):
                return  # another case was chosen meanwhile; its own detail is on the way
        self.case = case
        self.detail.show_case(case, trail)
        self._enable()
        if case is not None:
            self.case_shown.emit(case.receipt_no)

    def _enable(self) -> None:
        for name, enabled in actions_for(self.case).items():
            self.buttons[name].setEnabled(enabled)

    # -- actions ----------------------------------------------------------------------------------
    def _open(self, dialog: ActionDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()

    def _refused(self, dialog: ActionDialog, exc: BaseException) -> None:
        self.station.bar.show_exception(exc)
        dialog.refuse(describe(exc)[0])

    def _act(
        self, dialog: ActionDialog, work: Callable[[], CaseView], said: str, document: str
    ) -> None:
        """Save on the work lane; then close the dialog, show the case and print ``document``.
        A refusal keeps the dialog open with what was typed."""

        def done(case: CaseView) -> None:
            dialog.accept()
            self.station.bar.info(said)
            self.changed.emit(case.receipt_no)
            self.load(case.receipt_no)
            self._print(case.receipt_no, document, said=said)

        self.station.work.run(
            work, done=done, failed=lambda exc: self._refused(dialog, exc), label=said
        )

    def _print(
        self,
        receipt_no: str,
        document: str,
        *,
        reason: str = "",
        said: str = "",
        dialog: ActionDialog | None = None,
    ) -> None:
        """Print on the work lane; a printer that fails is said (after what was already done)
        and recorded in the trail, and the document can be reprinted."""
        papers = self.station.session.papers
        title = DOCUMENTS[document].title

        def printed(result: Printed) -> None:
            if dialog is not None:
                dialog.accept()
            copy = f"（第 {result.copy} 份）" if result.copy > 1 else ""
            self.station.bar.info(f"{said}{title}已送打印机{copy}。")
            self.load(receipt_no)

        def failed(exc: BaseException) -> None:
            self.station.bar.show_exception(exc)
            if said:
                self.station.bar.error(f"{said}\n{self.station.bar.text()}")
            if dialog is not None:
                dialog.refuse(describe(exc)[0])
            self.load(receipt_no)

        self.station.work.run(
            lambda: papers.print(receipt_no, document, reason=reason),
            done=printed,
            failed=failed,
            label=f"打印{title}",
        )

    def deliver(self) -> None:
        """出件/交付: the delivery dialog; saved, then the delivery receipt is printed."""
        case = self.case
        if case is None:
            return
        dialog = DeliveryDialog(case, self)
        core, actor = self.station.session.core, self.station.session.actor

        def submitted(form: DeliveryForm) -> None:
            def work() -> CaseView:
                file = form.signature_file if form.method == "pickup" else ""
                signature = store_signature(core.files, file) if file else None
                return core.cases.deliver(actor, case.receipt_no, **form.arguments(signature))

            self._act(
                dialog, work, f"{case.receipt_no} 已登记送达（{form.method_label}）。", "delivery"
            )

        dialog.submitted.connect(submitted)
        self._open(dialog)

    def withdraw(self) -> None:
        """撤回: reason and to whom the materials go back; then the withdrawal receipt."""
        case = self.case
        if case is None:
            return
        dialog = WithdrawDialog(case, self)
        service, actor = self.station.session.core.cases, self.station.session.actor

        def submitted(reason: str, returned_to: str) -> None:
            self._act(
                dialog,
                lambda: service.withdraw(
                    actor, case.receipt_no, reason=reason, returned_to=returned_to
                ),
                f"{case.receipt_no} 已撤回，材料已退还给 {returned_to.strip()}。",
                "withdrawal",
            )

        dialog.submitted.connect(submitted)
        self._open(dialog)

    def reprint(self) -> None:
        """补打 one of the case's documents, with the reason recorded."""
        case = self.case
        if case is None:
            return
        dialog = ReprintDialog(case.receipt_no, reprintable(case), self)

        def submitted(document: str, reason: str) -> None:
            problem = reprint_problem(reason)
            if problem:
                self.station.bar.error(problem)
                dialog.refuse(problem)
                return
            self._print(case.receipt_no, document, reason=reason.strip(), dialog=dialog)

        dialog.submitted.connect(submitted)
        self._open(dialog)

    def evaluate(self) -> None:
        """Open the rating window for the applicant (on the second screen when there is one):
        the first rating of the stage, or its one follow-up (追评)."""
        case = self.case
        turn = next_turn(case) if case else None
        if case is None or turn is None:
            return
        if self.evaluation is not None:
            self.evaluation.close()
            self.evaluation.deleteLater()
        window = EvaluationWindow(case.scenario_name, turn, self)
        self.evaluation = window
        window.submitted.connect(
            lambda level, text: self._rate(window, case.receipt_no, turn, level, text)
        )
        show_facing(window)
        self.station.bar.info(f"已打开{turn.label}页面，请申请人点选评价。")

    def _rate(
        self, window: EvaluationWindow, receipt_no: str, turn: EvaluationTurn, level: int, text: str
    ) -> None:
        service, actor = self.station.session.core.cases, self.station.session.actor

        def done(case: CaseView) -> None:
            window.thanks()
            self.station.bar.info(
                f"{receipt_no} 已收到申请人的{turn.label}：{LEVEL_LABELS[level]}。"
            )
            self.changed.emit(case.receipt_no)
            self.load(case.receipt_no)

        def failed(exc: BaseException) -> None:
            window.refused(describe(exc)[0])
            self.station.bar.show_exception(exc)

        self.station.work.run(
            lambda: service.evaluate(
                actor,
                receipt_no,
                stage=turn.stage,
                level=level,
                channel=EVALUATION_CHANNEL,
                text=text,
                follow_up=turn.follow_up,
            ),
            done=done,
            failed=failed,
            label="好差评",
        )
