"""One question per screen (§7.2.4 a, b): big answer buttons, a progress bar, "为什么问这个"
from the catalog, and where a filled-in answer came from. 上一步 and 重新开始 are always there.

A single choice is one tap. A multiple choice (水、电、气、网…) is tapped option by option, each
tap marking or unmarking it, then "确定"; an option that excludes the others (以上都不是)
clears them, and any other clears it."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QVBoxLayout, QWidget

from app.errors import OneStopError
from app.guide.plan import QuestionView
from kiosk.ui.parts import Screen, body, button, clear, heading, scrolling
from kiosk.ui.station import Station


class QuestionScreen(Screen):
    name = "question"

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.shown: QuestionView | None = None
        self.picked: list[str] = []  # a multiple choice's options marked so far, in their order
        self.scenario = body("", "question_scenario", kind="small")
        self.bar = QProgressBar()
        self.bar.setObjectName("question_progress")
        self.bar.setFormat("第 %v 题，共 %m 题")
        self.text = heading("", "question_text")
        self.source = body("", "question_source")
        self.why_button = button("为什么问这个？", "why", self.toggle_why)
        self.why = body("", "question_why", kind="small")
        content = QWidget()
        self.answers = QVBoxLayout(content)
        self.back = button("上一步", "back", self.go_back)
        self.again = button("重新开始", "restart", self.restart)
        nav = QHBoxLayout()
        nav.addWidget(self.back)
        nav.addWidget(self.again)
        nav.addStretch(1)
        nav.addWidget(self.why_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scenario)
        layout.addWidget(self.bar)
        layout.addWidget(self.text)
        layout.addWidget(self.source)
        layout.addWidget(scrolling(content), 1)
        layout.addWidget(self.why)
        layout.addLayout(nav)

    def enter(self) -> None:
        journey = self.station.journey
        question = journey.question()
        if question is None:
            self.station.go("plan")
            return
        self.shown = question
        scenario = journey.in_hand.scenario
        self.scenario.setText(scenario.name if scenario else "")
        number, total = journey.progress()
        self.bar.setRange(0, total)
        self.bar.setValue(number)
        self.text.setText(question.text)
        self.source.setText(journey.source_words(question))
        self.why.setText(question.help)
        self.why.setVisible(False)
        self.why_button.setVisible(bool(question.help))
        self.back.setEnabled(journey.position > 0)
        answer = question.answer
        self.picked = list(answer) if question.kind == "multi" and answer else []
        self._draw_answers()

    def _draw_answers(self) -> None:
        question = self.shown
        if question is None:
            return
        clear(self.answers)
        multi = question.kind == "multi"
        for option in question.options:
            chosen = option.value in self.picked if multi else question.answer == option.value
            action = self.toggle if multi else self.answer
            choice = button(
                ("✔ " if chosen else "") + option.label,
                f"answer_{option.value}",
                partial(action, option.value),
                kind="answer",
            )
            choice.setProperty("chosen", chosen)
            self.answers.addWidget(choice)
        if multi:
            done = button(
                f"确定（已选 {len(self.picked)} 项）" if self.picked else "请至少选一项",
                "answer_done",
                self.confirm,
                kind="primary",
            )
            done.setEnabled(bool(self.picked))
            self.answers.addWidget(done)
        self.answers.addStretch(1)

    def toggle(self, value: str) -> None:
        """A multiple choice's option marked or unmarked; the answer waits for 确定."""
        exclusive = self._exclusive()
        if value in self.picked:
            self.picked.remove(value)
        elif value in exclusive:
            self.picked = [value]
        else:
            self.picked = [v for v in self.picked if v not in exclusive] + [value]
        order = [o.value for o in self.shown.options] if self.shown else []
        self.picked.sort(key=order.index)
        self._draw_answers()

    def confirm(self) -> None:
        if self.picked:
            self.answer(list(self.picked))

    def _exclusive(self) -> set[str]:
        question, scenario = self.shown, self.station.journey.in_hand.scenario
        if question is None or scenario is None:
            return set()
        spec = next((q for q in scenario.questions if q.id == question.id), None)
        return {o.value for o in spec.options if o.exclusive} if spec else set()

    def speech(self) -> str:
        question = self.shown
        if question is None:
            return ""
        options = "；".join(o.label for o in question.options)
        how = "可以选几项，选好后点确定" if question.kind == "multi" else "可以选"
        return f"{question.text} {how}：{options}。{self.source.text()}"

    def toggle_why(self) -> None:
        self.why.setVisible(not self.why.isVisible())

    def answer(self, value: str | list[str]) -> None:
        journey = self.station.journey
        try:
            journey.answer(value)
        except OneStopError as exc:
            self.station.tell(str(exc), True)
            return
        blocked = journey.blocked()
        if blocked:
            self.station.tell(blocked, True)
        self.station.go("question" if journey.question() is not None else "plan")

    def go_back(self) -> None:
        self.station.journey.back()
        self.station.go("question")

    def restart(self) -> None:
        self.station.journey.restart()
        self.station.go("question")

    def wipe(self) -> None:
        self.shown = None
        self.picked = []
        clear(self.answers)
        for label in (self.scenario, self.text, self.source, self.why):
            label.clear()
