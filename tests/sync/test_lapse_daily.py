"""A 容缺 promise whose date has passed: once a day the sync worker applies the catalog's outcome
— the items that need the missing material stop, the rest go on — and the (real, reference)
platform is told: its items end, its departments decide only what goes on. A hall that chose
``lapse = "by_hand"`` leaves it to its clerks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.bootstrap import Core
from app.cases.receipts import hall_day
from app.catalog.catalog import Catalog
from app.settings import load_settings
from sync.client import HttpPlatform
from sync.server.app import RunningPlatform
from sync.server.store import PlatformStore
from sync.server.store.schema import cases as platform_cases
from sync.server.store.schema import items as platform_items
from sync.worker import SyncWorker
from tests.helpers.cases import CLERK, open_newborn, receive_all
from tests.helpers.catalogs import tolerable_catalog
from tests.helpers.clock import WallClock
from tests.helpers.cores import Cores
from tests.sync.conftest import HALL

WEEK_AGO = datetime.now(UTC) - timedelta(days=7)


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[tuple[PlatformStore, str]]:
    # departments take an hour: every item still open when the lapse arrives
    store = PlatformStore(tmp_path / "platform", decide_after=timedelta(hours=1))
    token = store.add_terminal("counter-01", HALL)
    with RunningPlatform(store, tick_s=0.05) as running:
        yield store, running.url
        _ = token
    store.close()


def _core(cores: Cores, tmp_path: Path, url: str, token: str, catalog: Catalog, lapse: str) -> Core:
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[hall]\ncode = "{HALL}"\n[platform]\n'
        f'url = "{url}"\ntoken = "{token}"\n[supplements]\nlapse = "{lapse}"\n',
        encoding="utf-8",
    )
    return cores.of(load_settings(settings), tolerable_catalog(catalog), clock=WallClock(WEEK_AGO))


def _promised(core: Core, catalog: Catalog) -> tuple[str, str]:
    """A 新生儿出生 case accepted a week ago with 费用清单 promised for two days later."""
    case = open_newborn(core.cases, tolerable_catalog(catalog))
    late = next(m for m in case.materials if m.plan_status == "tolerable")
    receive_all(core.cases, case, skip=(late.material_id,))
    core.cases.accept_on_commitment(
        CLERK,
        case.receipt_no,
        materials=[late.material_id],
        due_date=hall_day(WEEK_AGO) + timedelta(days=2),
        signed_by="李芳",
    )
    return case.receipt_no, late.material_id


def test_the_worker_stops_what_needs_a_missed_material_and_tells_the_platform(
    cores: Cores, tmp_path: Path, catalog: Catalog, platform: tuple[PlatformStore, str]
) -> None:
    store, url = platform
    token = store.add_terminal("counter-02", HALL)
    core = _core(cores, tmp_path, url, token, catalog, "daily")
    receipt_no, material = _promised(core, catalog)
    scenario = tolerable_catalog(catalog).scenarios["43PCN0009"]
    needing = {i for m in scenario.materials if m.id == material for i in m.items}
    assert isinstance(core.cases.clock, WallClock)
    core.cases.clock.now = datetime.now(UTC)  # a week later
    http = HttpPlatform(url, token, timeout_s=5, deadline_s=10)
    try:
        worker = SyncWorker(core, http)
        first = worker.run_once()  # sends the acceptance, then handles the missed date
        assert first["error"] == ""
        case = core.cases.get(receipt_no)
        stopped = {i.item_id for i in case.items if i.state == "terminated"}
        assert stopped and needing <= stopped and case.state == "accepted"
        assert all(i.state != "terminated" for i in case.items if i.item_id not in stopped)
        assert worker.run_lapses() is None  # once a day
        worker.run_once()  # the lapse message goes up
    finally:
        http.close()
    assert core.outbox.counts().get("pending", 0) == 0
    with store.engine.connect() as connection:
        state = connection.scalar(
            select(platform_cases.c.state).where(platform_cases.c.receipt_no == receipt_no)
        )
        at_platform = dict(
            connection.execute(
                select(platform_items.c.item, platform_items.c.state).where(
                    platform_items.c.receipt_no == receipt_no
                )
            ).all()
        )
    assert state == "accepted"
    assert {i for i, s in at_platform.items() if s == "ended"} == stopped
    assert all(at_platform[i] in ("dispatched", "waiting") for i in set(at_platform) - stopped)


def test_a_hall_that_lapses_by_hand_is_left_to_its_clerks(
    cores: Cores, tmp_path: Path, catalog: Catalog, platform: tuple[PlatformStore, str]
) -> None:
    store, url = platform
    token = store.add_terminal("counter-03", HALL)
    core = _core(cores, tmp_path, url, token, catalog, "by_hand")
    receipt_no, _ = _promised(core, catalog)
    assert isinstance(core.cases.clock, WallClock)
    core.cases.clock.now = datetime.now(UTC)
    http = HttpPlatform(url, token, timeout_s=5, deadline_s=10)
    try:
        SyncWorker(core, http).run_once()
    finally:
        http.close()
    assert core.cases.get(receipt_no).state == "accepted_on_commitment"
