"""The outbox opened from the status bar: every message not yet at the platform, with the
platform's reason for those it returned; resend one (after the case was put right) or cancel it
with a reason. Both are audited by the core."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.cases.outbox import Message
from app.cases.receipts import hall_time
from app.db.base import utcnow
from app.roles import allowed
from app.widgets.rows import RowsModel, read_only_table
from counter.ui.station import Station

UNSENT = ("attention", "retrying", "pending", "in_flight")
HEADERS = ("受理编号", "内容", "状态", "尝试", "平台原因 / 最近错误", "生成时间")


class MessageModel(RowsModel[Message]):
    headers = HEADERS

    @property
    def messages(self) -> list[Message]:
        return self.rows

    def cell(self, message: Message, column: int, role: int) -> object:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        local = hall_time(message.created_at, "%m-%d %H:%M")
        reason = message.note or message.last_error
        return (
            message.receipt_no,
            message.kind_label,
            message.state_label,
            str(message.attempts),
            reason,
            local,
        )[column]


class OutboxDialog(QDialog):
    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.setWindowTitle("发送队列 — 未送达平台的消息")
        self.model = MessageModel(self)
        self.table = read_only_table("outbox_table", self.model, 4)
        self.info = QLabel("")
        self.info.setObjectName("outbox_info")
        self.info.setWordWrap(True)
        self.reason = QLineEdit()
        self.reason.setObjectName("cancel_reason")
        self.reason.setPlaceholderText("取消发送的原因（必填，如：已在平台人工补录）")
        self.resend_button = QPushButton("重发")
        self.resend_button.setObjectName("resend")
        self.resend_button.clicked.connect(self.resend)
        self.cancel_button = QPushButton("取消发送")
        self.cancel_button.setObjectName("cancel_message")
        self.cancel_button.clicked.connect(self.cancel)
        if not allowed(station.session.actor, "outbox.cancel"):  # the service refuses it anyway
            self.cancel_button.setEnabled(False)
            self.reason.setEnabled(False)
            self.cancel_button.setToolTip("只有管理员可以取消发往平台的消息")
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        actions = QHBoxLayout()
        actions.addWidget(self.reason, 1)
        for button in (self.cancel_button, self.resend_button, refresh, close):
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.info)
        layout.addLayout(actions)
        self.resize(980, 480)
        self.refresh()

    def refresh(self) -> None:
        outbox = self.station.session.core.outbox
        self.station.work.run(
            lambda: outbox.messages(states=UNSENT, limit=500), done=self._show, label="发送队列"
        )

    def _show(self, messages: list[Message]) -> None:
        self.model.set_rows(messages)
        attention = sum(1 for m in messages if m.state == "attention")
        self.info.setText(
            f"共 {len(messages)} 条未送达；其中 {attention} 条被平台退回，需要处理。"
            "网络恢复后其余的会自动发送。"
            if messages
            else "全部消息都已送达平台。"
        )
        if messages:
            self.table.selectRow(0)

    def selected(self) -> Message | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.messages[rows[0].row()] if rows else None

    def resend(self) -> None:
        message = self.selected()
        if message is None:
            self.station.bar.error("请先在列表中选择一条消息。")
            return
        outbox, actor = self.station.session.core.outbox, self.station.session.actor
        self.station.work.run(
            lambda: outbox.resend(message.id, actor, now=utcnow()),
            done=lambda _: self._done(f"{message.receipt_no} 的消息将重新发送。"),
            label="重发",
        )

    def cancel(self) -> None:
        message = self.selected()
        if message is None:
            self.station.bar.error("请先在列表中选择一条消息。")
            return
        outbox, actor = self.station.session.core.outbox, self.station.session.actor
        reason = self.reason.text()
        self.station.work.run(
            lambda: outbox.cancel(message.id, actor, reason),
            done=lambda _: self._done(f"{message.receipt_no} 的消息已取消发送。"),
            label="取消发送",
        )

    def _done(self, text: str) -> None:
        self.reason.clear()
        self.station.bar.info(text)
        self.refresh()
