"""结果回收 (GB/T 45836 §7.7 d): results and returned materials coming back from the departments.
Scan the batch's slip (its cases are listed) or a case's receipt; tick what came back; the case
then shows 结果已到窗口 and the window hands it over. Below: everything at the window that the
applicants have not collected yet, oldest first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
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
from app.cases.snapshots import CaseView
from app.db.base import utcnow
from app.transfers.snapshots import TransferItem
from app.widgets.rows import CellsModel, read_only_table
from counter.backoffice import Returnable, day, local, local_day, read_scan, returnable
from counter.ui.station import Station


@dataclass(frozen=True)
class Loaded:
    case: CaseView
    back: Returnable


class CheckInScreen(QWidget):
    checked_in = Signal(str)  # receipt number

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
        self.loaded: Loaded | None = None
        self.ticks: list[tuple[QCheckBox, str, tuple[str, str]]] = []
        self.cases = CellsModel[tuple[str, str]](("受理编号", "部门"), lambda c: c, self)
        self.waiting = CellsModel[TransferItem](
            ("受理编号", "结果 / 退回材料", "来自", "到窗口", "已等待", "承诺办结"),
            lambda i: (
                i.receipt_no,
                ("退回：" if i.kind == "returned" else "") + i.name,
                i.department,
                local(i.created_at),
                f"{(self.today() - local_day(i.created_at)).days} 天",
                day(i.promised_date),
            ),
            self,
        )
        self.code = QLineEdit()
        self.code.setObjectName("check_in_code")
        self.code.setPlaceholderText("扫描交接单条码或受理凭证二维码，或输入编号后回车")
        self.code.returnPressed.connect(lambda: self.scanned(self.code.text()))
        self.case_table = read_only_table("check_in_cases", self.cases, 1)
        self.case_table.selectionModel().currentRowChanged.connect(
            lambda current, _: self._case_chosen(current.row())
        )
        self.heading = QLabel("扫描交接单或受理凭证后，勾选到窗口的结果和退回的材料。")
        self.heading.setObjectName("check_in_heading")
        self.heading.setWordWrap(True)
        self.choices = QVBoxLayout()
        self.save = QPushButton("登记到窗口")
        self.save.setObjectName("check_in")
        self.save.clicked.connect(self.check_in)
        self.save.setEnabled(False)
        self.at_window = read_only_table("at_window", self.waiting, 1)
        self._lay_out()

    def _lay_out(self) -> None:
        chosen = QGroupBox("本次回到窗口的")
        column = QVBoxLayout(chosen)
        column.addWidget(self.heading)
        column.addLayout(self.choices)
        column.addStretch(1)
        column.addWidget(self.save, 0, Qt.AlignmentFlag.AlignRight)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.case_table)
        top.addWidget(chosen)
        top.setStretchFactor(1, 2)
        self.case_table.setMinimumWidth(420)
        waiting = QGroupBox("已到窗口、申请人尚未领取")
        QVBoxLayout(waiting).addWidget(self.at_window)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(waiting)
        row = QHBoxLayout()
        row.addWidget(QLabel("扫码："))
        row.addWidget(self.code, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(split, 1)

    def enter(self) -> None:
        ledger = self.station.session.core.transfers
        self.station.work.run(
            ledger.at_window, done=self.waiting.set_rows, label="读取已到窗口的结果"
        )
        self.code.setFocus()

    # -- what came back ---------------------------------------------------------------------------
    def scanned(self, text: str) -> None:
        self.code.clear()
        core = self.station.session.core
        scan = read_scan(text, self.station.session.check_qr)
        if not scan.kind:
            self.station.bar.error(scan.problem)
            return
        if scan.kind == "batch":

            def cases() -> list[tuple[str, str]]:
                batch = core.transfers.batch(scan.number)
                return sorted({(i.receipt_no, i.department) for i in batch.items})

            self.station.work.run(cases, done=self._listed, label="读取交接单")
            return
        self._listed([(scan.number, "")])

    def _listed(self, cases: list[tuple[str, str]]) -> None:
        self.cases.set_rows(cases)
        if cases:
            self.case_table.selectRow(0)
            self._case_chosen(0)

    def _case_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.cases.rows):
            return
        receipt_no = self.cases.rows[row][0]
        core = self.station.session.core

        def load() -> Loaded:
            case = core.cases.get(receipt_no)
            return Loaded(case, returnable(case, core.transfers.trace(receipt_no)))

        self.station.work.run(load, done=self.show_case, label="读取办件")

    def show_case(self, loaded: Loaded) -> None:
        self.loaded = loaded
        for box, *_ in self.ticks:
            box.deleteLater()
        self.ticks = []
        case, back = loaded.case, loaded.back
        self.heading.setText(
            f"{case.receipt_no}　{case.applicant.name}　{case.scenario_name}（{case.state_label}）"
        )
        for name, department in back.results:
            self._tick(f"结果：{name}（{department}）", "result", (name, department))
        for material_id, label in back.returned:
            self._tick(f"退回原件：{label}", "returned", (material_id, ""))
        if not self.ticks:
            self.heading.setText(self.heading.text() + "\n这件办件的结果和材料都已登记到窗口。")
        self.save.setEnabled(bool(self.ticks))

    def _tick(self, text: str, kind: str, value: tuple[str, str]) -> None:
        box = QCheckBox(text)
        box.setObjectName(f"back_{len(self.ticks)}")
        self.choices.addWidget(box)
        self.ticks.append((box, kind, value))

    def check_in(self) -> None:
        loaded = self.loaded
        if loaded is None:
            return
        results = [v for box, kind, v in self.ticks if kind == "result" and box.isChecked()]
        returned = [v[0] for box, kind, v in self.ticks if kind == "returned" and box.isChecked()]
        if not results and not returned:
            self.station.bar.error("请勾选本次回到窗口的结果或退回的材料。")
            return
        session = self.station.session
        receipt_no = loaded.case.receipt_no
        self.save.setEnabled(False)

        def done(case: CaseView) -> None:
            self.station.bar.info(
                f"{receipt_no} 结果已到窗口，可通知申请人领取（在“查询办件”中出件）。"
            )
            self.checked_in.emit(receipt_no)
            self.enter()
            row = self.case_table.currentIndex().row()
            self._case_chosen(max(row, 0))

        def failed(exc: BaseException) -> None:
            self.save.setEnabled(True)
            self.station.bar.show_exception(exc)

        self.station.work.run(
            lambda: session.core.transfers.check_in(
                session.actor, receipt_no, results=results, returned=returned
            ),
            done=done,
            failed=failed,
            label="登记结果到窗口",
        )
