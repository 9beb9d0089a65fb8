"""A kiosk that keeps its own database (no shared hall database): the citizen pre-applies at the
kiosk's real window, the pre-application and its pages travel through the kiosk's outbox to the
reference platform over HTTP, and the window — another database — scans the ticket and the case
opens from the platform with the form complete and every page, as on a shared database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import Core, build_core
from app.devices.drivers import Devices
from app.devices.simulated import SimulatedCapture, SimulatedIdReader
from app.errors import CaseNotFound
from app.settings import PlatformSettings, Settings
from kiosk.idle import IdleWatch
from kiosk.papers import KioskPapers
from kiosk.ui.window import KioskWindow
from sync.worker import SyncWorker, platform_of
from tests.helpers.clock import Clock
from tests.kiosk.screens import Roll, Tray, journey_for
from tests.kiosk.test_preapply import opened_at_the_counter, qr_of, to_review
from tests.sync.conftest import HALL, Served, served  # noqa: F401 (the platform fixture)


def terminal(folder: Path, platform: Served, name: str, channel: str) -> Core:
    token = platform.store.add_terminal(name, HALL)
    return build_core(
        Settings(
            data_dir=folder / name,
            terminal={"name": name, "channel": channel},
            platform=PlatformSettings(url=platform.platform.url, token=token, timeout_s=5),
        )
    )


@pytest.fixture
def kiosk_core(tmp_path: Path, served: Served) -> Iterator[Core]:  # noqa: F811
    core = terminal(tmp_path, served, "kiosk-07", "kiosk")
    yield core
    core.close()


@pytest.fixture
def counter_core(tmp_path: Path, served: Served) -> Iterator[Core]:  # noqa: F811
    core = terminal(tmp_path, served, "counter-02", "counter")
    yield core
    core.close()


def test_a_pre_application_travels_through_the_platform_to_another_database(
    qtbot: QtBot, kiosk_core: Core, counter_core: Core
) -> None:
    roll = Roll()
    papers = KioskPapers(kiosk_core)
    papers.a4, papers.tickets = Tray(), roll
    kiosk = KioskWindow(
        kiosk_core,
        journey_for(kiosk_core),
        Devices(SimulatedIdReader(), SimulatedCapture()),
        papers=papers,
        idle=IdleWatch(kiosk_core.settings.kiosk, Clock()),
    )
    qtbot.addWidget(kiosk)
    kiosk.resize(1080, 1920)
    kiosk.show()
    to_review(qtbot, kiosk)
    case = kiosk.station.journey.in_hand.case
    assert case is not None and case.state == "pre_application"
    signed = qr_of(roll.printed[0])
    kiosk.finish()
    with pytest.raises(CaseNotFound):  # the window's database has never seen it
        counter_core.cases.get(case.receipt_no)

    platform = platform_of(kiosk_core)  # the kiosk's sync worker, one pass
    try:
        done = SyncWorker(kiosk_core, platform).run_once(rounds=100)
    finally:
        platform.close()
    assert not done["error"] and not done["rejected"], done
    assert kiosk_core.outbox.counts().get("pending", 0) == 0  # the case and its pages went

    window_platform = platform_of(counter_core)
    try:
        opened_at_the_counter(qtbot, counter_core, window_platform, signed, case)
    finally:
        window_platform.close()
