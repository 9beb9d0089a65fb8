"""Printing benchmarks: an acceptance receipt PDF, a three-page material list PDF, and an ESC/POS
acceptance slip with its raster text — median times after warm-up (fonts loaded, caches filled,
as in a running counter app)."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from escpos.printer import Dummy

from app.cases.demo import NEWBORN
from app.cases.receipts import YearSerial
from app.catalog.catalog import load_catalog
from app.settings import Settings
from printing.a4 import Letterhead
from printing.documents import Context, render_case, render_plan
from printing.samples import START, sample_case, sample_plan
from printing.tickets import Profile, acceptance_slip, render
from tests.benchmarks.common import median_ms
from tests.helpers.keys import ring

GOALS = {"acceptance_pdf_ms": 30.0, "material_list_3_pages_ms": 80.0, "escpos_slip_ms": 20.0}


def _pages(pdf: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        Path(file.name).write_bytes(pdf)
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True, check=True)
    return int(info.stdout.split("Pages:")[1].split()[0])


def run(quick: bool = False) -> dict[str, Any]:
    rounds = 5 if quick else 50
    catalog = load_catalog()
    scenario = catalog.scenario(NEWBORN)
    letterhead = Letterhead.of(Settings())
    case = sample_case("acceptance", catalog)
    context = Context(case, scenario, letterhead, ring(b"benchmark-key"), YearSerial(2026, 1))
    plan = sample_plan(catalog)
    # The sample plan's 12 materials fill a page; three times as many flow onto three pages.
    long_plan = replace(plan, materials=plan.materials * 3)
    pages = _pages(render_plan(long_plan, scenario, letterhead, at=START))
    profile = Profile(80, "raster")

    def slip() -> None:
        render(acceptance_slip(case, letterhead.hall, ring(b"benchmark-key")), Dummy(), profile)

    figures = {
        "acceptance_pdf_ms": median_ms(lambda: render_case("acceptance", context), rounds),
        "material_list_3_pages_ms": median_ms(
            lambda: render_plan(long_plan, scenario, letterhead, at=START), rounds
        ),
        "escpos_slip_ms": median_ms(slip, rounds),
    }
    return {
        "benchmark": "printing",
        "quick": quick,
        "setup": {"material_list_pages": pages, "slip": "80 mm, Chinese as raster, native QR"},
        "figures": figures,
        "goals": {k: f"< {v:g}" for k, v in GOALS.items()},
        "met": {k: figures[k] < v for k, v in GOALS.items()},
        "notes": ["median of one call after warm-up; PDFs include the embedded font subset"],
    }
