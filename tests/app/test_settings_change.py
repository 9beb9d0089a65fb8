"""Only a manager (or the IT administrator) changes the settings: one key rewritten with the
file's comments kept, a wrong value or key refused with nothing written, every change and every
refusal in the audit trail — in the core and through ``onestop settings set``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts import Accounts
from app.bootstrap import build_core
from app.cases.audit import Actor
from app.db.engine import Database
from app.db.models import AuditEntry
from app.errors import InvalidInput
from app.roles import NotAllowed
from app.settings import load_settings
from app.settings_change import change_setting, parse_value

MANAGER = Actor("王静", "back-01", "manager")
CLERK = Actor("张敏", "counter-01", "clerk")
FILE = """# 岳麓区政务服务中心 — 窗口 3 的设置（信息科 2026-11 修订）
[hall]
name = "岳麓区政务服务中心"  # 打印在文书抬头

[transfers]
# 部门上门取件的在这里列出
routes = { "公安部门（落户地派出所）" = "pickup" }
"""


def audit(db: Database) -> list[tuple[str, str, dict[str, object] | None]]:
    with db.read() as session:
        return [(e.action, e.actor, e.after) for e in session.scalars(select(AuditEntry))]


def test_a_manager_changes_one_setting_and_the_comments_stay(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(FILE, encoding="utf-8")
    settings = change_setting(db, MANAGER, path, "transfers.routes.医疗保障部门", "pickup")
    assert settings.transfers.route("医疗保障部门") == "pickup"
    change_setting(db, MANAGER, path, "transfers.overdue_working_days", parse_value("5"))
    text = path.read_text(encoding="utf-8")
    assert "# 岳麓区政务服务中心 — 窗口 3 的设置" in text and "# 打印在文书抬头" in text
    loaded = load_settings(path)
    assert loaded.transfers.overdue_working_days == 5
    assert loaded.transfers.route("公安部门（落户地派出所）") == "pickup"
    assert loaded.transfers.route("医疗保障部门") == "pickup"
    assert audit(db) == [
        (
            "settings_change",
            "王静",
            {
                "file": str(path),
                "key": "transfers.routes.医疗保障部门",
                "before": None,
                "after": "pickup",
            },
        ),
        (
            "settings_change",
            "王静",
            {
                "file": str(path),
                "key": "transfers.overdue_working_days",
                "before": None,
                "after": 5,
            },
        ),
    ]


def test_a_clerk_or_a_wrong_value_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(FILE, encoding="utf-8")
    with pytest.raises(NotAllowed, match="窗口人员（张敏）没有“修改设置”的权限"):
        change_setting(db, CLERK, path, "transfers.overdue_working_days", 5)
    with pytest.raises(InvalidInput, match="transfers.overdue_working_days：应不大于 30"):
        change_setting(db, MANAGER, path, "transfers.overdue_working_days", 99)
    with pytest.raises(InvalidInput, match="transfers.routes.医疗保障部门：应为"):
        change_setting(db, MANAGER, path, "transfers.routes.医疗保障部门", "by pigeon")
    with pytest.raises(InvalidInput, match="transfers.overdue_days：没有这个设置项"):
        change_setting(db, MANAGER, path, "transfers.overdue_days", 5)
    with pytest.raises(InvalidInput, match="evaluations.complaint_deadline_days"):
        change_setting(db, MANAGER, path, "evaluations.complaint_deadline_days", 30)
    with pytest.raises(InvalidInput, match="设置项“transfers..x”不对"):
        change_setting(db, MANAGER, path, "transfers..x", 5)
    assert path.read_text(encoding="utf-8") == FILE
    assert [a[0] for a in audit(db)] == ["refused"]


def test_values_as_typed() -> None:
    assert parse_value("5") == 5
    assert parse_value("true") is True
    assert parse_value('"pickup"') == "pickup"
    assert parse_value("pickup") == "pickup"  # not TOML: the text itself
    assert str(parse_value("[2026-10-09]")[0]) == "2026-10-09"


def test_the_settings_command(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n' + FILE, encoding="utf-8")
    core = build_core(load_settings(path))
    try:
        accounts = Accounts(core.db)
        accounts.add("guanli", "王静", "guanli-2026", role="manager", by=MANAGER)
        accounts.add("zhangmin", "张敏", "zhangmin-2026", by=MANAGER)
    finally:
        core.close()

    def onestop(*args: str, password: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli.main", *args, "--settings", str(path)],
            input=password + "\n",
            capture_output=True,
            text=True,
            env={**os.environ},
            timeout=60,
            check=False,
        )

    refused = onestop(
        "settings",
        "set",
        "transfers.overdue_working_days",
        "5",
        "--as",
        "zhangmin",
        "--password-stdin",
        password="zhangmin-2026",
    )
    assert refused.returncode != 0 and "没有“修改设置”的权限" in refused.stderr
    assert "Traceback" not in refused.stderr
    done = onestop(
        "settings",
        "set",
        "transfers.overdue_working_days",
        "5",
        "--as",
        "guanli",
        "--password-stdin",
        password="guanli-2026",
    )
    assert done.returncode == 0, done.stderr
    assert "已修改 transfers.overdue_working_days" in done.stdout
    shown = json.loads(onestop("settings", "show", "--json").stdout)
    assert shown["transfers"]["overdue_working_days"] == 5 and shown["platform"]["token"] == ""
