"""The devices' figures in one run (``python tests/benchmarks/run.py devices --json``):

- a card read at the counter — F2 to step 1 filled — over the reader emulator paced at 115200
  baud, and where the time goes (the bytes on the line, the driver's polls, the core, the screen);
- the SDK readers through the stand-in vendor library (the driver's own cost);
- a QR code in a 1920×1080 greyscale frame with zxing-cpp, and pyzbar on the same frame;
- a 13-megapixel camera still to a cropped, straightened, checked page stored as PDF, and the
  quality check alone;
- one page from SANE's test backend;
- the live preview with QR decoding on: frames a second and the longest the GUI thread waited.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.bootstrap import build_core  # noqa: E402
from app.devices import gat467  # noqa: E402
from app.devices.serial_reader import SerialIdReader  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.widgets.tasks import Tasks  # noqa: E402
from counter.session import Session  # noqa: E402
from counter.ui.identify import IdentifyScreen  # noqa: E402
from counter.ui.notify import MessageBar  # noqa: E402
from counter.ui.station import Station  # noqa: E402
from tests.benchmarks import devices_codes, devices_pages, devices_scan, devices_sdk  # noqa: E402
from tests.counter.conftest import CLERK  # noqa: E402
from tests.id_cards import FOREIGN_Y  # noqa: E402
from tests.id_reader_emulator import ReaderEmulator  # noqa: E402

BAUD = 115200
GOALS = {"card_read_to_form_ms": 1200.0}


def spin(app: QApplication, done: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the card did not reach the screen")
        app.processEvents()
        time.sleep(0.0005)


def line_bytes() -> int:
    """What one read puts on the line: find, select and read base, asked and answered."""
    asked = sum(
        len(gat467.command(c)) for c in (gat467.FIND_CARD, gat467.SELECT_CARD, gat467.READ_BASE)
    )
    answered = (
        len(gat467.response(gat467.CARD_FOUND, bytes(4)))
        + len(gat467.response(gat467.OK, bytes(8)))
        + len(gat467.response(gat467.OK, gat467.base_message(FOREIGN_Y)))
    )
    return asked + answered


def card_read(app: QApplication, rounds: int, data_dir: Path) -> dict[str, float]:
    """F2 at the counter to the card's name and number in step 1, the reader on a paced line;
    then the driver's read alone and the core's part alone, to say where the time goes."""
    core = build_core(Settings(data_dir=data_dir))
    totals, driver, flow_ms = [], [], []
    try:
        with ReaderEmulator(FOREIGN_Y, baud=BAUD) as emulator:
            reader = SerialIdReader(emulator.port, baudrate=BAUD)
            from app.devices.drivers import Devices

            session = Session(core, CLERK, Devices(reader), None)
            bar = MessageBar()
            station = Station(
                session,
                Tasks(bar.show_exception, name="work"),
                Tasks(bar.show_exception, name="devices"),
                bar,
            )
            screen = IdentifyScreen(station)
            for _ in range(rounds + 1):  # the first warms the caches
                screen.name.clear()
                started = time.perf_counter()
                screen.read_card()
                spin(
                    app,
                    lambda: (
                        screen.name.text() == FOREIGN_Y.name
                        and "已读取" in bar.text()
                        and not station.work.busy
                    ),
                )
                totals.append((time.perf_counter() - started) * 1000)
            for _ in range(rounds):
                started = time.perf_counter()
                card = reader.read(timeout_s=5)
                driver.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                assert card is not None
                session.in_hand.read_card(card)
                flow_ms.append((time.perf_counter() - started) * 1000)
            station.work.wait()
            station.devices.wait()
    finally:
        core.close()
    total = statistics.median(totals[1:])
    read = statistics.median(driver)
    in_hand = statistics.median(flow_ms)
    return {
        "card_read_to_form_ms": round(total, 1),
        "card_line_bytes_ms": round(line_bytes() * 10 / BAUD * 1000, 1),
        "card_driver_read_ms": round(read, 1),
        "card_core_ms": round(in_hand, 1),
        "card_screen_and_lanes_ms": round(max(0.0, total - read - in_hand), 1),
    }


def run(quick: bool = False) -> dict[str, Any]:
    import tempfile

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    figures: dict[str, Any] = {}
    goals: dict[str, str] = {k: f"< {v:g}" for k, v in GOALS.items()}
    met: dict[str, bool] = {}
    with tempfile.TemporaryDirectory() as folder:
        figures |= card_read(app, 3 if quick else 10, Path(folder) / "hall")
    met |= {k: figures[k] < v for k, v in GOALS.items()}
    parts = [devices_sdk, devices_codes, devices_pages, devices_scan]
    try:
        from tests.benchmarks import devices_camera

        parts.append(devices_camera)
    except ImportError:  # pragma: no cover - until the camera's benchmark is there
        pass
    notes: list[str] = [
        f"the card read: {line_bytes()} bytes on the line at {BAUD} baud; the driver polls "
        "every 0.2 s until the card is found and reads with 50 ms port timeouts; the rest is "
        "the core (facts, applicant) and the screen's two lanes"
    ]
    for part in parts:
        result = part.run(quick=quick)
        figures |= result["figures"]
        goals |= result.get("goals", {})
        met |= result.get("met", {})
        notes += (
            [str(note) for note in result.get("notes", [])]
            if isinstance(result.get("notes"), list)
            else [str(result.get("notes", ""))]
        )
    return {
        "benchmark": "devices",
        "quick": quick,
        "figures": figures,
        "goals": goals,
        "met": met,
        "notes": [note for note in notes if note],
    }
