"""``onestop retention run [--dry-run] [--json]``: clear the personal data and scans of the
finished cases whose ``[retention] keep_days`` are up (:mod:`app.cases.retention`) — the sync
worker does it daily; this is for a hall's IT staff to do it now, or to see first what it would
do (``--dry-run`` changes nothing)."""

from __future__ import annotations

import argparse
from typing import Any

from app.cases.receipts import hall_time
from app.cli.common import add_settings_option, emit_json, opened_core, system_actor
from app.settings import load_settings


def register(commands: Any) -> None:
    parser = commands.add_parser("retention", help="按保存期限清除已办结办件的个人信息和扫描件")
    actions = parser.add_subparsers(dest="action", metavar="操作")
    actions.required = True
    run = actions.add_parser("run", help="清除保存期限已到的办件的个人信息和扫描件")
    run.add_argument("--dry-run", action="store_true", help="只列出会清除的办件，不做改动")
    run.add_argument("--json", action="store_true", help="输出 JSON")
    add_settings_option(run)
    run.set_defaults(run=run_retention)


def run_retention(args: argparse.Namespace) -> int:
    from app.cases.retention import Retention

    settings = load_settings(args.settings)
    with opened_core(settings) as core:
        retention = Retention(core.db, core.files, keep_days=settings.retention.keep_days)
        done = retention.run(system_actor(settings), dry_run=args.dry_run)
    if args.json:
        emit_json(done.to_dict())
        return 1 if done.failed else 0
    if done.cutoff is None:
        print(
            "保存期限设为 0（永久保存）：不清除任何办件。"
            "如需清除，请在设置文件 [retention] 中设置 keep_days。"
        )
        return 0
    verb = "将清除" if done.dry_run else "已清除"
    print(
        f"保存期限 {done.keep_days} 天：{hall_time(done.cutoff, '%Y-%m-%d')} 之前办结、"
        "已送达平台且材料流转已结束的办件到期。"
    )
    for receipt_no in done.cases:
        print(f"  {receipt_no}")
    print(
        f"{verb} {len(done.cases)} 件办件的个人信息，删除扫描件 {done.scans} 份"
        f"（文件 {done.files} 个），审计记录中清除 {done.entries} 条的个人信息。"
    )
    if done.entries_left:
        print(
            f"另有 {done.entries_left} 条较早的审计记录（审计链启用新格式之前写入）仍含这些办件的"
            "个人信息：它们已加密保存，为保证审计链可校验而保留。"
        )
    if done.dry_run:
        print("这是演练（--dry-run），没有做任何改动；去掉 --dry-run 即按上述清除。")
    if done.failed:
        print(
            f"有 {len(done.failed)} 件办件这次没有清除成功：{'、'.join(done.failed)}。"
            "详情已记入日志，下次运行会再试；若一直失败，请联系大厅信息管理员。"
        )
        return 1
    return 0
