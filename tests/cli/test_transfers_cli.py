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


def test_an_archived_day_is_owner_only_and_each_case_in_it_is_logged_as_exported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cases.receipts import HALL_TZ
    from app.settings import load_settings
    from tests.helpers.transfers import MEDICAL

    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(f'data_dir = "{tmp_path / "hall"}"\n', encoding="utf-8")
    core = build_core(load_settings(settings_file))
    try:
        case = accepted(core.cases, core.catalog)
        batch = core.transfers.open_batch(BACK, MEDICAL)
        core.transfers.add_case(BACK, batch.batch_no, case.receipt_no)
        batch = core.transfers.send_by_courier(
            BACK, batch.batch_no, courier="顺丰速运", waybill="SF1234567890123"
        )
        assert batch.sent_at is not None
        day = batch.sent_at.astimezone(HALL_TZ).date()
    finally:
        core.close()
    folder = tmp_path / "archive"
    args = ["transfers", "archive", "--date", f"{day:%Y-%m-%d}", "--to", str(folder)]
    assert main([*args, "--settings", str(settings_file)]) == 0
    written = folder / f"{day:%Y-%m-%d}"
    assert written.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in written.iterdir()} == {0o600}
    core = build_core(load_settings(settings_file))
    try:
        from app.accounts import Accounts
        from app.cases.audit import Actor

        Accounts(core.db).add(
            "guanli", "王静", "manager-secret", role="manager", by=Actor("admin", "t")
        )
        manager = Accounts(core.db).sign_in("guanli", "manager-secret", terminal="t")
        looks = core.access.entries(manager.actor("t"), receipt_no=case.receipt_no)
    finally:
        core.close()
    assert [(a.action, a.detail) for a in looks if a.action == "export"] == [
        ("export", f"材料流转归档 {day:%Y-%m-%d}")
    ]
