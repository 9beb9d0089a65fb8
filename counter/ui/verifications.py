"""告知承诺核查: the commitments that replaced proofs (证明事项告知承诺制) still to be checked by
their departments, overdue first (red), due within five days marked; for the chosen case the back
office records the department's outcome — 属实, or 不实 with what the check found, which revokes
the results resting on it, ends the items still open and makes a credit record (its number when
the department gave one). The rules are the core's (:mod:`app.cases.verification`)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.cases.receipts import hall_day
from app.cases.snapshots import CaseView
from app.cases.verification import VerificationDue
from app.identity.masking import mask_name
from app.widgets.rows import CellsModel, read_only_table
from counter.ui.case_dialogs import ActionDialog, DialogScreen, form_rows, line_edit
from counter.ui.station import Station

STANDING = {"overdue": "已超期", "due_soon": "即将到期", "later": "未到期"}


def _row_cells(row: VerificationDue) -> tuple[str, ...]:
    return (
        row.receipt_no,
        mask_name(row.applicant_name),
        row.scenario_name,
        "、".join(row.materials),
        "、".join(row.departments),
        f"{row.due_date:%Y-%m-%d}",
        f"{STANDING[row.standing]}（{row.when_words}）",
    )


class VerifyDialog(ActionDialog):
    """登记核查结果: the department's outcome, its date and who checked; for 不实, what was found
    and the credit record's number, with what will follow said before it is done."""

    submitted = Signal()

    def __init__(self, row: VerificationDue, today: date, parent: QWidget | None = None) -> None:
        super().__init__(f"登记核查结果 — {row.receipt_no}", "登记", parent)
        intro = QLabel(
            f"申请人以书面承诺代替了“{'、'.join(row.materials)}”，"
            f"由{'、'.join(row.departments) or '承办部门'}于 {row.due_date:%Y年%m月%d日} 前核查"
            f"（{row.when_words}）。请按部门的核查结论登记。"
        )
        intro.setWordWrap(True)
        self.true = QRadioButton("承诺属实")
        self.true.setObjectName("outcome_true")
        self.true.setChecked(True)
        self.false = QRadioButton("承诺不实")
        self.false.setObjectName("outcome_false")
        group = QButtonGroup(self)
        group.addButton(self.true)
        group.addButton(self.false)
        outcome = QWidget()
        line = QHBoxLayout(outcome)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.true)
        line.addWidget(self.false)
        line.addStretch(1)
        self.checked_on = QDateEdit(QDate(today.year, today.month, today.day))
        self.checked_on.setObjectName("checked_on")
        self.checked_on.setCalendarPopup(True)
        self.checked_on.setDisplayFormat("yyyy-MM-dd")
        self.checked_on.setMaximumDate(QDate(today.year, today.month, today.day))
        self.department = line_edit(
            "verify_department", row.departments[0] if row.departments else "", "作出核查的部门"
        )
        self.note = QPlainTextEdit()
        self.note.setObjectName("verify_note")
        self.note.setPlaceholderText("核查发现的情况（承诺不实时必填），如“经婚姻登记系统核查，…”")
        self.note.setFixedHeight(70)
        self.credit_no: QLineEdit = line_edit("credit_no", "", "信用记录编号（部门提供时填写）")
        self.warning = QLabel(
            f"登记“承诺不实”后：依据该承诺办理的事项（{'、'.join(row.items)}）已作出的办理结果"
            "将被撤销，尚在办理的终止办理，并记入申请人的信用记录；系统将告知省级平台。"
            "此操作不能撤销。"
        )
        self.warning.setObjectName("verify_warning")
        self.warning.setWordWrap(True)
        self.false.toggled.connect(self._show_consequences)
        self.finish(
            intro,
            outcome,
            form_rows(
                ("核查日期", self.checked_on),
                ("核查部门", self.department),
                ("核查情况", self.note),
                ("信用记录编号", self.credit_no),
            ),
            self.warning,
        )
        self._show_consequences()

    def _show_consequences(self) -> None:
        untrue = self.false.isChecked()
        self.warning.setVisible(untrue)
        self.credit_no.setEnabled(untrue)
        self.ok.setText("登记：承诺不实" if untrue else "登记：承诺属实")

    def outcome(self) -> str:
        return "false" if self.false.isChecked() else "true"

    def day(self) -> date:
        chosen = self.checked_on.date()
        return date(chosen.year(), chosen.month(), chosen.day())

    def submit(self) -> None:
        self.set_busy(True)
        self.submitted.emit()


