"""``onestop retention run`` on a hall's data folder: a dry run lists the case due and changes
nothing; the run clears it and says so in Chinese; a second run finds nothing; ``keep_days = 0``
keeps everything; a negative ``keep_days`` is refused with what to write instead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.settings import load_settings
from tests.cli.test_cli import run, run_json
from tests.helpers.clock import WallClock
from tests.helpers.retention import deliver_messages, finished

SETTINGS = """data_dir = "{folder}"
[transfers]
default_route = "platform"
[retention]
keep_days = {days}
"""


@pytest.fixture
def hall(tmp_path: Path) -> tuple[Path, str, str]:
    """A hall with a case finished 400 days ago and one finished today."""
    settings = tmp_path / "settings.toml"
    settings.write_text(SETTINGS.format(folder=tmp_path / "hall", days=180), encoding="utf-8")
    receipts = []
    for moment in (datetime.now(UTC) - timedelta(days=400), datetime.now(UTC)):
        core = build_core(load_settings(settings), clock=WallClock(moment))
        try:
            case = finished(core, papers=False)
            deliver_messages(core, {case.receipt_no})
            receipts.append(case.receipt_no)
        finally:
            core.close()
    return settings, receipts[0], receipts[1]


def applicant_of(settings: Path, receipt_no: str) -> str:
    core = build_core(load_settings(settings))
    try:
        return core.cases.get(receipt_no).applicant.name
    finally:
        core.close()


def test_a_dry_run_then_the_run(
    capsys: pytest.CaptureFixture[str], hall: tuple[Path, str, str]
) -> None:
    settings, old, new = hall
    code, out, err = run(capsys, "retention", "run", "--dry-run", "--settings", str(settings))
    assert code == 0, err
    assert old in out and new not in out
    assert "将清除 1 件办件的个人信息，删除扫描件 1 份" in out and "没有做任何改动" in out
    assert applicant_of(settings, old) == "李芳"

    done = run_json(capsys, "retention", "run", "--json", "--settings", str(settings))
    assert (done["cases"], done["scans"], done["dry_run"], done["failed"]) == ([old], 1, False, [])
    assert done["audit_entries_purged"] > 0 and done["audit_entries_left"] == 0
    assert applicant_of(settings, old) == "" and applicant_of(settings, new) == "李芳"

    code, out, _ = run(capsys, "retention", "run", "--settings", str(settings))
    assert code == 0 and "已清除 0 件办件" in out
    code, out, err = run(capsys, "audit", "verify", "--offline", "--settings", str(settings))
    assert code == 0, out + err
    assert "已按保存期限清除" in out


def test_keep_days_zero_keeps_everything_and_negative_is_refused(
    capsys: pytest.CaptureFixture[str], hall: tuple[Path, str, str], tmp_path: Path
) -> None:
    settings, old, _ = hall
    settings.write_text(SETTINGS.format(folder=tmp_path / "hall", days=0), encoding="utf-8")
    code, out, _ = run(capsys, "retention", "run", "--settings", str(settings))
    assert code == 0 and "永久保存" in out
    assert applicant_of(settings, old) == "李芳"
    settings.write_text(SETTINGS.format(folder=tmp_path / "hall", days=-1), encoding="utf-8")
    code, _, err = run(capsys, "retention", "run", "--settings", str(settings))
    assert code == 1 and "retention.keep_days" in err
    assert "0（永久保存）" in err
