"""The sync worker clears what the hall's retention period no longer allows it to keep, once a
day: a case finished long ago reaches the (real, reference) platform and is purged in the same
run; the next run that day does not purge again; a retention failure is logged and sending goes
on."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.bootstrap import Core
from app.cases.receipts import hall_day
from app.cases.retention import Retention, RetentionRun
from app.errors import StorageError
from app.settings import load_settings
from sync import state
from sync.client import HttpPlatform
from sync.worker import RETENTION, SyncWorker
from tests.helpers.clock import WallClock
from tests.helpers.cores import Cores
from tests.helpers.retention import finished
from tests.sync.conftest import HALL, Served

LONG_AGO = datetime.now(UTC) - timedelta(days=400)


@pytest.fixture
def core(cores: Cores, tmp_path: Path, served: Served) -> Core:
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[hall]\ncode = "{HALL}"\n[platform]\n'
        f'url = "{served.platform.url}"\ntoken = "{served.token}"\n'
        '[transfers]\ndefault_route = "platform"\n',
        encoding="utf-8",
    )
    return cores.of(load_settings(settings), clock=WallClock(LONG_AGO))


def test_retention_runs_once_a_day_after_sending(core: Core, http: HttpPlatform) -> None:
    case = finished(core, papers=False)
    worker = SyncWorker(core, http)
    sent = worker.run_once()
    assert sent["delivered"] > 0 and sent["error"] == ""
    assert core.cases.get(case.receipt_no).applicant.name == ""  # delivered, then purged
    assert core.outbox.counts().get("delivered", 0) == sent["delivered"]
    with core.db.connect() as connection:
        noted = state.get(connection, RETENTION)
    assert noted is not None and noted["day"] == hall_day(datetime.now(UTC)).isoformat()
    assert worker.run_retention() is None  # once a day
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    again = worker.run_retention(now=tomorrow)
    assert again is not None and again.cases == []


class Broken(Retention):
    def run(self, *_: object, **__: object) -> RetentionRun:
        raise StorageError("数据库出错，这次操作没有保存。")


def test_a_retention_failure_never_stops_sending(
    core: Core, http: HttpPlatform, caplog: pytest.LogCaptureFixture
) -> None:
    case = finished(core, papers=False)
    worker = SyncWorker(core, http)
    worker.retention = Broken(core.db, core.files)
    with caplog.at_level(logging.ERROR, logger="sync.worker"):
        sent = worker.run_once()
    assert sent["delivered"] > 0 and sent["error"] == ""
    assert "retention run failed" in caplog.text
    assert core.cases.get(case.receipt_no).applicant.name == "李芳"  # left for tomorrow
