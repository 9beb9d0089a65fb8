"""办件进度查询: scan the receipt's QR code (any time, on any screen), read the ID card, or type
the receipt number on the digit pad. Each case shows its items in words, the promised date, what
is ready for pick-up and where — the name and the number masked. A case found by its QR code can
be rated from here (好差评)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from app.identity.card import IdCardData
from kiosk import keyboard
from kiosk.progress import ProgressView
from kiosk.ui.identify import line_edit
from kiosk.ui.parts import Screen, blank, body, button, card, clear, heading, reason, scrolling
from kiosk.ui.station import Station


class ProgressScreen(Screen):
    name = "progress"

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.qr = ""  # the receipt's QR code the case was found by: it may be rated
        self.title = heading("查询办件进度", "progress_title")
        self.hint = body(
            "请把凭条上的二维码对准扫码口；也可以读身份证，或输入凭条上的受理编号。",
            "progress_hint",
        )
        self.card = button("读身份证查询", "progress_card", self.read_card)
        self.number = line_edit("receipt_number", "受理编号，如 430100001-20261123-00001")
        keyboard.for_digits(self.number)
        self.number.returnPressed.connect(self.by_number)
        self.find_button = button("查询", "progress_find", self.by_number, kind="primary")
        typed = QHBoxLayout()
        typed.addWidget(self.number, 1)
        typed.addWidget(self.find_button)
        content = QWidget()
        self.results = QVBoxLayout(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.card)
        layout.addLayout(typed)
        layout.addWidget(scrolling(content), 1)

    def set_query(self, query: str) -> None:
        kind, _, text = query.partition(":")
        self.qr = text if kind == "qr" else ""

    def enter(self) -> None:
        self.card.setVisible(self.station.devices.id_reader is not None)
        if self.qr:
            text, self.qr = self.qr, ""
            self._look(lambda: (self.station.progress.by_qr(text),), qr=text)
        else:
            self.show_found(self.station.progress.found)

    def speech(self) -> str:
        found = self.station.progress.found
        if not found:
            return f"{self.title.text()}。{self.hint.text()}"
        return "。".join(view.summary for view in found)

    def _look(self, find: Callable[[], tuple[ProgressView, ...]], *, qr: str = "") -> None:
        self.station.tell("正在查询……", False)
        self.station.work.run(
            find, done=partial(self._found, qr=qr), failed=self._not_found, label="查询进度"
        )

    def _found(self, views: tuple[ProgressView, ...], qr: str = "") -> None:
        if not views:
            self.station.tell("没有查到您名下正在办理的事项。如有疑问，请到综合窗口咨询。", True)
        else:
            self.station.tell("", False)
        self.show_found(views, qr=qr)
        if views:
            self.station.say(self.speech())

    def _not_found(self, exc: BaseException) -> None:
        self.station.tell(reason(exc), True)

    def by_number(self) -> None:
        text = self.number.text()
        if text.strip():
            self._look(lambda: (self.station.progress.by_receipt(text),))

    def read_card(self) -> None:
        reader = self.station.devices.id_reader
        if reader is None:
            return
        self.station.tell("请把身份证放在读卡区……", False)
        self.station.device_lane.run(
            lambda: reader.read(10.0), done=self._card, failed=self._not_found, label="读身份证"
        )

    def _card(self, card: IdCardData | None) -> None:
        if card is None:
            self.station.tell("没有读到身份证，请平放在读卡区再试，或输入受理编号。", True)
            return
        number = card.id_number
        self._look(lambda: self.station.progress.by_id_number(number))

    def show_found(self, views: tuple[ProgressView, ...], *, qr: str = "") -> None:
        clear(self.results)
        for view in views:
            lines = [
                f"{view.applicant_name}（{view.applicant_id}）",
                f"受理编号：{view.receipt_no}",
                f"状态：{view.words}",
            ]
            if view.promised_date:
                lines.append(f"承诺办结：{view.promised_date:%Y年%m月%d日}前")
            for item in view.items:
                due = f"，{item.promised_date:%m月%d日}前" if item.promised_date else ""
                lines.append(f"· {item.name}（{item.department}）：{item.words}{due}")
            if view.supplement:
                lines.append(f"！{view.supplement}")
            if view.ready:
                lines.append(f"✔ 结果可以领取：{view.pickup}")
            if view.calendar_warning:
                lines.append(view.calendar_warning)
            shown = body("\n".join(lines), f"progress_{view.receipt_no}")
            parts: list[QWidget] = [heading(view.scenario_name), shown]
            if qr:
                parts.append(
                    button("评价这次服务", "progress_rate", partial(self.station.go, f"rate:{qr}"))
                )
            self.results.addWidget(card(*parts))
        self.results.addStretch(1)

    def wipe(self) -> None:
        self.qr = ""
        blank(self.number)
        clear(self.results)
