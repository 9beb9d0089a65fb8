"""``onestop complaints list|show|step`` on a hall's database: the open 差评 work items with the
overdue ones flagged, one item's steps, and steps recorded by a signed-in operator."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.accounts import Accounts
from app.bootstrap import build_core
from app.cases.audit import Actor
from app.settings import load_settings
from tests.cli.test_cli import run, run_json
from tests.helpers.cases import CLERK, open_newborn, receive_all
from tests.helpers.clock import WallClock

ADMIN = Actor("it-staff", "counter-01")
KIOSK = Actor("一楼自助机", "kiosk-01")


@pytest.fixture
def hall(tmp_path: Path) -> tuple[Path, str, str]:
    """A hall with a manager and a clerk, an old 差评 (overdue) and one given today."""
    settings = tmp_path / "settings.toml"
    settings.write_text(f'data_dir = "{tmp_path / "hall"}"\n', encoding="utf-8")
    core = build_core(load_settings(settings))
    try:
        accounts = Accounts(core.db)
        accounts.add("wangli", "王丽", "manager-secret", role="manager", by=ADMIN)
        accounts.add("zhangmin", "张敏", "clerk-secret", role="clerk", by=ADMIN)
        receipts = []
        for moment in (datetime(2026, 9, 1, 2, 0, tzinfo=UTC), datetime.now(UTC)):
            core.cases.clock = WallClock(moment)
            case = receive_all(core.cases, open_newborn(core.cases, core.catalog))
            core.cases.accept(CLERK, case.receipt_no)
            core.cases.evaluate(
                KIOSK,
                case.receipt_no,
                stage="accept",
                level=1,
                channel="kiosk",
                text="等候时间太长",
            )
            receipts.append(case.receipt_no)
    finally:
        core.close()
    return settings, receipts[0], receipts[1]


def test_list_and_show(capsys: pytest.CaptureFixture[str], hall: tuple[Path, str, str]) -> None:
    settings, old, new = hall
    items = run_json(capsys, "complaints", "list", "--json", "--settings", str(settings))
    assert [(i["receipt_no"], i["overdue"], i["due_date"]) for i in items] == [
        (old, True, "2026-09-15"),
        (new, False, items[1]["due_date"]),
    ]
    overdue = run_json(
        capsys, "complaints", "list", "--overdue", "--json", "--settings", str(settings)
    )
    assert [i["receipt_no"] for i in overdue] == [old]
    code, out, _ = run(capsys, "complaints", "list", "--settings", str(settings))
    assert code == 0
    first, second = out.splitlines()
    assert first.startswith(
        f"{items[0]['id']}\t{old}\t受理环节“非常不满意”\t到期 2026-09-15，已超期"
    )
    assert "已超期" not in second and second.endswith("下一步：回访、核实")
    code, out, _ = run(
        capsys, "complaints", "show", str(items[0]["id"]), "--settings", str(settings)
    )
    assert code == 0
    assert "评价内容：等候时间太长" in out and "回访联系：" in out and "还没有处理步骤。" in out
    assert "可登记：call_back（回访）、verify（核实）" in out
    code, _, err = run(capsys, "complaints", "show", "999", "--settings", str(settings))
    assert code == 1 and "没有编号为 999 的差评工单" in err


def step(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    settings: Path,
    password: str,
    *argv: str,
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{password}\n"))
    return run(capsys, "complaints", "step", *argv, "--password-stdin", "--settings", str(settings))


def test_steps_by_a_signed_in_manager(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    hall: tuple[Path, str, str],
) -> None:
    settings, old, _ = hall
    (item,) = run_json(
        capsys, "complaints", "list", "--overdue", "--json", "--settings", str(settings)
    )
    number = str(item["id"])
    code, _, err = step(
        capsys,
        monkeypatch,
        settings,
        "clerk-secret",
        number,
        "call_back",
        "--note",
        "已联系",
        "--reached",
        "--as",
        "zhangmin",
    )
    assert code == 1 and "没有“处理差评（回访、核实、整改、申诉）”的权限" in err
    code, _, err = step(
        capsys,
        monkeypatch,
        settings,
        "wrong-password",
        number,
        "call_back",
        "--note",
        "已联系",
        "--reached",
        "--as",
        "wangli",
    )
    assert code == 1 and "用户名或密码不对" in err
    code, out, _ = step(
        capsys,
        monkeypatch,
        settings,
        "manager-secret",
        number,
        "call_back",
        "--note",
        "群众说等了一个小时",
        "--reached",
        "--as",
        "wangli",
    )
    assert code == 0 and out.strip() == f"已登记回访：差评工单 {number} 现在处理中。"
    code, _, err = step(
        capsys,
        monkeypatch,
        settings,
        "manager-secret",
        number,
        "close",
        "--note",
        "已反馈",
        "--as",
        "wangli",
    )
    assert code == 1 and "还没有整改，不能办结" in err
    code, _, err = step(
        capsys,
        monkeypatch,
        settings,
        "manager-secret",
        number,
        "verify",
        "--note",
        "查看叫号记录",
        "--as",
        "wangli",
    )
    assert code == 1 and "登记核实时请说明核实结论" in err
    for argv in (
        ("verify", "--note", "叫号记录属实", "--finding", "justified"),
        ("rectify", "--note", "高峰期增开窗口"),
        ("close", "--note", "已电话反馈整改结果"),
    ):
        code, _, err = step(
            capsys, monkeypatch, settings, "manager-secret", number, *argv, "--as", "wangli"
        )
        assert code == 0, err
    shown = run_json(capsys, "complaints", "show", number, "--json", "--settings", str(settings))
    assert (shown["state"], shown["outcome"], shown["closed_by"]) == ("closed", "rectified", "王丽")
    assert [(s["kind"], s["actor"], s["summary"]) for s in shown["steps"]] == [
        ("call_back", "王丽", "已联系上"),
        ("verify", "王丽", "属实"),
        ("rectify", "王丽", ""),
        ("close", "王丽", ""),
    ]
    code, out, _ = run(capsys, "complaints", "show", number, "--settings", str(settings))
    assert "状态：已办结（已整改）" in out and "回访（已联系上） 王丽：群众说等了一个小时" in out
    code, out, _ = run(capsys, "complaints", "list", "--overdue", "--settings", str(settings))
    assert out.strip() == "没有已超期的差评工单。"
    assert old == shown["receipt_no"]
