"""Find cases and what follows the decision (GB/T 45836 §7.5–7.8): search by receipt number, ID
number, name or phone, with state and dates; a case's items, the departments' decisions coming
back, its trail; delivery, withdrawal, reprint with a reason, and the evaluation screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.cases.queries import CaseQuery
from app.cases.states import CASE_STATE_LABELS, allowed
from app.cases.views import CaseSummary, CaseView, TimelineEntry
from app.widgets.rows import RowsModel
from counter.aftercare import describe, printable, query_of
from counter.ui.case_actions import DeliveryDialog, EvaluationWindow, ReprintDialog, WithdrawDialog
from counter.ui.desk import Desk, Screen
from counter.ui.printouts import Printouts

HEADERS = ("受理编号", "申请人", "证件号码", "一件事", "状态", "承诺办结", "建立时间")


class SummaryModel(RowsModel[CaseSummary]):
    headers = HEADERS

    def cell(self, row: CaseSummary, column: int, role: int) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        promised = row.promised_date.isoformat() if row.promised_date else ""
        created = row.created_at.astimezone().strftime("%m-%d %H:%M")
        return (row.receipt_no, row.applicant_name, row.applicant_id_number, row.scenario_name,
                row.state_label, promised, created)[column]  # fmt: skip


class CasesScreen(Screen):
    title = "查询办件"

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(desk, parent)
        self.case: CaseView | None = None
        self.printouts = Printouts(desk, self)
        self.search = QLineEdit()
        self.search.setObjectName("case_search")
        self.search.setPlaceholderText("受理编号、身份证号、姓名或手机号，回车查询")
        self.search.returnPressed.connect(self.run_search)
        self.state = QComboBox()
        self.state.setObjectName("state_filter")
        self.state.addItem("全部状态", "")
        for state, label in CASE_STATE_LABELS.items():
            self.state.addItem(label, state)
        today = QDate.currentDate()
        self.date_from, self.date_to = QDateEdit(today.addDays(-30)), QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        find = QPushButton("查询")
        find.clicked.connect(self.run_search)
        mine = QPushButton("本窗口今日办件")
        mine.setObjectName("today_cases")
        mine.clicked.connect(self.today)
        top = QHBoxLayout()
        for widget, stretch in ((self.search, 3), (self.state, 1), (self.date_from, 0),
                                (self.date_to, 0), (find, 0), (mine, 0)):  # fmt: skip
            top.addWidget(widget, stretch)
        self._table()
        self.detail = QTextBrowser()
        self.detail.setObjectName("case_detail")
        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for name, text, action in (("deliver", "出件/送达…", self.deliver),
                                   ("withdraw", "撤回…", self.withdraw),
                                   ("reprint", "补打…", self.reprint),
                                   ("evaluate", "评价（好差评）", self.evaluate)):  # fmt: skip
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(action)
            button.setEnabled(False)
            self.buttons[name] = button
            actions.addWidget(button)
        right = QVBoxLayout()
        right.addWidget(self.detail, 1)
        right.addLayout(actions)
        body = QHBoxLayout()
        body.addWidget(self.table, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        self.dialog: QWidget | None = None

    def _table(self) -> None:
        self.model = SummaryModel(self)
        self.table = QTableView()
        self.table.setObjectName("case_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._load_selected())

    def enter(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- finding ----------------------------------------------------------------------------------
    def _dates(self) -> tuple[date, date]:
        def of(edit: QDateEdit) -> date:
            return date.fromisoformat(edit.date().toString("yyyy-MM-dd"))

        return of(self.date_from), of(self.date_to)

    def run_search(self) -> None:
        state = str(self.state.currentData() or "")
        start, end = self._dates()
        text = self.search.text()
        states = (state,) if state else ()
        query = (query_of(text, states, start, end) if text.strip() else
                 CaseQuery(states=states, date_from=start, date_to=end))  # fmt: skip
        self._query(query)

    def today(self) -> None:
        terminal = self.desk.session.core.settings.terminal.name
        self._query(CaseQuery(terminal=terminal, date_from=date.today(), date_to=date.today()))

    def show_case(self, receipt_no: str) -> None:
        """Find and select one case (after a scan or a decision)."""
        self.search.setText(receipt_no)
        self._query(CaseQuery(receipt_no=receipt_no))

    def _query(self, query: CaseQuery) -> None:
        queries = self.desk.session.core.queries

        def found(rows: list[CaseSummary]) -> None:
            self.model.set_rows(rows)
            if rows:
                self.table.selectRow(0)
            else:
                self.case = None
                self.detail.setText("没有找到符合条件的办件。")
                self._enable()

        self.desk.work.run(lambda: queries.find(query), done=found, label="查询办件")

    # -- one case ---------------------------------------------------------------------------------
    def _load_selected(self) -> None:
        row = self.table.currentIndex().row()
        if 0 <= row < len(self.model.rows):
            self.load(self.model.rows[row].receipt_no)

    def load(self, receipt_no: str) -> None:
        cases = self.desk.session.core.cases

        def read() -> tuple[CaseView, list[TimelineEntry]]:
            return cases.get(receipt_no), cases.timeline(receipt_no)

        self.desk.work.run(read, done=lambda got: self._show(*got), label="办件详情")

    def _show(self, case: CaseView, trail: list[TimelineEntry]) -> None:
        self.case = case
        agent = f"　代办人：{case.agent.name}" if case.agent else ""
        promised = case.promised_date.isoformat() if case.promised_date else "—"
        html = [f"<h3>{case.receipt_no}　{case.state_label}</h3>",
                f"<p>{case.scenario_name}<br>申请人：{case.applicant.name}"
                f"（{case.applicant.id_number}）{agent}<br>承诺办结：{promised}</p>",
                "<b>事项与部门办理结果</b><ul>"]  # fmt: skip
        for item in case.items:
            decision = item.decision or {}
            said = decision.get("opinion") or decision.get("result") or ""
            html.append(f"<li>{item.name}（{item.department}）：{item.state_label}"
                        f"{'　' + str(said) if said else ''}</li>")  # fmt: skip
        html.append("</ul><b>材料</b><ul>")
        html += [f"<li>{m.name}：{m.status_label}</li>" for m in case.materials
                 if m.plan_status in ("submit", "tolerable", "commitment")]  # fmt: skip
        html.append("</ul><b>办理过程</b><ol>")
        names = {m.material_id: m.name for m in case.materials}
        html += [f"<li>{describe(entry, names)}</li>" for entry in trail]
        html.append("</ol>")
        self.detail.setHtml("".join(html))
        self._enable()

    def _enable(self) -> None:
        case = self.case
        state = case.state if case else ""
        self.buttons["deliver"].setEnabled(bool(case) and allowed("deliver", state))
        self.buttons["withdraw"].setEnabled(bool(case) and allowed("withdraw", state))
        self.buttons["reprint"].setEnabled(bool(case) and bool(printable(state)))
        self.buttons["evaluate"].setEnabled(bool(case) and (
            allowed("evaluate_accept", state) or allowed("evaluate_complete", state)))  # fmt: skip

    def _act(self, work: Callable[[], CaseView], message: str, documents: list[str]) -> None:
        def done(case: CaseView) -> None:
            self.desk.bar.info(message)
            self.load(case.receipt_no)
            if documents:
                self.printouts.run(case.receipt_no, documents)

        self.desk.work.run(work, done=done, label=message)

    # -- actions ----------------------------------------------------------------------------------
    def deliver(self) -> None:
        case = self.case
        if case is None:
            return
        dialog = DeliveryDialog(case, self)
        self.dialog = dialog
        service, actor = self.desk.session.core.cases, self.desk.session.actor

        def chosen() -> None:
            values = dialog.values()
            self._act(lambda: service.deliver(actor, case.receipt_no, **values),
                      f"{case.receipt_no} 已登记送达。", ["delivery"])  # fmt: skip

        dialog.accepted.connect(chosen)
        dialog.open()

    def withdraw(self) -> None:
        case = self.case
        if case is None:
            return
        dialog = WithdrawDialog(case, self)
        self.dialog = dialog
        service, actor = self.desk.session.core.cases, self.desk.session.actor

        def chosen() -> None:
            reason, returned_to = dialog.reason.text(), dialog.returned_to.text()
            self._act(lambda: service.withdraw(actor, case.receipt_no, reason=reason,
                                               returned_to=returned_to),
                      f"{case.receipt_no} 已撤回，材料已退还。", ["withdrawal"])  # fmt: skip

        dialog.accepted.connect(chosen)
        dialog.open()

    def reprint(self) -> None:
        case = self.case
        if case is None:
            return
        dialog = ReprintDialog(printable(case.state), self)
        self.dialog = dialog

        def chosen() -> None:
            document, reason = dialog.document(), dialog.reason.text()
            if not reason.strip():
                self.desk.bar.error("补打必须写明原因（如：申请人遗失），原因会记入办件记录。")
                return
            self.printouts.run(case.receipt_no, [document], reason=reason)

        dialog.accepted.connect(chosen)
        dialog.open()

    def evaluate(self) -> None:
        case = self.case
        if case is None:
            return
        stage = "complete" if allowed("evaluate_complete", case.state) else "accept"
        window = EvaluationWindow(case.scenario_name, stage)
        self.dialog = window
        service, actor = self.desk.session.core.cases, self.desk.session.actor

        def rated(level: int, text: str) -> None:
            def done(saved: CaseView) -> None:
                window.thanks()
                self.desk.bar.info(f"{saved.receipt_no} 已收到申请人的评价。")
                self.load(saved.receipt_no)

            def failed(exc: BaseException) -> None:
                window.refused(str(exc))
                self.desk.bar.show_exception(exc)

            self.desk.work.run(lambda: service.evaluate(actor, case.receipt_no, stage=stage,
                                                        level=level, channel="hall_pad",
                                                        text=text),
                               done=done, failed=failed, label="好差评")  # fmt: skip

        window.rated.connect(rated)
        screens = QGuiApplication.screens()
        if len(screens) > 1:  # the applicant's screen or tablet: the second one, whole
            window.setScreen(screens[1])
            window.move(screens[1].geometry().topLeft())
            window.showFullScreen()
        else:
            window.show()
