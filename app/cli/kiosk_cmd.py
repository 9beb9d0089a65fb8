"""``onestop kiosk``: the self-service terminal, full screen; ``--demo`` with a reference platform
and simulated devices on a fresh data folder; ``--windowed`` in a normal window (trying it out)."""

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

DEMO_CASES = 12  # the demo hall's cases at the window: their progress and 好差评 to try


def register(commands: Any) -> None:
    parser = commands.add_parser("kiosk", help="启动自助服务终端（全屏）")
    parser.add_argument(
        "--demo", action="store_true", help="演示：本机参考平台、模拟读卡器和高拍仪、全新数据"
    )
    parser.add_argument(
        "--windowed", action="store_true", help="在普通窗口中运行（试用、培训），不全屏、不锁定"
    )
    parser.add_argument(
        "--screenshots",
        metavar="文件夹",
        type=Path,
        help="每个界面各存一张 PNG（长辈模式、横竖屏）",
    )
    add_training_option(parser)
    add_settings_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from app.logs import setup_logging
    from kiosk.keyboard import configure_environment

    if args.screenshots is not None:
        refuse_settings_with_screenshots(args)  # before anything starts
    configure_environment()  # before Qt starts: the on-screen keyboard is an input method
    setup_logging()
    from kiosk.main import run as run_kiosk

    if args.screenshots is not None:
        from kiosk.screenshots import save_screenshots

        saved = save_screenshots(args.screenshots)
        print(f"已保存 {len(saved)} 张截图到 {args.screenshots}")
        return 0

    if args.demo:
        from sync.demo import demo_world

        with demo_world(cases=DEMO_CASES, terminal="kiosk-01", channel="kiosk") as demo:
            settings = in_training(demo.settings, args.training)
            return run_kiosk(settings, windowed=args.windowed, demo=True)
    settings = in_training(load_settings(args.settings), args.training)
    return run_kiosk(settings, windowed=args.windowed)
