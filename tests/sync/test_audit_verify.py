"""``onestop audit verify`` against the platform's anchor, as a hall's IT staff run it: a terminal
worked on, its sync stopped (which sends the head), worked on again — then each tampering,
including those that also clear the anchors recorded in the database, is reported with exit
code 1; the untouched trail passes. SQLite and PostgreSQL, the reference platform over HTTP."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from app.bootstrap import Core
from app.cases.anchors import AuditAnchors
from app.security.keys import default_key_file, load_keys
from app.settings import load_settings
from sync.client import HttpPlatform
from sync.worker import SyncWorker
from tests.cli.test_cli import run
from tests.helpers import audit as attack
from tests.helpers.cases import CLERK, open_newborn, receive_all
from tests.helpers.cores import Cores
from tests.sync.conftest import HALL, Served


@dataclass
class Hall:
    core: Core
    settings: Path
    anchored: int  # the entry the platform acknowledged as the head when sync stopped
    last: int
    switch: int

    @property
    def engine(self) -> Engine:
        return self.core.db.engine


def settings_file(tmp_path: Path, database_url: str, served: Served) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[hall]\ncode = "{HALL}"\n'
        f'[database]\nurl = "{database_url}"\n'
        f'[platform]\nurl = "{served.platform.url}"\ntoken = "{served.token}"\n'
        "[audit]\nanchor_every_entries = 1000\nanchor_every_s = 86400\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def hall(
    cores: Cores, tmp_path: Path, database_url: str, served: Served, http: HttpPlatform
) -> Hall:
    path = settings_file(tmp_path, database_url, served)
    core = cores.of(load_settings(path))
    cases = core.cases
    cases.accept(CLERK, receive_all(cases, open_newborn(cases, core.catalog)).receipt_no)
    worker = SyncWorker(core, http)
    (first,) = worker.anchors.send_once().made  # as the worker's first round makes it
    assert first.reason == "first"
    worker.start()  # no anchor due now: every 1000 entries or once a day
    open_newborn(cases, core.catalog)
    worker.stop()  # the final anchor: the head as it is now
    last = core.anchors.last_acknowledged()
    assert last is not None and last.reason == "shutdown" and last.entry_id > first.entry_id
    ((record,),) = [served.store.latest_anchors(HALL)]
    assert record.entry_id == last.entry_id == attack.ids(core.db.engine)[-1]
    open_newborn(cases, core.catalog)  # after the anchor
    ids = attack.ids(core.db.engine)
    return Hall(core, path, last.entry_id, ids[-1], switch=ids[0])


def verify_cli(
    capsys: pytest.CaptureFixture[str], hall: Hall, *options: str
) -> tuple[int, dict[str, Any]]:
    code, out, err = run(
        capsys, "audit", "verify", "--settings", str(hall.settings), "--json", *options
    )
    assert not err, err
    return code, json.loads(out)


def test_shutdown_sends_the_head_and_the_untouched_trail_verifies(
    capsys: pytest.CaptureFixture[str], hall: Hall
) -> None:
    code, report = verify_cli(capsys, hall, "--platform")
    assert code == 0 and report["ok"], report["problems"]
    assert report["platform"]["entry_id"] == hall.anchored
    assert report["keyed_from"] == hall.switch  # a new database is keyed from its first entry
    code, out, _ = run(capsys, "audit", "verify", "--settings", str(hall.settings))
    assert code == 0 and "✓" in out and f"平台上的最新锚点（第 {hall.anchored} 条）" in out


def hall_key(_: Hall) -> bytes:
    ring = load_keys(default_key_file()).audit
    return ring.keys[ring.current]


# Each tampering as done with plain SQL; whether the anchors recorded in the database are
# cleared too (then only the platform's anchor can tell); the words of the problem reported.
Tampering = tuple[Callable[[Hall], object], bool, tuple[str, ...]]
TAMPERINGS: dict[str, Tampering] = {
    "edit": (lambda h: attack.edit(h.engine, h.switch + 3), False, ("内容被改动过",)),
    "insert": (
        lambda h: attack.insert_after(h.engine, h.switch + 3),
        False,
        ("不用密钥算出的",),
    ),
    "delete inside": (
        lambda h: attack.delete_entry(h.engine, h.switch + 3),
        False,
        ("前一条哈希对不上",),
    ),
    "delete at the end": (
        lambda h: attack.delete_tail(h.engine, h.last - h.anchored + 1),
        True,
        ("平台上的最新锚点", "链头被移回"),
    ),
    "truncate": (lambda h: attack.truncate(h.engine), True, ("平台上的最新锚点", "整条链被清空过")),
    "move the head": (
        lambda h: attack.move_head(h.engine, h.anchored - 2),
        True,
        ("链头停在", "链头被移回过"),
    ),
    "re-chain as sha256": (
        lambda h: attack.rechain_from(h.engine, h.switch + 3, key=None),
        False,
        ("不用密钥算出的",),
    ),
    "re-chain with a wrong key": (
        lambda h: attack.rechain_from(h.engine, h.switch + 3, key=secrets.token_bytes(32)),
        False,
        ("内容被改动过",),
    ),
    "re-chain with the hall key": (
        lambda h: attack.rechain_from(h.engine, h.switch + 3, key=hall_key(h)),
        True,
        ("平台上的最新锚点", "重新计算过哈希"),
    ),
}


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_each_tampering_is_reported(
    capsys: pytest.CaptureFixture[str], hall: Hall, tampering: str
) -> None:
    tamper, clear_anchors, words = TAMPERINGS[tampering]
    tamper(hall)
    if clear_anchors:
        attack.forget_anchors(hall.engine)
    code, report = verify_cli(capsys, hall, "--platform")
    assert code == 1 and not report["ok"]
    assert any(all(w in p for w in words) for p in report["problems"]), report["problems"]
    assert "报告大厅信息管理员" in report["hint"]
    code, out, _ = run(capsys, "audit", "verify", "--settings", str(hall.settings))
    assert code == 1 and "✗" in out and "报告大厅信息管理员" in out


def test_offline_the_cleared_anchors_leave_only_what_the_key_shows(
    capsys: pytest.CaptureFixture[str], hall: Hall
) -> None:
    """The limit, stated: with the anchors here cleared and the platform not asked, a tail cut
    with the head moved back is a shorter whole chain."""
    attack.delete_tail(hall.engine, hall.last - hall.anchored + 1)
    attack.forget_anchors(hall.engine)
    assert verify_cli(capsys, hall, "--offline")[0] == 0
    assert verify_cli(capsys, hall)[0] == 1  # a configured platform is asked by default


def test_an_unreachable_platform_fails_only_when_required(
    capsys: pytest.CaptureFixture[str], hall: Hall, served: Served
) -> None:
    text = hall.settings.read_text(encoding="utf-8")
    hall.settings.write_text(text.replace(served.platform.url, "http://127.0.0.1:9"), "utf-8")
    code, report = verify_cli(capsys, hall)
    assert code == 0 and report["platform"]["error"]
    code, report = verify_cli(capsys, hall, "--platform")
    assert code == 1 and any("无法与平台上的审计锚点核对" in p for p in report["problems"])


def test_a_platform_without_the_trail_while_anchors_were_acknowledged(
    capsys: pytest.CaptureFixture[str], hall: Hall, served: Served
) -> None:
    """Pointed at another platform (or hall) that never saw this trail: said, not passed."""
    token = served.store.add_terminal("counter-x", "430100009")
    text = hall.settings.read_text(encoding="utf-8")
    hall.settings.write_text(text.replace(served.token, token), "utf-8")
    code, report = verify_cli(capsys, hall)
    assert code == 1 and any("平台上没有这条审计链的锚点" in p for p in report["problems"])


def test_anchors_recorded_here_are_listed(hall: Hall) -> None:
    made = AuditAnchors(hall.core.db).anchors()
    assert [a.state for a in made] == ["acknowledged"] * len(made)
