"""``onestop db upgrade`` and ``onestop audit verify``: the schema and the audit chain."""

from __future__ import annotations

import argparse
from typing import Any

from app.cases.audit import verify
from app.cli.common import add_settings_option, emit_json
from app.db.engine import Database, make_engine
from app.db.migrate import head_revision, upgrade
from app.settings import Settings, load_settings


def _database_options(parser: argparse.ArgumentParser) -> None:
    add_settings_option(parser)
    parser.add_argument(
        "--url", default=None, metavar="URL", help="数据库地址，覆盖设置文件中的地址"
    )
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")


def register(commands: Any) -> None:
    db = commands.add_parser("db", help="数据库：升级结构")
    sub = db.add_subparsers(dest="action", metavar="操作")
    sub.required = True
    up = sub.add_parser("upgrade", help="把数据库结构升级到本程序的版本（启动时也会自动执行）")
    _database_options(up)
    up.set_defaults(run=run_upgrade)

    audit = commands.add_parser("audit", help="审计记录：校验哈希链")
    sub = audit.add_subparsers(dest="action", metavar="操作")
    sub.required = True
    check = sub.add_parser("verify", help="逐条校验审计记录，发现被改动、删除或插入的记录")
    _database_options(check)
    check.set_defaults(run=run_verify)


def _url(args: argparse.Namespace) -> tuple[Settings, str]:
    settings = load_settings(args.settings)
    return settings, args.url or settings.database_url


def run_upgrade(args: argparse.Namespace) -> int:
    settings, url = _url(args)
    engine = make_engine(url, busy_timeout_s=settings.database.busy_timeout_s)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    if args.json:
        emit_json({"before": before, "after": after, "head": head_revision()})
    elif before == after:
        print(f"数据库结构已是最新（版本 {after}）。")
    else:
        print(f"数据库结构已从 {before or '空库'} 升级到 {after}。")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    settings, url = _url(args)
    engine = make_engine(url, busy_timeout_s=settings.database.busy_timeout_s)
    try:
        upgrade(engine)
        db = Database(engine)
        with db.read() as session:
            report = verify(session)
    finally:
        engine.dispose()
    if args.json:
        emit_json({"ok": report.ok, "entries": report.entries, "problems": list(report.problems)})
    elif report.ok:
        print(f"✓ 审计记录完整：{report.entries} 条，哈希链校验通过。")
    else:
        print(f"✗ 审计记录被改动：共 {report.entries} 条，发现 {len(report.problems)} 处问题：")
        for problem in report.problems:
            print(f"  - {problem}")
    return 0 if report.ok else 1
