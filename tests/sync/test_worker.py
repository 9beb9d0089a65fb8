"""The sync worker: a published catalog is taken up between cases, and a request the platform
refuses as a whole is split to find the message it minds."""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from app.bootstrap import Core
from app.catalog.loader import builtin_catalog_dir
from app.settings import load_settings
from sync import contract
from sync.catalogs import bundle_of
from sync.client import HttpPlatform, Refused
from sync.worker import SyncWorker, status
from tests.helpers.cases import ANSWERS, CLERK, MOTHER, NEWBORN, filled_form
from tests.helpers.cores import Cores
from tests.sync.conftest import HALL, Served


@pytest.fixture
def core(cores: Cores, tmp_path: Path, served: Served) -> Core:
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[hall]\ncode = "{HALL}"\n[platform]\n'
        f'url = "{served.platform.url}"\ntoken = "{served.token}"\n',
        encoding="utf-8",
    )
    return cores.of(load_settings(settings))


def test_a_published_catalog_is_used_for_new_cases_only(
    core: Core, served: Served, http: HttpPlatform, tmp_path: Path
) -> None:
    old = core.cases.open_case(
        CLERK,
        channel="counter",
        scenario=NEWBORN,
        applicant=MOTHER,
        answers=ANSWERS,
        form=filled_form(core.catalog, NEWBORN, ANSWERS),
    )
    newer = tmp_path / "newer"
    shutil.copytree(builtin_catalog_dir(), newer)
    meta = newer / "_catalog.yaml"
    meta.write_text(
        re.sub(r"(?m)^version: .*$", "version: 2026.12.1", meta.read_text("utf-8")),
        encoding="utf-8",
    )
    admin = HttpPlatform(served.platform.url, served.admin_token)
    admin.publish_catalog(bundle_of(newer))
    admin.close()
    worker = SyncWorker(core, http)
    pulled = worker.pull_catalog()
    assert pulled is not None and pulled.changed and core.catalog.version == "2026.12.1"
    assert status(core)["catalog_version"] == "2026.12.1"
    fresh = core.cases.open_case(
        CLERK,
        channel="counter",
        scenario=NEWBORN,
        applicant=MOTHER,
        answers=ANSWERS,
        form=filled_form(core.catalog, NEWBORN, ANSWERS),
    )
    assert fresh.catalog_version == "2026.12.1"
    assert core.cases.get(old.receipt_no).catalog_version == "2026.11.1"
    kept = core.cases.update(CLERK, old.receipt_no, form={"newborn.name": "王小明"})
    assert kept.catalog_version == "2026.11.1"  # a case keeps the version it started with
    assert worker.pull_catalog() is not None and core.catalog.version == "2026.12.1"


class Picky(HttpPlatform):
    """The real platform, except that it refuses any request carrying ``refuse``'s message."""

    refuse = ""

    def send(self, messages: Sequence[contract.EncodedEnvelope]) -> list[contract.MessageResult]:
        if any(m.receipt_no == self.refuse for m in messages):
            raise Refused("平台拒绝了请求（422）：请求不符合接口规范")
        return super().send(messages)


def test_a_refused_request_is_split_to_find_the_bad_message(core: Core, served: Served) -> None:
    receipts = [
        core.cases.open_case(
            CLERK,
            channel="kiosk",
            scenario=NEWBORN,
            applicant=MOTHER,
            answers=ANSWERS,
            form=filled_form(core.catalog, NEWBORN, ANSWERS),
        ).receipt_no
        for _ in range(4)
    ]
    platform = Picky(served.platform.url, served.token)
    platform.refuse = receipts[2]
    try:
        done = SyncWorker(core, platform).sender.send_once()
    finally:
        platform.close()
    assert (done.claimed, done.delivered, done.rejected) == (4, 3, 1)
    (parked,) = core.outbox.messages(states=("attention",))
    assert parked.receipt_no == receipts[2] and "422" in parked.note


def test_sync_stops_when_another_terminal_took_its_database_over(
    core: Core, cores: Cores, http: HttpPlatform
) -> None:
    """A superseded program must not write: its sync stops for good and says why, instead of
    logging the refusal every round."""
    from datetime import timedelta

    from sqlalchemy import update

    from app.db.base import table, utcnow
    from app.db.models import SyncStateRow
    from app.db.one_terminal import CLAIM, FRESH
    from app.errors import SharedDatabase

    state = table(SyncStateRow)
    with core.db.engine.begin() as connection:  # this terminal went quiet long enough
        connection.execute(
            update(state)
            .where(state.c.key == CLAIM)
            .values(updated_at=utcnow() - FRESH - timedelta(seconds=5))
        )
    other = core.settings.terminal.model_copy(update={"name": "counter-09"})
    cores.of(core.settings.model_copy(update={"terminal": other}))  # and was taken over
    worker = SyncWorker(core, http)
    worker.start()
    try:
        for _ in range(200):  # the sender claims every second while idle
            if worker.stopped is not None:
                break
            worker._stop.wait(0.05)
        assert isinstance(worker.stopped, SharedDatabase)
        assert "counter-09" in worker.stopped.message
        assert worker._stop.is_set()  # every thread of sync stops with it
    finally:
        worker.stop(timeout_s=5)
