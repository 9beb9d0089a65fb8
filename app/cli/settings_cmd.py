"""``onestop settings show [--json]`` — the settings as this terminal loads them (defaults filled
in); ``onestop settings set KEY VALUE --as USERNAME`` — one setting changed in the file by a
manager or the IT administrator (the core refuses anyone else, audited), comments kept."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import (
    add_operator_options,
    add_settings_option,
    emit_json,
    opened_core,
    operator_actor,
)
from app.settings import default_settings_path, load_settings, shown_settings


def register(commands: Any) -> None:
    parser = commands.add_parser("settings", help="查看或修改本机设置（修改需管理员账号）")
    actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
    show = actions.add_parser("show", help="显示生效的设置（含默认值）")
    add_settings_option(show)
    show.add_argument("--json", action="store_true", help="输出 JSON")
    show.set_defaults(run=run_show)
    change = actions.add_parser("set", help="修改一项设置，如 transfers.overdue_working_days 5")
    add_settings_option(change)
    change.add_argument("key", metavar="设置项", help="用点分隔，如 transfers.routes.医疗保障部门")
    change.add_argument("value", metavar="值", help='TOML 值，如 5、true、"pickup"')
    add_operator_options(change, "管理员的登录名")
    change.set_defaults(run=run_set)


def run_show(args: argparse.Namespace) -> int:
    data = shown_settings(load_settings(args.settings))
    if args.json:
        emit_json(data)
        return 0
    for section, values in data.items():
        if isinstance(values, dict):
            print(f"[{section}]")
            for key, value in values.items():
                print(f"  {key} = {value}")
        else:
            print(f"{section} = {values}")
    return 0


def run_set(args: argparse.Namespace) -> int:
    from app.settings_change import change_setting, parse_value

    path = args.settings or default_settings_path()
    settings = load_settings(args.settings)
    with opened_core(settings) as core:
        actor = operator_actor(args, core.db, settings.terminal.name)
        change_setting(core.db, actor, path, args.key, parse_value(args.value))
    print(f"已修改 {args.key}（{path}）。正在运行的窗口和自助终端重新启动后生效。")
    return 0
