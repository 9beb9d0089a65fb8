"""Step 4 — the one merged form (一表申请): the fields of every chosen item once, in the order of
the paper form, prefilled from the ID card and shared data (with where from), each checked as it
is typed. Tab follows the paper form; Ctrl+Enter saves and goes on to the materials."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.cases.applicant import CardChange
from app.cases.snapshots import CaseView
from app.errors import OneStopError
from app.guide.plan import PlanField
from counter.ui.card_change import ask_card_change
from counter.ui.station import Screen, Station

PLACEHOLDERS = {
    "date": "如 2026-11-23",
    "phone": "手机11位或 0731-88665266",
    "id_number": "18位身份证号",
    "uscc": "18位统一社会信用代码",
    "bank_account": "银行卡号或账号",
    "number": "数字",
}
ERROR = "color:#b00020;"
SOURCE = "color:#555;"


class FieldEditor:
    def __init__(self, screen: FormScreen, spec: PlanField) -> None:
        self.key = spec.key
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setObjectName(f"msg_{spec.key}")
        self.message.setVisible(False)
        self.editor: QLineEdit | QComboBox
        if spec.options:
            combo = QComboBox()
            combo.addItem("")
            combo.addItems(list(spec.options))
            combo.currentTextChanged.connect(lambda text: screen.changed(self, text, final=True))
            self.editor = combo
        else:
            line = QLineEdit()
            line.setPlaceholderText(PLACEHOLDERS.get(spec.type, ""))
            if spec.max_length:
                line.setMaxLength(spec.max_length)
            line.textEdited.connect(lambda text: screen.changed(self, text, final=False))
            line.editingFinished.connect(lambda: screen.changed(self, self.text(), final=True))
            self.editor = line
        self.editor.setObjectName(f"f_{spec.key}")
        self.label = f"{spec.label}{' *' if spec.required else ''}"
        self.source = spec.source

    def text(self) -> str:
        if isinstance(self.editor, QComboBox):
            return self.editor.currentText()
        return self.editor.text()

    def set_text(self, text: str) -> None:
        self.editor.blockSignals(True)
        if isinstance(self.editor, QComboBox):
            self.editor.setCurrentText(text)
        else:
            self.editor.setText(text)
        self.editor.blockSignals(False)

    def show_message(self, text: str, *, error: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR if error else SOURCE)
        self.message.setVisible(bool(text))  # no empty line under every field


class FormScreen(Screen):
    title = "申请表"
    done = Signal()

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(station, parent)
        self.editors: dict[str, FieldEditor] = {}
        self.question: QMessageBox | None = None
        self.host = QWidget()
        self.grid = QGridLayout(self.host)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.host)
        self.status = QLabel("")
        self.status.setObjectName("form_status")
        self.next = QPushButton("保存并核对材料 (Ctrl+Enter)")
        self.next.setObjectName("form_next")
        self.next.setShortcut("Ctrl+Return")
        self.next.clicked.connect(self.confirm)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)

    def enter(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.editors = {}
        fields = self.in_hand.plan().fields
        values = self.in_hand.form_values()
        sections: dict[str, list[PlanField]] = {}
        for spec in fields:
            sections.setdefault(spec.section or "申请信息", []).append(spec)
        # Two columns of sections, filled top to bottom, so a whole form fits 1366×768.
        half, count, column, line = (len(fields) + 1) // 2, 0, 0, 0
        for title, specs in sections.items():
            if column == 0 and count >= half:
                column, line = 1, 0
            box = QGroupBox(title)
            form = QFormLayout(box)
            for spec in specs:
                editor = FieldEditor(self, spec)
                cell = QWidget()
                row = QVBoxLayout(cell)
                row.setContentsMargins(0, 0, 0, 0)
                row.setSpacing(0)
                row.addWidget(editor.editor)
                row.addWidget(editor.message)
                form.addRow(editor.label, cell)
                # In its place first: a label shown without a parent is a window of its own,
                # which takes the keyboard from the counter's window.
                editor.set_text(values.get(spec.key, ""))
                if spec.value and spec.source:
                    editor.show_message(f"来自{spec.source}", error=False)
                self.editors[spec.key] = editor
            self.grid.addWidget(box, line, column)
            line += 1
            count += len(specs)
        self.grid.setRowStretch(line + 1, 1)
        order = [e.editor for e in self.editors.values()]
        for first, second in zip(order, order[1:], strict=False):
            self.setTabOrder(first, second)
        if order:
            self.setTabOrder(order[-1], self.next)
        empty = next((e.editor for e in self.editors.values() if not e.text()), None)
        # The new fields are shown on the next turn of the event loop; focus them after that.
        QTimer.singleShot(0, (empty or self.next).setFocus)
        self._count()

    def changed(self, editor: FieldEditor, text: str, *, final: bool) -> None:
        """Checked as typed: a wrong value is said at once, an empty required one on leaving."""
        message = self.in_hand.set_field(editor.key, text)
        if message and (final or text.strip()):
            editor.show_message(message, error=True)
        elif not message:
            editor.show_message("", error=False)
        if final and not message:
            normalised = self.in_hand.form.get(editor.key, text)
            if normalised != text:
                editor.set_text(normalised)
            change = self.in_hand.pending.get(editor.key)
            if change is not None:
                self.ask(change)
        self._count()

    def ask(self, change: CardChange, then: Callable[[], None] | None = None) -> None:
        """A value from the ID card typed over: confirmed (and audited), or put back."""
        if self.question is not None and self.question.isVisible():
            return

        def answered(confirmed: bool) -> None:
            self.question = None
            editor = self.editors.get(change.key)
            if confirmed:
                try:
                    self.in_hand.confirm(change)
                except OneStopError as exc:
                    self.station.bar.show_exception(exc)
                    return
                self.station.bar.info(f"已将{change.label}改为“{change.typed}”，将记入审计记录。")
            elif editor is not None:
                editor.set_text(self.in_hand.keep(change))
                editor.show_message("来自身份证读卡", error=False)
            if then is not None:
                then()

        self.question = ask_card_change(self, change, answered)

    def problems(self) -> list[str]:
        """What is still wrong or missing, field by field (checked again, not remembered)."""
        found = []
        for editor in self.editors.values():
            message = self.in_hand.set_field(editor.key, editor.text())
            if message:
                found.append(message)
        return found

    def _count(self) -> None:
        wrong = sum(1 for e in self.editors.values() if e.message.styleSheet() == ERROR)
        self.status.setText(
            f"共 {len(self.editors)} 项" + (f"，{wrong} 项需要修改" if wrong else "")
        )

    def confirm(self) -> None:
        pending = next(iter(self.in_hand.pending.values()), None)
        if pending is not None:  # asked first; saved once answered
            self.ask(pending, then=self.confirm)
            return
        problems = self.problems()
        for editor in self.editors.values():
            message = self.in_hand.set_field(editor.key, editor.text())
            if message:
                editor.show_message(message, error=True)
        self._count()
        if problems:
            self.station.bar.error(f"申请表还有 {len(problems)} 项需要修改：{problems[0]}")
            first = next(e for e in self.editors.values() if e.message.styleSheet() == ERROR)
            first.editor.setFocus()
            return

        def saved(case: CaseView) -> None:
            self.done.emit()
            self.station.bar.info(f"申请表已保存（{case.receipt_no}）。请逐项核对材料。")

        self.station.work.run(self.in_hand.open, done=saved, label="保存申请表")
