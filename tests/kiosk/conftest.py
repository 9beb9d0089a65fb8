"""A kiosk's core on a fresh SQLite database with the built-in catalog, and its journey."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import Core, build_core
from app.cases.audit import Actor
from app.cases.flow import CaseFlow
from app.settings import Settings
from kiosk.journey import Journey
from printing import qr


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Core]:
    settings = Settings(data_dir=tmp_path / "kiosk", terminal={"name": "kiosk-01",
                                                                "channel": "kiosk"})  # fmt: skip
    core = build_core(settings)
    yield core
    core.close()


@pytest.fixture
def journey(core: Core) -> Journey:
    key = core.settings.printing.key

    def check(text: str) -> tuple[str, str]:
        checked = qr.verify(text, key)
        return checked.receipt_no, checked.reason

    flow = CaseFlow(core.cases, core.catalog, Actor("自助终端", "kiosk-01"),
                    hall_province=core.settings.hall.province, check_qr=check,
                    channel="kiosk")  # fmt: skip
    return Journey(flow, hall_phone="0731-88665266", hall_place="市民之家一楼综合窗口")
