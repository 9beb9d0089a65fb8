"""``onestop sync run|status``, ``onestop catalog pull|publish`` and ``onestop demo seed``: this
terminal and the provincial platform."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any

from app.bootstrap import Core
from app.cases.outbox import MESSAGE_KIND_LABELS
from app.cases.receipts import HALL_TZ
from app.cases.snapshots import LEVEL_LABELS
from app.cases.states import CASE_STATE_LABELS, MESSAGE_STATE_LABELS
from app.cli.common import add_settings_option, emit_json, opened_core
from app.errors import InvalidInput
from app.settings import load_settings, shown_url


def _options(parser: argparse.ArgumentParser) -> None:
    add_settings_option(parser)
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")


def register(commands: Any) -> None:
    sync = commands.add_parser("sync", help="与省级平台同步：发送队列、接收办理结果")
    sub = sync.add_subparsers(dest="action", metavar="操作")
    sub.required = True
    run = sub.add_parser("run", help="持续发送和接收（大厅中负责发送的那台机器运行它）")
    run.add_argument("--once", action="store_true", help="发送和接收一轮后退出")
    _options(run)
    run.set_defaults(run=run_sync)
    status = sub.add_parser("status", help="队列各状态数量、最久未发消息、最近联系与错误")
    _options(status)
    status.set_defaults(run=run_status)

    demo = commands.add_parser("demo", help="演示数据")
    demo_sub = demo.add_subparsers(dest="action", metavar="操作")
    demo_sub.required = True
    seed = demo_sub.add_parser("seed", help="通过办件服务生成逼真的办件（演示和基准测试用）")
    seed.add_argument("--cases", type=int, default=20, metavar="N", help="生成多少个办件")
    _options(seed)
    seed.set_defaults(run=run_seed)


def register_catalog(sub: Any) -> None:
    """``catalog pull`` and ``catalog publish`` (added to the ``catalog`` command)."""
    pull = sub.add_parser("pull", help="从平台获取最新发布的事项目录（校验后在两件办件之间切换）")
    _options(pull)
    pull.set_defaults(run=run_pull)
    publish = sub.add_parser("publish", help="把目录文件夹发布到平台（需平台管理终端凭证）")
    publish.add_argument(
        "--catalog", type=Path, default=None, metavar="目录", help="事项目录文件夹（默认内置目录）"
    )
    _options(publish)
    publish.set_defaults(run=run_publish)


@contextmanager
def _core(args: argparse.Namespace) -> Iterator[Core]:
    with opened_core(load_settings(args.settings)) as core:
        yield core


def run_sync(args: argparse.Namespace) -> int:
    from sync.worker import SyncWorker, platform_of, status

    with _core(args) as core:
        platform = platform_of(core)
        try:
            worker = SyncWorker(core, platform)
            if args.once:
                done = worker.run_once()
                worker.stop()  # sends the audit chain's head once
                report = {**done, **status(core)}
                if args.json:
                    emit_json(report)
                else:
                    print(
                        f"已送达 {done['delivered']} 条，待重试 {done['retrying']} 条，"
                        f"平台退回 {done['rejected']} 条；"
                        f"收到事件 {done['events']} 条。"
                    )
                    if done["error"]:
                        print(f"平台未能联系上或拒绝了请求：{done['error']}")
                return 1 if done["auth_failed"] else 0
            worker.start()
            print(f"正在与 {core.settings.platform.url} 同步，按 Ctrl+C 停止。", flush=True)
            _wait_for_signal(lambda: worker.stopped is not None)
            worker.stop()
            if worker.stopped is not None:
                raise worker.stopped  # said in Chinese, with what to do; exit code 1
            print("同步已停止；未发送的消息留在队列中，下次启动继续。")
        finally:
            platform.close()
    return 0


def _wait_for_signal(done: Callable[[], bool] = lambda: False) -> None:
    """Until SIGINT or SIGTERM, or ``done()``."""
    stop = threading.Event()

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous: dict[signal.Signals, Callable[..., Any] | int | None] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, handler)
    try:
        while not stop.wait(0.5) and not done():
            pass
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def run_status(args: argparse.Namespace) -> int:
    from sync.worker import status

    with _core(args) as core:
        report = status(core)
    if args.json:
        emit_json(report)
        return 0
    labels = MESSAGE_STATE_LABELS
    print("联网状态：" + ("在线" if report["online"] else "离线或未联系过平台"))
    print("队列：" + "；".join(f"{labels[k]} {v}" for k, v in report["messages"].items()))
    if report["oldest_unsent_age_s"] is not None:
        print(f"最久未送达的消息已等待 {report['oldest_unsent_age_s']:.0f} 秒")
    waiting = report["waiting"]
    if waiting:
        total = report["messages"]["retrying"]
        shown = (
            f"（共 {total} 条，先列最早重试的 {len(waiting)} 条）" if len(waiting) < total else ""
        )
        print(f"发送失败、等待重试的消息{shown}：")
        for message in waiting:
            print(f"  {_waiting_line(message)}")
        if not report["online"]:
            print(
                "  网络或平台一恢复（发送程序每隔几秒探测一次），这些消息立即重发，"
                "不必等到上面的时间。"
            )
    print(f"最近一次联系平台：{report['last_contact'] or '从未'}")
    if report["last_error"]:
        print(f"最近的错误（{report['last_error_at']}）：{report['last_error']}")
    if report["platform_asks_retry_at"]:
        print(f"平台要求 {_local(report['platform_asks_retry_at'])} 之后再发送，届时自动重发。")
    print(f"当前事项目录版本：{report['catalog_version']}")
    anchors = report["audit_anchors"]
    last = anchors["last_acknowledged_entry"]
    print(
        "审计锚点："
        + (
            f"平台已确认到第 {last} 条记录（{anchors['last_acknowledged_at']}）"
            if last
            else "平台尚未确认"
        )
        + f"；待确认 {anchors['pending']} 个"
    )
    if anchors["refused"]:
        print(
            f"平台拒收了 {anchors['refused']} 个审计锚点：审计记录可能被改写过，"
            "请立即运行 onestop audit verify 核查并报告大厅信息管理员。"
        )
    return 0


def _waiting_line(message: dict[str, Any]) -> str:
    kind = MESSAGE_KIND_LABELS.get(message["kind"], message["kind"])
    in_s = message["next_attempt_in_s"]
    if in_s <= 0:
        when = "已到重试时间，等待发送"
    else:
        when = f"下次尝试 {_local(message['next_attempt_at'])}（约 {in_s:.0f} 秒后）"
    why = message["last_error"] or "未记录"
    failed = f"已失败 {message['attempts']} 次"
    return f"#{message['id']} {message['receipt_no']} {kind}：{failed}，{when}。原因：{why}"


def _local(moment: str) -> str:
    return f"{datetime.fromisoformat(moment).astimezone(HALL_TZ):%Y-%m-%d %H:%M:%S}"


def run_pull(args: argparse.Namespace) -> int:
    from app.catalog.versions import CatalogStore
    from sync.catalogs import pull
    from sync.worker import platform_of

    with _core(args) as core:
        platform = platform_of(core)
        try:
            pulled = pull(platform, CatalogStore(core.settings.catalogs_dir))
        finally:
            platform.close()
    if args.json:
        emit_json(
            {
                "version": pulled.version if pulled else None,
                "changed": bool(pulled and pulled.changed),
            }
        )
    elif pulled is None:
        print("平台还没有发布事项目录，继续使用当前目录。")
    elif pulled.changed:
        print(f"已获取并校验事项目录 {pulled.version} 版；新办件将按该版本引导。")
    else:
        print(f"本终端的事项目录已是平台最新版本（{pulled.version}）。")
    return 0


def run_publish(args: argparse.Namespace) -> int:
    from sync.catalogs import bundle_of
    from sync.worker import platform_of

    with _core(args) as core:
        bundle = bundle_of(args.catalog) if args.catalog else bundle_of(_builtin())
        platform = platform_of(core)
        try:
            info = platform.publish_catalog(bundle)
        finally:
            platform.close()
    if args.json:
        emit_json(info.model_dump(mode="json"))
    else:
        print(f"已发布事项目录 {info.version} 版（SHA-256 {info.sha256[:12]}…）。")
    return 0


def _builtin() -> Path:
    from app.catalog.loader import builtin_catalog_dir

    return builtin_catalog_dir()


def run_seed(args: argparse.Namespace) -> int:
    from app.calendar.workdays import WorkCalendar
    from app.cases.demo import OPENED_FROM, OPENED_TO, SeedClock, seed_cases
    from app.db.base import utcnow
    from app.transfers.demo import seed_back_office

    if not 1 <= args.cases <= 1_000_000:
        raise InvalidInput(f"办件数 {args.cases} 不对，应在 1 到 1000000 之间。")
    settings = load_settings(args.settings)
    clock = SeedClock(
        WorkCalendar(settings.calendar.holidays, settings.calendar.workdays), utcnow()
    )
    with opened_core(settings, clock) as core:
        made = seed_cases(core.cases, core.catalog, args.cases, clock=clock)
        after = seed_back_office(core.cases, core.transfers, core.complaints, clock=clock)
    database = shown_url(settings.database_url)
    if args.json:
        emit_json({"database": database, "cases": made, "back_office": after})
        return 0
    print(
        f"已在数据库 {database} 中生成 {args.cases} 个演示办件（受理于 "
        f"{clock.days_ago(OPENED_FROM):%Y-%m-%d} 至 {clock.days_ago(OPENED_TO):%Y-%m-%d}）："
    )
    print("  " + "，".join(f"{CASE_STATE_LABELS.get(k, k)} {v} 件" for k, v in made.items()) + "。")
    print("  后台：" + "，".join(f"{_back_office_words(k)} {v}" for k, v in after.items()) + "。")
    return 0


def _back_office_words(key: str) -> str:
    if key.startswith("rated_") and key[6:].isdigit() and int(key[6:]) in LEVEL_LABELS:
        return f"评价“{LEVEL_LABELS[int(key[6:])]}”"
    return BACK_OFFICE_WORDS.get(key, key)


BACK_OFFICE_WORDS = {
    "batches": "交接单",
    "confirmed": "已签收交接单",
    "completed": "办结",
    "checked_in": "结果到窗口",
    "delivered": "已送达",
    "complaints_closed": "差评办结",
}
