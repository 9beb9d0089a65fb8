"""The ``onestop`` command: one entry point for the tools, the counter and the kiosk.

Every failure a person can cause ends in a Chinese message on stderr and a non-zero exit code,
never a traceback; anything unexpected is written to the log file and reported as such.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from app.errors import OneStopError

log = logging.getLogger(__name__)

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70

_ARGPARSE_ZH = (
    (re.compile(r"the following arguments are required: (.*)"), r"缺少参数：\1"),
    (
        re.compile(r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)"),
        r"参数 \1 没有“\2”这一项，可选：\3",
    ),
    (re.compile(r"unrecognized arguments: (.*)"), r"不认识的参数：\1"),
    (re.compile(r"argument (\S+): expected one argument"), r"参数 \1 后面需要一个值"),
    (re.compile(r"argument (\S+): invalid (\w+) value: '([^']*)'"), r"参数 \1 的值“\3”格式不对"),
)


class Parser(argparse.ArgumentParser):
    """argparse with its error messages in Chinese."""

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_ZH:
            message = pattern.sub(replacement, message)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}：{message}。用 --help 查看用法。\n")


def build_parser() -> Parser:
    from app.cli import (
        access_cmd,
        catalog_cmd,
        complaints_cmd,
        counter_cmd,
        db_cmd,
        devices_cmd,
        guide_cmd,
        id_cmd,
        keys_cmd,
        kiosk_cmd,
        operator_cmd,
        platform_cmd,
        print_cmd,
        report_cmd,
        retention_cmd,
        settings_cmd,
        supplements_cmd,
        sync_cmd,
        transfers_cmd,
        verifications_cmd,
    )

    parser = Parser(prog="onestop", description="OneStop 高效办成一件事 综合窗口与自助终端")
    commands = parser.add_subparsers(dest="command", metavar="命令", parser_class=Parser)
    commands.required = True
    catalog_cmd.register(commands)
    guide_cmd.register(commands)
    id_cmd.register(commands)
    db_cmd.register(commands)
    sync_cmd.register(commands)
    platform_cmd.register(commands)
    print_cmd.register(commands)
    operator_cmd.register(commands)
    counter_cmd.register(commands)
    kiosk_cmd.register(commands)
    transfers_cmd.register(commands)
    supplements_cmd.register(commands)
    verifications_cmd.register(commands)
    report_cmd.register(commands)
    complaints_cmd.register(commands)
    settings_cmd.register(commands)
    devices_cmd.register(commands)
    keys_cmd.register(commands)
    access_cmd.register(commands)
    retention_cmd.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
    except OneStopError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception:
        from app.logs import setup_logging

        path = setup_logging()
        words = list(argv if argv is not None else sys.argv[1:])
        # the command, not its arguments: they can hold names and numbers
        log.exception("unexpected error in onestop %s", " ".join(words[:2]))
        print(f"程序内部出错，详情已记入日志 {path}。请把日志交给信息技术人员。", file=sys.stderr)
        return EXIT_INTERNAL
    return result


def console() -> int:
    """The ``onestop`` program: everything it creates (data, scans, logs, exports, keys) is the
    service user's alone, whatever umask it was started with; the core also sets the modes
    itself where people's data lives (:mod:`app.security.private`)."""
    os.umask(0o077)
    return main()


if __name__ == "__main__":
    sys.exit(console())
