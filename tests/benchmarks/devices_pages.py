"""Page benchmarks (app.devices.page_quality): a 13-megapixel document camera still (4208 × 3120, colour,
the sheet at an angle on a desk) made into a straightened, checked page and stored as the case's
PDF; and the quality check alone on an A4 page at 150 dpi — median times after warm-up."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from app.cases.pages import pages_to_pdf
from app.devices.page_quality import check, make_good
from tests import page_samples as samples
from tests.benchmarks.common import median_ms

GOALS = {"still_to_pdf_ms": 400.0, "quality_check_ms": 50.0}
WARM_UP = 2


def still_to_page(rounds: int) -> dict[str, float]:
    """From the camera's still to the PDF the case keeps: the still as an array (as a driver that
    grabs frames hands it over) and as JPEG bytes (as a camera's still-image pin sends it)."""
    still = samples.on_desk(samples.text_page(colour=True), samples.TILTED)
    jpeg = cv2.imencode(".jpg", still, [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes()
    buffer = np.frombuffer(jpeg, np.uint8)
    page, _ = make_good(still, source="camera")

    def from_array() -> None:
        made, _ = make_good(still, source="camera")
        pages_to_pdf([made.png])

    def from_jpeg() -> None:
        made, _ = make_good(jpeg, source="camera")
        pages_to_pdf([made.png])

    return {
        "still_to_pdf_ms": median_ms(from_array, rounds),
        "jpeg_still_to_pdf_ms": median_ms(from_jpeg, rounds),
        "make_good_ms": median_ms(lambda: make_good(still, source="camera"), rounds),
        "jpeg_decode_ms": median_ms(lambda: cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED), rounds),
        "page_to_pdf_ms": median_ms(lambda: pages_to_pdf([page.png]), rounds),
        "page_png_kb": round(len(page.png) / 1024),
        "page_pdf_kb": round(len(pages_to_pdf([page.png])) / 1024),
    }


def quality_check(rounds: int) -> dict[str, float]:
    """The check alone on a captured page: A4 at 150 dpi in grey and colour, and a 300 dpi scan."""
    grey = samples.text_page()
    colour = samples.text_page(colour=True)
    scan = samples.text_page((2480, 3508))
    return {
        "quality_check_ms": median_ms(lambda: check(grey), rounds),
        "quality_check_colour_ms": median_ms(lambda: check(colour), rounds),
        "quality_check_300dpi_ms": median_ms(lambda: check(scan), rounds),
    }


def run(quick: bool = False) -> dict[str, Any]:
    rounds = 3 if quick else 15
    figures = still_to_page(rounds) | quality_check(rounds * 4)
    return {
        "benchmark": "devices_pages",
        "quick": quick,
        "setup": {"still": "4208 × 3120 colour, sheet tilted on a desk", "page": "A4 at 150 dpi"},
        "figures": figures,
        "goals": {k: f"< {v:g}" for k, v in GOALS.items()},
        "met": {k: figures[k] < v for k, v in GOALS.items()},
        "notes": ["median of one call after warm-up; the PDF is app.cases.pages.pages_to_pdf"],
    }
