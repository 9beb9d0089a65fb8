"""``onestop kiosk --screenshots DIR``: the demo hall's kiosk walked through every screen — in the
normal and the elderly mode, portrait (1080×1920) and landscape (1920×1080) — a PNG of each, for
the README and for review. Runs without a display (offscreen)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cases.demo import NEWBORN, NEWBORN_ANSWERS, value_for
from app.cases.snapshots import Party

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from app.identity.card import IdCardData
    from kiosk.ui.window import KioskWindow

log = logging.getLogger(__name__)
PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)
AFTERCARE_CASES = 6  # the demo hall's own cases: one accepted at the window is queried and rated


# Every screen the walk takes, per shape and mode: the README shows them by these file names (a
# test holds the README to them).
SHOTS = (
    "start",
    "find",
    "question",
    "plan",
    "identify",
    "form",
    "capture",
    "review",
    "ticket",
    "help",
    "progress",
    "rate",
    "demo-scan",
    "staff",
    "staff-status",
)


def shot_file(tag: str, name: str) -> str:
    """``portrait-elderly-plan.png``: the shape and mode, then the screen."""
    assert name in SHOTS, name
    return f"{tag}-{name}.png"


def save_screenshots(
    folder: Path,
    *,
    sizes: tuple[tuple[int, int], ...] = (PORTRAIT, LANDSCAPE),
    modes: tuple[bool, ...] = (False, True),
) -> list[Path]:
    from app.widgets.screenshots import prepare, save_picture

    prepare(folder)
    from kiosk.main import KioskApp
    from sync.demo import demo_world

    saved: list[Path] = []
    with demo_world(cases=AFTERCARE_CASES, terminal="kiosk-01", channel="kiosk") as demo:
        settings = demo.settings.model_copy(
            update={
                "printing": demo.settings.printing.model_copy(
                    update={"a4_printer": "onestop-demo-no-printer"}
                )
            }
        )
        kiosk = KioskApp(settings)
        try:
            window = kiosk.start(windowed=True, demo=True)
            window.show()
            for width, height in sizes:
                window.resize(width, height)
                for elderly in modes:
                    shape = "portrait" if height > width else "landscape"
                    tag = f"{shape}-{'elderly' if elderly else 'normal'}"

                    def shoot(name: str, tag: str = tag) -> None:
                        settle(window)
                        path = folder / shot_file(tag, name)
                        save_picture(window.grab().toImage(), path)
                        saved.append(path)

                    walk(window, elderly, shoot)
                    window.finish()
            window.close()
            gone(window)  # its on-screen keyboard with it: an application has only one
        finally:
            kiosk.close()
    return saved


def settle(window: KioskWindow, done: Callable[[], bool] = lambda: True) -> None:
    """Let the window's background work finish and the screen draw (and ``done`` come true)."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + 10
    while window.work.busy or window.device_lane.busy or not done():
        if time.monotonic() > deadline:
            raise TimeoutError("screenshots: the screen did not get ready")
        QApplication.processEvents()
        time.sleep(0.01)
    for _ in range(5):
        QApplication.processEvents()


def walk(window: KioskWindow, elderly: bool, shoot: Callable[[str], None]) -> None:
    """Every screen of the kiosk, in ``elderly`` mode or not, ``shoot`` called on each: a
    pre-application from the quiet start to the ticket, help, then a case accepted at the
    window (progress, rating) and the staff screens (the PIN of the demo)."""
    _walk(window, elderly, shoot)
    _aftercare(window, elderly, shoot)


