"""演示扫码: in the demo kiosk only, a stand-in for the QR scanner a PC does not have — the hall's
latest cases as buttons; a touch "scans" that case's receipt code (signed as printed), so a
newcomer can try the progress query and 好差评 without hardware."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.cases.queries import CaseQuery
from kiosk.ui.parts import Screen, body, button, clear, heading, scrolling
from kiosk.ui.station import Station
from printing import qr

SHOWN = 12


class DemoScanScreen(Screen):
    name = "demo_scan"

    def __init__(self, station: Station, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.station = station
        self.title = heading("模拟扫码（演示）", "demo_scan_title")
        self.hint = body(
            "真实终端上，市民把凭条上的二维码对准扫码口。演示时点一个办件，就像扫了它的凭条。",
            "demo_scan_hint",
        )
        content = QWidget()
        self.cases = QVBoxLayout(content)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(scrolling(content), 1)

    def enter(self) -> None:
        clear(self.cases)
        core = self.station.core
        found = core.queries.find(CaseQuery(limit=SHOWN))
        if not found:
            self.cases.addWidget(
                body("本演示大厅还没有办件：先做一次预申请，再回来扫它的凭条。", "demo_scan_none")
            )
        for number, case in enumerate(found):
            code = qr.sign(case.receipt_no, core.receipt_keys)
            text = f"{case.scenario_name}｜{case.state_label}｜{case.receipt_no}"
            self.cases.addWidget(
                button(text, f"demo_scan_{number}", partial(self.station.go, f"progress:qr:{code}"))
            )
        self.cases.addStretch(1)

    def wipe(self) -> None:
        clear(self.cases)
