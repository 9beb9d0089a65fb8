"""``onestop verifications``: the commitments that replaced proofs (证明事项告知承诺制) still to be
checked by their departments — overdue first, the applicant's name masked. The outcome is recorded
on the counter's 告知承诺核查 tab, by the back office or a manager."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import add_settings_option, emit_json, opened_core
from app.settings import load_settings

STANDING = {"overdue": "已超期", "due_soon": "即将到期", "later": "未到期"}


def register(commands: Any) -> None:
    parser = commands.add_parser("verifications", help="告知承诺待核查：已超期、即将到期")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    add_settings_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings(args.settings)
    with opened_core(settings) as core:
        rows = core.cases.verifications.due()
    if args.json:
        emit_json([row.to_dict() for row in rows])
        return 0
    for row in rows:
        shown = row.to_dict()
        print(
            f"{row.receipt_no} {STANDING[row.standing]}（{row.when_words}，"
            f"{row.due_date:%Y-%m-%d}）{shown['applicant']}："
            f"以承诺代替 {'、'.join(row.materials)}；核查部门 {'、'.join(row.departments)}"
        )
    if not rows:
        print("没有待核查的告知承诺。")
    return 0
