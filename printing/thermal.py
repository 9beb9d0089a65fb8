"""Thermal printers: opened from the settings (USB, serial, network port 9100, or a file), a
ticket printed in one go, and a printer that fails — offline, paper out, cover open where the
printer says so — answered with a message for the clerk while the ticket waits for a reprint.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Literal, Protocol

from escpos.constants import RT_MASK_LOWPAPER, RT_MASK_NOPAPER, RT_MASK_PAPER, RT_STATUS_PAPER
from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError
from escpos.printer import Dummy, File, Network, Serial, Usb

from app.errors import OneStopError
from app.settings import TicketPrinterSettings
from printing.tickets import Profile, Ticket, render

log = logging.getLogger(__name__)
COVER_STATUS = b"\x10\x04\x02"  # DLE EOT 2: the offline cause
COVER_OPEN = 0x04
Paper = Literal["ok", "low", "out", "unknown"]


class PrinterUnavailable(OneStopError):
    """The printer cannot print now; the job is kept for a reprint."""


class ReceiptPrinter(Protocol):
    """A thermal printer for slips and tickets; :class:`TicketPrinter` is the ESC/POS one."""

    waiting: list[Ticket]

    def print(self, ticket: Ticket) -> None:
        """Print now, or keep the ticket and raise :class:`PrinterUnavailable`."""
        ...

    def retry(self) -> int:
        """Print the kept tickets, oldest first; returns how many went out."""
        ...


def profile_of(settings: TicketPrinterSettings) -> Profile:
    return Profile(
        paper_mm=settings.paper_mm, chinese=settings.chinese, native_qr=settings.native_qr
    )


def open_printer(settings: TicketPrinterSettings) -> Escpos:
    """The printer the settings name (not yet connected: escpos connects on first use)."""
    kind, address = settings.kind, settings.address
    if kind == "network":
        host, _, port = address.partition(":")
        return Network(host, int(port or 9100), timeout=settings.timeout_s)
    if kind == "serial":
        return Serial(address, baudrate=settings.baudrate, timeout=settings.timeout_s)
    if kind == "usb":
        vendor, _, product = address.partition(":")
        return Usb(int(vendor, 16), int(product, 16), timeout=int(settings.timeout_s * 1000))
    if kind == "file":
        return File(address)
    return Dummy()


class TicketPrinter:
    """One thermal printer and the tickets it still owes (printed again by :meth:`retry`)."""

    def __init__(
        self,
        settings: TicketPrinterSettings,
        opener: Callable[[TicketPrinterSettings], Escpos] = open_printer,
        *,
        training: bool = False,
    ) -> None:
        self.settings = settings
        self.profile = profile_of(settings)
        self.opener = opener
        self.training = training  # 培训模式: every ticket says so
        self.waiting: list[Ticket] = []

    def print(self, ticket: Ticket) -> None:
        """Print now; if the printer cannot, keep the ticket and say what is wrong."""
        if self.training:
            ticket = ticket.for_training()
        try:
            self._send(ticket)
        except PrinterUnavailable:
            self.waiting.append(ticket)
            raise

    def retry(self) -> int:
        """Print the waiting tickets, oldest first; returns how many went out."""
        done = 0
        while self.waiting:
            self._send(self.waiting[0])
            self.waiting.pop(0)
            done += 1
        return done

    def _send(self, ticket: Ticket) -> None:
        # Rendered first into memory, then written in one go: a printer that fails half-way
        # through never gets half a ticket from us.
        data = ticket_bytes(ticket, self.profile)
        try:
            printer = self.opener(self.settings)
            _connect(printer)
            try:
                self._check_paper(printer)
                printer._raw(data)  # noqa: SLF001 (escpos's way to send bytes as they are)
            finally:
                printer.close()
        except (OSError, EscposError, ValueError) as exc:
            log.warning("ticket printer %s failed: %s", self.settings.address, exc)
            raise PrinterUnavailable(
                f"凭条打印机（{self.settings.address or self.settings.kind}）无法打印：{_why(exc)}",
                hint="请检查打印机电源、连线和纸张后点“重新打印”；凭条已保留，不会丢失。",
            ) from None

    def paper(self) -> Paper:
        """The paper as the printer reports it, for the staff's device status: "ok", "low" (the
        near-end sensor), "out", or "unknown" (a file or simulated printer, or one that does not
        answer). Raises :class:`PrinterUnavailable` when the printer cannot be reached. Blocks
        for up to the printer's timeout: call it off the GUI thread."""
        try:
            printer = self.opener(self.settings)
            if isinstance(printer, Dummy | File):
                return "unknown"
            _connect(printer)
            try:
                return _paper_of(printer)
            finally:
                printer.close()
        except (OSError, EscposError, ValueError) as exc:
            log.warning("ticket printer %s cannot be reached: %s", self.settings.address, exc)
            raise PrinterUnavailable(
                f"凭条打印机（{self.settings.address or self.settings.kind}）连接不上：{_why(exc)}",
                hint="请检查打印机电源和连线。",
            ) from None

    @staticmethod
    def _check_paper(printer: Escpos) -> None:
        """Ask a printer that can answer (USB, serial, network) about its cover and its paper
        (DLE EOT 2: bit 2 is the cover; DLE EOT 4: bits 5-6 are the paper end)."""
        if isinstance(printer, Dummy | File):
            return
        try:
            offline = printer.query_status(COVER_STATUS)
            paper = printer.paper_status()
        except (OSError, EscposError, NotImplementedError, AttributeError):
            return  # it cannot tell; printing will show
        if offline and offline[0] & COVER_OPEN:
            raise EscposError("cover open")
        if paper == 0:
            raise EscposError("paper out")


