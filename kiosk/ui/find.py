"""The scenarios of a life stage, or those a search found: one large button each, with a line
that says what it covers."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from app.catalog.models import Scenario
from app.guide.promise import promise_for
from kiosk import icons
from kiosk.ui.parts import Screen, body, button, clear, heading, scrolling
from kiosk.ui.station import Station
from kiosk.ui.theme import ACCENT


def scenario_button(scenario: Scenario, action: Callable[[], None], icon_px: int) -> QPushButton:
    """A scenario to choose: its picture, its name, a line of what it covers and its promise
    (the one every screen shows, :func:`app.guide.promise.promise_for`)."""
    first, count = scenario.items[0].name, len(scenario.items)
    covers = f"{first} 等 {count} 项" if count > 1 else first  # one line: a button cannot wrap
    promise = promise_for(scenario).words
    choice = button(
        f"{scenario.name}\n{covers}\n{promise}", f"scenario_{scenario.code}", action, kind="answer"
    )
    choice.setProperty("lines", 3)
    choice.setIcon(icons.icon(icons.scenario_icon(scenario.code, scenario.life_stage), ACCENT))
    choice.setIconSize(QSize(icon_px, icon_px))
    return choice


class FindScreen(Screen):
    name = "find"

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.query = ("stage", "")
        self.scenarios: list[Scenario] = []
        self.title = heading("", "find_title")
        self.note = body("", "find_note")
        content = QWidget()
        self.list = QVBoxLayout(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(scrolling(content), 1)

    def set_query(self, query: str) -> None:
        """ "stage:出生" or "text:xse"."""
        kind, _, text = query.partition(":")
        self.query = (kind, text)

    def enter(self) -> None:
        kind, text = self.query
        journey = self.station.journey
        if kind == "stage":
            self.scenarios = [
                s
                for _, found in journey.tiles("personal") + journey.tiles("enterprise")
                for s in found
                if s.life_stage == text
            ]
            self.title.setText(f"{text}：请选择要办理的一件事")
            self.note.setText("")
        else:
            self.scenarios = [f.scenario for f in journey.find(text)]
            self.title.setText(f"搜索“{text}”")
            self.note.setText(
                f"找到 {len(self.scenarios)} 件事。"
                if self.scenarios
                else "没有找到。可以换个说法，或返回首页按类别查找；也可以请工作人员协助。"
            )
        clear(self.list)
        size = self.station.theme().icon_px * 2
        for scenario in self.scenarios:
            self.list.addWidget(
                scenario_button(scenario, partial(self.choose, scenario.code), size)
            )
        self.list.addStretch(1)

    def speech(self) -> str:
        names = "；".join(s.name for s in self.scenarios[:5])
        return f"{self.title.text()}。{names}" if names else self.note.text()

    def choose(self, code: str) -> None:
        self.station.journey.choose(code)
        self.station.go("question")

    def wipe(self) -> None:
        self.query = ("stage", "")
        self.scenarios = []
        clear(self.list)
        self.title.clear()
        self.note.clear()
