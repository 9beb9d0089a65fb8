"""``onestop operator add|list|off``: the people who may sign in at this hall's counters."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from app.accounts import ROLES, Accounts
from app.cases.audit import Actor
from app.cli.common import add_settings_option, emit_json, system_actor
from app.errors import InvalidInput
from app.settings import load_settings


def register(commands: Any) -> None:
    parser = commands.add_parser("operator", help="工作人员账号：添加、列出、停用")
    sub = parser.add_subparsers(dest="action", metavar="操作")
    sub.required = True
    add = sub.add_parser("add", help="添加工作人员，或为其重设密码")
    add.add_argument("username", help="登录名（小写字母、数字）")
    add.add_argument("--name", required=True, help="姓名（印在文书上）")
    add.add_argument("--role", default="clerk", choices=list(ROLES), help="角色")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")
    listing = sub.add_parser("list", help="列出在用的工作人员账号")
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    off = sub.add_parser("off", help="停用账号（记录保留）")
    off.add_argument("username", help="登录名")
    for command in (add, listing, off):
        add_settings_option(command)
    add.set_defaults(run=run_add)
    listing.set_defaults(run=run_list)
    off.set_defaults(run=run_off)


def _accounts(args: argparse.Namespace) -> tuple[Accounts, Actor, Any]:
    from app.bootstrap import open_database

    settings = load_settings(args.settings)
    db = open_database(settings)
    return Accounts(db), system_actor(settings), db


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输一次：") != first:
        raise InvalidInput("两次输入的密码不一样。", hint="请重新运行命令。")
    return first


def run_add(args: argparse.Namespace) -> int:
    password = _password(args)
    accounts, actor, db = _accounts(args)
    try:
        operator = accounts.add(args.username, args.name, password, role=args.role, by=actor)
    finally:
        db.dispose()
    print(f"已设置账号 {operator.username}（{operator.display_name}，{operator.role_label}）。")
    return 0


def run_list(args: argparse.Namespace) -> int:
    accounts, _, db = _accounts(args)
    try:
        operators = accounts.operators()
    finally:
        db.dispose()
    if args.json:
        emit_json(
            [{"username": o.username, "name": o.display_name, "role": o.role} for o in operators]
        )
    else:
        for o in operators:
            print(f"{o.username}\t{o.display_name}\t{o.role_label}")
    return 0


def run_off(args: argparse.Namespace) -> int:
    accounts, actor, db = _accounts(args)
    try:
        accounts.deactivate(args.username, by=actor)
    finally:
        db.dispose()
    print(f"已停用账号 {args.username}。")
    return 0
