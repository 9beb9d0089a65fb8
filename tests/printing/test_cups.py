"""Printing through a real CUPS server to a PDF printer, with the print journal in the audit trail."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.cases.audit import Actor
from app.errors import InvalidInput
from app.settings import Settings
from printing.a4 import Letterhead
from printing.a4_printer import A4PrinterUnavailable
from printing.jobs import print_document
from printing.samples import acceptance
from tests.helpers.keys import ring
from tests.helpers.waiting import eventually

CLERK = Actor("张敏", "counter-03")
KEY = ring(b"cups-test")


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    found = re.search(r"Pages:\s+(\d+)", info.stdout)
    assert found, info.stdout
    return int(found.group(1))


def printed_file(outdir: Path, before: set[Path], timeout_s: float = 30) -> Path:
    """The PDF cups-pdf wrote for the job (its name comes from the job's title, mangled)."""
    new = eventually(
        lambda: [p for p in outdir.glob("*.pdf") if p not in before and p.stat().st_size > 0],
        timeout_s,
        f"nothing arrived in {outdir}",
        every_s=0.1,
    )
    time.sleep(0.3)  # cups-pdf may still be writing
    return new[0]


def test_print_reprint_and_a_missing_printer(cups_queue: tuple[str, Path], tmp_path: Path) -> None:
    queue, outdir = cups_queue
    core = build_core(Settings(data_dir=tmp_path / "data"))
    try:
        case = acceptance(core.cases, core.catalog)
        letterhead = Letterhead.of(core.settings)
        before = set(outdir.glob("*.pdf"))
        first = print_document(
            core.cases,
            CLERK,
            case.receipt_no,
            "acceptance",
            letterhead=letterhead,
            keys=KEY,
            printer=queue,
        )
        assert first.copy == 1 and first.job.startswith(queue)
        out = printed_file(outdir, before)
        sent = tmp_path / "sent.pdf"
        sent.write_bytes(first.pdf)
        assert pages(out) == pages(sent) >= 1
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "40",
                "-f",
                "1",
                "-l",
                "1",
                str(out),
                str(tmp_path / "printed"),
            ],
            check=True,
        )
        assert (tmp_path / "printed-1.png").stat().st_size > 5_000  # not a blank page

        with pytest.raises(InvalidInput, match="重新打印必须写明原因"):
            print_document(
                core.cases,
                CLERK,
                case.receipt_no,
                "acceptance",
                letterhead=letterhead,
                keys=KEY,
                printer=queue,
            )
        again = print_document(
            core.cases,
            CLERK,
            case.receipt_no,
            "acceptance",
            letterhead=letterhead,
            keys=KEY,
            printer=queue,
            reason="申请人遗失受理通知书",
        )
        assert again.copy == 2 and again.pdf == first.pdf  # the same bytes as the first time
        with pytest.raises(A4PrinterUnavailable, match="不存在"):
            print_document(
                core.cases,
                CLERK,
                case.receipt_no,
                "acceptance",
                letterhead=letterhead,
                keys=KEY,
                printer="NoSuchPrinter",
                reason="换一台打印机",
            )
        journal = [
            (e.action, (e.after or {}).get("reason"), e.actor)
            for e in core.cases.timeline(case.receipt_no)
            if e.action in ("print", "reprint", "print_failed")
        ]
        assert journal == [
            ("print", "", "张敏"),
            ("reprint", "申请人遗失受理通知书", "张敏"),
            ("print_failed", "换一台打印机", "张敏"),
        ]
    finally:
        core.close()
