"""A case's document on paper: rendered, sent to the A4 printer, and written to the case's audit
trail (print, reprint with its reason, or a failed attempt) — one call for the counter and kiosk."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.cases.audit import Actor
from app.cases.receipts import hall_day
from app.cases.service import CaseService
from app.security.keys import KeyRing
from app.settings import Settings
from printing.a4 import Letterhead
from printing.a4_printer import A4Printer, A4PrinterUnavailable, CupsPrinter
from printing.documents import DOCUMENTS, Context, render_case
from printing.thermal import ReceiptPrinter, TicketPrinter


def printers_of(settings: Settings) -> tuple[Letterhead, A4Printer, ReceiptPrinter | None]:
    """A terminal's letterhead, its A4 printer (CUPS) and its thermal printer (None: it has
    none), as the settings name them — for the counter and the kiosk alike."""
    printing = settings.printing
    training = settings.terminal.training
    tickets = (
        TicketPrinter(printing.ticket, training=training)
        if printing.ticket.kind != "none"
        else None
    )
    return Letterhead.of(settings), CupsPrinter(printing.a4_printer), tickets


@dataclass(frozen=True)
class Printed:
    job: str
    copy: int  # 1: the first print; more: a reprint
    pdf: bytes


def print_document(
    service: CaseService,
    actor: Actor,
    receipt_no: str,
    document: str,
    *,
    letterhead: Letterhead,
    keys: KeyRing,
    printer: str = "",
    reason: str = "",
    a4: A4Printer | None = None,
) -> Printed:
    """Print ``document`` of the case on ``a4`` (default: the CUPS queue ``printer``); a reprint
    needs ``reason``. A printer that fails raises :class:`A4PrinterUnavailable` and the failure
    is recorded too."""
    a4 = a4 or CupsPrinter(printer)
    printer = a4.name
    case = service.get(receipt_no)
    if service.prints(receipt_no, document) and not reason.strip():
        if DOCUMENTS[document].repeatable:  # another reminder, not a copy of the first
            reason = "再次提醒"
        else:
            service.record_print(actor, receipt_no, document=document, printer=printer)  # refuses
    catalog = service.catalog_for(case.catalog_version)
    scenario = catalog.scenarios.get(case.scenario_code) if catalog else None
    pdf = render_case(
        document,
        Context(
            case,
            scenario,
            letterhead,
            keys,
            service.serial_in_year(receipt_no),
            hall_day(service.clock()),
        ),
    )
    digest = hashlib.sha256(pdf).hexdigest()
    title = f"{case.receipt_no} {DOCUMENTS[document].title}"
    try:
        job = a4.send(pdf, title=title)
    except A4PrinterUnavailable as exc:
        service.record_print(
            actor,
            receipt_no,
            document=document,
            printer=printer,
            reason=reason,
            sha256=digest,
            error=str(exc),
        )
        raise
    copy = service.record_print(
        actor, receipt_no, document=document, printer=printer, job=job, reason=reason, sha256=digest
    )
    return Printed(job, copy, pdf)
