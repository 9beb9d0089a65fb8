"""A CUPS scheduler with a PDF printer for the printing tests (MACHINE.md recipe).

``running_cups(outdir)`` starts ``cupsd`` when none runs (and stops only what it started), adds a
queue that writes PDFs into ``outdir`` through cups-pdf, and yields the queue's name. Without the
binaries the tests are skipped with how to enable them; ``ONESTOP_REQUIRE_CUPS=1`` (make test)
turns that into a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CUPSD = Path("/usr/sbin/cupsd")
BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
PPD = "lsb/usr/cups-pdf/CUPS-PDF_noopt.ppd"
QUEUE = "OneStopTestPDF"
HOW_TO_ENABLE = (
    "CUPS tests need cupsd and cups-pdf: apt-get install --no-install-recommends "
    "cups printer-driver-cups-pdf poppler-utils (make test installs them)"
)


def available() -> bool:
    return CUPSD.exists() and BACKEND.exists() and shutil.which("lpadmin") is not None


def _scheduler_running() -> bool:
    done = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, check=False)
    return "is running" in done.stdout and "not" not in done.stdout


@contextmanager
def running_cups(outdir: Path) -> Iterator[str]:
    started: subprocess.Popen[bytes] | None = None
    if not _scheduler_running():
        started = subprocess.Popen(
            [str(CUPSD), "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 15
        while not _scheduler_running():
            if time.monotonic() > deadline or started.poll() is not None:
                started.kill()
                raise RuntimeError("cupsd did not start")
            time.sleep(0.1)
    conf = Path(f"/etc/cups/cups-pdf-{QUEUE}.conf")
    outdir.mkdir(parents=True, exist_ok=True)
    os.chmod(outdir, 0o777)  # cups-pdf writes as its own user
    conf.write_text(f"Out {outdir}\nUserUMask 0022\n", encoding="utf-8")
    try:
        subprocess.run(
            ["lpadmin", "-p", QUEUE, "-E", "-v", f"cups-pdf:/{QUEUE}", "-m", PPD],
            capture_output=True,
            check=True,
            timeout=30,
        )
        yield QUEUE
    finally:
        subprocess.run(["lpadmin", "-x", QUEUE], capture_output=True, check=False, timeout=30)
        conf.unlink(missing_ok=True)
        if started is not None:
            started.terminate()
            try:
                started.wait(timeout=10)
            except subprocess.TimeoutExpired:
                started.kill()
                started.wait()
