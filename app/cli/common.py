"""Helpers shared by the command modules: JSON in and out, the catalog folder option."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cases.audit import Actor
from app.catalog.catalog import Catalog, load_catalog
from app.catalog.versions import CatalogStore
from app.db.engine import Database
from app.errors import InvalidInput
from app.settings import Settings, load_settings

if TYPE_CHECKING:
    from app.bootstrap import Core


def add_catalog_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog",
        type=Path,
        default=None,
        metavar="目录",
        help="事项目录文件夹（默认与综合窗口相同：本机已启用的最新目录，没有则为内置目录）",
    )
    add_settings_option(parser)


def add_settings_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--settings",
        type=Path,
        default=None,
        metavar="文件",
        help="设置文件（默认用户配置目录下的 settings.toml）",
    )


def refuse_settings_with_screenshots(args: argparse.Namespace) -> None:
    """``--screenshots`` walks the screens over a demo hall of its own: a settings file given
    with it would be silently ignored, so the combination is refused, saying so."""
    if args.settings is not None or args.demo:
        raise InvalidInput(
            "--screenshots 用自带的演示大厅数据走一遍界面，不读取设置文件，也不需要 --demo。",
            hint="去掉 --settings（或 --demo）再运行；"
            "要看本厅的数据，请用 --settings 正常启动程序。",
        )


def catalog_from(args: argparse.Namespace) -> Catalog:
    """The catalog ``--catalog`` names, else the one the counter uses (the newest installed from
    the platform, else the built-in one): after ``catalog pull`` they agree."""
    if args.catalog is not None:
        return load_catalog(args.catalog)
    from app.bootstrap import catalogs

    return catalogs(load_settings(getattr(args, "settings", None)))[0]


def catalog_dir_in_use(settings: Settings) -> Path | None:
    """The folder of the catalog new cases use (None: the built-in one)."""
    store = CatalogStore(settings.catalogs_dir)
    version = store.current_version()
    return store.folder / version if version is not None else None


def parse_json_option(text: str | None, option: str, *, expect: type = dict) -> Any:
    """A JSON value given inline, or as ``@file``; errors say where the JSON is broken."""
    if text is None:
        return expect()
    source = text
    if text.startswith("@"):
        try:
            source = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidInput(
                f"{option} 指定的文件 {text[1:]} 无法读取：{exc.strerror}。"
            ) from None
        except UnicodeDecodeError as exc:
            line = exc.object[: exc.start].count(b"\n") + 1
            raise InvalidInput(
                f"{option} 指定的文件 {text[1:]} 第{line}行不是 UTF-8 编码的文字。",
                hint="请在编辑器中以 UTF-8 编码另存。",
            ) from None
    try:
        value = json.loads(source)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{option} 不是有效的 JSON（第{exc.lineno}行第{exc.colno}列附近写法不对）。",
            hint='例如 --answers \'{"hukou": "yes"}\'，注意使用英文双引号。',
        ) from None
    if not isinstance(value, expect):
        kind = "对象（{...}）" if expect is dict else "列表（[...]）"
        raise InvalidInput(f"{option} 应为 JSON {kind}。")
    return value


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def write_output(data: bytes, out: Path) -> None:
    """A generated file where the person asked for it, and a line saying so."""
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(f"无法写入 {out}：{exc.strerror}。", hint="请检查路径和权限。") from None
    print(f"已生成 {out}（{max(1, len(data) // 1024)} KB）")


def add_operator_options(parser: argparse.ArgumentParser, who: str) -> None:
    """``--as USERNAME`` and ``--password-stdin``: a change made by a named operator."""
    parser.add_argument("--as", dest="username", required=True, metavar="登录名", help=who)
    parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码")


def operator_actor(args: argparse.Namespace, db: Database, terminal: str) -> Actor:
    """The operator named by ``--as``, signed in with their password (asked for, or one line of
    stdin): the role the core checks is theirs, the sign-in is audited."""
    from app.accounts import Accounts

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"{args.username} 的密码：")
    return Accounts(db).sign_in(args.username, password, terminal=terminal).actor(terminal)


@contextmanager
def opened_core(settings: Settings, clock: Callable[[], datetime] | None = None) -> Iterator[Core]:
    """The core for one command, closed again however the command ends (the core is imported
    here, not at the CLI's start: ``onestop --help`` stays quick)."""
    from app.bootstrap import build_core

    core = build_core(settings) if clock is None else build_core(settings, clock=clock)
    try:
        yield core
    finally:
        core.close()


def system_actor(settings: Settings) -> Actor:
    """Who runs a command without ``--as``: the system account, at this terminal."""
    return Actor(getpass.getuser(), settings.terminal.name)


def add_training_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--training",
        action="store_true",
        help="培训模式：办件存放在本机培训数据库，不报送平台、不计入统计，打印件标注“培训”"
        "（同设置 [terminal] training = true）",
    )


def in_training(settings: Settings, training: bool) -> Settings:
    """The settings with 培训模式 on when ``--training`` was given."""
    if not training:
        return settings
    terminal = settings.terminal.model_copy(update={"training": True})
    return settings.model_copy(update={"terminal": terminal})
