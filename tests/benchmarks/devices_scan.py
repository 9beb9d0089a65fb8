"""Scanner benchmark: one 200 dpi grey page from SANE's test backend through the SANE driver
(scanimage in a process, PNG written by it), median after warm-up. The test backend's area
stops at 200 × 200 mm, so the page is that (1574 × 1574 px) rather than A4 (1654 × 2339 px,
about 1.6 times the pixels); a real scanner's mechanics take seconds more than this."""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from app.devices.sane_scanner import SaneScanner

WARM_UP = 2


def run(quick: bool = False) -> dict[str, Any]:
    rounds = 5 if quick else 30
    with tempfile.TemporaryDirectory(prefix="onestop-sane-") as folder:
        config = Path(folder)
        (config / "dll.conf").write_text("test\n")
        shutil.copy("/etc/sane.d/test.conf", config)
        env = {**os.environ, "SANE_CONFIG_DIR": str(config)}
        area = ("-x", "200", "-y", "200", "--test-picture=Grid")
        scanner = SaneScanner("test:0", resolution=200, mode="Gray", options=area, env=env)
        scanner.offered()  # asked once per scanner, as in a running app
        samples = []
        for index in range(WARM_UP + rounds):
            start = time.perf_counter()
            page = scanner.capture()
            if index >= WARM_UP:
                samples.append((time.perf_counter() - start) * 1000)
    return {
        "benchmark": "devices_scan",
        "quick": quick,
        "setup": {"page_px": f"{page.width}×{page.height}", "png_bytes": len(page.png)},
        "figures": {"sane_test_page_200dpi_grey_ms": round(statistics.median(samples), 2)},
        "notes": ["SANE test backend, grid picture, 200 × 200 mm (its largest area)"],
    }
