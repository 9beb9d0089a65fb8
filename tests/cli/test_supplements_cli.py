"""``onestop supplements``: the promised materials still to come, the call list and the tallies,
on a hall's database."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.catalog.catalog import load_catalog
from app.cli.main import main
from app.settings import load_settings
from tests.app.cases.test_supplements import TOLERANT, _promise
from tests.helpers.cases import CLERK, MANAGER, MOTHER
from tests.helpers.clock import WallClock


def test_the_list_the_call_list_and_the_tallies(
    tmp_path: Path, make_catalog: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'data_dir = "{tmp_path / "hall"}"\n', encoding="utf-8")
    settings = load_settings(settings_file)
    then = WallClock(datetime(2020, 1, 2, 2, tzinfo=UTC))  # promised in 2020: long overdue
    core = build_core(settings, load_catalog(make_catalog(TOLERANT)), clock=then)
    try:
        receipt = _promise(core.cases, CLERK, MOTHER, ["m2"], date(2020, 1, 6))
    finally:
        core.close()
    given = ["--settings", str(settings_file)]

    assert main(["supplements", *given]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{receipt} 已逾期（逾期 ") and "李* 138****8000：材料二" in line

    assert main(["supplements", "--phones", "--json", *given]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["applicant"], row["phone"], row["standing"]) == ("李芳", "13800138000", "overdue")
    core = build_core(settings)
    try:  # the call list showed her number: the look is on record
        looks = [(e.receipt_no, e.action) for e in core.access.entries(MANAGER)]
    finally:
        core.close()
    assert (receipt, "call_list") in looks

    assert main(["supplements", "--by", "clerk", "--json", *given]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"label": CLERK.name, "overdue": 1, "due_soon": 0, "later": 0, "total": 1}
    ]
    assert main(["supplements", "--clerk", "nobody", *given]) == 0
    assert capsys.readouterr().out.strip() == "没有待补交的容缺材料。"

    # what the sync worker does once a day, now: the item that needs 材料二 stops
    assert main(["supplements", "--lapse", "--json", *given]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "stopped": [receipt],
        "reminded": [],
        "failed": [],
    }
    assert main(["supplements", "--lapse", *given]) == 0
    assert capsys.readouterr().out.strip() == "没有已过补交期限的容缺承诺。"
    core = build_core(settings)
    try:
        assert core.cases.get(receipt).commitment["lapsed_at"]  # type: ignore[index]
    finally:
        core.close()
