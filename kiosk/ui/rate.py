"""好差评 at the kiosk, from a receipt's QR code: five levels in a neutral order with none chosen,
the reasons that go with the level, words required for the two lowest; one rating per stage and
its one follow-up. Nothing on the screen names the person."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.cases.evaluation import EvaluationTurn
from app.errors import OneStopError
from kiosk import keyboard
from kiosk.evaluation import Evaluated
from kiosk.ui.identify import line_edit
from kiosk.ui.parts import Screen, blank, body, button, clear, heading, reason
from kiosk.ui.station import Station


class RateScreen(Screen):
    name = "rate"

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.qr = ""
        self.level: int | None = None
        self.chosen: list[str] = []
        self.title = heading("评价这次服务", "rate_title")
        self.what = body("", "rate_what")
        levels = QWidget()
        self.levels = QVBoxLayout(levels)
        self.levels.setContentsMargins(0, 0, 0, 0)
        self.level_buttons: dict[int, QPushButton] = {}
        for level, label in station.evaluating.levels():
            push = button(label, f"level_{level}", partial(self.choose, level), kind="answer")
            push.setCheckable(True)
            self.level_buttons[level] = push
            self.levels.addWidget(push)
        self.reasons_title = body("", "reasons_title")
        reasons = QWidget()
        self.reasons = QVBoxLayout(reasons)
        self.text_label = body("", "rate_text_label")
        self.text = line_edit("rate_text", "请写下您的意见（最多 500 字）")
        keyboard.for_chinese(self.text)
        self.text.setMaxLength(500)
        self.send = button("提交评价", "rate_submit", self.submit, kind="primary")
        self.done = button("完成", "rate_done", station.finish)
        self.thanks = heading("", "rate_thanks")
        nav = QHBoxLayout()
        nav.addWidget(self.done)
        nav.addStretch(1)
        nav.addWidget(self.send)
        layout = QVBoxLayout(self)
        for widget in (
            self.title,
            self.what,
            levels,
            self.reasons_title,
            reasons,
            self.text_label,
            self.text,
            self.thanks,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addLayout(nav)

    def set_query(self, query: str) -> None:
        if query:
            self.qr = query

    def enter(self) -> None:
        if not self.qr:
            self.station.go("progress")
            return
        text = self.qr
        self._draw(None)
        self.station.work.run(
            lambda: self.station.evaluating.scan(text),
            done=self._draw,
            failed=self._refused,
            label="评价",
        )

    def _draw(self, turn: EvaluationTurn | None) -> None:
        self.level, self.chosen = None, []
        self.thanks.setVisible(False)
        for push in self.level_buttons.values():
            push.setChecked(False)
            push.setVisible(turn is not None)
        self.what.setText(f"{turn.scenario_name}：{turn.label}" if turn else "正在读取凭条……")
        self.reasons_title.setText("")
        clear(self.reasons)
        self.text_label.setVisible(False)
        self.text.setVisible(False)
        blank(self.text)
        self.send.setVisible(turn is not None)

    def _refused(self, exc: BaseException) -> None:
        self.what.setText(reason(exc))
        self.station.tell(reason(exc), True)

    def speech(self) -> str:
        labels = "；".join(label for _, label in self.station.evaluating.levels())
        return f"请为这次服务评价：{labels}。"

    def choose(self, level: int) -> None:
        self.level, self.chosen = level, []
        for value, push in self.level_buttons.items():
            push.setChecked(value == level)
        clear(self.reasons)
        self.reasons_title.setText("可以多选，也可以不选：")
        for number, text in enumerate(self.station.evaluating.reasons(level)):
            push = button(text, f"reason_{number}", partial(self.toggle, text))
            push.setCheckable(True)
            self.reasons.addWidget(push)
        needed = level <= 2
        self.text_label.setText(
            "请写明不满意的具体原因（必填）：" if needed else "还有什么想说的（可不填）："
        )
        self.text_label.setVisible(True)
        self.text.setVisible(True)

    def toggle(self, text: str) -> None:
        if text in self.chosen:
            self.chosen.remove(text)
        else:
            self.chosen.append(text)

    def submit(self) -> None:
        evaluating, level, chosen, text = (
            self.station.evaluating,
            self.level,
            list(self.chosen),
            self.text.text(),
        )
        problems = evaluating.problems(level, chosen, text)
        if problems:
            self.station.tell(problems[0], True)
            return
        self.send.setEnabled(False)
        self.station.work.run(
            lambda: evaluating.submit(level, chosen, text),
            done=self._rated,
            failed=self._not_rated,
            label="提交评价",
        )

    def _rated(self, rated: Evaluated) -> None:
        self.send.setEnabled(True)
        self.send.setVisible(False)
        self.qr = ""
        self.station.tell("", False)
        self.thanks.setText(f"{rated.message}\n您的评价：{rated.level_label}")
        self.thanks.setVisible(True)

    def _not_rated(self, exc: BaseException) -> None:
        self.send.setEnabled(True)
        message = str(exc) if isinstance(exc, OneStopError) else reason(exc)
        self.station.tell(message, True)

    def wipe(self) -> None:
        self.qr = ""
        self._draw(None)
        self.what.clear()
