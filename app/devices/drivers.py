"""The devices a terminal uses, as its settings name them: the counter and the kiosk are handed
the same :class:`Devices`. "simulated" gives the test persons and sample pages (demo, training);
"none" leaves the device out and the screens offer the manual way."""

from __future__ import annotations

from dataclasses import dataclass

from app.devices.protocols import DocumentCapture, IdCardReader
from app.devices.serial_scanner import SerialCodeScanner
from app.settings import Settings


@dataclass
class Devices:
    id_reader: IdCardReader | None = None
    capture: DocumentCapture | None = None
    code_scanner: SerialCodeScanner | None = None  # a QR scanner in serial mode
    # 培训模式: the test persons' cards beside the real reader, so a trainee can practise
    # without a real person's card (None outside training, or when the reader is simulated)
    practice_reader: IdCardReader | None = None


def devices_of(settings: Settings) -> Devices:
    from app.devices.simulated import SimulatedCapture, SimulatedIdReader

    chosen = settings.devices
    reader: IdCardReader | None = None
    if chosen.id_reader == "simulated":
        reader = SimulatedIdReader()
    elif chosen.id_reader == "serial":
        from app.devices.serial_reader import SerialIdReader

        reader = SerialIdReader(
            chosen.reader_port,
            baudrate=chosen.id_reader_baudrate,
            photo_decoder=str(chosen.photo_decoder_library or ""),
        )
    elif chosen.id_reader in ("sdtapi", "termb"):
        from app.devices.sdk_reader import SdtapiIdReader, TermbIdReader, sdk_port

        family = SdtapiIdReader if chosen.id_reader == "sdtapi" else TermbIdReader
        reader = family(
            str(chosen.id_reader_library or ""),
            sdk_port(chosen.reader_port),
            photo_decoder=str(chosen.photo_decoder_library or ""),
        )
    capture: DocumentCapture | None = None
    if chosen.capture == "simulated":
        capture = SimulatedCapture()
    elif chosen.capture == "scanner":
        from app.devices.page_quality import MadeGood
        from app.devices.sane_scanner import SaneScanner

        scanner = SaneScanner(
            chosen.scanner,
            resolution=chosen.scanner_resolution,
            mode=chosen.scanner_mode,
            source=chosen.scanner_source,
        )
        capture = MadeGood(scanner, "scanner")
    codes: SerialCodeScanner | None = None
    if chosen.code_scanner_port:
        codes = SerialCodeScanner(
            chosen.code_scanner_port,
            on_code=lambda _code: None,
            baudrate=chosen.code_scanner_baudrate,
        )
    practice = (
        SimulatedIdReader()
        if settings.terminal.training and chosen.id_reader != "simulated"
        else None
    )
    return Devices(reader, capture, codes, practice)
