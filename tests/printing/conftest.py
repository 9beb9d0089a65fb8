"""A CUPS scheduler with a PDF queue, once per test session (tests/cupsd.py)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import cupsd


@pytest.fixture(scope="session")
def cups_queue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    if not cupsd.available():
        if os.environ.get("ONESTOP_REQUIRE_CUPS"):
            pytest.fail(cupsd.HOW_TO_ENABLE)
        pytest.skip(cupsd.HOW_TO_ENABLE)
    # cups-pdf writes as another user: the folder and its parents must be open to it (pytest's
    # own temporary folders are 0700).
    outdir = Path(tempfile.mkdtemp(prefix="onestop-cups-pdf-", dir="/tmp"))
    try:
        with cupsd.running_cups(outdir) as queue:
            yield queue, outdir
    finally:
        shutil.rmtree(outdir, ignore_errors=True)
