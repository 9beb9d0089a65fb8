"""``onestop transfers trace RECEIPT_NO --json`` and ``waiting`` on a hall's database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.cli.main import main
from tests.helpers.cases import accepted
from tests.helpers.transfers import BACK, POLICE, ROUTES


def test_trace_and_waiting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings_file = tmp_path / "settings.toml"
    routes = "\n".join(f'"{d}" = "{r}"' for d, r in ROUTES.items())
    settings_file.write_text(
        f'data_dir = "{tmp_path / "hall"}"\n[transfers.routes]\n{routes}\n', encoding="utf-8"
    )
    from app.settings import load_settings

    core = build_core(load_settings(settings_file))
    try:
        case = accepted(core.cases, core.catalog)
        batch = core.transfers.open_batch(BACK, POLICE)
        core.transfers.add_case(BACK, batch.batch_no, case.receipt_no)
    finally:
        core.close()
    assert (
        main(["transfers", "trace", case.receipt_no, "--json", "--settings", str(settings_file)])
        == 0
    )
    trace = json.loads(capsys.readouterr().out)
    household = next(i for i in trace["items"] if i["name"] == "居民户口簿")
    assert (household["state"], household["batch_no"]) == ("batched", batch.batch_no)
    assert [e["action"] for e in trace["events"] if e["item"] == "居民户口簿"] == [
        "received",
        "batched",
    ]
    assert main(["transfers", "waiting", "--settings", str(settings_file)]) == 0
    assert "医疗保障部门：3 份" in capsys.readouterr().out
    assert (
        main(["transfers", "trace", "430100001-20261123-99999", "--settings", str(settings_file)])
        == 1
    )
    assert "没有受理编号为 430100001-20261123-99999 的办件" in capsys.readouterr().err


def test_archive_a_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'data_dir = "{tmp_path / "hall"}"\n', encoding="utf-8")
    args = ["transfers", "archive", "--settings", str(settings_file)]
    assert main([*args, "--date", "2026-11-23", "--to", str(tmp_path / "a")]) == 0
    assert (tmp_path / "a" / "2026-11-23" / "流转登记簿-2026-11-23.xlsx").is_file()
    assert "已归档 2026-11-23 的 1 个文件" in capsys.readouterr().out
    assert main([*args, "--date", "2026-13-01"]) == 1
    assert "日期“2026-13-01”不对" in capsys.readouterr().err
