"""``onestop verifications``: the commitments still to be checked, on a hall's database."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.catalog.catalog import load_catalog
from app.cli.main import main
from app.settings import load_settings
from tests.app.cases.test_verification import COMMITTED, _accepted
from tests.helpers.clock import WallClock


def test_the_checks_still_to_be_made(
    tmp_path: Path, make_catalog: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'data_dir = "{tmp_path / "hall"}"\n', encoding="utf-8")
    settings = load_settings(settings_file)
    then = WallClock(datetime(2020, 1, 2, 2, tzinfo=UTC))  # accepted in 2020: long overdue
    core = build_core(settings, load_catalog(make_catalog(COMMITTED)), clock=then)
    try:
        receipt = _accepted(core.cases)
    finally:
        core.close()
    given = ["--settings", str(settings_file)]

    assert main(["verifications", *given]) == 0
    line = capsys.readouterr().out.strip()
    assert (
        line.startswith(f"{receipt} 已超期（超过核查期限 ")
        and "李*：以承诺代替 婚姻状况证明" in line
    )
    assert main(["verifications", "--json", *given]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["applicant"], row["standing"], row["due_date"]) == ("李*", "overdue", "2020-01-09")
    assert row["departments"] == ["甲局"]