def gone(window: QWidget) -> None:
    """Delete ``window`` now (not at some later turn of the event loop)."""
    from PySide6.QtCore import QCoreApplication, QEvent

    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _walk(window: KioskWindow, elderly: bool, shoot: Callable[[str], None]) -> None:
    """Every screen of a pre-application, from the quiet start to the ticket."""
    station, journey = window.station, window.station.journey
    if elderly != window.elderly:
        window.toggle_elderly()
    shoot("start")
    window.go("find:stage:出生")
    shoot("find")
    journey.choose(NEWBORN)
    window.go("question")
    shoot("question")
    while (question := journey.question()) is not None:
        journey.answer(NEWBORN_ANSWERS[question.id])
    window.go("plan")
    shoot("plan")
    window.go("identify")
    shoot("identify")
    reader = station.devices.id_reader
    card = reader.read() if reader is not None else None
    if card is not None:
        journey.in_hand.read_card(card)
    _pre_apply(window, card, shoot)


def _pre_apply(window: KioskWindow, card: IdCardData | None, shoot: Callable[[str], None]) -> None:
    """The form (with the on-screen keyboard up), two pages captured, the review, the ticket."""
    from kiosk.ui.form import FormScreen
    from kiosk.ui.review import ReviewScreen

    station, journey = window.station, window.station.journey
    window.go("form")
    party = Party(card.name if card else "", card.id_number if card else "", phone="13800138000")
    for spec in journey.fields():
        if spec.required and not journey.value_of(spec):
            journey.set_field(spec.key, value_for(spec, party))
    window.go("form")
    form = window.screens["form"]
    assert isinstance(form, FormScreen)
    edit = next(iter(form.edits.values()), None)
    keyboard = window.keyboard
    if edit is not None and keyboard is not None:  # the on-screen keyboard, as a touch brings it
        edit.setFocus()
        try:
            settle(window, lambda: keyboard.isVisible() and keyboard.height() > 100)
        except TimeoutError:  # another keyboard in this process (one per application)
            log.warning("screenshots: the on-screen keyboard did not show; the form without it")
        # The screen above gives way and the keys slide in; the first time, the keyboard's QML
        # is loaded and compiled too.
        deadline = time.monotonic() + (1.5 if keyboard.property("shown_once") else 4.0)
        keyboard.setProperty("shown_once", True)
        while time.monotonic() < deadline:
            settle(window)
    shoot("form")
    if edit is not None:
        edit.clearFocus()
    window.go("capture")
    capture = station.devices.capture
    materials = journey.to_capture()
    if capture is not None and materials:
        for _ in range(2):
            journey.add_page(materials[0].id, capture.capture())
        window.go("capture")
    shoot("capture")
    window.go("review")
    shoot("review")
    review = window.screens["review"]
    assert isinstance(review, ReviewScreen)
    review.send()
    settle(window)
    shoot("ticket")
    window.go("help:ticket")
    shoot("help")


def _aftercare(window: KioskWindow, elderly: bool, shoot: Callable[[str], None]) -> None:
    """After a window visit: the receipt scanned → its progress → the rating with a 差评's
    reasons; then the staff screen behind the hidden gesture."""
    from app.cases.queries import CaseQuery
    from kiosk.ui.rate import RateScreen
    from kiosk.ui.staff import StaffScreen
    from printing import qr
    from sync.demo import DEMO_PIN

    core = window.station.core
    window.finish()  # a new citizen, who chooses 长辈模式 again
    if elderly != window.elderly:
        window.toggle_elderly()
    accepted = core.queries.find(CaseQuery(states=("accepted",), limit=1))
    if accepted:
        code = qr.sign(accepted[0].receipt_no, core.receipt_keys)
        window.on_scan(code)
        settle(window)
        shoot("progress")
        window.go(f"rate:{code}")
        settle(window)
        rate = window.screens["rate"]
        assert isinstance(rate, RateScreen)
        rate.choose(2)  # a 差评: its reasons and the words it needs
        shoot("rate")
    else:
        log.warning("screenshots: no accepted case in the demo hall; no progress or rating")
    if "demo_scan" in window.screens:
        window.go("demo_scan")
        shoot("demo-scan")
    window.open_staff()
    shoot("staff")
    staff = window.screens["staff"]
    assert isinstance(staff, StaffScreen)
    staff.pin.setText(DEMO_PIN)
    staff.submit()
    settle(window, lambda: not staff.reading)
    shoot("staff-status")
