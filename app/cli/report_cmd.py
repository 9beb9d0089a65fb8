"""``onestop report period|effectiveness|evaluations --from DAY --to DAY``: the hall's figures for
a period (GB/T 45836 §8.1) as a table in the terminal, JSON, an Excel workbook or a PDF."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from app.cli.common import add_settings_option, emit_json, opened_core, write_output
from app.errors import InvalidInput

REPORTS = {
    "period": "办件统计",
    "effectiveness": "改革成效",
    "evaluations": "好差评",
    "assistance": "帮办代办与特殊群体",
    "unresolved": "办不成事反映",
}
GROUPS = {
    "period": ("scenario", "item", "department", "clerk", "channel"),
    "effectiveness": ("scenario",),
    "evaluations": ("scenario", "clerk", "channel"),
    "assistance": ("scenario", "helper"),
    "unresolved": ("scenario", "department"),
}
EXIT_USAGE = 2  # as app.cli.main: the command was given wrong
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "report",
        help="统计报表：办件统计、改革成效（GB/T 45836 §8.1）、好差评、帮办代办与特殊群体、"
        "办不成事反映",
    )
    parser.add_argument(
        "name",
        metavar="报表",
        help="period（办件统计）、effectiveness（改革成效）、evaluations（好差评）、"
        "assistance（帮办代办与特殊群体）、unresolved（办不成事反映）",
    )
    parser.add_argument(
        "--from", dest="first", required=True, metavar="YYYY-MM-DD", help="统计期间第一天（含）"
    )
    parser.add_argument(
        "--to", dest="last", required=True, metavar="YYYY-MM-DD", help="统计期间最后一天（含）"
    )
    parser.add_argument(
        "--by",
        default="scenario",
        metavar="分组",
        help="按 scenario（一件事，默认）、item（事项）、department（部门）、"
        "clerk（窗口人员）或 channel（渠道）分组；assistance 可按 scenario 或 helper（工作人员）；"
        "unresolved 可按 scenario 或 department",
    )
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.add_argument("--xlsx", type=Path, default=None, metavar="文件", help="写入 Excel 文件")
    parser.add_argument("--pdf", type=Path, default=None, metavar="文件", help="写入 PDF 文件")
    add_settings_option(parser)
    parser.set_defaults(run=run)


def _day(text: str, option: str) -> date:
    try:
        if DAY.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput(f"{option} 的日期“{text}”不对。", hint="应为 YYYY-MM-DD，例如 2026-11-01。")


def _checked(args: argparse.Namespace) -> tuple[date, date]:
    """The period, after everything the person typed is checked (before the database opens)."""
    if args.name not in REPORTS:
        choices = "、".join(f"{k}（{v}）" for k, v in REPORTS.items())
        raise InvalidInput(f"没有名为“{args.name}”的报表。", hint=f"可选：{choices}。")
    if args.by not in GROUPS[args.name]:
        raise InvalidInput(
            f"{REPORTS[args.name]}不能按“{args.by}”分组。",
            hint=f"可选：{'、'.join(GROUPS[args.name])}。",
        )
    if sum((args.json, args.xlsx is not None, args.pdf is not None)) > 1:
        raise InvalidInput("--json、--xlsx 和 --pdf 只能选一个。")
    first, last = _day(args.first, "--from"), _day(args.last, "--to")
    if last < first:
        raise InvalidInput(
            f"--to {last:%Y-%m-%d} 早于 --from {first:%Y-%m-%d}。",
            hint="请把结束日期改为开始日期当天或之后。",
        )
    return first, last


def run(args: argparse.Namespace) -> int:
    try:
        first, last = _checked(args)
    except InvalidInput as exc:
        print(f"onestop report：{exc}", file=sys.stderr)
        return EXIT_USAGE
    from app.reports import export
    from app.reports.assistance import assistance_report
    from app.reports.effectiveness import effectiveness_report
    from app.reports.evaluations import evaluation_report
    from app.reports.figures import Period, Report
    from app.reports.periods import period_report
    from app.reports.unresolved import unresolved_report
    from app.settings import load_settings

    settings = load_settings(args.settings)
    period = Period(first, last)
    report: Report
    with opened_core(settings) as core:
        if args.name == "period":
            report = period_report(core.db, core.calendar, period, by=args.by)
        elif args.name == "effectiveness":
            report = effectiveness_report(core.db, core.catalog, core.calendar, period)
        elif args.name == "assistance":
            report = assistance_report(core.db, period, by=args.by)
        elif args.name == "unresolved":
            report = unresolved_report(core.db, period, by=args.by)
        else:
            report = evaluation_report(core.db, period, by=args.by)
    if args.json:
        emit_json(report.table().to_json())
    elif args.xlsx is not None:
        write_output(export.to_xlsx(report), args.xlsx)
    elif args.pdf is not None:
        from printing.a4 import Letterhead
        from printing.reports import to_pdf

        write_output(to_pdf(report, Letterhead.of(settings)), args.pdf)
    else:
        sys.stdout.write(export.to_text(report))
    return 0
