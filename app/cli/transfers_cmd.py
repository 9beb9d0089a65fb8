"""``onestop transfers``: the paper trail from the command line — what waits per department, and
where every piece of paper of a case is (``trace RECEIPT_NO [--json]``)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from app.cases.receipts import HALL_TZ
from app.cli.common import add_settings_option, emit_json, opened_core, system_actor
from app.errors import InvalidInput
from app.settings import load_settings


def register(commands: Any) -> None:
    parser = commands.add_parser("transfers", help="纸质材料流转：待流转、追踪")
    actions = parser.add_subparsers(dest="action", metavar="操作")
    actions.required = True
    trace = actions.add_parser("trace", help="一个办件每份纸质材料现在在哪、每次交接")
    trace.add_argument("receipt_no", metavar="受理编号")
    trace.add_argument("--json", action="store_true", help="输出 JSON")
    add_settings_option(trace)
    trace.set_defaults(run=run_trace)
    waiting = actions.add_parser("waiting", help="各部门待流转的材料（最早的在前）")
    waiting.add_argument("--json", action="store_true", help="输出 JSON")
    add_settings_option(waiting)
    waiting.set_defaults(run=run_waiting)
    archive = actions.add_parser("archive", help="把某天的交接单、签收凭证和登记簿存入归档文件夹")
    archive.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="哪一天（发出日）")
    archive.add_argument(
        "--to",
        type=Path,
        default=None,
        metavar="文件夹",
        help="归档文件夹（默认设置中的 [transfers] archive_dir）",
    )
    add_settings_option(archive)
    archive.set_defaults(run=run_archive)


def run_trace(args: argparse.Namespace) -> int:
    settings = load_settings(args.settings)
    with opened_core(settings) as core:
        trace = core.transfers.trace(args.receipt_no)
        core.access.record(system_actor(settings), trace.receipt_no, "trace")
    if args.json:
        emit_json(trace.to_dict())
        return 0
    print(f"办件 {trace.receipt_no}")
    for item in trace.items:
        where = f"（交接单 {item.batch_no}）" if item.batch_no else ""
        print(f"  {item.name}：{item.state_label}{where}，{item.department}")
    for event in trace.events:
        moment = event.at.astimezone(HALL_TZ).strftime("%Y-%m-%d %H:%M")
        print(
            f"  {moment} {event.item} {event.action_label}："
            f"{event.from_party} → {event.to_party} {event.batch_no}"
        )
    if not trace.items:
        print(f"  {trace.note or '没有纸质材料流转记录。'}")
    return 0


def run_waiting(args: argparse.Namespace) -> int:
    with opened_core(load_settings(args.settings)) as core:
        rows = core.transfers.waiting_by_department()
    if args.json:
        emit_json(
            [
                {"department": d, "waiting": n, "oldest": oldest, "earliest_promised": due}
                for d, n, oldest, due in rows
            ]
        )
        return 0
    for department, count, oldest, due in rows:
        print(f"{department}：{count} 份，最早 {oldest:%Y-%m-%d}，最早承诺 {due or '—'}")
    if not rows:
        print("没有待流转的纸质材料。")
    return 0


def run_archive(args: argparse.Namespace) -> int:
    from printing.a4 import Letterhead
    from printing.transfer_archive import archive_day

    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        raise InvalidInput(f"日期“{args.date}”不对。", hint="请写成 2026-11-23 这样。") from None
    settings = load_settings(args.settings)
    folder = args.to or settings.transfers.archive_dir or settings.data_dir / "archive"
    with opened_core(settings) as core:
        written = archive_day(core.transfers, core.files, Letterhead.of(settings), day, folder)
        # the slips carry each case's receipt number and (masked) applicant: an export of it
        actor = system_actor(settings)
        for receipt_no in sorted(
            {item.receipt_no for batch in core.transfers.sent_on(day) for item in batch.items}
        ):
            core.access.record(actor, receipt_no, "export", f"材料流转归档 {day:%Y-%m-%d}")
    print(f"已归档 {day:%Y-%m-%d} 的 {len(written)} 个文件到 {folder / f'{day:%Y-%m-%d}'}")
    return 0
