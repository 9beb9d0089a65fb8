"""容缺补交: the materials promised at 容缺受理 still to come, the most overdue first (red when
overdue, "即将到期" within three days), counted per clerk or per department; for the chosen case
the clerk receives what the applicant brings (the case goes on), prints a reminder to hand over
or post, or — once the date has passed — applies the catalog's outcome (按逾期处理: the items that
need the material stop and their departments are told). 电话提醒名单 shows the names and phones to
call, each look recorded in the access log. The rules are the core's (:mod:`app.cases.supplements`,
:meth:`~app.cases.decisions.Decisions.lapse`)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.cases.snapshots import CaseView
from app.cases.supplements import STANDING_LABELS, SupplementDue, Supplements, Tally, tally
from app.identity.masking import mask_name, mask_phone
from app.widgets.rows import CellsModel, read_only_table
from counter.ui.case_dialogs import ActionDialog, DialogScreen
from counter.ui.printouts import Printouts
from counter.ui.station import Station

SCOPES = (("all", "全部"), ("mine", "我受理的"))
BY = (("clerk", "按窗口人员统计"), ("department", "按部门统计"))


def _row_cells(row: SupplementDue) -> tuple[str, ...]:
    return (
        row.receipt_no,
        mask_name(row.applicant_name),
        row.scenario_name,
        "、".join(row.materials),
        "、".join(row.departments),
        f"{row.due_date:%Y-%m-%d}",
        f"{STANDING_LABELS[row.standing]}（{row.when_words}）",
    )


def _tally_cells(t: Tally) -> tuple[str, ...]:
    return (t.label, str(t.overdue), str(t.due_soon), str(t.later), str(t.total))


class ReceiveDialog(ActionDialog):
    """登记补交: which of the promised materials the applicant brought, as originals or copies."""

    submitted = Signal()

    def __init__(self, row: SupplementDue, parent: QWidget | None = None) -> None:
        super().__init__(f"登记补交 — {row.receipt_no}", "登记补交", parent)
        self.boxes: dict[str, QCheckBox] = {}
        intro = QLabel(f"申请人补交的材料（补交期限 {row.due_date:%Y-%m-%d}，{row.when_words}）：")
        intro.setWordWrap(True)
        widgets: list[QWidget] = [intro]
        for material_id, name in zip(row.material_ids, row.materials, strict=True):
            box = QCheckBox(name)
            box.setObjectName(f"bring_{material_id}")
            box.setChecked(True)
            box.toggled.connect(self._count)
            self.boxes[material_id] = box
            widgets.append(box)
        self.original = QRadioButton("原件")
        self.original.setObjectName("as_original")
        self.original.setChecked(True)
        self.copy = QRadioButton("复印件")
        self.copy.setObjectName("as_copy")
        group = QButtonGroup(self)
        group.addButton(self.original)
        group.addButton(self.copy)
        kind = QWidget()
        line = QHBoxLayout(kind)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(QLabel("收取："))
        line.addWidget(self.original)
        line.addWidget(self.copy)
        line.addStretch(1)
        widgets.append(kind)
        self.finish(*widgets)

    def _count(self) -> None:
        self.ok.setEnabled(bool(self.materials()))

    def materials(self) -> list[str]:
        return [m for m, box in self.boxes.items() if box.isChecked()]

    def status(self) -> str:
        return "received_original" if self.original.isChecked() else "received_copy"

    def submit(self) -> None:
        if not self.materials():
            self.refuse("请勾选申请人带来的材料。")
            return
        self.set_busy(True)
        self.submitted.emit()


class LapseDialog(ActionDialog):
    """按逾期处理, said in full before it is done: it cannot be undone."""

    submitted = Signal()

    def __init__(self, row: SupplementDue, parent: QWidget | None = None) -> None:
        super().__init__(f"按逾期处理 — {row.receipt_no}", "按逾期处理", parent)
        self.text = text = QLabel(
            f"“{'、'.join(row.materials)}”的补交期限 {row.due_date:%Y年%m月%d日} 已过"
            f"（{row.when_words}），申请人仍未补交。\n"
            f"按事项目录的规定，需要这些材料的事项（{'、'.join(row.items)}）和需要其结果的"
            f"后续事项将终止办理，系统将告知承办部门（{'、'.join(row.departments)}）；"
            "其他事项照常办理。\n"
            "目录规定只继续催补的材料不会终止任何事项。此操作不能撤销。"
        )
        text.setObjectName("lapse_text")
        text.setWordWrap(True)
        self.finish(text)

    def submit(self) -> None:
        self.set_busy(True)
        self.submitted.emit()


class CallListDialog(ActionDialog):
    """电话提醒名单: full names and phones of the overdue and the due-soon promises."""

    def __init__(self, rows: list[SupplementDue], parent: QWidget | None = None) -> None:
        super().__init__("电话提醒名单", "关闭", parent)
        self.setMinimumWidth(720)
        self.buttons.button(self.buttons.StandardButton.Cancel).hide()
        model: CellsModel[SupplementDue] = CellsModel(
            ("受理编号", "申请人", "电话", "待补材料", "补交期限", "情况"),
            lambda r: (
                r.receipt_no,
                r.applicant_name,
                r.applicant_phone or "（无电话）",
                "、".join(r.materials),
                f"{r.due_date:%Y-%m-%d}",
                f"{STANDING_LABELS[r.standing]}（{r.when_words}）",
            ),
            self,
            flagged=lambda r: r.standing == "overdue",
        )
        model.set_rows(rows)
        self.table = read_only_table("call_list", model, 3)
        note = QLabel(
            "请逐一电话提醒申请人按期补交；本名单含完整姓名和电话，查看已记入个人信息查阅记录，"
            "请勿拍照或外传。"
            if rows
            else "没有已逾期或即将到期的容缺材料，无需电话提醒。"
        )
        note.setWordWrap(True)
        self.finish(note, self.table)

    def submit(self) -> None:
        self.accept()


class SupplementsScreen(DialogScreen):
    title = "容缺补交"

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(station, parent)
        self.rows: list[SupplementDue] = []
        self.current: SupplementDue | None = None
        self.printouts = Printouts(
            station, self, preview=station.session.core.settings.counter.preview
        )
        self.summary = QLabel("")
        self.summary.setObjectName("supplements_summary")
        self.summary.setWordWrap(True)
        self.scope = QComboBox()
        self.scope.setObjectName("supplements_scope")
        for value, words in SCOPES:
            self.scope.addItem(words, value)
        self.scope.currentIndexChanged.connect(self.refresh)
        self.by = QComboBox()
        self.by.setObjectName("supplements_by")
        for value, words in BY:
            self.by.addItem(words, value)
        self.by.currentIndexChanged.connect(self._show_tally)
        self.refresh_button = self._button("刷新", "supplements_refresh", self.refresh)
        self.model = CellsModel(
            ("受理编号", "申请人", "一件事", "待补材料", "等待的部门", "补交期限", "情况"),
            _row_cells,
            self,
            flagged=lambda r: r.standing == "overdue",
        )
        self.table = read_only_table("supplements_table", self.model, 3)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.tallies = CellsModel(("", "已逾期", "即将到期", "未到期", "合计"), _tally_cells, self)
        self.tally_table = read_only_table("supplements_tally", self.tallies, 0)
        self.detail = QLabel("")
        self.detail.setObjectName("supplement_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.receive_button = self._button("登记补交", "supplement_receive", self.receive)
        self.remind_button = self._button("打印补交提醒", "supplement_remind", self.remind)
        self.lapse_button = self._button("按逾期处理", "supplement_lapse", self.lapse)
        self.calls_button = self._button("电话提醒名单", "supplement_calls", self.call_list)
        self._lay_out()
        self._show_row(None)

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.scope)
        top.addWidget(self.refresh_button)
        actions = QHBoxLayout()
        buttons = (self.receive_button, self.remind_button, self.lapse_button, self.calls_button)
        for button in buttons:
            actions.addWidget(button)
        actions.addStretch(1)
        side = QVBoxLayout()
        side.addWidget(self.by)
        side.addWidget(self.tally_table, 1)
        middle = QHBoxLayout()
        middle.addWidget(self.table, 3)
        middle.addLayout(side, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addWidget(self.detail)
        layout.addLayout(actions)

    def _button(self, text: str, name: str, action: object) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(action)
        return button

    def enter(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        core = self.station.session.core
        clerk = self.station.session.actor.name if self.scope.currentData() == "mine" else None
        supplements = Supplements(core.db, core.catalog, clock=core.cases.clock)
        self.station.work.run(
            lambda: supplements.open(clerk=clerk), done=self._show, label="容缺补交"
        )

    def _show(self, rows: list[SupplementDue]) -> None:
        chosen = self.current.receipt_no if self.current else None
        self.rows = rows
        self.model.set_rows(rows)
        self._show_tally()
        late = sum(1 for r in rows if r.standing == "overdue")
        soon = sum(1 for r in rows if r.standing == "due_soon")
        if not rows:
            self.summary.setText("没有待补交的容缺材料。")
        else:
            self.summary.setText(
                f"待补交的容缺办件 {len(rows)} 件：已逾期 {late} 件（红色），"
                f"3 天内到期 {soon} 件。逾期的请先电话提醒，或按逾期处理。"
            )
        row = next((n for n, r in enumerate(rows) if r.receipt_no == chosen), 0 if rows else None)
        self.current = None
        if row is None:
            self._show_row(None)
        else:
            self.table.selectRow(row)
            self._show_row(rows[row])

    def _show_tally(self) -> None:
        by = self.by.currentData()
        self.tallies.headers = ("窗口人员" if by == "clerk" else "部门", *self.tallies.headers[1:])
        self.tallies.set_rows(tally(self.rows, by))

    def _selected(self) -> None:
        chosen = self.table.selectionModel().selectedRows()
        self._show_row(self.model.rows[chosen[0].row()] if chosen else None)

    def _show_row(self, row: SupplementDue | None) -> None:
        self.current = row
        for button in (self.receive_button, self.remind_button):
            button.setEnabled(row is not None)
        self.lapse_button.setEnabled(row is not None and row.standing == "overdue")
        self.lapse_button.setToolTip(
            "" if row is None or row.standing == "overdue" else "补交期限过后才能按逾期处理"
        )
        if row is None:
            self.detail.setText("请在上面的列表中选择一个办件。")
            return
        self.detail.setText(
            f"{row.receipt_no}　{row.scenario_name}　申请人 {mask_name(row.applicant_name)}"
            f"（{mask_phone(row.applicant_phone) or '无电话'}），受理人 {row.clerk}。\n"
            f"承诺于 {row.due_date:%Y年%m月%d日} 前补交：{'、'.join(row.materials)}"
            f"（{row.when_words}）；等待的部门：{'、'.join(row.departments)}。"
        )

    # -- the actions ------------------------------------------------------------------------------
    def receive(self) -> None:
        row = self.current
        if row is None:
            return
        dialog = ReceiveDialog(row, self)
        service, actor = self.station.session.core.cases, self.station.session.actor

        def save() -> None:
            self.station.work.run(
                lambda: service.supplement(
                    actor, row.receipt_no, dialog.materials(), status=dialog.status()
                ),
                done=lambda case: self._received(dialog, case),
                failed=lambda exc: self._refused(dialog, exc),
                label="登记补交",
            )

        dialog.submitted.connect(save)
        self._open(dialog)

    def _received(self, dialog: ActionDialog, case: CaseView) -> None:
        dialog.accept()
        if case.commitment and case.commitment.get("fulfilled_at"):
            self.station.bar.info(
                f"{case.receipt_no} 的容缺材料已全部补齐，办件继续办理（{case.state_label}）。"
            )
        else:
            left = "、".join(m.name for m in case.materials if m.status == "on_commitment")
            self.station.bar.info(f"已登记补交：{case.receipt_no}；还需补交：{left}。")
        self.refresh()

    def remind(self) -> None:
        row = self.current
        if row is not None:
            self.printouts.run(row.receipt_no, ["reminder"])

    def lapse(self) -> None:
        row = self.current
        if row is None:
            return
        dialog = LapseDialog(row, self)
        service, actor = self.station.session.core.cases, self.station.session.actor

        def save() -> None:
            self.station.work.run(
                lambda: service.lapse(actor, row.receipt_no),
                done=lambda case: self._lapsed(dialog, case),
                failed=lambda exc: self._refused(dialog, exc),
                label="按逾期处理",
            )

        dialog.submitted.connect(save)
        self._open(dialog)

    def _lapsed(self, dialog: ActionDialog, case: CaseView) -> None:
        dialog.accept()
        ended = [
            i.name
            for i in case.items
            if i.item_id in (case.commitment or {}).get("lapsed_items", [])
        ]
        going = [i.name for i in case.items if i.state in ("waiting", "dispatched")]
        said = f"{case.receipt_no} 已按逾期处理：终止 {'、'.join(ended) or '无'}，已告知承办部门。"
        if going:
            said += f"照常办理：{'、'.join(going)}。"
        self.station.bar.info(said)
        self.refresh()

    def call_list(self) -> None:
        rows = [r for r in self.rows if r.standing in ("overdue", "due_soon")]
        core, actor = self.station.session.core, self.station.session.actor

        def recorded() -> list[SupplementDue]:
            for row in rows:
                core.access.record(actor, row.receipt_no, "call_list")
            return rows

        self.station.work.run(
            recorded, done=lambda shown: self._open(CallListDialog(shown, self)), label="电话名单"
        )