class VerificationsScreen(DialogScreen):
    title = "告知承诺核查"

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(station, parent)
        self.rows: list[VerificationDue] = []
        self.current: VerificationDue | None = None
        self.summary = QLabel("")
        self.summary.setObjectName("verifications_summary")
        self.summary.setWordWrap(True)
        self.refresh_button = self._button("刷新", "verifications_refresh", self.refresh)
        self.model = CellsModel(
            ("受理编号", "申请人", "一件事", "以承诺代替的材料", "核查部门", "核查期限", "情况"),
            _row_cells,
            self,
            flagged=lambda r: r.standing == "overdue",
        )
        self.table = read_only_table("verifications_table", self.model, 3)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.detail = QLabel("")
        self.detail.setObjectName("verification_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.record_button = self._button("登记核查结果", "verification_record", self.record)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        actions = QHBoxLayout()
        actions.addWidget(self.record_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(actions)
        self._show_row(None)

    def _button(self, text: str, name: str, action: object) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(action)
        return button

    def enter(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        verifications = self.station.session.core.cases.verifications
        self.station.work.run(verifications.due, done=self._show, label="告知承诺核查")

    def _show(self, rows: list[VerificationDue]) -> None:
        chosen = self.current.receipt_no if self.current else None
        self.rows = rows
        self.model.set_rows(rows)
        late = sum(1 for r in rows if r.standing == "overdue")
        soon = sum(1 for r in rows if r.standing == "due_soon")
        self.summary.setText(
            f"待核查的告知承诺 {len(rows)} 件：已超期 {late} 件（红色），5 天内到期 {soon} 件。"
            "请向核查部门了解结论并登记。"
            if rows
            else "没有待核查的告知承诺。"
        )
        row = next((n for n, r in enumerate(rows) if r.receipt_no == chosen), 0 if rows else None)
        self.current = None
        if row is None:
            self._show_row(None)
        else:
            self.table.selectRow(row)
            self._show_row(rows[row])

    def _selected(self) -> None:
        chosen = self.table.selectionModel().selectedRows()
        self._show_row(self.model.rows[chosen[0].row()] if chosen else None)

    def _show_row(self, row: VerificationDue | None) -> None:
        self.current = row
        self.record_button.setEnabled(row is not None)
        if row is None:
            self.detail.setText("请在上面的列表中选择一个办件。")
            return
        self.detail.setText(
            f"{row.receipt_no}　{row.scenario_name}　申请人 {mask_name(row.applicant_name)}。\n"
            f"以承诺代替：{'、'.join(row.materials)}；依据该承诺办理的事项："
            f"{'、'.join(row.items)}；核查期限 {row.due_date:%Y年%m月%d日}（{row.when_words}）。"
        )

    def record(self) -> None:
        row = self.current
        if row is None:
            return
        core, actor = self.station.session.core, self.station.session.actor
        dialog = VerifyDialog(row, hall_day(core.cases.clock()), self)

        def save() -> None:
            self.station.work.run(
                lambda: core.cases.verify(
                    actor,
                    row.receipt_no,
                    outcome=dialog.outcome(),
                    checked_on=dialog.day(),
                    department=dialog.department.text(),
                    note=dialog.note.toPlainText(),
                    credit_no=dialog.credit_no.text(),
                ),
                done=lambda case: self._recorded(dialog, case),
                failed=lambda exc: self._refused(dialog, exc),
                label="登记核查结果",
            )

        dialog.submitted.connect(save)
        self._open(dialog)

    def _recorded(self, dialog: ActionDialog, case: CaseView) -> None:
        dialog.accept()
        record = case.verification or {}
        if record.get("status") == "false":
            names = {i.item_id: i.name for i in case.items}
            revoked = "、".join(names[i] for i in record.get("revoked", [])) or "无"
            ended = "、".join(names[i] for i in record.get("terminated", [])) or "无"
            self.station.bar.info(
                f"{case.receipt_no} 已登记承诺不实：撤销 {revoked}；终止 {ended}；"
                "已记入信用记录并告知平台。"
            )
        else:
            self.station.bar.info(f"{case.receipt_no} 已登记核查结果：承诺属实。")
        self.refresh()
