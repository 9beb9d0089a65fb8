"""Thermal tickets: the same bytes as the golden ones, Chinese as raster or GB18030 as the
printer's profile says, and a printer that is off keeps the ticket for a reprint."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.settings import TicketPrinterSettings
from printing.thermal import PrinterUnavailable, TicketPrinter, write_file
from printing.tickets import DOTS, Profile, raster
from tests.printing.golden import FOLDER, PROFILES, rendered, tickets


@pytest.mark.parametrize("mode", PROFILES)
@pytest.mark.parametrize("name", ["acceptance", "pre_application", "material_list"])
def test_tickets_match_their_golden_bytes(name: str, mode: str, tmp_path: Path) -> None:
    ticket = tickets()[name]
    data = rendered(ticket, PROFILES[mode])
    golden = (FOLDER / f"{name}-{mode}.bin").read_bytes()
    assert data == golden, f"{name}-{mode} changed: python -m tests.printing.golden, then look"
    assert data.endswith(b"\x1dVA\x00") or b"\x1dV" in data[-8:]  # the paper is cut
    if PROFILES[mode].chinese == "gb18030":
        assert (
            "受理".encode("gb18030") in data
            or "材料清单".encode("gb18030") in data
            or ("预申请凭条".encode("gb18030") in data)
        )
    else:  # raster: no Chinese text bytes at all, the text is in the images
        assert "政务服务中心".encode("gb18030") not in data
        for n, line in enumerate(x for x in ticket.lines if x.style in ("title", "text")):
            image = raster(line.text, line.style, DOTS[80])
            image.save(tmp_path / f"{name}-{n}.png")  # for a look
            assert image.width == DOTS[80] and image.getbbox() is not None


def test_names_are_masked_on_slips_others_may_see() -> None:
    texts = [line.text for line in tickets()["acceptance"].lines]
    assert "申请人：李*" in texts and not any("李芳" in t for t in texts)


PAPER_OK, PAPER_OUT = b"\x12", b"\x72"  # answers to DLE EOT 4 (bits 5-6: paper end)
CLOSED, OPEN = b"\x12", b"\x16"  # answers to DLE EOT 2 (bit 2: the cover is open)


class Device:
    """A thermal printer on a network port (the hardware is not attached): it answers the paper
    status query and keeps what it gets."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[bytes] = []
        self.paper = PAPER_OK
        self.cover = CLOSED


@pytest.fixture
def device() -> Iterator[Device]:
    listening = socket.create_server(("127.0.0.1", 0))
    listening.settimeout(0.2)
    printer = Device(listening.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listening.accept()
            except TimeoutError:
                continue
            with connection:
                chunks = []
                while chunk := connection.recv(65536):
                    if b"\x10\x04\x02" in chunk:
                        connection.sendall(printer.cover)
                    if b"\x10\x04\x04" in chunk:
                        connection.sendall(printer.paper)
                    chunks.append(chunk)
                data = b"".join(chunks)
                for query in (b"\x10\x04\x02", b"\x10\x04\x04"):
                    data = data.replace(query, b"", 1)
                printer.received.append(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield printer
    stop.set()
    thread.join(timeout=5)
    listening.close()


def _wait_for(device: Device, data: bytes) -> None:
    """Until the device has received ``data`` on some connection (5 s at most)."""
    pause = threading.Event()
    for _ in range(100):
        if data in device.received:
            return
        pause.wait(0.05)


def test_a_network_printer_gets_the_ticket(device: Device) -> None:
    settings = TicketPrinterSettings(kind="network", address=f"127.0.0.1:{device.port}")
    printer = TicketPrinter(settings)
    ticket = tickets()["acceptance"]
    printer.print(ticket)
    _wait_for(device, rendered(ticket, printer.profile))
    assert device.received == [rendered(ticket, printer.profile)] and printer.waiting == []


def test_paper_out_is_said_and_the_ticket_waits(device: Device) -> None:
    settings = TicketPrinterSettings(kind="network", address=f"127.0.0.1:{device.port}")
    printer = TicketPrinter(settings)
    device.paper = PAPER_OUT
    ticket = tickets()["acceptance"]
    with pytest.raises(PrinterUnavailable, match="缺纸"):
        printer.print(ticket)
    assert printer.waiting == [ticket]
    device.paper, device.cover = PAPER_OK, OPEN  # a new roll, but the cover is still open
    with pytest.raises(PrinterUnavailable, match="纸仓盖未合上"):
        printer.retry()
    device.cover = CLOSED
    assert printer.retry() == 1
    _wait_for(device, rendered(ticket, printer.profile))
    # The refused tries sent only the status queries; the ticket went out once, whole.
    assert device.received.count(rendered(ticket, printer.profile)) == 1


def test_a_printer_that_is_off_keeps_the_ticket(tmp_path: Path) -> None:
    free = socket.create_server(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nothing listens there now: the printer is off
    settings = TicketPrinterSettings(kind="network", address=f"127.0.0.1:{port}", timeout_s=1)
    printer = TicketPrinter(settings)
    ticket = tickets()["pre_application"]
    with pytest.raises(PrinterUnavailable, match="无法打印") as raised:
        printer.print(ticket)
    assert "凭条已保留" in str(raised.value) and printer.waiting == [ticket]
    # It comes back (here: as a device file), and the reprint empties the queue.
    target = tmp_path / "lp0"
    printer.settings = TicketPrinterSettings(kind="file", address=str(target))
    assert printer.retry() == 1 and printer.waiting == []
    assert target.read_bytes() == rendered(ticket, printer.profile)


def test_write_file(tmp_path: Path) -> None:
    profile = Profile(58, "gb18030")
    write_file(tickets()["material_list"], tmp_path / "t.bin", profile)
    assert (tmp_path / "t.bin").read_bytes() == rendered(tickets()["material_list"], profile)


def test_escpos_keeps_its_printer_database_in_our_cache_not_a_new_temp_folder() -> None:
    """python-escpos parses a 1 MB YAML file at import unless its pickle is kept; by default in
    a new temporary folder at every start (0.4 s of the kiosk's cold start, and litter)."""
    import os
    from pathlib import Path

    from escpos import capabilities

    folder = Path(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"])
    assert capabilities.pickle_dir == str(folder) and folder.is_dir()
    assert Path(capabilities.pickle_path).is_file()
