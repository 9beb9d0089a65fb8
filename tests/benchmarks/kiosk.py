"""Kiosk benchmarks, on the real window with simulated devices (the printers' far sides are
fakes): a touch to the next screen fully drawn, the idle wipe, the cold start to the quiet start
screen, and resident memory over many whole sessions.

A session is what a citizen does: the ID card, a tile, the scenario, every question, the list,
the form completed, a page captured, the review, the submission, the ticket — and then she walks
away and the idle limit wipes it. "Touch to screen" is timed for the touches that bring another
screen forward (tiles, answers, 下一步, 首页, 帮助): from the click to the whole window repainted.
Touches that wait for a device or the database (the card, the camera, 提交) are not in it.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEvent  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit  # noqa: E402

from app.bootstrap import Core, build_core  # noqa: E402
from app.cases.demo import NEWBORN, NEWBORN_ANSWERS, value_for  # noqa: E402
from app.cases.snapshots import Party  # noqa: E402
from app.devices.drivers import Devices  # noqa: E402
from app.devices.simulated import SimulatedCapture, SimulatedIdReader  # noqa: E402
from app.settings import Settings  # noqa: E402
from kiosk.idle import IdleWatch  # noqa: E402
from kiosk.papers import KioskPapers  # noqa: E402
from kiosk.ui.window import KioskWindow  # noqa: E402
from tests.benchmarks.common import cold_start  # noqa: E402
from tests.helpers.clock import Clock
from tests.kiosk.screens import Roll, Tray, journey_for

GOALS = {
    "touch_to_screen_median_ms": 50.0,
    "touch_to_screen_worst_ms": 150.0,
    "idle_wipe_ms": 200.0,
    "cold_start_ms": 2000.0,
    "rss_growth_mb": 20.0,
}
START = Path(__file__).with_name("kiosk_start.py")


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class Citizen:
    """Touches the kiosk's real window and times the touches that change the screen."""

    def __init__(self, app: QApplication, window: KioskWindow, clock: Clock) -> None:
        self.app, self.window, self.clock = app, window, clock
        self.touch_ms: list[tuple[float, str]] = []  # (ms, the button)
        self.wipe_ms: list[float] = []

    def settle(self, done: Callable[[], bool] = lambda: True) -> None:
        window = self.window
        deadline = time.monotonic() + 30
        while window.work.busy or window.device_lane.busy or not done():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the kiosk did not get there ({window.current().name})")
            self.app.processEvents()
            time.sleep(0.0005)
        self.app.processEvents()

    def push(self, name: str) -> QAbstractButton:
        push = self.window.findChild(QAbstractButton, name)
        if push is None or not push.isVisible():
            raise LookupError(f"no button {name} on {self.window.current().name}")
        return push

    def touch(self, name: str, *, timed: bool = True) -> None:
        push = self.push(name)
        before = self.window.current()
        began = time.perf_counter()
        push.click()
        self.app.processEvents()  # posted layouts and deletions
        self.window.repaint()  # the whole window drawn, now
        if timed and self.window.current() is not before:
            self.touch_ms.append(((time.perf_counter() - began) * 1000, name))

    def session(self) -> None:
        window, journey = self.window, self.window.station.journey
        self.touch("read_card", timed=False)
        self.settle(lambda: journey.in_hand.applicant is not None)
        self.touch("tile_出生")
        self.touch(f"scenario_{NEWBORN}")
        while window.current().name == "question":
            question = journey.question()
            assert question is not None
            self.touch(f"answer_{NEWBORN_ANSWERS[question.id]}")
        self.touch("help")
        self.touch("help_back")
        self.touch("pre_apply")
        applicant = journey.in_hand.applicant
        assert applicant is not None
        party = Party(applicant.party.name, applicant.party.id_number, phone="13800138000")
        self.app.processEvents()
        for spec in journey.fields():
            if journey.value_of(spec) or not spec.required:
                continue
            value = value_for(spec, party)
            if spec.type == "enum":
                self.touch(f"field_{spec.key}_{spec.options.index(value)}", timed=False)
            else:
                edit = window.findChild(QLineEdit, f"field_{spec.key}")
                assert edit is not None
                edit.setText(value)
                edit.editingFinished.emit()
        self.touch("form_next")
        self.touch("capture_take", timed=False)
        self.settle()
        while window.current().name == "capture":
            self.touch("capture_next")
        self.touch("review_submit", timed=False)
        self.settle(lambda: window.current().name == "ticket")
        # She walks away with her ticket: the idle limit runs out and the kiosk wipes itself.
        self.clock.advance(3600)
        began = time.perf_counter()
        window.tick()
        window.repaint()
        self.wipe_ms.append((time.perf_counter() - began) * 1000)
        assert window.current().name == "start" and journey.in_hand.case is None
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def kiosk(core: Core, clock: Clock) -> KioskWindow:
    papers = KioskPapers(core)
    papers.a4, papers.tickets = Tray(), Roll()
    window = KioskWindow(
        core,
        journey_for(core),
        Devices(SimulatedIdReader(), SimulatedCapture()),
        papers=papers,
        idle=IdleWatch(core.settings.kiosk, clock),
        tick_ms=60_000,
    )  # the benchmark ticks it itself
    window.resize(1080, 1920)
    window.show()
    return window


def run(quick: bool = False) -> dict[str, Any]:
    first, last = (3, 8) if quick else (50, 500)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory(prefix="onestop-bench-kiosk-") as tmp:
        folder = Path(tmp)
        start_ms = cold_start(folder / "start", 2 if quick else 3, START)
        core = build_core(
            Settings(data_dir=folder / "hall", terminal={"name": "kiosk-01", "channel": "kiosk"})
        )
        clock = Clock()
        window = kiosk(core, clock)
        citizen = Citizen(app, window, clock)
        try:
            began = time.monotonic()
            rss_first = 0.0
            for number in range(1, last + 1):
                citizen.session()
                if number == first:
                    rss_first = rss_mb()
            rss_last = rss_mb()
            session_ms = (time.monotonic() - began) * 1000 / last
            window.shutdown()
        finally:
            core.close()
    touches = sorted(ms for ms, _ in citizen.touch_ms)
    slowest = sorted(citizen.touch_ms, reverse=True)[:5]
    figures = {
        "touch_to_screen_median_ms": round(statistics.median(touches), 1),
        "touch_to_screen_p95_ms": round(touches[int(len(touches) * 0.95)], 1),
        "touch_to_screen_worst_ms": round(touches[-1], 1),
        "idle_wipe_ms": round(max(citizen.wipe_ms), 1),
        "idle_wipe_median_ms": round(statistics.median(citizen.wipe_ms), 1),
        "cold_start_ms": start_ms,
        "rss_growth_mb": round(rss_last - rss_first, 1),
        "rss_at_last_session_mb": round(rss_last, 1),
        "session_ms": round(session_ms, 1),
    }
    return {
        "benchmark": "kiosk",
        "figures": figures,
        "goals": GOALS,
        "met": {key: figures[key] < goal for key, goal in GOALS.items()},
        "slowest_touches": [f"{name} {ms:.1f} ms" for ms, name in slowest],
        "notes": f"2-core VM, offscreen Qt, portrait 1080×1920; {len(touches)} screen-changing "
        f"touches over {last} whole sessions (card, newborn questionnaire, form, one page, "
        f"submission, ticket, idle wipe); idle_wipe_ms is the worst wipe; memory from session "
        f"{first} to {last}",
    }
