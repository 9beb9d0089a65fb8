"""The dialogs of the after-decision actions — delivery, withdrawal, reprint — and the evaluation
window the applicant uses on a second screen or a tablet turned towards them.

A dialog only collects: its OK button emits ``submitted`` and the dialog stays open until the
screen has saved (``accept``) or been refused (``refuse`` shows why, the typed values stay)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.cases.checks import DELIVERY_METHODS
from app.cases.evaluation import STAGE_WORDS, EvaluationTurn
from app.cases.snapshots import LEVEL_LABELS, CaseView
from app.cases.states import RECEIVED
from counter.case_lookup import (
    REPRINT_REASONS,
    WITHDRAWAL_REASONS,
    DeliveryForm,
    evaluation_problem,
)
from counter.ui.station import Screen, Station

PROBLEM_STYLE = "color:#b00020;"


class ActionDialog(QDialog):
    """OK emits ``submitted`` (through :meth:`submit`); the screen closes or refuses."""

    def __init__(self, title: str, ok: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(PROBLEM_STYLE)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok)
        self.ok.setObjectName("ok")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)

    def finish(self, *widgets: QWidget) -> None:
        for widget in widgets:
            self.layout_.addWidget(widget)
        self.layout_.addWidget(self.problem)
        self.layout_.addWidget(self.buttons)

    def submit(self) -> None:
        raise NotImplementedError

    def set_busy(self, busy: bool) -> None:
        self.ok.setEnabled(not busy)
        if busy:
            self.problem.setText("")

    def refuse(self, why: str) -> None:
        self.set_busy(False)
        self.problem.setText(why)


class DialogScreen(Screen):
    """A tab whose actions open an :class:`ActionDialog` (容缺补交, 告知承诺核查, 办不成事): one
    dialog at a time, the one before deleted on the GUI thread (its closures hold it in a cycle
    the garbage collector might otherwise break on a worker thread), and a refusal shown both on
    the message bar and in the dialog, which stays open with what was typed."""

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(station, parent)
        self.dialog: ActionDialog | None = None

    def _open(self, dialog: ActionDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.open()

    def _refused(self, dialog: ActionDialog, exc: BaseException) -> None:
        self.station.bar.show_exception(exc)
        dialog.refuse(self.station.bar.text())


def form_rows(*rows: tuple[str, QWidget]) -> QWidget:
    page = QWidget()
    form = QFormLayout(page)
    form.setContentsMargins(0, 0, 0, 0)
    for label, widget in rows:
        form.addRow(label, widget)
    return page


def line_edit(name: str, text: str = "", hint: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setObjectName(name)
    edit.setPlaceholderText(hint)
    return edit


class DeliveryDialog(ActionDialog):
    """出件: pick-up at the window, mail or electronic delivery, each with its own fields."""

    submitted = Signal(object)  # DeliveryForm

    def __init__(self, case: CaseView, parent: QWidget | None = None) -> None:
        super().__init__(f"出件/交付 — {case.receipt_no}", "登记送达并打印回执", parent)
        person = case.agent or case.applicant
        applicant = case.applicant
        self.method = QComboBox()
        self.method.setObjectName("method")
        for key, label in DELIVERY_METHODS.items():
            self.method.addItem(label, key)
        self.pickup_name = line_edit("pickup_name", person.name)
        self.pickup_id = line_edit("pickup_id", person.id_number, "领取人身份证件号码")
        self.pickup_phone = line_edit("pickup_phone", person.phone)
        self.signed = QCheckBox("已在回执上签字")
        self.signed.setObjectName("signed")
        self.signature_file = line_edit("signature_file", "", "或选择签名板图片、签字回执扫描件")
        choose = QPushButton("选择文件…")
        choose.clicked.connect(self._choose_signature)
        signature = QWidget()
        row = QHBoxLayout(signature)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.signature_file, 1)
        row.addWidget(choose)
        self.mail_name = line_edit("mail_name", applicant.name)
        self.mail_phone = line_edit("mail_phone", applicant.phone)
        self.address = line_edit("address", applicant.address)
        self.tracking = line_edit("tracking_no", "", "快递面单上的运单号")
        self.note = line_edit("note", "", "送达到哪里，如“湘易办 电子证照库”")
        self.pages = QStackedWidget()
        self.pages.addWidget(
            form_rows(
                ("领取人", self.pickup_name),
                ("证件号码", self.pickup_id),
                ("联系电话", self.pickup_phone),
                ("签字", self.signed),
                ("签名文件", signature),
            )
        )
        self.pages.addWidget(
            form_rows(
                ("收件人", self.mail_name),
                ("收件人电话", self.mail_phone),
                ("邮寄地址", self.address),
                ("快递单号", self.tracking),
            )
        )
        self.pages.addWidget(form_rows(("送达说明", self.note)))
        self.method.currentIndexChanged.connect(self.pages.setCurrentIndex)
        self.finish(form_rows(("送达方式", self.method)), self.pages)

    def _choose_signature(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "选择签名文件", "", "图片或 PDF (*.png *.jpg *.jpeg *.pdf)"
        )
        if path:
            self.signature_file.setText(path)

    def choose_method(self, method: str) -> None:
        self.method.setCurrentIndex(self.method.findData(method))

    def form(self) -> DeliveryForm:
        method = str(self.method.currentData())
        if method == "mail":
            return DeliveryForm(
                method,
                recipient=self.mail_name.text(),
                phone=self.mail_phone.text(),
                address=self.address.text(),
                tracking_no=self.tracking.text(),
            )
        if method == "pickup":
            return DeliveryForm(
                method,
                recipient=self.pickup_name.text(),
                recipient_id_number=self.pickup_id.text(),
                phone=self.pickup_phone.text(),
                signed_on_paper=self.signed.isChecked(),
                signature_file=self.signature_file.text().strip(),
            )
        return DeliveryForm(method, note=self.note.text())

    def submit(self) -> None:
        self.set_busy(True)
        self.submitted.emit(self.form())


class WithdrawDialog(ActionDialog):
    """撤回: why, and to whom the received materials go back (listed)."""

    submitted = Signal(str, str)  # reason, returned to

    def __init__(self, case: CaseView, parent: QWidget | None = None) -> None:
        super().__init__(f"撤回 — {case.receipt_no}", "撤回并打印退还回执", parent)
        self.reason = QComboBox()
        self.reason.setObjectName("reason")
        self.reason.setEditable(True)
        self.reason.addItems(WITHDRAWAL_REASONS)
        person = case.agent or case.applicant
        self.returned_to = line_edit("returned_to", person.name, "领回材料的人的姓名")
        back = [m.name for m in case.materials if m.status in RECEIVED and not m.returned_at]
        listing = QLabel(("退还的材料：" + "、".join(back)) if back else "没有需要退还的材料。")
        listing.setWordWrap(True)
        warning = QLabel("撤回后尚未办结的事项将终止办理，不能恢复。")
        warning.setStyleSheet(PROBLEM_STYLE)
        self.finish(
            form_rows(("撤回原因", self.reason), ("材料退还给", self.returned_to)), listing, warning
        )

    def submit(self) -> None:
        self.set_busy(True)
        self.submitted.emit(self.reason.currentText(), self.returned_to.text())


class ReprintDialog(ActionDialog):
    """补打: which of the case's documents, and why (the reason goes into the trail)."""

    submitted = Signal(str, str)  # document, reason

    def __init__(
        self, receipt_no: str, documents: list[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(f"补打文书 — {receipt_no}", "补打", parent)
        self.document = QComboBox()
        self.document.setObjectName("document")
        for name, title in documents:
            self.document.addItem(title, name)
        self.reason = QComboBox()
        self.reason.setObjectName("reason")
        self.reason.setEditable(True)
        self.reason.addItems(REPRINT_REASONS)
        self.reason.setCurrentText("")
        line = self.reason.lineEdit()
        if line is not None:
            line.setPlaceholderText("必填：如 申请人遗失、打印不清")
        self.finish(form_rows(("文书", self.document), ("补打原因", self.reason)))

    def choose(self, document: str) -> None:
        self.document.setCurrentIndex(self.document.findData(document))

    def submit(self) -> None:
        self.set_busy(True)
        self.submitted.emit(str(self.document.currentData()), self.reason.currentText())


class EvaluationWindow(QWidget):
    """The applicant's own window: the scenario, five large levels, words required for the two
    lowest, submit. It is given the scenario's name only — never the applicant's ID number."""

    submitted = Signal(int, str)  # level, text

    def __init__(self, scenario: str, turn: EvaluationTurn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setObjectName("evaluation_window")
        self.setWindowTitle("请您对本次服务进行评价")
        self.setStyleSheet(
            "QLabel { font-size: 22px; } QPushButton { font-size: 24px; }"
            " QPushButton:checked { background: #1565c0; color: white; }"
            " QPlainTextEdit { font-size: 20px; }"
        )
        self.turn = turn
        again = "再次" if turn.follow_up else ""
        title = QLabel(
            f"请您{again}对“{scenario}”的{STAGE_WORDS[turn.stage]}服务进行评价"
            + ("（追评）" if turn.follow_up else "")
        )
        title.setObjectName("evaluation_title")
        title.setWordWrap(True)
        title.setStyleSheet("font-size: 28px; font-weight: bold;")
        self.group = QButtonGroup(self)
        self.levels: dict[int, QPushButton] = {}
        row = QHBoxLayout()
        for level in sorted(LEVEL_LABELS, reverse=True):
            button = QPushButton(LEVEL_LABELS[level])
            button.setObjectName(f"level_{level}")
            button.setCheckable(True)
            button.setMinimumSize(160, 110)
            self.group.addButton(button, level)
            self.levels[level] = button
            row.addWidget(button)
        self.group.idClicked.connect(self._chosen)
        self.text = QPlainTextEdit()
        self.text.setObjectName("evaluation_text")
        self.text.setPlaceholderText("您的意见和建议（选择“不满意”“非常不满意”时必填）")
        self.message = QLabel("")
        self.message.setObjectName("evaluation_message")
        self.message.setWordWrap(True)
        self.submit = QPushButton("提交")
        self.submit.setObjectName("submit_evaluation")
        self.submit.setMinimumSize(220, 80)
        self.submit.clicked.connect(self._submit)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(row)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.submit, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(1000, 600)

    @property
    def level(self) -> int:
        return max(self.group.checkedId(), 0)

    def _chosen(self, level: int) -> None:
        self.message.setText(
            evaluation_problem(level, self.text.toPlainText()) if level <= 2 else ""
        )

    def _submit(self) -> None:
        problem = evaluation_problem(self.level, self.text.toPlainText())
        if problem:
            self.message.setText(problem)
            return
        self.submit.setEnabled(False)
        self.message.setText("正在提交…")
        self.submitted.emit(self.level, self.text.toPlainText().strip())

    def thanks(self) -> None:
        for button in self.levels.values():
            button.setEnabled(False)
        self.text.setReadOnly(True)
        self.message.setText("感谢您的评价！")

    def refused(self, why: str) -> None:
        self.submit.setEnabled(True)
        self.message.setText(why)


def show_facing(window: QWidget) -> None:
    """On the second screen when there is one (the one turned towards the applicant), else
    beside the clerk's window."""
    primary = QGuiApplication.primaryScreen()
    others = [s for s in QGuiApplication.screens() if s is not primary]
    if others:
        window.setGeometry(others[0].availableGeometry())
        window.showFullScreen()
    else:
        window.show()
