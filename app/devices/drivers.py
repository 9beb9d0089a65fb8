"""The devices a terminal uses, as its settings name them: the counter and the kiosk are handed
the same :class:`Devices`. "simulated" gives the test persons and sample pages (demo, training);
"none" leaves the device out and the screens offer the manual way."""

from __future__ import annotations

from dataclasses import dataclass

from app.devices.protocols import DocumentCapture, IdCardReader
from app.settings import Settings


@dataclass
class Devices:
    id_reader: IdCardReader | None = None
    capture: DocumentCapture | None = None


def devices_of(settings: Settings) -> Devices:
    from app.devices.simulated import SimulatedCapture, SimulatedIdReader

    return Devices(
        SimulatedIdReader() if settings.devices.id_reader == "simulated" else None,
        SimulatedCapture() if settings.devices.capture == "simulated" else None,
    )
