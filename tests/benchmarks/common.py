"""What the benchmarks share."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


def cold_start(folder: Path, rounds: int, script: Path) -> float:
    """The median time from a fresh interpreter's start to ``script``'s window on show (the
    script prints it), on a data folder migrated by a first run."""

    def once() -> float:
        started = f"{time.time():.6f}"
        result = subprocess.run(
            [sys.executable, str(script), str(folder), started],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return float(result.stdout.strip().splitlines()[-1])

    once()  # the database is created and migrated once, as at a hall's first start
    return round(statistics.median(once() for _ in range(rounds)), 1)


def median_ms(
    action: Callable[[], object], rounds: int, *, warm_up: int = 3, digits: int = 2
) -> float:
    """The median time of ``action`` in milliseconds, after ``warm_up`` calls (caches filled,
    as in a running terminal)."""
    for _ in range(warm_up):
        action()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), digits)
