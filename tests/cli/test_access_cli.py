"""``onestop access list``: what the command line's own looks (``print case``, ``transfers
trace``) and the counter's left behind, for a manager who signs in; refused to a clerk."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest

from app.accounts import Accounts
from app.bootstrap import build_core
from app.cases.audit import Actor
from app.settings import load_settings
from tests.cli.test_cli import run
from tests.helpers.cases import accepted

ADMIN = Actor("admin", "t")


def test_looks_from_the_command_line_are_listed_for_a_manager(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text(f'data_dir = "{tmp_path / "hall"}"\n', encoding="utf-8")
    core = build_core(load_settings(settings))
    try:
        Accounts(core.db).add("wangjing", "王静", "manager-2026", role="manager", by=ADMIN)
        Accounts(core.db).add("zhangmin", "张敏", "clerk-2026", by=ADMIN)
        receipt = accepted(core.cases, core.catalog).receipt_no
    finally:
        core.close()
    out = tmp_path / "notice.pdf"
    code, _, _ = run(
        capsys,
        "print",
        "case",
        receipt,
        "acceptance",
        "--out",
        str(out),
        "--settings",
        str(settings),
    )
    assert code == 0
    code, _, _ = run(capsys, "transfers", "trace", receipt, "--settings", str(settings))
    assert code == 0

    def listing(who: str, password: str, *more: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", _Lines(password))
        return run(
            capsys,
            "access",
            "list",
            "--settings",
            str(settings),
            "--as",
            who,
            "--password-stdin",
            *more,
        )

    code, shown, _ = listing("wangjing", "manager-2026", "--case", receipt, "--json")
    assert code == 0
    entries = json.loads(shown)["entries"]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("trace", getpass.getuser()),
        ("export", getpass.getuser()),
    ]
    assert entries[1]["detail"] == "acceptance"
    code, text, _ = listing("wangjing", "manager-2026", "--case", receipt.replace("-", ""))
    assert code == 0 and "查看材料流转" in text and "导出（acceptance）" in text
    code, _, err = listing("zhangmin", "clerk-2026", "--case", receipt)
    assert code == 1 and "查看个人信息的查阅记录" in err
    code, _, err = listing("wangjing", "manager-2026", "--from", "12月1日")
    assert code == 1 and "2026-12-01" in err


class _Lines:
    def __init__(self, *lines: str) -> None:
        self.lines = [line + "\n" for line in lines]

    def readline(self) -> str:
        return self.lines.pop(0) if self.lines else ""
