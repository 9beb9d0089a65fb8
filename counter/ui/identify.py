"""Step 1 — who is applying: the ID card on the reader (F2), a typed ID number checked as it is
typed, an enterprise by its credit code, and an agent (代办人) besides the applicant."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.cases.applicant import Applicant, CardChange
from app.devices.protocols import DeviceError
from app.errors import OneStopError
from app.identity.card import IdCardData, card_summary
from app.identity.uscc import is_valid_credit_code
from app.widgets.barcodes import codes_in, codes_in_file
from counter.ui.card_change import ask_card_change
from counter.ui.display import em
from counter.ui.station import Screen, Station

PHOTO_BOX = QSize(102, 126)  # the card photo's own size (GA/T 467)
OK = "color:#1b5e20;"
BAD = "color:#b00020;"


def _line(name: str, placeholder: str = "", chars: float = 0) -> QLineEdit:
    """A field ``chars`` characters wide at most (in the screen's font: wider on a large one)."""
    line = QLineEdit()
    line.setObjectName(name)
    line.setPlaceholderText(placeholder)
    if chars:
        line.setMinimumWidth(em(line, min(chars, 15)))
        line.setMaximumWidth(em(line, chars))
    return line


class IdentifyScreen(Screen):
    title = "申请人"
    identified = Signal()
    code_read = Signal(str)  # a QR code read from an image: handled like a scanner's

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(station, parent)
        self.kind = QButtonGroup(self)
        self.person = QRadioButton("个人")
        self.enterprise = QRadioButton("企业")
        self.person.setChecked(True)
        for button in (self.person, self.enterprise):
            self.kind.addButton(button)
            button.toggled.connect(self._kind_changed)
        self.read = QPushButton("读身份证 (F2)")
        self.read.setObjectName("read_card")
        self.read.clicked.connect(self.read_card)
        # 培训模式: a test person's card, beside the real reader
        self.practice = QPushButton("模拟读卡（培训）")
        self.practice.setObjectName("practice_card")
        self.practice.setToolTip("培训模式：读取测试人员的模拟身份证，不需要真实证件")
        self.practice.clicked.connect(lambda: self.read_card(practice=True))
        self.practice.setVisible(station.session.devices.practice_reader is not None)
        self.number = _line("id_number", "18位公民身份号码，或刷身份证", 20)
        self.number.textChanged.connect(self._number_changed)
        self.number_hint = QLabel("")
        self.number_hint.setObjectName("id_hint")
        self.name = _line("name", "与证件一致", 20)
        self.phone = _line("phone", "手机号码", 20)
        self.address = _line("address", "联系地址")
        self.company = _line("company", "与营业执照一致", 26)
        self.code = _line("credit_code", "18位统一社会信用代码", 20)
        self.code.textChanged.connect(self._code_changed)
        self.code_hint = QLabel("")

        form = self._form()

        self._agent()

        self.sources = QLabel("")
        self.sources.setObjectName("sources")
        self.sources.setWordWrap(True)
        self.next = QPushButton("下一步：选择一件事 (Enter)")
        self.next.setObjectName("identify_next")
        self.next.setDefault(True)
        self.next.clicked.connect(self.confirm)
        for line in (self.number, self.name, self.phone, self.address, self.company, self.code):
            line.returnPressed.connect(self.confirm)

        codes = self._codes_row()

        self.photo = self._photo_label()
        top = QHBoxLayout()
        top.addLayout(form, 1)
        top.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.agent_box)
        layout.addLayout(codes)
        layout.addWidget(self.sources)
        layout.addStretch(1)
        layout.addWidget(self.next)
        self._keys()
        self._kind_changed()

    def _keys(self) -> None:
        QShortcut(QKeySequence("F2"), self, self.read_card)
        for first, second in (
            (self.number, self.name),
            (self.name, self.phone),
            (self.phone, self.address),
        ):
            self.setTabOrder(first, second)

    def _codes_row(self) -> QHBoxLayout:
        codes = QHBoxLayout()
        codes.addWidget(QLabel("扫码枪坏了或凭条在手机上？"))
        self.code_file = QPushButton("识别图片中的二维码…")
        self.code_file.setObjectName("code_from_file")
        self.code_file.clicked.connect(self.choose_code_image)
        self.code_camera = QPushButton("用高拍仪识别二维码")
        self.code_camera.setObjectName("code_from_camera")
        self.code_camera.clicked.connect(self.code_from_camera)
        codes.addWidget(self.code_file)
        codes.addWidget(self.code_camera)
        codes.addStretch(1)
        return codes

    def _agent(self) -> None:
        self.agent_box = QGroupBox("代办人（他人代为办理时填写）")
        self.agent_box.setObjectName("agent_box")
        self.agent_box.setCheckable(True)
        self.agent_box.setChecked(False)
        self.agent_name = _line("agent_name", "代办人姓名", 15)
        self.agent_number = _line("agent_id_number", "代办人身份证号", 20)
        self.agent_phone = _line("agent_phone", "代办人手机", 15)
        self.read_agent = QPushButton("读代办人身份证")
        self.read_agent.clicked.connect(self.read_agent_card)
        agent = QHBoxLayout(self.agent_box)
        for widget in (self.agent_name, self.agent_number, self.agent_phone, self.read_agent):
            agent.addWidget(widget)

    @staticmethod
    def _row(*widgets: QWidget) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        layout.addStretch(1)
        return row

    def enter(self) -> None:
        applicant = self.in_hand.applicant
        if applicant is None:
            for line in self.findChildren(QLineEdit):
                line.clear()
            self.agent_box.setChecked(False)
            self.person.setChecked(True)
            self.sources.setText("")
            self.show_photo(None)
            self.number.setFocus()
        else:
            self._show(applicant)

    # -- the ID card ------------------------------------------------------------------------------
    def read_card(self, *, practice: bool = False) -> None:
        devices = self.station.session.devices
        reader = devices.practice_reader if practice else devices.id_reader
        if reader is None:
            self._no_reader()
            return
        self.read.setEnabled(False)
        self.station.bar.info("请将身份证放在阅读器上……")
        self.station.devices.run(
            lambda: reader.read(timeout_s=10.0),
            done=self._card_read,
            failed=self._reader_failed,
            label="读身份证",
        )

    def _card_read(self, card: IdCardData | None) -> None:
        self.read.setEnabled(True)
        if card is None:
            self.station.bar.error(
                "没有读到身份证：请把证件平放在阅读器上再按 F2，或手工输入号码。"
            )
            return
        self.station.work.run(
            lambda: self.in_hand.read_card(card), done=self._card_taken, label="身份证信息"
        )

    def _card_taken(self, applicant: Applicant) -> None:
        self.person.setChecked(True)
        self._show(applicant)
        card = applicant.card
        if card is None:  # pragma: no cover - read_card always keeps the card
            return
        text, attention = card_summary(card, self.in_hand.today())
        if attention:
            self.station.bar.error(f"{text}请核对后按 Enter 继续。")
        else:
            self.station.bar.info(f"{text}请核对后按 Enter 继续。")
        self.phone.setFocus()

    def _reader_failed(self, exc: BaseException) -> None:
        self.read.setEnabled(True)
        if isinstance(exc, DeviceError):
            self.station.bar.error(f"{exc.message}{exc.fallback}")
            self.number.setFocus()
        else:
            self.station.bar.show_exception(exc)

    def _no_reader(self) -> None:
        self.station.bar.error("本窗口没有连接身份证阅读器：请手工输入证件号码，并核对原件。")
        self.number.setFocus()

    def read_agent_card(self) -> None:
        reader = self.station.session.devices.id_reader
        if reader is None:
            self._no_reader()
            return
        self.station.devices.run(
            lambda: reader.read(timeout_s=10.0),
            done=self._agent_read,
            failed=self._reader_failed,
            label="读代办人身份证",
        )

    def _agent_read(self, card: IdCardData | None) -> None:
        if card is None:
            self.station.bar.error("没有读到代办人的身份证：请重放证件，或手工输入。")
            return
        self.agent_box.setChecked(True)
        self.agent_name.setText(card.name)
        self.agent_number.setText(card.id_number)
        self.agent_phone.setFocus()

    # -- QR codes from pictures -----------------------------------------------------------------
    def choose_code_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "选择含二维码的图片", "", "图片 (*.png *.jpg *.jpeg *.bmp)"
        )
        if path:
            self.code_from_file(Path(path))

    def code_from_file(self, path: Path) -> None:
        self.station.devices.run(
            lambda: codes_in_file(path),
            done=self._codes,
            failed=self._reader_failed,
            label="识别二维码",
        )

    def code_from_camera(self) -> None:
        camera = self.station.session.devices.capture
        if camera is None:
            self.station.bar.error("本窗口没有连接高拍仪：请用扫码枪，或手工输入编号。")
            return

        def read() -> list[str]:
            with Image.open(io.BytesIO(camera.capture().png)) as image:
                return codes_in(image)

        self.station.devices.run(
            read, done=self._codes, failed=self._reader_failed, label="识别二维码"
        )

    def _codes(self, codes: list[str]) -> None:
        if not codes:
            self.station.bar.error("图片中没有找到二维码：请拍清楚一些，或手工输入编号。")
            return
        self.code_read.emit(codes[0])

    # -- typing -----------------------------------------------------------------------------------
    def _show(self, applicant: Applicant) -> None:
        party = applicant.party
        self.enterprise.setChecked(party.kind == "enterprise")
        if party.kind == "enterprise":
            self.company.setText(party.name)
            self.code.setText(party.id_number)
        else:
            self.name.setText(party.name)
            self.number.setText(party.id_number)
        self.phone.setText(party.phone)
        self.address.setText(party.address)
        agent = self.in_hand.agent
        self.agent_box.setChecked(agent is not None)
        if agent is not None:
            self.agent_name.setText(agent.name)
            self.agent_number.setText(agent.id_number)
            self.agent_phone.setText(agent.phone)
        self.show_photo(applicant.card)
        notes = "；".join(self.in_hand.notes)
        self.sources.setText(
            f"信息来源：{'、'.join(applicant.sources)}" + (f"\n{notes}" if notes else "")
        )

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.addRow("申请人类型", self._row(self.person, self.enterprise))
        form.addRow("身份证号", self._row(self.number, self.read, self.practice))
        form.addRow("", self.number_hint)
        form.addRow("姓名", self.name)
        self.company_label, self.code_label = QLabel("企业名称"), QLabel("统一社会信用代码")
        form.addRow(self.company_label, self.company)
        form.addRow(self.code_label, self._row(self.code, self.code_hint))
        form.addRow("联系电话", self.phone)
        form.addRow("联系地址", self.address)
        return form

    @staticmethod
    def _photo_label() -> QLabel:
        """The chip's photo beside the fields: the clerk compares it with the face in front."""
        photo = QLabel("")
        photo.setObjectName("card_photo")
        photo.setFixedSize(PHOTO_BOX)
        photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        photo.setWordWrap(True)
        photo.setStyleSheet("border:1px solid #c8ccd2; color:#555; background:#fafafa;")
        photo.setVisible(False)
        return photo

    def show_photo(self, card: IdCardData | None) -> None:
        """The card's photo when the reader's decoder gave one; else why there is none."""
        self.photo.setVisible(card is not None)
        self.photo.clear()
        if card is None:
            return
        picture = QPixmap()
        if card.photo and picture.loadFromData(card.photo, "PNG"):
            self.photo.setPixmap(
                picture.scaled(
                    PHOTO_BOX,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            self.photo.setToolTip("证件芯片中的相片：请与申请人本人核对。")
        else:
            self.photo.setText("无证件相片")
            self.photo.setToolTip(card.photo_note or "证件相片未读出：请核对原件上的相片。")

    def _kind_changed(self) -> None:
        enterprise = self.enterprise.isChecked()
        for widget in (
            self.company,
            self.code,
            self.company_label,
            self.code_label,
            self.code_hint,
        ):
            widget.setVisible(enterprise)
        self.agent_box.setTitle(
            "经办人（代表企业办理的人）" if enterprise else "代办人（他人代为办理时填写）"
        )
        if enterprise:
            self.agent_box.setChecked(True)

    def _number_changed(self, text: str) -> None:
        hint, valid = self.in_hand.id_hint(text)
        self.number_hint.setText(hint)
        self.number_hint.setStyleSheet(OK if valid else BAD)

    def _code_changed(self, text: str) -> None:
        if len(text.strip()) < 18:
            self.code_hint.setText(f"已输入 {len(text.strip())} 位，共 18 位。")
            self.code_hint.setStyleSheet("")
            return
        valid = is_valid_credit_code(text)
        self.code_hint.setText("代码有效" if valid else "代码有误，请核对营业执照")
        self.code_hint.setStyleSheet(OK if valid else BAD)

    def confirm(self) -> None:
        """Take what is on the screen; on to the scenario. A name or number typed over the card's
        is asked about first (confirmed and audited, or put back)."""
        if not self.enterprise.isChecked():
            changes = self.in_hand.card_changes(
                {"name": self.name.text(), "id_number": self.number.text()}
            )
            if changes:
                self._ask(changes[0])
                return
        self._take()

    def _ask(self, change: CardChange) -> None:
        line = self.name if change.key == "name" else self.number

        def answered(confirmed: bool) -> None:
            if confirmed:
                try:
                    self.in_hand.confirm(change)
                except OneStopError as exc:
                    self.station.bar.show_exception(exc)
                    line.setFocus()
                    return
            else:
                line.setText(self.in_hand.keep(change))
            self.confirm()

        self.question = ask_card_change(self, change, answered)

    def _take(self) -> None:
        in_hand = self.in_hand
        name, number = self.name.text(), self.number.text()
        phone, address = self.phone.text(), self.address.text()
        company, code = self.company.text(), self.code.text()
        agent = (self.agent_name.text(), self.agent_number.text(), self.agent_phone.text())
        with_agent = self.agent_box.isChecked()
        enterprise = self.enterprise.isChecked()

        def take() -> Applicant:
            current = in_hand.applicant
            if enterprise:
                applicant = in_hand.type_enterprise(company, code, phone=phone, address=address)
            elif current and current.card and current.party.id_number == number.strip():
                in_hand.set_contact(phone=phone, address=address)
                applicant = current
            else:
                applicant = in_hand.type_id(name, number, phone=phone, address=address)
            if with_agent:
                in_hand.set_agent(name=agent[0], id_number=agent[1], phone=agent[2])
            else:
                in_hand.agent = None
            return applicant

        self.station.work.run(take, done=lambda _: self.identified.emit(), label="申请人")
