"""What a kiosk prints: the personalised list (A4 or the thermal short form) and the
pre-application ticket. No clerk is there to fix a printer, so each call says plainly whether the
paper came out; the screen then offers the QR code instead and says where to go."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.bootstrap import Core
from app.cases.snapshots import CaseView
from app.catalog.models import Scenario
from app.db.base import utcnow
from app.errors import OneStopError
from app.guide.places import hall_window, where_to_go
from app.guide.plan import Plan
from printing.a4 import Letterhead
from printing.a4_printer import A4Printer
from printing.documents import render_plan
from printing.jobs import printers_of
from printing.thermal import ReceiptPrinter
from printing.tickets import material_list, pre_application_ticket


@dataclass
class KioskPapers:
    core: Core
    letterhead: Letterhead = field(init=False)
    a4: A4Printer | None = field(init=False)
    tickets: ReceiptPrinter | None = field(init=False)

    def __post_init__(self) -> None:
        self.letterhead, self.a4, self.tickets = printers_of(self.core.settings)

    def list_a4(self, plan: Plan, scenario: Scenario) -> str:
        """The list on A4 (一次告知单); the print job's id."""
        if self.a4 is None:
            raise PrinterMissing("本机没有连接 A4 打印机。")
        pdf = render_plan(plan, scenario, self.letterhead, at=utcnow())
        return self.a4.send(pdf, title=f"{plan.scenario_name} 一次告知单")

    def list_ticket(self, plan: Plan) -> None:
        """The short form on the thermal printer, with where to go (this hall's window first)."""
        head = self.letterhead
        hall = hall_window(head.hall, head.office, head.address, head.phone, head.hours)
        places = where_to_go(self.core.catalog.scenarios.get(plan.scenario), hall)
        self._ticket_printer().print(material_list(plan, head.hall, head.phone, places))

    def pre_application(self, case: CaseView, note: str = "") -> None:
        keys = self.core.receipt_keys
        self._ticket_printer().print(
            pre_application_ticket(case, self.letterhead.hall, keys, note=note)
        )

    def signed(self, case: CaseView) -> str:
        """The text of the ticket's QR code, for the screen when no paper came out."""
        from printing import qr

        return qr.sign(case.receipt_no, self.core.receipt_keys)

    def _ticket_printer(self) -> ReceiptPrinter:
        if self.tickets is None:
            raise PrinterMissing("本机没有连接凭条打印机。")
        return self.tickets


class PrinterMissing(OneStopError):
    """No printer of that kind at this kiosk; ``message`` in Chinese."""
