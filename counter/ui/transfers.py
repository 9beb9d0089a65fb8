"""材料流转: what waits for each department (oldest first, with the promised dates), the open and
sent batches (overdue ones in red), and the batch in hand — cases scanned or picked into it, its
slip previewed and printed, sent by courier or handed to the department's person, and signed off
with the department's scanned receipt. Every step is the ledger's: a refusal says why and nothing
changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.cases.receipts import hall_day
from app.db.base import utcnow
from app.errors import describe
from app.roles import allowed
from app.settings import ROUTE_LABELS
from app.transfers.snapshots import NOT_SIGNED_OFF, Batch, BatchChanges, TransferItem, Waiting
from app.widgets.pdf_preview import PdfPreview, Raster, rasterise
from app.widgets.rows import CellsModel, read_only_table
from counter.backoffice import (
    SEND_BUTTONS,
    actions,
    batch_facts,
    day,
    local,
    local_day,
    read_scan,
    send_kind,
)
from counter.ui.case_dialogs import ActionDialog
from counter.ui.station import Station
from counter.ui.transfer_dialogs import CourierDialog, PickupDialog, ReceiptDialog


class TransfersScreen(QWidget):
    changed = Signal(str)  # a batch changed (its number)

    def __init__(
        self,
        station: Station,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = lambda: hall_day(utcnow()),
    ) -> None:
        super().__init__(parent)
        self.station = station
        self.today = today
        self.batch: Batch | None = None
        self.dialog: ActionDialog | None = None
        self.preview: PdfPreview | None = None
        routes = station.session.core.settings.transfers
        self.departments = CellsModel[Waiting](
            ("部门", "流转方式", "待流转", "最早收取", "最早承诺办结"),
            lambda w: (
                w[0],
                ROUTE_LABELS[routes.route(w[0])],
                f"{w[1]} 份",
                local(w[2]),
                day(w[3]),
            ),
            self,
        )
        self.waiting = CellsModel[TransferItem](
            ("受理编号", "材料", "原件", "复印件", "已等待", "承诺办结"),
            lambda i: (
                i.receipt_no,
                i.shown_name,
                str(i.originals or ""),
                str(i.copies or ""),
                f"{(self.today() - local_day(i.created_at)).days} 天",
                day(i.promised_date),
            ),
            self,
            flagged=lambda i: i.promised_date is not None and i.promised_date <= self.today(),
        )
        self.batches = CellsModel[Batch](
            ("交接单", "部门", "状态", "办件", "应签收"),
            lambda b: (
                b.batch_no,
                b.department,
                b.state_label + ("（超期）" if b.overdue(self.today()) else ""),
                str(b.cases),
                day(b.due_date),
            ),
            self,
            flagged=lambda b: b.overdue(self.today()),
        )
        self.items = CellsModel[TransferItem](
            ("受理编号", "材料", "原件", "复印件", "承诺办结"),
            lambda i: (
                i.receipt_no,
                i.shown_name,
                str(i.originals or ""),
                str(i.copies or ""),
                day(i.promised_date),
            ),
            self,
        )
        self._lay_out()

    # -- layout -----------------------------------------------------------------------------------
    def _lay_out(self) -> None:
        self.code = QLineEdit()
        self.code.setObjectName("transfer_code")
        self.code.setPlaceholderText("扫描受理凭证二维码 / 交接单条码，或输入编号后回车")
        self.code.returnPressed.connect(lambda: self.scanned(self.code.text()))
        self.department_table = read_only_table("waiting_departments", self.departments, 0)
        self.department_table.selectionModel().currentRowChanged.connect(
            lambda current, _: self._department_chosen(current.row())
        )
        self.waiting_table = read_only_table("waiting_items", self.waiting, 1)
        self.waiting_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.batch_table = read_only_table("batches", self.batches, 1)
        self.batch_table.selectionModel().currentRowChanged.connect(
            lambda current, _: self._batch_chosen(current.row())
        )
        self.item_table = read_only_table("batch_items", self.items, 1)
        self.facts = QFormLayout()
        self._make_buttons()
        self._lay_out_sides(QGroupBox("待流转的纸质材料（最早收取的在前）"))

    def _make_buttons(self) -> None:
        self.buttons: dict[str, QPushButton] = {}
        for name, text, slot in (
            ("new_batch", "为该部门新建交接单", self.new_batch),
            ("add_selected", "把所选办件放入交接单", self.add_selected),
            ("remove", "取出所选材料", self.remove_selected),
            ("print", "预览并打印交接单", self.print_slip),
            ("send", "登记发出…", self.send),
            ("confirm", "登记部门签收…", self.confirm),
            ("refresh", "刷新", self.enter),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            self.buttons[name] = button

    def _lay_out_sides(self, waiting: QGroupBox) -> None:
        left = QVBoxLayout(waiting)
        left.addWidget(self.department_table, 2)
        left.addWidget(self.waiting_table, 3)
        row = QHBoxLayout()
        row.addWidget(self.buttons["new_batch"])
        row.addWidget(self.buttons["add_selected"])
        row.addStretch(1)
        left.addLayout(row)
        batches = QGroupBox("交接单（组批中、待签收；超期的标红）")
        QVBoxLayout(batches).addWidget(self.batch_table)
        column = QSplitter(Qt.Orientation.Vertical)
        column.addWidget(waiting)
        column.addWidget(batches)
        column.setStretchFactor(0, 3)
        column.setStretchFactor(1, 2)
        current = QGroupBox("当前交接单")
        right = QVBoxLayout(current)
        right.addLayout(self.facts)
        right.addWidget(self.item_table, 1)
        row = QHBoxLayout()
        for name in ("remove", "print", "send", "confirm"):
            row.addWidget(self.buttons[name])
        row.addStretch(1)
        right.addLayout(row)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(column)
        split.addWidget(current)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        top = QHBoxLayout()
        top.addWidget(QLabel("扫码："))
        top.addWidget(self.code, 1)
        top.addWidget(self.buttons["refresh"])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.show_batch(None)

    # -- loading ----------------------------------------------------------------------------------
    def enter(self) -> None:
        """Reload what waits and the batches (the batch in hand too)."""
        ledger = self.station.session.core.transfers
        number = self.batch.batch_no if self.batch else ""

        def load() -> tuple[list[Waiting], list[Batch], Batch | None]:
            batch = ledger.batch(number) if number else None
            return ledger.waiting_by_department(), ledger.batches(), batch

        self.station.work.run(load, done=self._loaded, label="读取待流转材料")
        self.code.setFocus()

    def _loaded(self, loaded: tuple[list[Waiting], list[Batch], Batch | None]) -> None:
        departments, batches, batch = loaded
        self._show_departments(departments)
        self.batches.set_rows(batches)
        self.show_batch(batch)

    def _show_departments(self, departments: list[Waiting]) -> None:
        """The departments' lines; the chosen one (or the first) chosen again, which reads what
        waits for it."""
        chosen = self.department()
        self.departments.set_rows(departments)
        names = [d for d, *_ in departments]
        if chosen in names:
            self.department_table.selectRow(names.index(chosen))
        elif departments:
            self.department_table.selectRow(0)
        else:
            self.waiting.set_rows([])

    def department(self) -> str:
        row = self.department_table.currentIndex().row()
        return self.departments.rows[row][0] if 0 <= row < len(self.departments.rows) else ""

    def _department_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.departments.rows):
            return
        department = self.departments.rows[row][0]
        ledger = self.station.session.core.transfers
        self.station.work.run(
            lambda: ledger.waiting(department), done=self.waiting.set_rows, label="读取待流转材料"
        )

    def _batch_chosen(self, row: int) -> None:
        if 0 <= row < len(self.batches.rows):
            self.show_batch(self.batches.rows[row])

    def show_batch(self, batch: Batch | None) -> None:
        self.batch = batch
        while self.facts.rowCount():
            self.facts.removeRow(0)
        if batch is None:
            self.facts.addRow(QLabel("选择一张交接单，或为左侧的部门新建一张。"))
            self.items.set_rows([])
        else:
            for label, text in batch_facts(batch, self.today()):
                value = QLabel(text)
                value.setObjectName(f"fact_{label}")
                value.setWordWrap(True)
                value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                if label == "状态" and batch.overdue(self.today()):
                    value.setStyleSheet("color:#b00020; font-weight:bold;")
                self.facts.addRow(label, value)
            self.items.set_rows(list(batch.items))
        may_confirm = allowed(self.station.session.actor, "transfer.confirm")
        can = actions(batch, may_confirm=may_confirm)
        self.buttons["remove"].setEnabled(can.add)
        self.buttons["print"].setEnabled(can.print)
        self.buttons["send"].setEnabled(can.send)
        self.buttons["confirm"].setEnabled(can.confirm)
        if batch is not None:
            self.buttons["send"].setText(SEND_BUTTONS.get(batch.route, "登记发出…"))

    # -- applying a step's result (no reload) ----------------------------------------------------
    def _applied(self, result: Batch | BatchChanges, on: Batch | None) -> Batch:
        """The step's batch (as shown now, else ``on``, with the step's changes; or as the step
        returned it) shown and put in the list of batches; what waits changed as the step says."""
        if isinstance(result, BatchChanges):
            number = result.batch_no
            shown = [b for b in (self.batch, *self.batches.rows, on) if b and b.batch_no == number]
            self._waiting_changed(result)
            result = result.applied(shown[0])
        rows = [b for b in self.batches.rows if b.batch_no != result.batch_no]
        if result.state in NOT_SIGNED_OFF:
            numbers = [b.batch_no for b in self.batches.rows]
            at = numbers.index(result.batch_no) if result.batch_no in numbers else len(rows)
            rows.insert(at, result)
        self.batches.set_rows(rows)
        self.show_batch(result)
        return result

    def _waiting_changed(self, changes: BatchChanges) -> None:
        """The department's line replaced (the lines read again when it is gone or moves); its
        waiting papers, when it is the chosen one, without those put in, with those taken out."""
        rows = self.departments.rows
        kept = [w for w in rows if w[0] != changes.department]
        lines = sorted([*kept, *([changes.waiting] if changes.waiting else [])], key=lambda w: w[2])
        if [w[0] for w in lines] != [w[0] for w in rows]:
            self._show_departments(lines)
            return
        if changes.waiting:
            self.departments.replace(
                [w[0] for w in rows].index(changes.department), changes.waiting
            )
        if self.department() == changes.department:
            gone = {i.id for i in changes.added}
            papers = [i for i in self.waiting.rows if i.id not in gone] + list(changes.removed)
            self.waiting.set_rows(sorted(papers, key=lambda i: (i.created_at, i.id)))

    # -- building a batch -------------------------------------------------------------------------
    def _do(
        self,
        work: Callable[[], Batch | BatchChanges],
        said: Callable[[Batch], str],
        dialog: ActionDialog | None = None,
        *,
        on: Batch | None = None,
    ) -> None:
        """A ledger step on the work lane (on batch ``on`` when it returns changes to it): its
        result applied, its batch shown, ``said`` said."""

        def done(result: Batch | BatchChanges) -> None:
            if dialog is not None:
                dialog.accept()
            batch = self._applied(result, on)
            self.station.bar.info(said(batch))
            self.changed.emit(batch.batch_no)

        def failed(exc: BaseException) -> None:
            self.station.bar.show_exception(exc)
            if dialog is not None:
                dialog.refuse(describe(exc)[0])

        self.station.work.run(work, done=done, failed=failed, label="材料流转")

    def new_batch(self) -> None:
        department = self.department()
        if not department:
            self.station.bar.error("请先在左侧选择一个有待流转材料的部门。")
            return
        ledger, actor = self.station.session.core.transfers, self.station.session.actor
        self._do(
            lambda: ledger.open_batch(actor, department),
            lambda b: f"已新建{b.department}的交接单 {b.batch_no}，请扫描办件凭证放入材料。",
        )

    def scanned(self, text: str) -> None:
        """A receipt goes into the batch in hand; a slip's code opens that batch."""
        self.code.clear()
        session = self.station.session
        scan = read_scan(text, session.check_qr)
        if not scan.kind:
            self.station.bar.error(scan.problem)
            return
        ledger = session.core.transfers
        if scan.kind == "batch":
            self.station.work.run(
                lambda: ledger.batch(scan.number), done=self.show_batch, label="读取交接单"
            )
            return
        self.add_case(scan.number)

    def add_case(self, receipt_no: str) -> None:
        batch = self.batch
        if batch is None or batch.state != "open":
            self.station.bar.error("请先新建或选择一张组批中的交接单，再扫描办件凭证。")
            return
        ledger, actor = self.station.session.core.transfers, self.station.session.actor
        before = len(batch.items)
        self._do(
            lambda: ledger.put_in(actor, batch.batch_no, [receipt_no]),
            lambda b: (
                f"{receipt_no} 的 {len(b.items) - before} 份材料已放入 {b.batch_no}"
                f"（共 {b.cases} 件办件）。"
            ),
            on=batch,
        )

    def add_selected(self) -> None:
        """The cases picked in the waiting list (Ctrl/Shift to pick many, Ctrl+A all of them)."""
        rows = self.waiting_table.selectionModel().selectedRows()
        if not rows:
            self.station.bar.error("请先在待流转材料中选择办件（按住 Ctrl 或 Shift 可多选）。")
            return
        batch = self.batch
        if batch is None or batch.state != "open":
            self.station.bar.error("请先新建或选择一张组批中的交接单，再放入办件。")
            return
        numbers = list(dict.fromkeys(self.waiting.rows[r.row()].receipt_no for r in rows))
        ledger, actor = self.station.session.core.transfers, self.station.session.actor
        self._do(
            lambda: ledger.put_in(actor, batch.batch_no, numbers),
            lambda b: f"{len(numbers)} 件办件的材料已放入 {b.batch_no}（共 {b.cases} 件办件）。",
            on=batch,
        )

    def remove_selected(self) -> None:
        batch = self.batch
        rows = self.item_table.selectionModel().selectedRows()
        if batch is None or not rows:
            self.station.bar.error("请先在当前交接单中选择要取出的材料。")
            return
        item = self.items.rows[rows[0].row()]
        ledger, actor = self.station.session.core.transfers, self.station.session.actor
        self._do(
            lambda: ledger.take_out(actor, batch.batch_no, item.id),
            lambda b: f"已从 {b.batch_no} 取出 {item.receipt_no} 的{item.name}，它回到待流转。",
            on=batch,
        )

    # -- the slip, leaving, signing off -----------------------------------------------------------
    def print_slip(self) -> None:
        batch = self.batch
        if batch is None:
            return
        papers = self.station.session.papers

        def render() -> tuple[bytes, list[Raster]]:
            pdf = papers.transfer_slip(batch.batch_no)
            return pdf, rasterise(pdf)

        self.station.work.run(
            render, done=lambda made: self._preview(batch, *made), label="预览交接单"
        )

    def _preview(self, batch: Batch, pdf: bytes, pages: list[Raster]) -> None:
        """What is previewed is what prints (the same bytes, not rendered again)."""
        self.preview = PdfPreview(f"材料流转交接单 {batch.batch_no} — 打印预览", pages, parent=self)
        papers = self.station.session.papers

        def send() -> None:
            self.station.work.run(
                lambda: papers.print_transfer_slip(batch.batch_no, pdf),
                done=lambda job: self.station.bar.info(
                    f"交接单 {batch.batch_no} 已送打印机（作业 {job}）。"
                ),
                label="打印交接单",
            )

        self.preview.accepted.connect(send)
        self.preview.open()

    def send(self) -> None:
        batch = self.batch
        if batch is None:
            return
        ledger, actor = self.station.session.core.transfers, self.station.session.actor
        if send_kind(batch) == "courier":
            courier = CourierDialog(batch, self)
            courier.submitted.connect(
                lambda name, waybill: self._do(
                    lambda: ledger.send_by_courier(
                        actor, batch.batch_no, courier=name, waybill=waybill
                    ),
                    lambda b: (
                        f"交接单 {b.batch_no} 已由{b.courier}寄出（运单号 {b.waybill}）。"
                        + (f"注意：{b.waybill_warning}" if b.waybill_warning else "")
                    ),
                    courier,
                )
            )
            self._open(courier)
            return
        pickup = PickupDialog(batch, self.station, self)
        pickup.submitted.connect(
            lambda person: self._do(
                lambda: ledger.hand_over(actor, batch.batch_no, person),
                lambda b: (
                    f"交接单 {b.batch_no} 已交{b.department} {person.name.strip()}，签名已保存。"
                ),
                pickup,
            )
        )
        self._open(pickup)

    def confirm(self) -> None:
        batch = self.batch
        if batch is None:
            return
        session = self.station.session
        receipt = ReceiptDialog(batch, self.station, self)
        receipt.submitted.connect(
            lambda scan: self._do(
                lambda: session.core.transfers.confirm(session.actor, batch.batch_no, scan),
                lambda b: f"交接单 {b.batch_no} 已登记{b.department}签收。",
                receipt,
            )
        )
        self._open(receipt)

    def _open(self, dialog: ActionDialog) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.show()
