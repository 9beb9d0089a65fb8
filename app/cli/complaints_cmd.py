"""``onestop complaints``: the 差评 work items — the open ones, the earliest deadline first
(``list [--overdue] [--json]``), one with its steps (``show ID [--json]``), and a handling step
(``step ID KIND --note TEXT --as USERNAME``). A step is done by a named operator: the password
is asked for (or read from stdin), and the core checks the operator's role."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import Any

from app.cases.complaints import FINDINGS, GROUNDS, HANDLING, STEP_LABELS, Complaint
from app.cases.receipts import HALL_TZ, hall_day
from app.cli.common import (
    add_operator_options,
    add_settings_option,
    emit_json,
    opened_core,
    operator_actor,
)
from app.db.base import utcnow
from app.settings import load_settings

KINDS = "、".join(f"{k}（{STEP_LABELS[k]}）" for k in HANDLING)


def register(commands: Any) -> None:
    parser = commands.add_parser("complaints", help="差评工单：列表、详情、登记处理步骤")
    actions = parser.add_subparsers(dest="action", metavar="操作")
    actions.required = True
    listing = actions.add_parser("list", help="未办结的差评工单（最早到期的在前）")
    listing.add_argument("--overdue", action="store_true", help="只列出已超期的")
    listing.add_argument("--json", action="store_true", help="输出 JSON")
    add_settings_option(listing)
    listing.set_defaults(run=run_list)
    show = actions.add_parser("show", help="一张差评工单和它的每个处理步骤")
    show.add_argument("complaint_id", type=int, metavar="工单编号")
    show.add_argument("--json", action="store_true", help="输出 JSON")
    add_settings_option(show)
    show.set_defaults(run=run_show)
    step = actions.add_parser("step", help="登记一个处理步骤（需有处理差评权限的账号）")
    step.add_argument("complaint_id", type=int, metavar="工单编号")
    step.add_argument("kind", metavar="步骤", help=f"可选：{KINDS}")
    step.add_argument(
        "--note",
        required=True,
        metavar="说明",
        help="群众意见、核实情况、整改措施、申诉依据或给群众的反馈",
    )
    add_operator_options(step, "办理人的登录名")
    reached = step.add_mutually_exclusive_group()
    reached.add_argument(
        "--reached", dest="reached", action="store_const", const=True, help="回访：已联系上群众"
    )
    reached.add_argument(
        "--not-reached",
        dest="reached",
        action="store_const",
        const=False,
        help="回访：未联系上群众",
    )
    step.add_argument(
        "--finding",
        choices=list(FINDINGS),
        help="核实结论：justified（属实）或 not_justified（不属实）",
    )
    step.add_argument(
        "--grounds",
        choices=list(GROUNDS),
        help="申诉理由：mistaken（误评）或 malicious（恶意差评）",
    )
    upheld = step.add_mutually_exclusive_group()
    upheld.add_argument(
        "--upheld", dest="upheld", action="store_const", const=True, help="申诉裁定：申诉成立"
    )
    upheld.add_argument(
        "--rejected", dest="upheld", action="store_const", const=False, help="申诉裁定：申诉不成立"
    )
    step.add_argument("--json", action="store_true", help="输出 JSON")
    add_settings_option(step)
    step.set_defaults(run=run_step)


def _moment(value: datetime) -> str:
    return f"{value.astimezone(HALL_TZ):%Y-%m-%d %H:%M}"


def _line(item: Complaint, today: date) -> str:
    late = "，已超期" if item.overdue(today) else ""
    nexts = "、".join(STEP_LABELS[k] for k in item.next_steps) or "—"
    return (
        f"{item.id}\t{item.receipt_no}\t{item.stage_label}环节“{item.level_label}”\t"
        f"到期 {item.due_date:%Y-%m-%d}{late}\t下一步：{nexts}"
    )


def run_list(args: argparse.Namespace) -> int:
    today = hall_day(utcnow())
    with opened_core(load_settings(args.settings)) as core:
        items = core.complaints.overdue(today) if args.overdue else core.complaints.open_items()
    if args.json:
        emit_json([{**i.to_dict(), "overdue": i.overdue(today)} for i in items])
        return 0
    for item in items:
        print(_line(item, today))
    if not items:
        print("没有已超期的差评工单。" if args.overdue else "没有未办结的差评工单。")
    return 0


def _print_item(item: Complaint) -> None:
    today = hall_day(utcnow())
    print(
        f"差评工单 {item.id}：办件 {item.receipt_no}（{item.scenario_name}），"
        f"{item.stage_label}环节“{item.level_label}”，经办人 {item.clerk}"
    )
    print(
        f"评价内容：{item.rating_text or '—'}"
        + (f"（{'、'.join(item.reasons)}）" if item.reasons else "")
    )
    print(f"回访联系：{item.applicant_name} {item.applicant_phone or '（无电话）'}")
    late = "，已超期" if item.overdue(today) else ""
    outcome = f"（{item.outcome_label}）" if item.outcome else ""
    print(
        f"开单 {_moment(item.opened_at)}，到期 {item.due_date:%Y-%m-%d}{late}；"
        f"状态：{item.state_label}{outcome}"
    )
    if item.due_warning:
        print(item.due_warning)
    for step in item.steps:
        summary = f"（{step.summary}）" if step.summary else ""
        print(f"  {_moment(step.at)} {step.label}{summary} {step.actor}：{step.note}")
    if not item.steps:
        print("  还没有处理步骤。")
    if item.next_steps:
        print(f"可登记：{'、'.join(f'{k}（{STEP_LABELS[k]}）' for k in item.next_steps)}")


def run_show(args: argparse.Namespace) -> int:
    with opened_core(load_settings(args.settings)) as core:
        item = core.complaints.get(args.complaint_id)
    if args.json:
        emit_json(item.to_dict())
    else:
        _print_item(item)
    return 0


def run_step(args: argparse.Namespace) -> int:
    settings = load_settings(args.settings)
    data = {
        name: value
        for name in ("reached", "finding", "grounds", "upheld")
        if (value := getattr(args, name)) is not None
    }
    with opened_core(settings) as core:
        actor = operator_actor(args, core.db, settings.terminal.name)
        item = core.complaints.step(actor, args.complaint_id, args.kind, args.note, **data)
    if args.json:
        emit_json(item.to_dict())
        return 0
    done = item.steps[-1]
    print(f"已登记{done.label}：差评工单 {item.id} 现在{item.state_label}。")
    return 0
