"""``onestop access list`` — who opened whose personal data (个人信息保护法 第五十一条): per case,
per operator, in a period; for a manager or the IT administrator, who signs in with ``--as``."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.cli.common import (
    add_operator_options,
    add_settings_option,
    emit_json,
    opened_core,
    operator_actor,
)
from app.errors import InvalidInput
from app.settings import load_settings


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "access", help="个人信息查阅记录：谁在何时查看、预览、打印、导出了哪个办件"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
    listing = actions.add_parser("list", help="按办件、按工作人员、按日期列出（最新的在前）")
    listing.add_argument("--case", default="", metavar="受理编号", help="只看这个办件")
    listing.add_argument("--operator", default="", metavar="姓名", help="只看这位工作人员")
    listing.add_argument("--from", dest="first", default="", metavar="日期", help="如 2026-12-01")
    listing.add_argument("--to", dest="last", default="", metavar="日期", help="含这一天")
    listing.add_argument("--json", action="store_true", help="输出 JSON")
    add_settings_option(listing)
    add_operator_options(listing, "管理员或信息管理员的登录名")
    listing.set_defaults(run=run_list)


def _day(text: str, what: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what}“{text}”不对。", hint="请写成 2026-12-01 这样。") from None


def run_list(args: argparse.Namespace) -> int:
    from app.cases.receipts import HALL_TZ, normalise_receipt

    first, last = _day(args.first, "开始日期"), _day(args.last, "结束日期")
    since = datetime.combine(first, time(), HALL_TZ).astimezone(UTC) if first else None
    until = (
        datetime.combine(last + timedelta(days=1), time(), HALL_TZ).astimezone(UTC)
        if last
        else None
    )
    receipt_no = normalise_receipt(args.case) if args.case else ""
    settings = load_settings(args.settings)
    with opened_core(settings) as core:
        actor = operator_actor(args, core.db, settings.terminal.name)
        found = core.access.entries(
            actor, receipt_no=receipt_no, operator=args.operator.strip(), since=since, until=until
        )
    if args.json:
        emit_json({"entries": [entry.to_dict() for entry in found]})
        return 0
    if not found:
        print("没有符合条件的查阅记录。")
        return 0
    for entry in found:
        moment = entry.at.astimezone(HALL_TZ).strftime("%Y-%m-%d %H:%M")
        detail = f"（{entry.detail}）" if entry.detail else ""
        who = f"{entry.actor}（{entry.terminal}）"
        print(f"{moment}  {who}  {entry.label}{detail}  {entry.receipt_no}")
    return 0
