"""流转追踪: for any case, where each of its papers is now and every hand-over — from whom, to
whom, when, by whom, on which slip — oldest first. The answer of ``onestop transfers trace``."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.transfers.snapshots import CustodyEvent, Trace, TransferItem
from app.widgets.rows import CellsModel, read_only_table
from counter.backoffice import event_line, read_scan, where_now
from counter.ui.station import Station

DIRECTIONS = {"out": "送往部门", "back": "回到窗口"}


class TraceScreen(QWidget):
    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.trace: Trace | None = None
        self.items = CellsModel[TransferItem](
            ("材料 / 结果", "方向", "部门", "原件", "复印件", "现在", "交接单"),
            lambda i: (
                i.name,
                DIRECTIONS[i.direction],
                i.department,
                str(i.originals or ""),
                str(i.copies or ""),
                i.state_label,
                i.batch_no,
            ),
            self,
        )
        self.events = CellsModel[CustodyEvent](
            ("时间", "材料 / 结果", "环节（经办人）", "从", "到", "交接单"), event_line, self
        )
        self.code = QLineEdit()
        self.code.setObjectName("trace_code")
        self.code.setPlaceholderText("扫描受理凭证二维码，或输入受理编号后回车")
        self.code.returnPressed.connect(lambda: self.scanned(self.code.text()))
        find = QPushButton("查询")
        find.setObjectName("trace_find")
        find.clicked.connect(lambda: self.scanned(self.code.text()))
        self.summary = QLabel("输入受理编号，查看每份纸质材料现在在哪里、经过了谁的手。")
        self.summary.setObjectName("trace_summary")
        self.summary.setWordWrap(True)
        self.item_table = read_only_table("trace_items", self.items, 0)
        self.event_table = read_only_table("trace_events", self.events, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("受理编号："))
        row.addWidget(self.code, 1)
        row.addWidget(find)
        where = QGroupBox("现在在哪里")
        QVBoxLayout(where).addWidget(self.item_table)
        hands = QGroupBox("每一次交接（最早的在前）")
        QVBoxLayout(hands).addWidget(self.event_table)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(where, 2)
        layout.addWidget(hands, 3)

    def enter(self) -> None:
        self.code.setFocus()
        self.code.selectAll()

    def scanned(self, text: str) -> None:
        scan = read_scan(text, self.station.session.check_qr)
        if scan.kind != "receipt":
            self.station.bar.error(
                scan.problem or "请扫描或输入受理编号；交接单请在“材料流转”中查看。"
            )
            return
        self.code.setText(scan.number)
        session = self.station.session
        ledger, access, number = session.core.transfers, session.core.access, scan.number

        def read() -> Trace:
            access.record(session.actor, number, "trace")
            return ledger.trace(number)

        self.station.work.run(read, done=self.show_trace, label="查询流转记录")

    def show_trace(self, trace: Trace) -> None:
        self.trace = trace
        self.summary.setText(where_now(trace))
        self.items.set_rows(list(trace.items))
        self.events.set_rows(list(trace.events))
