"""``onestop supplements``: the promised materials still to come, the call list and the tallies,
on a hall's database."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.catalog.catalog import load_catalog
from app.cli.main import main
from app.settings import load_settings
from tests.app.cases.test_supplements import TOLERANT, _promise
from tests.helpers.cases import CLERK, MANAGER, MOTHER


def test_the_list_the_call_list_and_the_tallies(
    tmp_path: Path, make_catalog: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'data_dir = "{tmp_path / "hall"}"\n', encoding="utf-8")
    settings = load_settings(settings_file)
    core = build_core(settings, load_catalog(make_catalog(TOLERANT)))
    try:
        receipt = _promise(core.cases, CLERK, MOTHER, ["m2"], date(2020, 1, 6))  # long overdue
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
