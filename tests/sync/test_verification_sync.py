"""告知承诺 reaches the (real, reference) platform over HTTP: the acceptance says which proofs the
applicant's commitment replaced and by when they are checked; the check's outcome follows, and a
false one ends the items still open at the platform too."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cases.receipts import hall_day
from app.catalog.catalog import Catalog
from sync.client import HttpPlatform
from sync.server.app import RunningPlatform
from sync.server.store import PlatformStore
from sync.server.store.schema import cases as platform_cases
from sync.server.store.schema import items as platform_items
from tests.helpers.cases import CLERK, MANAGER, open_newborn, receive_all
from tests.helpers.catalogs import committed_catalog
from tests.sync.conftest import HALL, Served, hall_at
from tests.sync.test_sync import drain


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The reference platform whose departments take an hour: every item is still open when
    the check's outcome arrives (with the conftest's, they might decide first)."""
    store = PlatformStore(tmp_path / "platform", decide_after=timedelta(hours=1))
    token = store.add_terminal("counter-01", HALL)
    admin = store.add_terminal("admin", HALL, role="admin")
    with RunningPlatform(store, tick_s=0.05) as platform:
        yield Served(platform, store, token, admin)
    store.close()


def at_platform(served: Served, receipt_no: str) -> tuple[dict[str, object], dict[str, str]]:
    with served.store.engine.connect() as connection:
        submission = connection.scalar(
            select(platform_cases.c.submission).where(platform_cases.c.receipt_no == receipt_no)
        )
        states = dict(
            connection.execute(
                select(platform_items.c.item, platform_items.c.state).where(
                    platform_items.c.receipt_no == receipt_no
                )
            ).all()
        )
    assert isinstance(submission, dict)
    return submission, states


def test_a_false_commitment_reaches_the_platform_and_ends_its_items(
    tmp_path: Path, served: Served, http: HttpPlatform, catalog: Catalog
) -> None:
    catalog = committed_catalog(catalog)
    with hall_at(tmp_path / "hall", catalog) as hall:
        case = open_newborn(hall.service, catalog)
        marriage = next(m for m in case.materials if m.plan_status == "commitment")
        receive_all(hall.service, case, skip=(marriage.material_id,))
        hall.service.record_material(CLERK, case.receipt_no, marriage.material_id, "committed")
        accepted = hall.service.accept(CLERK, case.receipt_no)
        record = accepted.verification
        assert record is not None and record["materials"] == [marriage.material_id]
        drain(hall, http)
        assert hall.outbox.counts().get("attention", 0) == 0

        assert accepted.accepted_at is not None
        checked = hall_day(accepted.accepted_at)  # the department checked the same day
        found = hall.service.verify(
            MANAGER,
            case.receipt_no,
            outcome="false",
            checked_on=checked,
            department="长沙市岳麓区民政局",
            note="经婚姻登记信息核查，与承诺不符",
        )
        drain(hall, http)
        assert hall.outbox.counts().get("attention", 0) == 0
        submission, states = at_platform(served, case.receipt_no)
        sent = submission.get("verification")
        assert isinstance(sent, dict)
        assert (sent["outcome"], sent["department"]) == ("false", "长沙市岳麓区民政局")
        assert found.verification is not None
        ended = found.verification["terminated"]
        assert ended and all(states[i] == "ended" for i in ended)
