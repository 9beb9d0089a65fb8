"""Who is applying, before the pre-application's form: the ID card on the reader, or — no reader,
or a card that does not read — the name and the ID number typed on the on-screen keyboard, checked
as they are typed. An enterprise gives its name and its unified social credit code."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from app.devices.protocols import DeviceError
from app.errors import OneStopError
from app.identity.card import IdCardData
from kiosk import keyboard
from kiosk.a11y import mark_target
from kiosk.ui.help import older
from kiosk.ui.parts import Screen, blank, body, button, heading
from kiosk.ui.station import Station

OFFER_OLDER = "您已年满 60 周岁：字看不清可点“长辈模式”；需要时点“帮助”，可请工作人员陪同办理。"


def line_edit(name: str, placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    mark_target(edit)
    return edit


class IdentifyScreen(Screen):
    name = "identify"
    long = True

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.title = heading("请放身份证，或输入证件号码", "identify_title")
        self.hint = body(
            "把身份证平放在读卡区，点“读身份证”。没有带身份证、读不出来，都可以直接输入。",
            "identify_hint",
        )
        self.card = button("读身份证", "identify_card", self.read_card, kind="primary")
        self.name_label = body("姓名", "name_label")
        self.name_edit = line_edit("typed_name", "与证件上一致")
        keyboard.for_chinese(self.name_edit)
        self.number_label = body("身份证号码", "number_label")
        self.number_edit = line_edit("typed_number", "18 位，最后一位可能是 X")
        keyboard.for_id_number(self.number_edit)
        self.number_edit.setMaxLength(18)
        self.number_edit.textChanged.connect(self.check_number)
        self.number_note = body("", "number_note")
        self.back = button("上一步", "identify_back", lambda: station.go("plan"))
        self.next = button("下一步：填写申请表", "identify_next", self.use_typed, kind="primary")
        nav = QHBoxLayout()
        nav.addWidget(self.back)
        nav.addStretch(1)
        nav.addWidget(self.next)
        layout = QVBoxLayout(self)
        for widget in (
            self.title,
            self.hint,
            self.card,
            self.name_label,
            self.name_edit,
            self.number_label,
            self.number_edit,
            self.number_note,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addLayout(nav)

    @property
    def enterprise(self) -> bool:
        scenario = self.station.journey.in_hand.scenario
        return scenario is not None and scenario.audience == "enterprise"

    def enter(self) -> None:
        enterprise = self.enterprise
        self.card.setVisible(not enterprise and self.station.devices.id_reader is not None)
        if enterprise:
            self.title.setText("请输入企业名称和统一社会信用代码")
            self.hint.setText("照营业执照填写；统一社会信用代码 18 位，由数字和大写字母组成。")
            self.name_label.setText("企业名称")
            self.number_label.setText("统一社会信用代码")
            keyboard.for_code(self.number_edit)
        else:
            self.title.setText("请放身份证，或输入证件号码")
            self.name_label.setText("姓名")
            self.number_label.setText("身份证号码")
            keyboard.for_id_number(self.number_edit)
            if self.station.devices.id_reader is None:
                self.hint.setText("本机暂时不能读身份证，请输入姓名和身份证号码。")
        self.check_number(self.number_edit.text())

    def speech(self) -> str:
        return f"{self.title.text()}。{self.hint.text()}"

    def check_number(self, text: str) -> None:
        if self.enterprise:
            self.number_note.setText("")
            return
        words, _ = self.station.journey.in_hand.id_hint(text)
        self.number_note.setText(words)

    def read_card(self) -> None:
        reader = self.station.devices.id_reader
        if reader is None:
            return
        self.station.tell("正在读取身份证，请不要移动……", False)
        self.station.device_lane.run(
            lambda: reader.read(10.0), done=self._card, failed=self._card_failed, label="读身份证"
        )

    def _card(self, card: IdCardData | None) -> None:
        if card is None:
            self.station.tell(
                "没有读到身份证。请把身份证平放在读卡区再点一次，或直接输入证件号码。", True
            )
            return
        self.station.journey.in_hand.read_card(card)
        self.station.tell(f"已读取身份证。{self._offer()}", False)
        self.station.go("form")

    def _card_failed(self, exc: BaseException) -> None:
        text = exc.message if isinstance(exc, DeviceError) else "读卡没有成功。"
        self.station.tell(f"{text} 请直接输入姓名和身份证号码。", True)

    def use_typed(self) -> None:
        in_hand = self.station.journey.in_hand
        name, number = self.name_edit.text(), self.number_edit.text()
        try:
            if self.enterprise:
                in_hand.type_enterprise(name, number)
            else:
                in_hand.type_id(name, number)
        except OneStopError as exc:
            self.station.tell(str(exc), True)
            return
        self.station.tell(self._offer(), False)
        self.station.go("form")

    def _offer(self) -> str:
        """For an applicant 60 or older (§7.4.4): 陪同办 is there for the asking."""
        return OFFER_OLDER if older(self.station) and not self.station.elderly() else ""

    def wipe(self) -> None:
        for edit in (self.name_edit, self.number_edit):
            blank(edit)
        self.number_note.clear()
