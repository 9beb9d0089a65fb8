"""Step 6 — the decision (《行政许可法》第三十二条): accept, accept on commitment (容缺, the
letter printed and signed), or not accept (ground, reasons, the materials to supplement listed
once). Each prints its documents with a preview; the case is queued for the platform in the same
transaction as the decision (the core does that)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.cases.assistance import describe
from app.cases.checks import ACTIVE_PLAN_STATUSES, NOT_ACCEPTED_GROUNDS, commitment_refusal
from app.cases.receipts import hall_day
from app.cases.snapshots import CaseView, MaterialView
from app.cases.states import RECEIVED, SATISFIED
from counter.ui.assist import AssistDialog
from counter.ui.printouts import Printouts
from counter.ui.station import Screen, Station, ok_cancel


def _missing(case: CaseView) -> list[MaterialView]:
    return [
        m
        for m in case.materials
        if m.plan_status in ACTIVE_PLAN_STATUSES and m.status not in SATISFIED
    ]


class CommitmentDialog(QDialog):
    """Which tolerable materials follow, by when, and who signed the letter."""

    def __init__(
        self, case: CaseView, due: date, parent: QWidget | None = None, *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("容缺受理 — 告知承诺")
        self.boxes: dict[str, QCheckBox] = {}
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("勾选申请人承诺后补的材料（只有可容缺的材料可以勾选）："))
        for material in _missing(case):
            box = QCheckBox(material.name)
            box.setObjectName(f"promise_{material.material_id}")
            allowed = material.plan_status in ("tolerable", "commitment")
            box.setEnabled(allowed)
            box.setChecked(allowed)
            if not allowed:
                box.setToolTip("该材料不能容缺，须收取或出具补正告知书")
            self.boxes[material.material_id] = box
            layout.addWidget(box)
        self.due = QDateEdit(QDate.fromString(due.isoformat(), "yyyy-MM-dd"))
        first = (today or date.today()).isoformat()  # the core refuses a day already past
        self.due.setMinimumDate(QDate.fromString(first, "yyyy-MM-dd"))
        self.due.setObjectName("due_date")
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.signed = QLineEdit(case.agent.name if case.agent else case.applicant.name)
        self.signed.setObjectName("signed_by")
        form = QFormLayout()
        form.addRow("补交期限", self.due)
        form.addRow("承诺书签名人", self.signed)
        layout.addLayout(form)
        refusal = commitment_refusal(case.materials)
        self.refusal = QLabel(refusal or "确认后打印告知承诺书，请申请人签字后留存。")
        self.refusal.setObjectName("commitment_refusal")
        self.refusal.setWordWrap(True)
        if refusal:
            self.refusal.setStyleSheet("color:#b00020;")
        layout.addWidget(self.refusal)
        buttons = ok_cancel(self, "容缺受理")
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(not refusal)  # a button that can only fail is not offered
        layout.addWidget(buttons)

    def materials(self) -> list[str]:
        return [m for m, box in self.boxes.items() if box.isChecked()]

    def due_date(self) -> date:
        return date.fromisoformat(self.due.date().toString("yyyy-MM-dd"))


class NotAcceptDialog(QDialog):
    """The ground, the reasons (printed on the notice), what to supplement, where to go."""

    def __init__(self, case: CaseView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("不予受理")
        self.ground = QComboBox()
        self.ground.setObjectName("ground")
        for key, text in NOT_ACCEPTED_GROUNDS.items():
            self.ground.addItem(text, key)
        self.ground.setCurrentIndex(list(NOT_ACCEPTED_GROUNDS).index("4"))
        missing = _missing(case)
        self.reasons = QPlainTextEdit(
            f"申请材料不齐全：缺少{'、'.join(m.name for m in missing)}。" if missing else ""
        )
        self.reasons.setObjectName("reasons")
        self.reasons.setFixedHeight(80)
        self.office = QLineEdit()
        self.office.setObjectName("office")
        self.office.setPlaceholderText("依第（二）项时必填：有权受理的机关或渠道")
        self.boxes: dict[str, QCheckBox] = {}
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow("依据", self.ground)
        form.addRow("理由（每行一条）", self.reasons)
        form.addRow("告知申请的机关", self.office)
        layout.addLayout(form)
        layout.addWidget(QLabel("需补正的材料（一次性告知）："))
        for material in case.materials:
            if material.plan_status not in ACTIVE_PLAN_STATUSES:
                continue
            box = QCheckBox(material.name)
            box.setObjectName(f"supplement_{material.material_id}")
            box.setChecked(material in missing)
            self.boxes[material.material_id] = box
            layout.addWidget(box)
        layout.addWidget(ok_cancel(self, "不予受理"))

    def values(self) -> tuple[str, list[str], list[str], str]:
        reasons = [r.strip() for r in self.reasons.toPlainText().splitlines() if r.strip()]
        supplement = [m for m, box in self.boxes.items() if box.isChecked()]
        return str(self.ground.currentData()), reasons, supplement, self.office.text()


class DecisionScreen(Screen):
    title = "受理决定"
    decided = Signal(str)  # receipt number, once its documents are through the printer

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(station, parent)
        self.summary = QLabel("")
        self.summary.setObjectName("decision_summary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size:14px;")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.accept_button = QPushButton("受理并打印受理通知书 (Ctrl+Enter)")
        self.accept_button.setObjectName("accept")
        self.accept_button.setShortcut("Ctrl+Return")
        self.accept_button.clicked.connect(self.accept)
        self.commit_button = QPushButton("容缺受理… (Ctrl+R)")
        self.commit_button.setObjectName("accept_on_commitment")
        self.commit_button.setShortcut("Ctrl+R")
        self.commit_button.clicked.connect(self.accept_on_commitment)
        self.refuse_button = QPushButton("不予受理… (Ctrl+B)")
        self.refuse_button.setObjectName("not_accept")
        self.refuse_button.setShortcut("Ctrl+B")
        self.refuse_button.clicked.connect(self.not_accept)
        # After a printer failed: print what is left again, or receive the next person.
        self.reprint_button = QPushButton("重新打印 (Ctrl+P)")
        self.reprint_button.setObjectName("print_again")
        self.reprint_button.setShortcut("Ctrl+P")
        self.reprint_button.clicked.connect(self.print_again)
        self.assist_button = QPushButton("帮办代办… (Ctrl+H)")
        self.assist_button.setObjectName("assist")
        self.assist_button.setShortcut("Ctrl+H")
        self.assist_button.setToolTip("登记帮办、代办、陪同办，以及老年人等特殊群体和提供的服务")
        self.assist_button.clicked.connect(self.assist)
        self.next_button = QPushButton("下一位 (Ctrl+N)")  # the window's Ctrl+N does the same
        self.next_button.setObjectName("next_applicant")
        self.next_button.clicked.connect(self._next)
        self.unprinted: list[str] = []
        self.unprinted_case = ""
        self.printouts = Printouts(station, self)
        self.dialog: QDialog | None = None
        buttons = QHBoxLayout()
        for button in (
            self.accept_button,
            self.commit_button,
            self.refuse_button,
            self.assist_button,
            self.reprint_button,
            self.next_button,
        ):
            button.setMinimumHeight(40)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary, 1)
        layout.addLayout(buttons)
        self._show_after_print(False)

    def enter(self) -> None:
        case = self.in_hand.case
        open_case = case is not None and case.state in ("draft", "pre_application")
        for button in (self.accept_button, self.commit_button, self.refuse_button):
            button.setEnabled(open_case)
        self._show_after_print(
            bool(self.unprinted) and case is not None and case.receipt_no == self.unprinted_case
        )
        self.assist_button.setEnabled(case is not None and case.state != "withdrawn")
        if case is None:
            self.summary.setText("还没有办件。")
            return
        missing = _missing(case)
        lines = [
            f"<b>{case.receipt_no}</b>　{case.scenario_name}　{case.state_label}",
            f"申请人：{case.applicant.name}"
            + (f"　代办人：{case.agent.name}" if case.agent else ""),
            f"事项 {len(case.items)} 个，承诺 {case.promise_words}办结。",
        ]
        helped = describe(case.assistance)
        if helped:
            lines.append(f"<span style='color:#8a5a00'>帮办代办：{helped}</span>")
        received = sum(1 for m in case.materials if m.status in RECEIVED)
        lines.append(f"材料：已收 {received} 种，缺 {len(missing)} 种。")
        for material in case.materials:
            mark = "✗" if material in missing else "✓"
            colour = "#b00020" if material in missing else "#1b5e20"
            lines.append(
                f"<span style='color:{colour}'>{mark}</span> {material.name}："
                f"{material.status_label}"
            )
        if missing:
            tolerable = ("tolerable", "commitment")
            names = [
                f"{m.name}{'（可容缺）' if m.plan_status in tolerable else ''}" for m in missing
            ]
            lines.append("缺少：" + "、".join(names))
            self.accept_button.setToolTip("材料不齐，不能直接受理")
        self.summary.setText("<br>".join(lines))
        self.accept_button.setDefault(not missing)
        refusal = commitment_refusal(case.materials)
        self.commit_button.setEnabled(open_case and not refusal)
        self.commit_button.setToolTip(refusal)

    def _decide(self, work: Callable[[], CaseView], documents: list[str], what: str) -> None:
        def done(case: CaseView) -> None:
            self.station.bar.info(f"{case.receipt_no} 已{what}，已进入发送队列。")
            self.enter()
            self._print(case, documents)

        self.station.work.run(work, done=done, label=what)

    def _print(self, case: CaseView, documents: list[str]) -> None:
        receipt_no = case.receipt_no
        then = (
            (lambda: self._slip(receipt_no))
            if case.accepted_at
            else (lambda: self.decided.emit(receipt_no))
        )

        def failed(unprinted: list[str]) -> None:
            self.unprinted, self.unprinted_case = unprinted, receipt_no
            self._show_after_print(True)
            self.reprint_button.setFocus()

        self.unprinted, self.unprinted_case = [], receipt_no
        self._show_after_print(False)
        self.printouts.run(receipt_no, documents, then=then, failed=failed)

    def _show_after_print(self, failed: bool) -> None:
        """The decision's buttons, or — once decided and the printer failed — 重新打印 and 下一位
        (the case is saved; without these the clerk had no way on)."""
        for button in (self.accept_button, self.commit_button, self.refuse_button):
            button.setVisible(not failed)
        for button in (self.reprint_button, self.next_button):
            button.setVisible(failed)

    def print_again(self) -> None:
        case = self.in_hand.case
        if not self.unprinted or case is None or case.receipt_no != self.unprinted_case:
            return
        self._print(case, list(self.unprinted))

    def _next(self) -> None:
        receipt_no = self.unprinted_case
        self.unprinted = []
        self._show_after_print(False)
        self.decided.emit(receipt_no)

    def _slip(self, receipt_no: str) -> None:
        """The thermal acceptance slip after the A4 documents; a failing printer keeps it and
        the case goes on (the slip is a courtesy, the receipt is the A4 notice)."""
        papers = self.station.session.papers

        def failed(exc: BaseException) -> None:
            self.station.bar.show_exception(exc)
            self.decided.emit(receipt_no)

        self.station.work.run(
            lambda: papers.slip(receipt_no),
            done=lambda _: self.decided.emit(receipt_no),
            failed=failed,
            label="受理凭条",
        )

    def accept(self) -> None:
        case = self.in_hand.case
        pledged = case is not None and any(m.status == "committed" for m in case.materials)
        # 告知承诺制: the applicant signs the letter that replaces the proof
        papers = ["commitment", "acceptance"] if pledged else ["acceptance"]
        self._decide(self.in_hand.accept, papers, "受理")

    def accept_on_commitment(self) -> None:
        case = self.in_hand.case
        if case is None:
            return
        core = self.station.session.core
        today = hall_day(core.cases.clock())
        due = core.calendar.add_working_days(today, core.settings.supplements.due_days).day
        dialog = CommitmentDialog(case, due, self, today=today)
        self.dialog = dialog

        def chosen() -> None:
            materials, due, signed = dialog.materials(), dialog.due_date(), dialog.signed.text()
            self._decide(
                lambda: self.in_hand.accept_on_commitment(materials, due, signed),
                ["commitment", "acceptance"],
                "容缺受理",
            )

        dialog.accepted.connect(chosen)
        dialog.open()

    def assist(self) -> None:
        """帮办代办 and special groups: recorded now, changed by recording again."""
        case = self.in_hand.case
        if case is None:
            return
        session = self.station.session
        dialog = AssistDialog(case, session.operator.display_name, session.core.cases.clock(), self)
        if self.dialog is not None:
            self.dialog.deleteLater()  # on the GUI thread, not by a collector on a worker thread
        self.dialog = dialog

        def save() -> None:
            record = dialog.record()
            self.station.work.run(
                lambda: self.in_hand.assist(**record),
                done=lambda saved: self._assisted(dialog, saved),
                failed=lambda exc: self._assist_refused(dialog, exc),
                label="登记帮办代办",
            )

        dialog.submitted.connect(save)
        dialog.open()

    def _assisted(self, dialog: AssistDialog, case: CaseView) -> None:
        dialog.accept()
        self.station.bar.info(f"已登记：{describe(case.assistance)}。")
        self.enter()

    def _assist_refused(self, dialog: AssistDialog, exc: BaseException) -> None:
        self.station.bar.show_exception(exc)
        dialog.refuse(self.station.bar.text())

    def not_accept(self) -> None:
        case = self.in_hand.case
        if case is None:
            return
        dialog = NotAcceptDialog(case, self)
        self.dialog = dialog

        def chosen() -> None:
            ground, reasons, supplement, office = dialog.values()
            self._decide(
                lambda: self.in_hand.not_accept(
                    ground, reasons, supplement=supplement, office=office
                ),
                ["not_accepted"],
                "不予受理",
            )

        dialog.accepted.connect(chosen)
        dialog.open()
