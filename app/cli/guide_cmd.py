"""``onestop guide questions | plan | demo``: the questionnaire engine from the command line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli.common import add_catalog_option, catalog_from, emit_json, parse_json_option
from app.cli.render import render_plan, render_questions
from app.guide.engine import Planner


def register(commands: Any) -> None:
    parser = commands.add_parser("guide", help="问卷引导：下一步问题、办理方案、演示")
    sub = parser.add_subparsers(dest="action", metavar="操作")
    sub.required = True

    for name, helptext, run in (
        ("questions", "根据已有回答给出要问的问题和可自动回答的问题", run_questions),
        ("plan", "根据回答给出办理方案：事项、一套材料、一张表单、流程与时限", run_plan),
    ):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("scenario", metavar="一件事", help="一件事代码（如 43PCN0009）或名称")
        cmd.add_argument(
            "--answers",
            default=None,
            metavar="JSON",
            help='回答，如 {"hukou": "yes"}；@文件 读取文件',
        )
        cmd.add_argument("--facts", default=None, metavar="JSON", help="已知事实（读卡、共享数据）")
        if name == "plan":
            cmd.add_argument(
                "--items", default=None, metavar="事项,...", help="只办其中部分事项（逗号分隔）"
            )
        cmd.add_argument("--json", action="store_true", help="以 JSON 输出")
        add_catalog_option(cmd)
        cmd.set_defaults(run=run)

    demo = sub.add_parser("demo", help="在终端里演示一件事的问卷引导（make demo）")
    demo.add_argument("scenario", nargs="?", default="43PCN0009", metavar="一件事")
    demo.add_argument("--auto", action="store_true", help="不等待输入，按示例回答自动走完")
    add_catalog_option(demo)
    demo.set_defaults(run=run_demo)


def _inputs(args: argparse.Namespace) -> tuple[Planner, dict[str, Any], dict[str, Any]]:
    planner = Planner(catalog_from(args))
    answers = parse_json_option(args.answers, "--answers")
    facts = parse_json_option(args.facts, "--facts")
    return planner, answers, facts


def run_questions(args: argparse.Namespace) -> int:
    planner, answers, facts = _inputs(args)
    state = planner.questions(args.scenario, answers, facts)
    if args.json:
        emit_json(state.to_dict())
    else:
        sys.stdout.write(render_questions(state))
    return 0


def run_plan(args: argparse.Namespace) -> int:
    planner, answers, facts = _inputs(args)
    items = (
        [t for t in args.items.replace("，", ",").split(",") if t.strip()] if args.items else None
    )
    plan = planner.plan(args.scenario, answers, facts, items)
    if args.json:
        emit_json(plan.to_dict())
    else:
        sys.stdout.write(render_plan(plan))
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from app.cli.demo import run

    interactive = sys.stdin.isatty() and not args.auto
    return run(catalog_from(args), args.scenario, interactive=interactive)
