"""``onestop counter``: the clerk's app; ``--demo`` with a reference platform and simulated
devices on a fresh data folder; ``--screenshots DIR`` saves a PNG of each main screen."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli.common import (
    add_settings_option,
    add_training_option,
    in_training,
    refuse_settings_with_screenshots,
)
from app.settings import load_settings


def register(commands: Any) -> None:
    parser = commands.add_parser("counter", help="启动综合窗口程序")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="演示：本机参考平台、模拟设备、全新数据（账号 demo、houtai、guanli，密码 demo1234）",
    )
    parser.add_argument(
        "--screenshots",
        type=Path,
        default=None,
        metavar="文件夹",
        help="用演示数据走一遍主要界面，每个界面存一张 PNG 后退出",
    )
    add_training_option(parser)
    add_settings_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from app.logs import setup_logging

    setup_logging()
    if args.screenshots is not None:
        refuse_settings_with_screenshots(args)
        from counter.screenshots import save_screenshots

        for path in save_screenshots(args.screenshots):
            print(path)
        return 0
    from app.roles import ROLE_LABELS
    from counter.main import run as run_counter
    from sync.demo import DEMO_PASSWORD, DEMO_STAFF, DEMO_USER, demo_world

    if args.demo:
        with demo_world() as demo:
            staff = "、".join(f"{user}（{ROLE_LABELS[role]}）" for user, _, role in DEMO_STAFF)
            hint = f"演示账号：{DEMO_USER}（窗口人员）、{staff}　密码：{DEMO_PASSWORD}"
            return run_counter(in_training(demo.settings, args.training), hint=hint)
    return run_counter(in_training(load_settings(args.settings), args.training))
