"""The quiet start screen (§6.2.2): three ways in — read the ID card, scan a code, or browse —
a search, and large tiles by life stage for 个人 and 企业."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from app.identity.card import IdCardData
from kiosk.ui.host import Host
from kiosk.ui.parts import Screen, blank, body, button, clear, heading


class StartScreen(Screen):
    name = "start"

    def __init__(self, host: Host, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.audience = "personal"
        self.title = heading("您好！请选择要办理的事", "start_title")
        self.hint = body("放身份证、扫凭条二维码，或直接点选下面的事项。", "start_hint")
        self.card = button("读身份证", "read_card", self.read_card, kind="primary")
        self.scan = button("扫二维码查进度", "scan_hint", lambda: host.go("progress"))
        self.search = QLineEdit()
        self.search.setObjectName("search_box")
        self.search.setPlaceholderText("搜索：输入名称或拼音首字母，如 xse")
        self.search.returnPressed.connect(self.search_now)
        self.find_button = button("搜索", "find", self.search_now)
        self.personal = button(
            "个人办事", "audience_personal", lambda: self.show_audience("personal")
        )
        self.enterprise = button("企业办事", "audience_enterprise",
                                 lambda: self.show_audience("enterprise"))  # fmt: skip
        for tab in (self.personal, self.enterprise):
            tab.setCheckable(True)
        self.tiles = QGridLayout()
        ways = QHBoxLayout()
        ways.addWidget(self.card, 1)
        ways.addWidget(self.scan, 1)
        searching = QHBoxLayout()
        searching.addWidget(self.search, 1)
        searching.addWidget(self.find_button)
        audiences = QHBoxLayout()
        audiences.addWidget(self.personal)
        audiences.addWidget(self.enterprise)
        audiences.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addLayout(ways)
        layout.addLayout(searching)
        layout.addLayout(audiences)
        layout.addLayout(self.tiles)
        layout.addStretch(1)

    def enter(self) -> None:
        blank(self.search)
        self.show_audience(self.audience)

    def speech(self) -> str:
        return "您好！请放身份证，或点选要办理的事项。"

    def show_audience(self, audience: str) -> None:
        self.audience = audience
        self.personal.setChecked(audience == "personal")
        self.enterprise.setChecked(audience == "enterprise")
        clear(self.tiles)
        columns = 3
        for number, (stage, scenarios) in enumerate(self.host.journey.tiles(audience)):
            tile = button(f"{stage}\n{len(scenarios)} 件事", f"tile_{stage}",
                          partial(self.open_stage, stage), kind="tile")  # fmt: skip
            self.tiles.addWidget(tile, number // columns, number % columns)

    def open_stage(self, stage: str) -> None:
        self.host.go(f"find:stage:{stage}")

    def search_now(self) -> None:
        text = self.search.text().strip()
        if text:
            self.host.go(f"find:text:{text}")

    def read_card(self) -> None:
        reader = self.host.devices.id_reader
        if reader is None:
            self.host.tell("本机暂时不能读身份证，可以直接点选事项；预申请时再输入证件号码。", True)
            return
        self.host.tell("请把身份证放在读卡区……", False)
        self.host.device_lane.run(lambda: reader.read(10.0), done=self._card, label="读身份证")

    def _card(self, card: IdCardData | None) -> None:
        if card is None:
            self.host.tell("没有读到身份证。请把身份证平放在读卡区，或直接点选事项。", True)
            return
        self.host.journey.flow.read_card(card)
        self.host.tell("已读取身份证。请选择要办理的事。", False)
