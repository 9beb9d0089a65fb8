"""The quiet start screen (§6.2.2): three ways in — read the ID card, scan a code, or browse —
a search that answers as the citizen types, and large tiles with a picture per life stage for
个人 and 企业 that fill the panel."""

from __future__ import annotations

import math
from functools import partial

from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.identity.card import IdCardData
from kiosk import icons
from kiosk.ui.find import scenario_button
from kiosk.ui.parts import Screen, blank, body, button, clear, heading, scrolling
from kiosk.ui.station import Station
from kiosk.ui.theme import ACCENT, PAPER

SEARCH_DELAY_MS = 400  # the results follow the typing, not every key


class StartScreen(Screen):
    name = "start"

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.audience = "personal"
        self.columns = 0  # of the tiles as laid out
        self.title = heading("您好！请选择要办理的事", "start_title")
        self.hint = body("放身份证、扫凭条二维码，或直接点选下面的事项。", "start_hint")
        self.card = button("读身份证", "read_card", self.read_card, kind="primary")
        self.card.setProperty("way", True)
        self.scan = button("扫二维码查进度", "scan_hint", lambda: station.go("progress"))
        self.scan.setProperty("way", True)
        self.search = QLineEdit()
        self.search.setObjectName("search_box")
        self.search.setPlaceholderText("搜索：输入名称或拼音首字母，如 xse")
        self.search.returnPressed.connect(self.search_now)
        self.search.textChanged.connect(self._typed)
        self.typing = QTimer(self)
        self.typing.setSingleShot(True)
        self.typing.setInterval(SEARCH_DELAY_MS)
        self.typing.timeout.connect(self.show_found)
        self.find_button = button("搜索", "find", self.search_now)
        self.personal = button(
            "个人办事", "audience_personal", lambda: self.show_audience("personal"), kind="tab"
        )
        self.enterprise = button(
            "企业办事", "audience_enterprise", lambda: self.show_audience("enterprise"), kind="tab"
        )
        for tab in (self.personal, self.enterprise):
            tab.setCheckable(True)
        self._panel()
        ways = QHBoxLayout()
        ways.addWidget(self.card, 1)
        ways.addWidget(self.scan, 1)
        searching = QHBoxLayout()
        searching.addWidget(self.search, 1)
        searching.addWidget(self.find_button)
        audiences = QHBoxLayout()
        audiences.addWidget(self.personal, 1)
        audiences.addWidget(self.enterprise, 1)
        layout = QVBoxLayout(self)
        layout.setSpacing(16)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addLayout(ways)
        layout.addLayout(searching)
        layout.addLayout(audiences)
        layout.addWidget(self.panel, 1)

    def _panel(self) -> None:
        """Below the ways in: the tiles, or what the search found."""
        self.tile_page = QWidget()
        self.tiles = QGridLayout(self.tile_page)
        self.tiles.setContentsMargins(0, 0, 0, 0)
        self.found_page = QWidget()
        self.found_note = body("", "found_note")
        self.found = QVBoxLayout()
        column = QVBoxLayout(self.found_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.found_note)
        listed = QWidget()
        listed.setLayout(self.found)
        column.addWidget(scrolling(listed), 1)
        self.panel = QStackedWidget()
        self.panel.addWidget(self.tile_page)
        self.panel.addWidget(self.found_page)

    def enter(self) -> None:
        blank(self.search)
        self.typing.stop()
        self._icons()
        self.show_audience(self.audience)

    def speech(self) -> str:
        return "您好！请放身份证，或点选要办理的事项。"

    def _icons(self) -> None:
        theme = self.station.theme()
        for push, colour in (
            (self.card, PAPER),
            (self.scan, ACCENT),
            (self.find_button, ACCENT),
            (self.personal, ACCENT),
            (self.enterprise, ACCENT),
        ):
            push.setIcon(icons.icon(icons.BUTTONS[push.objectName()], colour, PAPER))
            push.setIconSize(QSize(theme.icon_px, theme.icon_px))
        for push in (self.card, self.scan):
            push.setIconSize(QSize(theme.icon_px * 3 // 2, theme.icon_px * 3 // 2))

    # -- the tiles -------------------------------------------------------------------------------
    def show_audience(self, audience: str) -> None:
        self.audience = audience
        self.personal.setChecked(audience == "personal")
        self.enterprise.setChecked(audience == "enterprise")
        self.panel.setCurrentWidget(self.tile_page)
        self._lay_tiles()

    def _lay_tiles(self) -> None:
        clear(self.tiles)
        for line in range(self.tiles.rowCount()):
            self.tiles.setRowStretch(line, 0)
        for place in range(self.tiles.columnCount()):
            self.tiles.setColumnStretch(place, 0)
        stages = self.station.journey.tiles(self.audience)
        self.columns = columns = self._columns()
        size = self.station.theme().tile_icon_px
        # A short last row's tiles widen to fill it: the grid is cut in as many narrow columns as
        # both a full row and the last row divide evenly (7 tiles in 4 columns: 12, 3 a tile
        # above, 4 a tile below), so no hole is left in the panel.
        last = len(stages) % columns or columns
        narrow = math.lcm(columns, last)
        for number, (stage, scenarios) in enumerate(stages):
            text = f"{stage}\n{len(scenarios)} 件事"
            tile = button(text, f"tile_{stage}", partial(self.open_stage, stage), kind="tile")
            tile.setIcon(icons.icon(icons.stage_icon(stage), ACCENT, PAPER))
            tile.setIconSize(QSize(size, size))
            tile.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            row, place = divmod(number, columns)
            span = narrow // (last if number >= len(stages) - last else columns)
            self.tiles.addWidget(tile, row, place * span, 1, span)
        rows = -(-len(stages) // columns) if stages else 0
        portrait = self.height() >= self.width()
        for line in range(max(rows, 3 if portrait else 1)):  # a lone tile is not a wall
            self.tiles.setRowStretch(line, 1)
        for place in range(narrow):
            self.tiles.setColumnStretch(place, 1)

    def _columns(self) -> int:
        count = len(self.station.journey.tiles(self.audience))
        return tile_columns(count, portrait=self.height() >= self.width())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        """Shown, or the screen turned: the tiles in as many columns as the shape holds."""
        super().resizeEvent(event)
        if self.columns != self._columns():
            self._lay_tiles()

    def open_stage(self, stage: str) -> None:
        self.station.go(f"find:stage:{stage}")

    # -- the search --------------------------------------------------------------------------------
    def _typed(self, text: str) -> None:
        self.typing.start()  # again: the search runs once the typing pauses

    def show_found(self) -> None:
        """The scenarios the search box finds, in place of the tiles (the tiles when empty)."""
        text = self.search.text().strip()
        clear(self.found)
        if not text:
            self.panel.setCurrentWidget(self.tile_page)
            return
        found = [f.scenario for f in self.station.journey.find(text)]
        self.found_note.setText(
            f"“{text}”：找到 {len(found)} 件事，点一下开始办理。"
            if found
            else f"没有找到“{text}”。可以换个说法，或清空搜索框按类别查找；也可以请工作人员协助。"
        )
        theme = self.station.theme()
        for scenario in found:
            self.found.addWidget(
                scenario_button(scenario, partial(self.choose, scenario.code), theme.icon_px * 2)
            )
        self.found.addStretch(1)
        self.panel.setCurrentWidget(self.found_page)

    def choose(self, code: str) -> None:
        self.station.journey.choose(code)
        self.station.go("question")

    def search_now(self) -> None:
        text = self.search.text().strip()
        if text:
            self.typing.stop()
            self.station.go(f"find:text:{text}")

    def wipe(self) -> None:
        blank(self.search)
        self.typing.stop()
        clear(self.found)
        self.found_note.clear()
        self.panel.setCurrentWidget(self.tile_page)

    # -- the card --------------------------------------------------------------------------------
    def read_card(self) -> None:
        reader = self.station.devices.id_reader
        if reader is None:
            self.station.tell(
                "本机暂时不能读身份证，可以直接点选事项；预申请时再输入证件号码。", True
            )
            return
        self.station.tell("请把身份证放在读卡区……", False)
        self.station.device_lane.run(lambda: reader.read(10.0), done=self._card, label="读身份证")

    def _card(self, card: IdCardData | None) -> None:
        if card is None:
            self.station.tell("没有读到身份证。请把身份证平放在读卡区，或直接点选事项。", True)
            return
        self.station.journey.in_hand.read_card(card)
        self.station.tell("已读取身份证。请选择要办理的事。", False)


def tile_columns(count: int, *, portrait: bool) -> int:
    """Wide tiles one above the other on a tall screen; side by side on a wide one."""
    if count <= 0:
        return 1
    if portrait:
        return 1 if count <= 4 else 2
    return max(count, 3) if count <= 4 else -(-count // 2)
