"""``onestop catalog list | check | schema``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.catalog.catalog import problems_of
from app.catalog.loader import builtin_catalog_dir
from app.catalog.schema import SCHEMA_FILE, schema_text
from app.cli import sync_cmd
from app.cli.common import (
    add_catalog_option,
    add_settings_option,
    catalog_dir_in_use,
    catalog_from,
    emit_json,
)
from app.cli.import_cmd import register_import
from app.cli.overlay_cmd import register_overlay
from app.guide.promise import promise_for
from app.settings import load_settings

AUDIENCE = {"personal": "个人", "enterprise": "企业"}


def register(commands: Any) -> None:
    parser = commands.add_parser("catalog", help="事项目录：列出、检查、导出结构")
    sub = parser.add_subparsers(dest="action", metavar="操作")
    sub.required = True

    listing = sub.add_parser("list", help="列出目录中的一件事")
    add_catalog_option(listing)
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    listing.set_defaults(run=run_list)

    check = sub.add_parser("check", help="静态检查目录：引用、可达性、流程循环、数据矛盾")
    check.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        metavar="目录",
        help="默认与综合窗口相同：本机已启用的最新目录，没有则为内置目录",
    )
    add_settings_option(check)
    check.add_argument("--json", action="store_true", help="以 JSON 输出")
    check.set_defaults(run=run_check)

    schema = sub.add_parser("schema", help="输出目录文件的 JSON Schema")
    schema.add_argument(
        "--output", type=Path, default=None, metavar="文件", help="写入文件而不是打印"
    )
    schema.set_defaults(run=run_schema)
    sync_cmd.register_catalog(sub)
    register_import(sub)
    register_overlay(sub)


def run_list(args: argparse.Namespace) -> int:
    catalog = catalog_from(args)
    promises = {code: promise_for(s) for code, s in catalog.scenarios.items()}
    rows = [
        {
            "code": s.code,
            "name": s.name,
            "audience": AUDIENCE[s.audience],
            "life_stage": s.life_stage,
            "region": s.region,
            "lead_department": s.lead_department,
            "items": len(s.items),
            "materials": len(s.materials),
            "promised_days": promises[code].days,
            "promise": promises[code].to_dict(),
        }
        for code, s in catalog.scenarios.items()
    ]
    if args.json:
        emit_json({"version": catalog.version, "digest": catalog.digest, "scenarios": rows})
        return 0
    print(f"事项目录 版本 {catalog.version}（{len(rows)} 个一件事）")
    for code, s in catalog.scenarios.items():
        promise = promises[code]
        print(
            f"  {s.code}  {s.name}  [{AUDIENCE[s.audience]}·{s.life_stage}]  "
            f"牵头：{s.lead_department}  事项{len(s.items)}项  {promise.words}\n"
            f"      {promise.basis_words}"
        )
    return 0


def run_check(args: argparse.Namespace) -> int:
    path = args.path
    if path is None:
        path = catalog_dir_in_use(load_settings(args.settings))
    result, problems = problems_of(path)
    errors = sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)
    settled = sum(p.severity == "settled" for p in problems)
    if args.json:
        emit_json(
            {
                "ok": errors == 0,
                "version": result.meta.version if result.meta else None,
                "scenarios": [s.scenario.code for s in result.scenarios],
                "errors": errors,
                "warnings": warnings,
                "settled": settled,
                "problems": [p.__dict__ for p in problems],
            }
        )
    else:
        for problem in problems:
            stream = sys.stderr if problem.severity == "error" else sys.stdout
            print(problem.render(), file=stream)
        print(
            f"检查了 {len(result.scenarios)} 个一件事：{errors} 个错误，{warnings} 个警告，"
            f"{settled} 个已记录决定。"
        )
    return 1 if errors else 0


def run_schema(args: argparse.Namespace) -> int:
    text = schema_text()
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"已写入 {args.output}")
    return 0


def default_schema_path() -> Path:
    return builtin_catalog_dir() / SCHEMA_FILE
