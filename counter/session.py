"""What every counter screen gets for one signed-in clerk: the core, the case in hand, the devices,
the platform (when configured) and the paper — built once by :mod:`counter.main`, handed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.accounts import Operator
from app.bootstrap import Core
from app.cases.audit import Actor
from app.cases.in_hand import CaseInHand, LicenceLookup, PickUp
from app.cases.receipts import hall_day
from app.devices.drivers import Devices
from printing import qr
from printing.a4 import Letterhead
from printing.a4_printer import A4Printer
from printing.documents import Context, render_case
from printing.jobs import Printed, print_document, printers_of
from printing.thermal import ReceiptPrinter
from printing.tickets import acceptance_slip
from printing.transfer_slip import render_slip
from sync.client import Platform
from sync.pickup import fetch_pre_application
from sync.shared import facts_for, licence_lookup


@dataclass
class Papers:
    """A case's documents: rendered for the preview, printed on the A4 printer (with the print,
    a reprint's reason or a failure in the case's trail)."""

    core: Core
    actor: Actor
    letterhead: Letterhead = field(init=False)
    a4: A4Printer = field(init=False)
    tickets: ReceiptPrinter | None = field(init=False)

    def __post_init__(self) -> None:
        self.letterhead, self.a4, self.tickets = printers_of(self.core.settings)

    def slip(self, receipt_no: str) -> bool:
        """The acceptance slip on the thermal printer, when the window has one (False: none).
        A printer that fails keeps the slip for :meth:`retry_slips`."""
        if self.tickets is None:
            return False
        case = self.core.cases.get(receipt_no)
        self.tickets.print(acceptance_slip(case, self.letterhead.hall, self.core.receipt_keys))
        return True

    def retry_slips(self) -> int:
        return self.tickets.retry() if self.tickets is not None else 0

    def preview(self, receipt_no: str, document: str) -> bytes:
        self.core.access.record(self.actor, receipt_no, "preview", document)
        case = self.core.cases.get(receipt_no)
        catalog = self.core.cases.catalog_for(case.catalog_version)
        scenario = catalog.scenarios.get(case.scenario_code) if catalog else None
        context = Context(
            case,
            scenario,
            self.letterhead,
            self.core.receipt_keys,
            self.core.cases.serial_in_year(receipt_no),
            hall_day(self.core.cases.clock()),
        )
        return render_case(document, context)

    def transfer_slip(self, batch_no: str) -> bytes:
        """材料流转交接单 of a batch as it stands (names masked)."""
        ledger = self.core.transfers
        batch = ledger.batch(batch_no)
        return render_slip(batch, ledger.applicants(batch), self.letterhead)

    def print_transfer_slip(self, batch_no: str, pdf: bytes = b"") -> str:
        """The slip on the A4 printer (``pdf``: the one previewed), the print in the audit
        trail. Returns the job id."""
        pdf = pdf or self.transfer_slip(batch_no)
        job = self.a4.send(pdf, title=f"材料流转交接单 {batch_no}")
        self.core.transfers.slip_printed(self.actor, batch_no, printer=self.a4.name, job=job)
        return job

    def print(self, receipt_no: str, document: str, *, reason: str = "") -> Printed:
        return print_document(
            self.core.cases,
            self.actor,
            receipt_no,
            document,
            letterhead=self.letterhead,
            keys=self.core.receipt_keys,
            a4=self.a4,
            reason=reason,
        )


@dataclass
class Session:
    core: Core
    operator: Operator
    devices: Devices
    platform: Platform | None
    in_hand: CaseInHand = field(init=False)
    papers: Papers = field(init=False)

    def __post_init__(self) -> None:
        self.in_hand = CaseInHand(
            self.core.cases,
            self.core.catalog,
            self.actor,
            hall_province=self.core.settings.hall.province,
            check_qr=self.check_qr,
            shared=self._shared(),
            licences=self._licences(),
            pick_up=self._pick_up(),
        )
        self.papers = Papers(self.core, self.actor)

    @property
    def actor(self) -> Actor:
        return self.operator.actor(self.core.settings.terminal.name)

    def switch(self, operator: Operator) -> None:
        """Another clerk signed in at the lock screen: from now on changes are theirs."""
        self.operator = operator
        self.in_hand.actor = self.actor
        self.papers.actor = self.actor

    def check_qr(self, text: str) -> tuple[str, str]:
        checked = qr.verify(
            text, self.core.receipt_keys, legacy=self.core.settings.printing.legacy_key
        )
        return checked.receipt_no, checked.reason

    def _pick_up(self) -> PickUp | None:
        """With a platform: a kiosk's pre-application not in this database is fetched from it
        (a kiosk that keeps its own database); a case here is taken from here first."""
        platform = self.platform
        if platform is None:
            return None
        return lambda receipt_no: fetch_pre_application(
            self.core.cases, platform, self.actor, receipt_no
        )

    def _licences(self) -> LicenceLookup | None:
        return licence_lookup(self.platform) if self.platform is not None else None

    def _shared(self) -> Any:
        platform = self.platform
        if platform is None:
            return None
        return lambda id_number: facts_for(platform, id_number)
