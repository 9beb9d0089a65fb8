"""``onestop operator add|list|off`` as the hall's IT staff run them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.cli.test_cli import run


def test_add_list_and_switch_off(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "s.toml"
    settings.write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("counter-secret\n"))
    code, out, _ = run(
        capsys,
        "operator",
        "add",
        "zhangmin",
        "--name",
        "张敏",
        "--password-stdin",
        "--settings",
        str(settings),
    )
    assert code == 0 and "张敏" in out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run(
        capsys,
        "operator",
        "add",
        "limei",
        "--name",
        "李梅",
        "--password-stdin",
        "--settings",
        str(settings),
    )
    assert code == 1 and "至少 8 位" in err
    code, out, _ = run(capsys, "operator", "list", "--json", "--settings", str(settings))
    assert json.loads(out) == [{"username": "zhangmin", "name": "张敏", "role": "clerk"}]
    code, out, _ = run(capsys, "operator", "off", "zhangmin", "--settings", str(settings))
    code, out, _ = run(capsys, "operator", "list", "--json", "--settings", str(settings))
    assert json.loads(out) == []


def test_a_wrong_name_and_a_wrong_password_read_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--as`` with a name nobody has says what a wrong password says, and exits alike."""
    settings = tmp_path / "s.toml"
    settings.write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("manager-secret\n"))
    add = ("operator", "add", "wangli", "--name", "王丽", "--role", "manager", "--password-stdin")
    assert run(capsys, *add, "--settings", str(settings))[0] == 0
    answers = []
    for name in ("wangli", "nobody"):
        monkeypatch.setattr("sys.stdin", io.StringIO("wrong-password\n"))
        code, out, err = run(
            capsys,
            "settings",
            "set",
            "transfers.overdue_working_days",
            "5",
            "--as",
            name,
            "--password-stdin",
            "--settings",
            str(settings),
        )
        answers.append((code, out, err))
    assert (
        answers[0]
        == answers[1]
        == (1, "", "用户名或密码不对。还可以再试 4 次；忘记密码请找大厅管理员重置。\n")
    )
    assert "overdue_working_days" not in settings.read_text(encoding="utf-8")