def _connect(printer: Escpos) -> None:
    """Open the device so that a failure raises (escpos would only log it). A network printer's
    socket is opened here: escpos leaves a failed one unclosed."""
    if isinstance(printer, Network):
        printer.device = socket.create_connection((printer.host, printer.port), printer.timeout)
    elif not isinstance(printer, Dummy):
        printer.open(raise_not_found=True)


def _paper_of(printer: Escpos) -> Paper:
    """DLE EOT 4 read as escpos's ``paper_status`` reads it, except that a printer that gives
    no answer is "unknown" (escpos would say the paper is fine)."""
    try:
        answer: bytes = printer.query_status(RT_STATUS_PAPER)
    except (OSError, EscposError, NotImplementedError, AttributeError):
        return "unknown"
    if not answer:
        return "unknown"
    status = answer[0]
    if status & RT_MASK_NOPAPER == RT_MASK_NOPAPER:
        return "out"
    if status & RT_MASK_LOWPAPER == RT_MASK_LOWPAPER:
        return "low"
    if status & RT_MASK_PAPER == RT_MASK_PAPER:
        return "ok"
    return "unknown"


def _why(exc: Exception) -> str:
    text = str(exc).lower()
    if "paper" in text:
        return "缺纸"
    if "cover" in text:
        return "纸仓盖未合上"
    if isinstance(exc, TimeoutError) or "timed out" in text:
        return "连接超时（打印机未开机或网络不通）"
    if isinstance(exc, ConnectionRefusedError | FileNotFoundError) or "not found" in text:
        return "找不到打印机（未连接或地址不对）"
    return "打印机未就绪"


def ticket_bytes(ticket: Ticket, profile: Profile) -> bytes:
    """What a printer with ``profile`` gets for the ticket."""
    buffer = Dummy()
    render(ticket, buffer, profile)
    data: bytes = buffer.output
    return data


def write_file(ticket: Ticket, path: Path, profile: Profile) -> None:
    """The ticket's bytes into a file (what a printer on that device file would get)."""
    path.write_bytes(ticket_bytes(ticket, profile))
