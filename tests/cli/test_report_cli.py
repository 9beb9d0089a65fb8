"""``onestop report`` as a manager runs it: a table in Chinese, JSON, Excel and PDF files, and a
Chinese message with exit code 2 for anything typed wrong.

The command is registered here on the same kind of parser ``app.cli.main`` builds."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.bootstrap import build_core
from app.cases.demo import seed_cases
from app.cases.service import CaseService
from app.cli import report_cmd
from app.cli.main import EXIT_INVALID, Parser
from app.errors import OneStopError
from app.settings import load_settings

CASES = 30


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    parser = Parser(prog="onestop")
    commands = parser.add_subparsers(dest="command", metavar="命令", parser_class=Parser)
    report_cmd.register(commands)
    try:
        args = parser.parse_args(argv)
        code = int(args.run(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    except OneStopError as exc:  # as app.cli.main reports it
        print(str(exc), file=sys.stderr)
        code = EXIT_INVALID
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def settings_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A hall whose demo cases were all opened on Monday 23 November 2026."""
    folder = tmp_path_factory.mktemp("report-cli")
    path = folder / "settings.toml"
    path.write_text(
        f'data_dir = "{folder / "data"}"\n[hall]\nname = "岳麓区政务服务中心"\n', encoding="utf-8"
    )
    core = build_core(load_settings(path))
    service = CaseService(
        core.db,
        core.catalog,
        core.files,
        hall_code="430100001",
        calendar=core.calendar,
        clock=lambda: datetime(2026, 11, 23, 2, tzinfo=UTC),
    )
    try:
        seed_cases(service, core.catalog, CASES)
    finally:
        core.close()
    yield path


def test_text_table(capsys: pytest.CaptureFixture[str], settings_file: Path) -> None:
    code, out, err = cli(
        capsys,
        "report",
        "period",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--settings",
        str(settings_file),
    )
    assert code == 0, err
    assert out.startswith("办件统计（按一件事）\n统计期间：2026年11月01日至2026年11月30日")
    assert "新生儿出生一件事" in out and "合计" in out and "说明：" in out


def test_json_for_each_report(capsys: pytest.CaptureFixture[str], settings_file: Path) -> None:
    period = ("--from", "2026-11-23", "--to", "2026-11-23", "--settings", str(settings_file))
    code, out, _ = cli(capsys, "report", "period", *period, "--by", "channel", "--json")
    data = json.loads(out)
    assert code == 0 and data["report"] == "period" and data["by"] == "channel"
    total = data["rows"][-1]
    assert total["label"] == "合计"
    assert total["pre_applied"] + total["accepted"] + total["not_accepted"] == CASES
    code, out, _ = cli(capsys, "report", "effectiveness", *period, "--json")
    rows = json.loads(out)["rows"]
    assert code == 0 and {"label": "改革前", "key": "before"} in json.loads(out)["columns"]
    assert any(r["scenario"] == "新生儿出生一件事" and r["before"] == 22 for r in rows)
    code, out, _ = cli(capsys, "report", "evaluations", *period, "--by", "clerk", "--json")
    assert code == 0 and json.loads(out)["rows"][-1]["total"] > 0


def test_files(capsys: pytest.CaptureFixture[str], settings_file: Path, tmp_path: Path) -> None:
    period = ("--from", "2026-11-23", "--to", "2026-11-23", "--settings", str(settings_file))
    xlsx, pdf = tmp_path / "统计.xlsx", tmp_path / "统计.pdf"
    code, out, _ = cli(
        capsys, "report", "period", *period, "--by", "department", "--xlsx", str(xlsx)
    )
    assert code == 0 and "已生成" in out and xlsx.read_bytes().startswith(b"PK")
    code, _, _ = cli(capsys, "report", "evaluations", *period, "--pdf", str(pdf))
    first = pdf.read_bytes()
    assert code == 0 and first.startswith(b"%PDF")
    cli(capsys, "report", "evaluations", *period, "--pdf", str(pdf))
    assert pdf.read_bytes() == first
    nowhere = tmp_path / "无此目录" / "a.xlsx"
    code, _, err = cli(capsys, "report", "period", *period, "--xlsx", str(nowhere))
    assert code == EXIT_INVALID and "无法写入" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("period", "--from", "2026-13-01", "--to", "2026-12-31"), "--from 的日期“2026-13-01”不对"),
        (("period", "--from", "2026-11-01", "--to", "20261130"), "--to 的日期“20261130”不对"),
        (
            ("period", "--from", "2026-11-30", "--to", "2026-11-01"),
            "--to 2026-11-01 早于 --from 2026-11-30",
        ),
        (("monthly", "--from", "2026-11-01", "--to", "2026-11-30"), "没有名为“monthly”的报表"),
        (
            ("evaluations", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "item"),
            "好差评不能按“item”分组",
        ),
        (
            ("period", "--from", "2026-11-01", "--to", "2026-11-30", "--json", "--pdf", "a.pdf"),
            "只能选一个",
        ),
        (("period", "--from", "2026-11-01"), "缺少参数"),
    ],
)
def test_bad_input_is_a_message_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, out, err = cli(capsys, "report", *argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
