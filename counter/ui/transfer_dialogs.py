"""The dialogs of a batch leaving and being signed for: the courier's waybill (checked as it is
typed), the department's person with ID, phone and signature (on the tablet, or a scan of the
signed paper), and the department's signed receipt (from the document camera or a file).

As with the case dialogs, OK emits ``submitted`` and the dialog stays open until the screen has
saved (``accept``) or been refused (``refuse`` shows why; what was typed stays)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from app.errors import OneStopError, describe
from app.transfers.snapshots import Batch, Pickup
from app.transfers.waybill import check_waybill
from app.widgets.signature import SignaturePad
from counter.ui.case_dialogs import ActionDialog, form_rows, line_edit
from counter.ui.station import Station

COURIERS = ("中国邮政 EMS", "顺丰速运", "京东物流", "中通快递", "圆通速递", "机要通信")
FILES = "图片或 PDF (*.png *.jpg *.jpeg *.pdf)"
AskPath = Callable[[QWidget, str], str]


def ask_open_path(parent: QWidget, title: str) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, "", FILES)
    return path


def _in_a_row(*widgets: QWidget) -> QWidget:
    """Widgets side by side, left-aligned, as one row of a dialog."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return row


class CourierDialog(ActionDialog):
    submitted = Signal(str, str)  # courier, waybill number

    def __init__(self, batch: Batch, parent: QWidget | None = None) -> None:
        super().__init__(f"快递寄出 — {batch.batch_no}（{batch.department}）", "登记寄出", parent)
        self.courier = QComboBox()
        self.courier.setObjectName("courier")
        self.courier.setEditable(True)
        self.courier.addItems(COURIERS)
        self.waybill = line_edit("waybill", "", "快递面单上的运单号，可扫描条码")
        self.check = QLabel("")
        self.check.setObjectName("waybill_check")
        self.check.setWordWrap(True)
        self.waybill.textChanged.connect(self._checked)
        self.check.setMinimumHeight(self.check.fontMetrics().lineSpacing() * 3)
        self.finish(form_rows(("快递公司", self.courier), ("运单号", self.waybill)), self.check)

    def _checked(self, text: str) -> None:
        """Said while typing: an S10 number that fails its check digit, or a warning."""
        if len(text.strip()) < 13:
            self.check.setText("")
            return
        try:
            checked = check_waybill(text)
        except OneStopError as exc:
            self.check.setStyleSheet("color:#b00020;")
            self.check.setText(str(exc))
            return
        self.check.setStyleSheet("color:#8a5a00;" if checked.warning else "color:#1b6e20;")
        self.check.setText(checked.warning or "运单号格式和校验位正确。")

    def submit(self) -> None:
        self.set_busy(True)
        self.submitted.emit(self.courier.currentText(), self.waybill.text())


class _FileOrCamera:
    """A dialog part that takes one file's bytes on the work lane (never on the GUI thread)."""

    def __init__(self, station: Station, dialog: ActionDialog, label: QLabel) -> None:
        self.station = station
        self.dialog = dialog
        self.label = label
        self.data = b""
        self.ask_path: AskPath = ask_open_path

    def choose(self, title: str) -> None:
        path = self.ask_path(self.dialog, title)
        if path:
            self.station.work.run(
                lambda: Path(path).read_bytes(),
                done=lambda data: self.took(data, Path(path).name),
                failed=lambda exc: self.dialog.refuse(
                    f"读不出文件 {Path(path).name}，请换一个文件或重新扫描。"
                ),
                label="读取扫描件",
            )

    def took(self, data: bytes, where: str) -> None:
        self.data = data
        picture = QPixmap()
        if picture.loadFromData(data):
            smooth = Qt.TransformationMode.SmoothTransformation
            self.label.setPixmap(picture.scaledToWidth(320, smooth))
        else:
            self.label.setText(f"已选：{where}（{len(data) // 1024 + 1} KB）")


class PickupDialog(ActionDialog):
    """部门取件 / 后台工位交接: who takes the batch, and their signature."""

    submitted = Signal(object)  # Pickup

    def __init__(self, batch: Batch, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(f"交给部门 — {batch.batch_no}（{batch.department}）", "登记交接", parent)
        self.name = line_edit("pickup_name", "", "与其身份证一致")
        self.id_number = line_edit("pickup_id", "", "18 位居民身份证号码")
        self.phone = line_edit("pickup_phone", "", "11 位手机号码")
        self.pad = SignaturePad(hint="请取件人在此签名")
        clear = QPushButton("重签")
        clear.setObjectName("clear_signature")
        clear.clicked.connect(self.pad.clear)
        self.paper_label = QLabel("")
        self.paper = _FileOrCamera(station, self, self.paper_label)
        paper = QPushButton("或选择签字纸质单的扫描件…")
        paper.setObjectName("signature_file")
        paper.clicked.connect(lambda: self.paper.choose("选择签字的交接单扫描件"))
        self.finish(
            form_rows(
                ("取件人", self.name), ("身份证号码", self.id_number), ("手机号码", self.phone)
            ),
            self.pad,
            _in_a_row(clear, paper, self.paper_label),
        )

    def signature(self) -> bytes:
        return self.pad.png() or self.paper.data

    def submit(self) -> None:
        signature = self.signature()
        if not signature:
            self.refuse("请取件人在签名板上签名，或选择签字纸质单的扫描件。")
            return
        self.set_busy(True)
        self.submitted.emit(
            Pickup(self.name.text(), self.id_number.text(), self.phone.text(), signature)
        )


class ReceiptDialog(ActionDialog):
    """签收凭证: the department's signed receipt, photographed or chosen as a file."""

    submitted = Signal(bytes)

    def __init__(self, batch: Batch, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(f"登记签收 — {batch.batch_no}（{batch.department}）", "登记签收", parent)
        self.station = station
        self.shown = QLabel(
            "还没有签收凭证。请把部门签字盖章的交接单放到高拍仪下拍摄，或选择扫描文件。"
        )
        self.shown.setObjectName("receipt_shown")
        self.shown.setWordWrap(True)
        self.shown.setMinimumHeight(160)
        self.scan = _FileOrCamera(station, self, self.shown)
        camera = QPushButton("拍摄签收凭证")
        camera.setObjectName("capture_receipt")
        camera.setEnabled(station.session.devices.capture is not None)
        camera.clicked.connect(self.capture)
        file = QPushButton("选择扫描文件…")
        file.setObjectName("receipt_file")
        file.clicked.connect(lambda: self.scan.choose("选择签收凭证扫描件"))
        self.finish(self.shown, _in_a_row(camera, file))

    def capture(self) -> None:
        camera = self.station.session.devices.capture
        if camera is None:
            return
        self.station.devices.run(
            lambda: camera.capture().png,
            done=lambda png: self.scan.took(png, "拍摄的签收凭证"),
            failed=lambda exc: self.refuse(describe(exc)[0]),
            label="拍摄签收凭证",
        )

    def submit(self) -> None:
        if not self.scan.data:
            self.refuse("请先拍摄或选择部门签字的签收凭证。")
            return
        self.set_busy(True)
        self.submitted.emit(self.scan.data)
