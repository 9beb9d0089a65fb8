"""What the counter and the kiosk need from devices. Every device sits behind one of these; the
real drivers come per model, the simulated ones (app.devices.simulated) serve the demo and tests.
Calls may block (a card read waits for a card): screens call them off the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from app.errors import OneStopError
from app.identity.card import IdCardData


class DeviceError(OneStopError):
    """A device is missing or failing; ``message`` says what is wrong (in Chinese) and
    ``fallback`` — the error's hint — the manual way: type the number, choose a file …"""

    def __init__(self, message: str, *, fallback: str = "") -> None:
        super().__init__(message, hint=fallback)
        self.fallback = fallback


class IdCardReader(Protocol):
    name: str

    def read(self, timeout_s: float = 5.0) -> IdCardData | None:
        """The card on the reader, or None when none was put there in time."""
        ...


@dataclass(frozen=True)
class Page:
    """One captured page: a PNG image, its size in pixels, and what its quality check found
    (app.devices.page_quality): each problem as the Chinese words shown to the person, and the
    numbers it was judged by."""

    png: bytes
    width: int
    height: int
    problems: tuple[str, ...] = ()
    measures: tuple[tuple[str, float], ...] = ()


@runtime_checkable
class Batch(Protocol):
    """A device that takes several pages in one go (a scanner's document feeder)."""

    def scan(self) -> list[Page]: ...


class DocumentCapture(Protocol):
    name: str

    def capture(self) -> Page:
        """Take one page from the document camera or scanner."""
        ...


@runtime_checkable
class LivePreview(Protocol):
    """A document camera that can show what it sees before the page is taken (the kiosk's
    preview); a scanner without one is still a :class:`DocumentCapture`."""

    def frame(self, width: int) -> Page:
        """What the camera sees now, scaled to ``width`` pixels (quick, low quality)."""
        ...


@runtime_checkable
class Checkable(Protocol):
    """A device that can say whether it is there and answering (the counter's status bar, the
    kiosk's staff screen, ``onestop devices``)."""

    def check(self) -> str:
        """Empty when the device answers; otherwise what is wrong and what to do, in Chinese. May
        take a moment (opens a port, lists scanners): call it off the GUI thread."""
        ...
