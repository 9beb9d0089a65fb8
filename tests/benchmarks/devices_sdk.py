"""SDK ID card reader benchmarks: one card read (a 2023 foreigner's card, the longest text)
through the stand-in vendor library of tests/sdk_stand_in, compiled here, by each API family,
with and without the photo decoder — median times after warm-up. They measure the driver's own
cost (ctypes calls, parsing, files, PNG); a real reader adds its radio time (some 0.5–1 s)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from app.devices import gat467
from app.devices.sdk_reader import SdtapiIdReader, TermbIdReader
from tests.benchmarks.common import median_ms
from tests.id_cards import FOREIGN_Y

STAND_IN = Path(__file__).parent.parent / "sdk_stand_in"
GOALS = {"sdtapi_read_ms": 20.0, "termb_read_ms": 20.0, "sdtapi_read_with_photo_ms": 40.0}


def run(quick: bool = False) -> dict[str, Any]:
    rounds = 5 if quick else 50
    gcc = shutil.which("gcc")
    if gcc is None:
        raise RuntimeError("gcc is needed to build the stand-in vendor library")
    saved_cwd, saved_card = Path.cwd(), os.environ.get("STANDIN_CARD")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        libs = {}
        for name in ("idreader", "wlt"):
            libs[name] = str(work / f"lib{name}.so")
            subprocess.run(
                [gcc, "-shared", "-fPIC", "-O1", "-o", libs[name], str(STAND_IN / f"{name}.c")],
                check=True,
            )
        card = work / "card.bin"
        card.write_bytes(gat467.base_text(FOREIGN_Y) + bytes(range(256)) * 4)
        os.environ["STANDIN_CARD"] = str(card)
        os.chdir(work)  # termb libraries write wz.txt into the working directory
        try:
            for reader in (SdtapiIdReader(libs["idreader"]), TermbIdReader(libs["idreader"])):
                read = reader.read()
                if read is None or read.id_number != FOREIGN_Y.id_number:
                    raise RuntimeError(f"{reader.name} did not read the card: {read}")
            figures = {
                "sdtapi_read_ms": median_ms(SdtapiIdReader(libs["idreader"]).read, rounds),
                "termb_read_ms": median_ms(TermbIdReader(libs["idreader"]).read, rounds),
                "sdtapi_read_with_photo_ms": median_ms(
                    SdtapiIdReader(libs["idreader"], photo_decoder=libs["wlt"]).read, rounds
                ),
            }
        finally:
            os.chdir(saved_cwd)
            if saved_card is None:
                os.environ.pop("STANDIN_CARD", None)
            else:
                os.environ["STANDIN_CARD"] = saved_card
    return {
        "benchmark": "devices_sdk",
        "quick": quick,
        "setup": {"card": "2023 foreigner's permanent residence card (Y)", "library": "stand-in"},
        "figures": figures,
        "goals": {k: f"< {v:g}" for k, v in GOALS.items()},
        "met": {k: figures[k] < v for k, v in GOALS.items()},
        "notes": [
            "median of one read after warm-up; the stand-in answers at once, so this is "
            "the driver's cost, not the reader's radio time"
        ],
    }
