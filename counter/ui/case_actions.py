"""The dialogs of the after-decision actions, and the evaluation screen the applicant uses (on a
second screen or a tablet turned towards them): five levels, words required for the two lowest,
and never the applicant's ID number on it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.cases.checks import DELIVERY_METHODS
from app.cases.views import LEVEL_LABELS, CaseView
from counter.ui.desk import ok_cancel


class DeliveryDialog(QDialog):
    def __init__(self, case: CaseView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"出件 — {case.receipt_no}")
        self.method = QComboBox()
        self.method.setObjectName("method")
        for key, label in DELIVERY_METHODS.items():
            self.method.addItem(label, key)
        self.recipient = QLineEdit(case.applicant.name)
        self.recipient.setObjectName("recipient")
        self.id_number = QLineEdit(case.applicant.id_number)
        self.phone = QLineEdit(case.applicant.phone)
        self.phone.setObjectName("phone")
        self.address = QLineEdit(case.applicant.address)
        self.address.setObjectName("address")
        self.tracking = QLineEdit()
        self.tracking.setObjectName("tracking_no")
        self.signed = QCheckBox("领取人已在送达回执上签字")
        self.signed.setObjectName("signed")
        self.note = QLineEdit()
        self.note.setObjectName("note")
        self.note.setPlaceholderText("电子送达：送达到哪里（如 湘易办 电子证照库）")
        form = QFormLayout()
        for label, widget in (("送达方式", self.method), ("领取人/收件人", self.recipient),
                              ("证件号码", self.id_number), ("电话", self.phone),
                              ("邮寄地址", self.address), ("快递单号", self.tracking),
                              ("签字", self.signed), ("备注", self.note)):  # fmt: skip
            form.addRow(label, widget)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(ok_cancel(self, "登记送达并打印回执"))

    def values(self) -> dict[str, Any]:
        method = str(self.method.currentData())
        note = self.note.text()
        if method == "pickup" and self.signed.isChecked() and not note.strip():
            note = "领取人已在纸质送达回执上签字"
        return {"method": method, "recipient": self.recipient.text(),
                "recipient_id_number": self.id_number.text(), "phone": self.phone.text(),
                "address": self.address.text(), "tracking_no": self.tracking.text(),
                "note": note}  # fmt: skip


class WithdrawDialog(QDialog):
    def __init__(self, case: CaseView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"撤回 — {case.receipt_no}")
        self.reason = QLineEdit("申请人主动撤回")
        self.reason.setObjectName("reason")
        self.returned_to = QLineEdit(case.agent.name if case.agent else case.applicant.name)
        self.returned_to.setObjectName("returned_to")
        form = QFormLayout()
        form.addRow("撤回原因", self.reason)
        form.addRow("材料退还给", self.returned_to)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("撤回后已收取的全部材料退还申请人，打印撤回回执。"))
        layout.addWidget(ok_cancel(self, "撤回并退还材料"))


class ReprintDialog(QDialog):
    def __init__(self, documents: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("补打文书")
        self.choice = QComboBox()
        self.choice.setObjectName("document")
        for name, title in documents:
            self.choice.addItem(title, name)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("必填：如 申请人遗失、打印不清")
        form = QFormLayout()
        form.addRow("文书", self.choice)
        form.addRow("补打原因", self.reason)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(ok_cancel(self, "补打"))

    def document(self) -> str:
        return str(self.choice.currentData())


class EvaluationWindow(QWidget):
    """The applicant's own screen: tap a level, say why when unhappy, submit."""

    rated = Signal(int, str)

    def __init__(self, scenario: str, stage: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("请您对本次服务进行评价")
        self.level = 0
        stage_name = "办结" if stage == "complete" else "受理"
        title = QLabel(f"请您对“{scenario}”的{stage_name}服务进行评价")
        title.setStyleSheet("font-size:22px; font-weight:bold;")
        title.setWordWrap(True)
        row = QHBoxLayout()
        self.levels: dict[int, QPushButton] = {}
        for level in (5, 4, 3, 2, 1):
            button = QPushButton(LEVEL_LABELS[level])
            button.setObjectName(f"level_{level}")
            button.setCheckable(True)
            button.setMinimumSize(150, 90)
            button.setStyleSheet("font-size:20px;")
            button.clicked.connect(lambda _=False, n=level: self.choose(n))
            self.levels[level] = button
            row.addWidget(button)
        self.text = QPlainTextEdit()
        self.text.setObjectName("evaluation_text")
        self.text.setPlaceholderText("请告诉我们哪里做得不好（选“不满意”“非常不满意”时必填）")
        self.message = QLabel("")
        self.message.setObjectName("evaluation_message")
        self.message.setStyleSheet("font-size:18px;")
        self.submit = QPushButton("提交评价")
        self.submit.setObjectName("submit_evaluation")
        self.submit.setMinimumHeight(60)
        self.submit.setStyleSheet("font-size:20px;")
        self.submit.clicked.connect(self.send)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(row)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.submit, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(900, 520)

    def choose(self, level: int) -> None:
        self.level = level
        for number, button in self.levels.items():
            button.setChecked(number == level)
        self.message.setText("请写下不满意的原因，我们会回访整改。" if level <= 2 else "")

    def send(self) -> None:
        if not self.level:
            self.message.setText("请先点选一个评价等级。")
            return
        if self.level <= 2 and not self.text.toPlainText().strip():
            self.message.setText("选择“不满意”或“非常不满意”时，请写明原因。")
            return
        self.submit.setEnabled(False)
        self.rated.emit(self.level, self.text.toPlainText().strip())

    def thanks(self) -> None:
        self.message.setText("感谢您的评价！")

    def refused(self, why: str) -> None:
        self.submit.setEnabled(True)
        self.message.setText(why)
