"""办不成事 反映 at the counter: any clerk takes a report (Ctrl+B, with the applicant and scenario
in hand filled in); the back office and managers handle them on the 办不成事 tab — overdue and
unanswered first (red) — assigning, calling back, attaching the 12345 work order and closing with
the outcome. The rules are the core's (:mod:`app.cases.unresolved`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.cases.receipts import hall_time
from app.cases.unresolved import GRADES, OUTCOMES, SOURCES, STATES, Report
from app.identity.masking import mask_name
from app.widgets.rows import CellsModel, read_only_table
from counter.ui.case_dialogs import ActionDialog, DialogScreen, form_rows, line_edit
from counter.ui.station import Station


def _text_box(name: str, hint: str, height: int = 80) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(name)
    box.setPlaceholderText(hint)
    box.setFixedHeight(height)
    return box


class ReportDialog(ActionDialog):
    """办不成事反映: who, which matter and department, what went wrong, how urgent."""

    submitted = Signal()

    def __init__(
        self,
        *,
        name: str = "",
        phone: str = "",
        scenario: str = "",
        departments: tuple[str, ...] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("办不成事反映", "登记反映", parent)
        self.urgent = QRadioButton("紧急（2 小时内答复）")
        self.urgent.setObjectName("grade_urgent")
        self.ordinary = QRadioButton("一般（24 小时内答复）")
        self.ordinary.setObjectName("grade_ordinary")
        self.ordinary.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.urgent)
        group.addButton(self.ordinary)
        grades = QWidget()
        line = QHBoxLayout(grades)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.urgent)
        line.addWidget(self.ordinary)
        line.addStretch(1)
        self.name = line_edit("reporter_name", name, "反映人姓名（可只写姓）")
        self.phone = line_edit("reporter_phone", phone, "11 位手机号码，回访用")
        self.scenario = line_edit("report_scenario", scenario, "哪件事（一件事或事项）")
        self.department = QComboBox()
        self.department.setObjectName("report_department")
        self.department.setEditable(True)
        self.department.addItems(["", *departments])
        self.what = _text_box("report_what", "哪里卡住了：被要求补什么、跑了几次、哪个环节办不下来")
        self.hotline = QCheckBox("12345 热线转来")
        self.hotline.setObjectName("from_hotline")
        self.order_no = line_edit("order_no", "", "12345 工单号")
        self.order_no.setEnabled(False)
        self.hotline.toggled.connect(self.order_no.setEnabled)
        self.finish(
            form_rows(
                ("紧急程度", grades),
                ("反映人", self.name),
                ("联系电话", self.phone),
                ("事项", self.scenario),
                ("涉及部门", self.department),
                ("反映内容", self.what),
                ("来源", self.hotline),
                ("工单号", self.order_no),
            )
        )

    def grade(self) -> str:
        return "urgent" if self.urgent.isChecked() else "ordinary"

    def source(self) -> str:
        return "hotline" if self.hotline.isChecked() else "window"

    def submit(self) -> None:
        self.set_busy(True)
        self.submitted.emit()


class StepDialog(ActionDialog):
    """One handling step: 交办 (to whom), 回访 (reached or not), 办结 (the outcome) — each with
    its note; 12345 工单 (the number)."""

    submitted = Signal()
    TITLES = {"assign": "交办", "call_back": "回访", "order": "登记 12345 工单号", "close": "办结"}

    def __init__(self, kind: str, report: Report, parent: QWidget | None = None) -> None:
        super().__init__(f"{self.TITLES[kind]} — {report.ref_no}", self.TITLES[kind], parent)
        self.kind = kind
        intro = QLabel(f"{report.ref_no}　{GRADES[report.grade]}　{report.what}")
        intro.setWordWrap(True)
        self.to = line_edit("assign_to", report.department, "交办给哪个部门或哪位工作人员")
        self.reached = QCheckBox("已联系上反映人")
        self.reached.setObjectName("reached")
        self.reached.setChecked(True)
        self.outcome = QComboBox()
        self.outcome.setObjectName("outcome")
        for value, words in OUTCOMES.items():
            self.outcome.addItem(words, value)
        self.order_no = line_edit("order_no", report.order_no, "12345 工单号")
        self.note = _text_box(
            "step_note",
            {
                "assign": "交办要求（可不写）",
                "call_back": "群众的意见；联系不上时写明联系的时间和方式",
                "order": "",
                "close": "答复群众的处理结果",
            }[kind],
        )
        widgets: dict[str, tuple[tuple[str, QWidget], ...]] = {
            "assign": (("交办给", self.to), ("说明", self.note)),
            "call_back": (("回访", self.reached), ("回访情况", self.note)),
            "order": (("工单号", self.order_no),),
            "close": (("办结结果", self.outcome), ("答复内容", self.note)),
        }
        self.finish(intro, form_rows(*widgets[kind]))

    def submit(self) -> None:
        self.set_busy(True)
        self.submitted.emit()


def _cells(report: Report) -> tuple[str, ...]:
    return (
        report.ref_no,
        GRADES[report.grade],
        STATES[report.state],
        SOURCES[report.source] + (f"（{report.order_no}）" if report.order_no else ""),
        mask_name(report.name),
        report.scenario_name or "—",
        report.department or "—",
        report.what,
        hall_time(report.due_at),
    )


class UnresolvedScreen(DialogScreen):
    title = "办不成事"

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(station, parent)
        self.current: Report | None = None
        self.summary = QLabel("")
        self.summary.setObjectName("unresolved_summary")
        self.summary.setWordWrap(True)
        clock = station.session.core.unresolved.clock
        self.model = CellsModel[Report](
            ("编号", "紧急程度", "状态", "来源", "反映人", "事项", "部门", "反映内容", "答复时限"),
            _cells,
            self,
            flagged=lambda r: r.answered_at is None and r.overdue(clock()),
        )
        self.table = read_only_table("unresolved_table", self.model, 7)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.detail = QLabel("")
        self.detail.setObjectName("unresolved_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for kind in ("assign", "call_back", "order", "close"):
            button = QPushButton(StepDialog.TITLES[kind])
            button.setObjectName(f"unresolved_{kind}")
            button.clicked.connect(lambda _=False, k=kind: self.step(k))
            self.buttons[kind] = button
            actions.addWidget(button)
        actions.addStretch(1)
        refresh = QPushButton("刷新")
        refresh.setObjectName("unresolved_refresh")
        refresh.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(actions)
        self._show_row(None)

    def enter(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        desk = self.station.session.core.unresolved
        self.station.work.run(desk.open_reports, done=self._show, label="办不成事反映")

    def _show(self, reports: list[Report]) -> None:
        chosen = self.current.ref_no if self.current else None
        self.model.set_rows(reports)
        now = self.station.session.core.unresolved.clock()
        late = sum(1 for r in reports if r.answered_at is None and r.overdue(now))
        self.summary.setText(
            f"未办结的办不成事反映 {len(reports)} 件，其中超时未回访 {late} 件（红色）。"
            "紧急的 2 小时内、一般的 24 小时内须回访答复。"
            if reports
            else "没有未办结的办不成事反映。"
        )
        row = next((n for n, r in enumerate(reports) if r.ref_no == chosen), 0 if reports else None)
        self.current = None
        if row is None:
            self._show_row(None)
        else:
            self.table.selectRow(row)
            self._show_row(reports[row])

    def _selected(self) -> None:
        chosen = self.table.selectionModel().selectedRows()
        self._show_row(self.model.rows[chosen[0].row()] if chosen else None)

    def _show_row(self, report: Report | None) -> None:
        self.current = report
        for button in self.buttons.values():
            button.setEnabled(report is not None)
        if report is None:
            self.detail.setText("请在上面的列表中选择一件反映。")
            return
        now = self.station.session.core.unresolved.clock()
        steps = "；".join(
            f"{_when(s.get('at'))} {s.get('by', '')} {step_words(s)}" for s in report.steps
        )
        self.detail.setText(
            f"{report.ref_no}　{GRADES[report.grade]}　{STATES[report.state]}　"
            f"{report.when_words(now)}\n{report.what}\n经过：{steps}"
        )

    def step(self, kind: str) -> None:
        report = self.current
        if report is None:
            return
        dialog = StepDialog(kind, report, self)
        core, actor = self.station.session.core, self.station.session.actor
        desk = core.unresolved

        def work() -> Report:
            note = dialog.note.toPlainText()
            if kind == "assign":
                return desk.assign(actor, report.ref_no, to=dialog.to.text(), note=note)
            if kind == "call_back":
                return desk.call_back(
                    actor, report.ref_no, reached=dialog.reached.isChecked(), note=note
                )
            if kind == "order":
                return desk.attach_order(actor, report.ref_no, dialog.order_no.text())
            return desk.close(
                actor, report.ref_no, outcome=str(dialog.outcome.currentData()), note=note
            )

        def save() -> None:
            self.station.work.run(
                work,
                done=lambda done: self._done(dialog, done),
                failed=lambda exc: self._refused(dialog, exc),
                label=StepDialog.TITLES[kind],
            )

        dialog.submitted.connect(save)
        self._open(dialog)

    def _done(self, dialog: ActionDialog, report: Report) -> None:
        dialog.accept()
        self.station.bar.info(f"{report.ref_no}：{STATES[report.state]}。")
        self.refresh()


def _when(moment: object) -> str:
    try:
        return hall_time(datetime.fromisoformat(str(moment)), "%m-%d %H:%M")
    except ValueError:
        return ""


def step_words(step: dict[str, Any]) -> str:
    """One handling step in words, for the detail line under the list."""
    kind = str(step.get("kind"))
    reached = "（已联系上）" if step.get("reached") else "（未联系上）"
    words = {
        "report": "登记反映",
        "assign": f"交办{step.get('assigned_to', '')}",
        "call_back": f"回访{reached}",
        "order": f"登记工单 {step.get('order_no', '')}",
        "close": f"办结：{OUTCOMES.get(str(step.get('outcome')), '')}",
    }
    note = str(step.get("note") or "")
    return words.get(kind, kind) + (f"，{note}" if note and kind != "report" else "")
