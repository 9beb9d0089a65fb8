"""差评工单 for the back office and the hall's managers: the open work items, the earliest deadline
first and the overdue ones in red with "已超期"; the chosen item's rating and steps (who, when,
what); and a form for the next step. What may come next, and every refusal, is the core's
(:mod:`app.cases.complaints`); the screen offers only the steps the rules allow now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.cases.complaints import MAX_NOTE, NOTE_HINTS, STEP_CHOICES, STEP_LABELS, Complaint, Step
from app.cases.receipts import hall_day, hall_time
from app.db.base import utcnow
from app.roles import allowed
from app.widgets.rows import RowsModel, read_only_table
from counter.ui.station import Screen, Station

OVERDUE = QColor("#b00020")
PERMISSION = "complaint.handle"


def today() -> date:
    return hall_day(utcnow())


class ComplaintModel(RowsModel[Complaint]):
    headers = ("工单", "受理编号", "一件事", "评价", "到期日", "状态")

    def __init__(self, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today

    def cell(self, item: Complaint, column: int, role: int) -> object:
        late = item.overdue(self.today())
        if role == Qt.ItemDataRole.ForegroundRole:
            return OVERDUE if late else None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        state = "已超期" if late else item.state_label
        return (
            str(item.id),
            item.receipt_no,
            item.scenario_name,
            f"{item.stage_label} · {item.level_label}",
            f"{item.due_date:%Y-%m-%d}",
            state,
        )[column]


class StepModel(RowsModel[Step]):
    headers = ("时间", "步骤", "结果", "办理人", "说明")

    def cell(self, step: Step, column: int, role: int) -> object:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        moment = hall_time(step.at, "%m-%d %H:%M")
        return (moment, step.label, step.summary, step.actor, step.note)[column]


class ComplaintsScreen(Screen):
    title = "差评工单"

    def __init__(
        self, station: Station, parent: QWidget | None = None, *, today: Callable[[], date] = today
    ) -> None:
        super().__init__(station, parent)
        self.today = today
        self.current: Complaint | None = None
        self.summary = QLabel("")
        self.summary.setObjectName("complaints_summary")
        refresh = QPushButton("刷新")
        refresh.setObjectName("complaints_refresh")
        refresh.clicked.connect(self.refresh)
        self.model = ComplaintModel(today, self)
        self.table = read_only_table("complaints_table", self.model, 2)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.detail = QLabel("请在上面的列表中选择一张工单。")
        self.detail.setObjectName("complaint_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.steps = StepModel(self)
        self.steps_table = read_only_table("complaint_steps", self.steps, 4)
        self.kind = QComboBox()
        self.kind.setObjectName("step_kind")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.choice = QComboBox()
        self.choice.setObjectName("step_choice")
        self.note = QLineEdit()
        self.note.setObjectName("step_note")
        self.note.setMaxLength(MAX_NOTE)
        self.submit = QPushButton("登记")
        self.submit.setObjectName("step_submit")
        self.submit.clicked.connect(self.record)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(refresh)
        form = QHBoxLayout()
        form.addWidget(QLabel("下一步："))
        form.addWidget(self.kind)
        form.addWidget(self.choice)
        form.addWidget(self.note, 1)
        form.addWidget(self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.detail)
        layout.addWidget(self.steps_table, 1)
        layout.addLayout(form)
        self._show_item(None)

    @property
    def may_handle(self) -> bool:
        """Whether the operator signed in now may handle (the core refuses it anyway)."""
        return allowed(self.station.session.actor, PERMISSION)

    def enter(self) -> None:
        may = self.may_handle
        for widget in (self.kind, self.choice, self.note):
            widget.setEnabled(may)
        self.submit.setToolTip("" if may else "只有管理员可以处理差评")
        self.refresh()

    def refresh(self) -> None:
        complaints = self.station.session.core.complaints
        self.station.work.run(complaints.open_items, done=self._show, label="差评工单")

    def _show(self, items: list[Complaint]) -> None:
        chosen = self.current.id if self.current else None
        self.model.set_rows(items)
        late = sum(1 for item in items if item.overdue(self.today()))
        if not items:
            self.summary.setText("没有未办结的差评工单。")
        elif late:
            self.summary.setText(
                f"未办结的差评工单 {len(items)} 张，其中已超期 {late} 张"
                "（红色，标“已超期”），请优先办理。"
            )
        else:
            self.summary.setText(f"未办结的差评工单 {len(items)} 张，没有超期的。")
        row = next((n for n, item in enumerate(items) if item.id == chosen), 0 if items else None)
        if row is None:
            self._show_item(None)
        else:
            self.table.selectRow(row)
            self._show_item(items[row])

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self._show_item(self.model.rows[rows[0].row()] if rows else None)

    def _show_item(self, item: Complaint | None) -> None:
        if item is self.current and item is not None:
            return
        self.current = item
        self.steps.set_rows(list(item.steps) if item else [])
        self.kind.blockSignals(True)
        self.kind.clear()
        for kind in item.next_steps if item else ():
            self.kind.addItem(STEP_LABELS[kind], kind)
        self.kind.blockSignals(False)
        self._kind_changed()
        self.submit.setEnabled(self.may_handle and self.kind.count() > 0)
        if item is None:
            self.detail.setText("请在上面的列表中选择一张工单。")
            return
        late = "，已超期" if item.overdue(self.today()) else ""
        contact = (
            f"{item.applicant_name} {item.applicant_phone or '（无电话）'}"
            if self.may_handle
            else "（仅处理差评的人员可见）"
        )
        reasons = f"（{'、'.join(item.reasons)}）" if item.reasons else ""
        self.detail.setText(
            f"工单 {item.id}：办件 {item.receipt_no}，{item.scenario_name}，"
            f"{item.stage_label}环节“{item.level_label}”，经办人 {item.clerk}。\n"
            f"评价内容：{item.rating_text or '—'}{reasons}\n"
            f"回访联系：{contact}；到期 {item.due_date:%Y-%m-%d}{late}。{item.due_warning}"
        )

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.choice.clear()
        name, choices = STEP_CHOICES.get(kind, ("", ())) if kind else ("", ())
        for value, words in choices:
            self.choice.addItem(words, value)
        self.choice.setVisible(bool(name))
        self.note.setPlaceholderText(NOTE_HINTS.get(kind, "说明") if kind else "说明")
        self.submit.setText(f"登记{STEP_LABELS[kind]}" if kind else "登记")

    def record(self) -> None:
        item, kind = self.current, self.kind.currentData()
        if item is None or not kind:
            self.station.bar.error("请先在列表中选择一张工单。")
            return
        data: dict[str, object] = {}
        if kind in STEP_CHOICES:
            data[STEP_CHOICES[kind][0]] = self.choice.currentData()
        note, actor = self.note.text(), self.station.session.actor
        complaints = self.station.session.core.complaints
        self.station.work.run(
            lambda: complaints.step(actor, item.id, kind, note, **data),
            done=self._recorded,
            label="登记差评处理",
        )

    def _recorded(self, item: Complaint) -> None:
        done = item.steps[-1]
        self.note.clear()
        self.current = None  # show the item as it is now
        if item.state == "closed":
            self.station.bar.info(f"差评工单 {item.id} 已办结，已从待办列表中移除。")
        else:
            self.station.bar.info(f"已登记{done.label}：差评工单 {item.id}。")
            self._show_item(item)
        self.refresh()
