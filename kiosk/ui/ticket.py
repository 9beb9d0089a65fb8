"""The pre-application is saved: its number, the ticket with the signed QR code out of the
printer — or, with no paper, the same QR code on the screen to photograph — where to go next,
and 完成, which ends the session at once."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.cases.snapshots import CaseView
from app.identity.masking import mask_name
from kiosk.journey import printer_words
from kiosk.ui.parts import Screen, body, button, heading, qr_pixmap
from kiosk.ui.station import Station


class TicketScreen(Screen):
    name = "ticket"

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.note = ""
        self.case: CaseView | None = None
        self.title = heading("预申请已提交", "ticket_title")
        self.number = heading("", "ticket_number")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.what = body("", "ticket_what")
        self.queued = body("", "ticket_queued", kind="warn")
        self.paper = body("", "ticket_paper")
        self.qr = QLabel()
        self.qr.setObjectName("ticket_qr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setVisible(False)
        self.next_steps = body("", "ticket_next")
        self.again = button("重新打印凭条", "ticket_reprint", self.print_ticket)
        self.show_code = button("在屏幕上显示二维码", "ticket_show_qr", self.show_qr)
        self.done = button("完成", "ticket_done", station.finish, kind="primary")
        nav = QHBoxLayout()
        nav.addWidget(self.again)
        nav.addWidget(self.show_code)
        nav.addStretch(1)
        nav.addWidget(self.done)
        layout = QVBoxLayout(self)
        for widget in (
            self.title,
            self.number,
            self.what,
            self.queued,
            self.paper,
            self.qr,
            self.next_steps,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addLayout(nav)

    def set_query(self, query: str) -> None:
        self.note = query

    def enter(self) -> None:
        case = self.case = self.station.journey.in_hand.case
        if case is None:
            self.station.go("start")
            return
        self.number.setText(f"预申请号 {case.receipt_no.rsplit('-', 1)[-1]}")
        self.what.setText(
            f"{case.scenario_name}\n申请人：{mask_name(case.applicant.name)}\n"
            f"编号：{case.receipt_no}"
        )
        self.queued.setText(f"⚠ {self.note}" if self.note else "")
        self.queued.setVisible(bool(self.note))
        where = self.station.journey.where()
        window = "\n".join(where.places[0].lines())
        self.next_steps.setText(
            "下一步：带上材料原件，到综合窗口出示凭条（或屏幕上的二维码），工作人员扫码即可调出"
            f"您填好的申请，不用重新填写。\n{window}\n{where.promise.words}"
        )
        self.qr.setVisible(False)
        self.print_ticket()

    def speech(self) -> str:
        return (
            f"预申请已提交。{self.number.text()}。{self.paper.text()}"
            "请带上材料原件，到综合窗口出示凭条。"
        )

    def print_ticket(self) -> None:
        case, papers, note = self.case, self.station.papers, self.note
        if case is None:
            return
        self.paper.setText("正在打印凭条……")
        self.station.work.run(
            lambda: papers.pre_application(case, note),
            done=self._printed,
            failed=self._not_printed,
            label="打印预申请凭条",
        )

    def _printed(self, _: object) -> None:
        self.paper.setText("凭条已打印，请在出纸口取走。")
        self.station.say(self.speech())

    def _not_printed(self, exc: BaseException) -> None:
        self.show_qr()
        words = printer_words(exc, "凭条")
        self.paper.setText(words)
        self.station.tell(words, True)

    def show_qr(self) -> None:
        if self.case is not None:
            self.qr.setPixmap(qr_pixmap(self.station.papers.signed(self.case)))
            self.qr.setVisible(True)

    def wipe(self) -> None:
        self.case, self.note = None, ""
        self.qr.clear()
        for label in (self.number, self.what, self.queued, self.paper, self.next_steps):
            label.clear()
