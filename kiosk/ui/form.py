"""The one merged form (一表申请), one field per row, typed on the on-screen keyboard: what the ID
card or shared data gave is already there and says where it came from; each value is checked when
the citizen leaves the field, and the words beside it say what to fix. A choice is a row of large
buttons, never a drop-down list."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.errors import OneStopError
from app.guide.plan import PlanField
from kiosk import keyboard
from kiosk.ui.identify import line_edit
from kiosk.ui.parts import Screen, body, button, card, clear, heading, scrolling
from kiosk.ui.station import Station

PLACEHOLDERS = {
    "phone": "手机号 11 位",
    "date": "如 20260131",
    "id_number": "18 位，最后一位可能是 X",
    "uscc": "18 位数字和大写字母",
    "number": "只填数字",
    "bank_account": "照银行卡填写",
}
KEYS = {
    "phone": keyboard.for_digits,
    "date": keyboard.for_digits,
    "number": keyboard.for_digits,
    "bank_account": keyboard.for_digits,
    "id_number": keyboard.for_id_number,
    "uscc": keyboard.for_code,
}


class FormScreen(Screen):
    name = "form"
    long = True

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.specs: tuple[PlanField, ...] = ()
        self.edits: dict[str, QLineEdit] = {}
        self.choices: dict[str, list[QPushButton]] = {}
        self.notes: dict[str, QLabel] = {}
        self.title = heading("请填写申请表", "form_title")
        self.intro = body(
            "带 * 的必须填写。已经填好的内容来自您的身份证或共享数据，请核对。", "form_intro"
        )
        content = QWidget()
        self.rows = QVBoxLayout(content)
        self.back = button("上一步", "form_back", lambda: station.go("plan"))
        self.next = button("下一步：拍材料", "form_next", self.go_on, kind="primary")
        nav = QHBoxLayout()
        nav.addWidget(self.back)
        nav.addStretch(1)
        nav.addWidget(self.next)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addWidget(scrolling(content), 1)
        layout.addLayout(nav)

    def enter(self) -> None:
        journey = self.station.journey
        self.specs = journey.fields()
        self.edits, self.choices, self.notes = {}, {}, {}
        clear(self.rows)
        for spec in self.specs:
            self.rows.addWidget(self._row(spec, journey.value_of(spec)))
        self.rows.addStretch(1)
        self.next.setText("下一步：拍材料" if journey.to_capture() else "下一步：核对")

    def _row(self, spec: PlanField, value: str) -> QWidget:
        label = body(f"{spec.label}{' *（必填）' if spec.required else ''}", f"label_{spec.key}")
        parts: list[QWidget] = [label]
        if spec.type == "enum" and spec.options:
            line = QWidget()
            options = QHBoxLayout(line)
            options.setContentsMargins(0, 0, 0, 0)
            pushes = []
            for number, option in enumerate(spec.options):
                push = button(
                    option, f"field_{spec.key}_{number}", partial(self.choose, spec.key, option)
                )
                push.setCheckable(True)
                push.setChecked(option == value)
                pushes.append(push)
                options.addWidget(push)
            options.addStretch(1)
            self.choices[spec.key] = pushes
            parts.append(line)
        else:
            edit = line_edit(f"field_{spec.key}", PLACEHOLDERS.get(spec.type, ""))
            KEYS.get(spec.type, keyboard.for_chinese)(edit)
            if spec.max_length:
                edit.setMaxLength(spec.max_length)
            edit.setText(value)
            # The card's name and number are the card's: a clerk changes them, never a kiosk.
            edit.setReadOnly(self.station.journey.in_hand.from_card(spec.key))
            edit.editingFinished.connect(partial(self.check, spec.key))
            self.edits[spec.key] = edit
            parts.append(edit)
        if self.station.journey.in_hand.from_card(spec.key) and value:
            parts.append(body("已从身份证读取，这里不能修改；如有误请到窗口办理。", kind="small"))
        elif spec.source and value:
            parts.append(body(f"已填好（来源：{spec.source}），如不对请修改。", kind="small"))
        note = body("", f"note_{spec.key}", kind="warn")
        note.setVisible(False)
        self.notes[spec.key] = note
        parts.append(note)
        return card(*parts)

    def speech(self) -> str:
        empty = [s.label for s in self.specs if s.required and not self.station.journey.value_of(s)]
        more = f"还要填写：{'、'.join(empty)}。" if empty else "请核对已填好的内容。"
        return f"请填写申请表。{more}"

    def _say(self, key: str, message: str) -> None:
        note = self.notes.get(key)
        if note is not None:
            note.setText(f"⚠ {message}" if message else "")
            note.setVisible(bool(message))

    def check(self, key: str) -> None:
        edit = self.edits.get(key)
        if edit is None:
            return
        try:
            message = self.station.journey.set_field(key, edit.text())
        except OneStopError as exc:
            message = str(exc)
        self._say(key, message)
        value = self.station.journey.in_hand.form.get(key, "")
        if not message and value and value != edit.text():
            edit.setText(value)  # as it will be saved: 20260131 → 2026-01-31

    def choose(self, key: str, option: str) -> None:
        for push in self.choices.get(key, []):
            push.setChecked(push.text() == option)
        self._say(key, self.station.journey.set_field(key, option))

    def go_on(self) -> None:
        for key in self.edits:
            self.check(key)
        problems = self.station.journey.form_problems()
        for key, message in problems.items():
            self._say(key, message)
        if problems:
            first = next(iter(problems))
            self.station.tell(f"还有 {len(problems)} 处需要填写或修改：{problems[first]}", True)
            edit = self.edits.get(first)
            if edit is not None:
                edit.setFocus()
            return
        self.station.tell("", False)
        self.station.go("capture" if self.station.journey.to_capture() else "review")

    def wipe(self) -> None:
        self.specs = ()
        self.edits, self.choices, self.notes = {}, {}, {}
        clear(self.rows)
