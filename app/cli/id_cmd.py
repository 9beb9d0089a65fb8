"""``onestop id check NUMBER``: resident ID numbers and unified social credit codes."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from app.cli.common import emit_json
from app.errors import InvalidCreditCode, InvalidIdNumber, InvalidInput
from app.identity.resident_id import normalise, parse_resident_id
from app.identity.uscc import parse_credit_code


def register(commands: Any) -> None:
    parser = commands.add_parser("id", help="证件号码：公民身份号码、统一社会信用代码")
    sub = parser.add_subparsers(dest="action", metavar="操作")
    sub.required = True
    check = sub.add_parser("check", help="检查号码并给出出生日期、性别、年龄、地区")
    check.add_argument("number", metavar="号码")
    check.add_argument(
        "--type",
        choices=("auto", "resident", "uscc"),
        default="auto",
        help="resident=公民身份号码，uscc=统一社会信用代码，auto=自动判断",
    )
    check.add_argument(
        "--on", default=None, metavar="YYYY-MM-DD", help="按该日期计算年龄（默认今天）"
    )
    check.add_argument("--json", action="store_true", help="以 JSON 输出")
    check.set_defaults(run=run_check)


def _looks_like_uscc(number: str) -> bool:
    return len(number) == 18 and not number[:17].isdigit()


def run_check(args: argparse.Namespace) -> int:
    try:
        today = date.fromisoformat(args.on) if args.on else date.today()
    except ValueError:
        raise InvalidInput(f"--on 的日期“{args.on}”格式不对，应为 YYYY-MM-DD。") from None
    kind = args.type
    if kind == "auto":
        kind = "uscc" if _looks_like_uscc(normalise(args.number)) else "resident"
    try:
        if kind == "uscc":
            result = parse_credit_code(args.number).to_dict()
            result["type"] = "uscc"
        else:
            result = parse_resident_id(args.number, today=today).to_dict(today)
            result["type"] = "resident"
    except (InvalidIdNumber, InvalidCreditCode) as exc:
        if args.json:
            emit_json({"valid": False, "type": kind, "message": exc.message, "hint": exc.hint})
            return 1
        raise
    if args.json:
        emit_json(result)
    elif kind == "uscc":
        print(
            f"✓ 统一社会信用代码有效：{result['code']}，"
            f"登记管理部门：{result['authority']}，{result['region']}"
        )
    else:
        converted = (
            f"（由15位旧号码 {result['converted_from']} 转换）" if result["converted_from"] else ""
        )
        print(
            f"✓ {result['kind_label']}号码有效：{result['number']}{converted}\n"
            f"  出生日期 {result['birth_date']}，{result['sex']}，{result['age']}岁\n"
            f"  地址码 {result['region_code']}：{result['region']}"
            + (
                f"（今 {result['region_current']}）"
                if result["region_current"] != result["region"]
                else ""
            )
        )
    return 0
