"""``onestop supplements``: the materials promised at 容缺受理 still to come — overdue first, per
clerk or per department (``--by``), and the call list with full names and phones (``--phones``,
each case's look recorded in the access log)."""

from __future__ import annotations

import argparse
from typing import Any

from app.bootstrap import Core
from app.cli.common import add_settings_option, emit_json, opened_core, system_actor
from app.settings import load_settings


def register(commands: Any) -> None:
    parser = commands.add_parser("supplements", help="容缺受理后待补交的材料：逾期、即将到期")
    parser.add_argument("--clerk", default=None, metavar="登录名", help="只看这位窗口人员受理的")
    parser.add_argument("--department", default=None, metavar="部门", help="只看这个部门等待的")
    parser.add_argument(
        "--by", choices=("clerk", "department"), default=None, help="按窗口人员或部门统计"
    )
    parser.add_argument(
        "--phones", action="store_true", help="电话提醒名单：显示完整姓名与电话（记入查看记录）"
    )
    parser.add_argument(
        "--lapse",
        action="store_true",
        help="对已过补交期限的承诺按目录规定处理（同步程序每天做的那一步），然后列出结果",
    )
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    add_settings_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from app.cases.supplements import STANDING_LABELS, Supplements, tally

    settings = load_settings(args.settings)
    with opened_core(settings) as core:
        if args.lapse:
            return _lapse(core, args)
        rows = Supplements(core.db, core.catalog).open(clerk=args.clerk, department=args.department)
        if args.phones:
            actor = system_actor(settings)
            for row in rows:
                core.access.record(actor, row.receipt_no, "call_list")
    if args.by:
        tallies = tally(rows, args.by)
        if args.json:
            emit_json(
                [
                    {
                        "label": t.label,
                        "overdue": t.overdue,
                        "due_soon": t.due_soon,
                        "later": t.later,
                        "total": t.total,
                    }
                    for t in tallies
                ]
            )
            return 0
        for t in tallies:
            print(
                f"{t.label}：已逾期 {t.overdue} 件，即将到期 {t.due_soon} 件，未到期 {t.later} 件"
            )
        if not tallies:
            print("没有待补交的容缺材料。")
        return 0
    if args.json:
        emit_json([row.to_dict(phones=args.phones) for row in rows])
        return 0
    for row in rows:
        shown = row.to_dict(phones=args.phones)
        print(
            f"{row.receipt_no} {STANDING_LABELS[row.standing]}（{row.when_words}，"
            f"{row.due_date:%Y-%m-%d}）{shown['applicant']} {shown['phone']}："
            f"{'、'.join(row.materials)}；{'、'.join(row.departments)}；受理人 {row.clerk}"
        )
    if not rows:
        print("没有待补交的容缺材料。")
    return 0


def _lapse(core: Core, args: argparse.Namespace) -> int:
    """The outcome the catalog says for every promise whose date has passed, as the sync worker
    does once a day (the actor is the program: it does what the catalog says)."""
    from app.cases.audit import SYSTEM, Actor
    from app.cases.supplements import Supplements, lapse_overdue

    rows = Supplements(core.db, core.catalog).open(clerk=args.clerk, department=args.department)
    done = lapse_overdue(rows, core.cases.lapse, Actor(SYSTEM, core.settings.terminal.name))
    if args.json:
        emit_json(
            {
                "stopped": list(done.stopped),
                "reminded": list(done.reminded),
                "failed": [{"receipt_no": r, "reason": why} for r, why in done.failed],
            }
        )
        return 1 if done.failed else 0
    for receipt_no in done.stopped:
        print(f"{receipt_no}：已按逾期处理，需要所缺材料的事项已终止，已告知承办部门")
    for receipt_no in done.reminded:
        print(f"{receipt_no}：目录规定逾期只继续催补，未终止事项")
    for receipt_no, why in done.failed:
        print(f"{receipt_no}：未处理——{why}")
    if not (done.stopped or done.reminded or done.failed):
        print("没有已过补交期限的容缺承诺。")
    return 1 if done.failed else 0
