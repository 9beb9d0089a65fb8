"""``onestop platform``: the reference provincial platform for the demo and the tests.

``serve`` runs it (loopback only unless told otherwise), ``terminal add`` gives a terminal its
credential, ``stats`` says what the platform holds so anyone can check what arrived.
"""

from __future__ import annotations

import argparse
import socket
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from app.cli.common import emit_json
from app.errors import InvalidInput

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        metavar="文件夹",
        help="参考平台的数据文件夹（默认用户数据目录下的 platform）",
    )


def _data(args: argparse.Namespace) -> Path:
    folder: Path = args.data or Path(user_data_dir("onestop", appauthor=False)) / "platform"
    return folder.expanduser()


def register(commands: Any) -> None:
    parser = commands.add_parser("platform", help="参考省级平台：启动、登记终端、统计")
    sub = parser.add_subparsers(dest="action", metavar="操作")
    sub.required = True

    serve = sub.add_parser("serve", help="启动参考平台（演示和测试用）")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认只在本机 127.0.0.1）")
    serve.add_argument("--port", type=int, default=8765, help="端口（0 表示任选空闲端口）")
    _data_option(serve)
    serve.add_argument(
        "--decide-after",
        type=float,
        default=5.0,
        metavar="秒",
        help="部门在分送后多少秒作出决定（默认 5）",
    )
    faults = serve.add_argument_group("故障注入（测试与演示）")
    for flag, text in (
        ("--error-rate", "返回 500 的比例"),
        ("--hang-rate", "挂起请求的比例"),
        ("--drop-rate", "处理后断开连接的比例"),
        ("--malformed-rate", "返回乱码的比例"),
    ):
        faults.add_argument(flag, type=float, default=0.0, metavar="0-1", help=text)
    faults.add_argument("--latency-ms", type=float, default=0.0, help="每个请求增加的延迟")
    faults.add_argument("--outage-s", type=float, default=0.0, help="从启动起停机多少秒")
    faults.add_argument(
        "--reject", nargs="*", default=[], metavar="受理编号", help="永久拒收这些办件"
    )
    serve.set_defaults(run=run_serve)

    terminal = sub.add_parser("terminal", help="终端凭证")
    terminal_sub = terminal.add_subparsers(dest="terminal_action", metavar="操作")
    terminal_sub.required = True
    add = terminal_sub.add_parser("add", help="登记终端（或重新发放凭证），输出其凭证")
    add.add_argument("name", help="终端名称，与终端 settings.toml 的 [terminal] name 一致")
    add.add_argument(
        "--hall", default=None, metavar="大厅编码", help="终端所属大厅的编码（平台管理终端不写）"
    )
    add.add_argument(
        "--admin",
        action="store_true",
        help="平台管理终端：可发布事项目录，不属于任何大厅，不能收发、查询大厅的办件和文件",
    )
    _data_option(add)
    add.add_argument("--json", action="store_true", help="以 JSON 输出")
    add.set_defaults(run=run_terminal_add)

    stats = sub.add_parser("stats", help="平台收到了什么：办件、消息、重复、乱序、文件、评价")
    _data_option(stats)
    stats.add_argument("--json", action="store_true", help="以 JSON 输出")
    stats.set_defaults(run=run_stats)


def run_serve(args: argparse.Namespace) -> int:
    from datetime import timedelta

    import uvicorn

    from app.logs import mask_handlers
    from sync.server.app import Departments, create_app
    from sync.server.faults import Faults, FaultState
    from sync.server.seed import seed
    from sync.server.store import PlatformStore

    if not 0 <= args.port <= 65535:
        raise InvalidInput(f"端口 {args.port} 不对，应在 0 到 65535 之间。")
    store = PlatformStore(_data(args), decide_after=timedelta(seconds=args.decide_after))
    seeded = seed(store)
    faults = Faults(
        error_rate=args.error_rate,
        hang_rate=args.hang_rate,
        drop_rate=args.drop_rate,
        malformed_rate=args.malformed_rate,
        latency_ms=args.latency_ms,
        outage_s=args.outage_s,
        reject_receipts=list(args.reject),
    )
    store.reject_receipts = set(args.reject)
    if args.host not in LOOPBACK:
        print(f"注意：参考平台将在 {args.host} 上对外提供服务，仅用于测试网络。")
    listening = _bind(args.host, args.port)
    host, port = listening.getsockname()[:2]
    config = uvicorn.Config(
        create_app(store, FaultState(faults)), log_level="warning", access_log=False, lifespan="off"
    )
    mask_handlers("uvicorn", "uvicorn.error", "uvicorn.access")
    server = uvicorn.Server(config)
    departments = Departments(store)
    departments.start()
    print(
        f"参考平台：http://{host}:{port}  数据：{store.folder}（测试人员 {seeded} 名）。"
        "按 Ctrl+C 停止。",
        flush=True,
    )
    try:
        server.run(sockets=[listening])
    finally:
        departments.stop()
        store.close()
        listening.close()
    return 0


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the server starts so the address can be printed
    (``--port 0`` picks a free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        raise InvalidInput(
            f"无法在 {host}:{port} 上启动参考平台：{exc.strerror}。",
            hint="端口可能已被占用，请换一个端口（--port），或用 --port 0 任选空闲端口。",
        ) from None
    listening.listen(128)
    return listening


def run_terminal_add(args: argparse.Namespace) -> int:
    from sync.server.store import PlatformStore

    if not args.name.strip():
        raise InvalidInput("终端名称不能为空。")
    hall = (args.hall or "").strip()
    if args.admin and hall:
        raise InvalidInput(
            "平台管理终端不属于任何大厅，不能同时写 --hall。", hint="去掉 --hall 再运行。"
        )
    if not args.admin and not hall:
        raise InvalidInput(
            "请用 --hall 写明终端所属大厅的编码。",
            hint="如 onestop platform terminal add counter-01 --hall 430100001；"
            "发布事项目录的平台管理终端用 --admin。",
        )
    store = PlatformStore(_data(args))
    try:
        token = store.add_terminal(
            args.name.strip(), hall, role="admin" if args.admin else "terminal"
        )
    finally:
        store.close()
    if args.json:
        emit_json({"terminal": args.name, "hall": hall or None, "token": token})
    else:
        print(
            f"终端 {args.name} 的凭证（只显示这一次，请填入该终端 settings.toml 的 "
            f"[platform] token）：\n{token}"
        )
    return 0


def run_stats(args: argparse.Namespace) -> int:
    from sync.server.store import PlatformStore

    folder = _data(args)
    if not (folder / "platform.sqlite3").exists():
        raise InvalidInput(f"{folder} 不是参考平台的数据文件夹。", hint="请用 --data 指定。")
    store = PlatformStore(folder)
    try:
        stats = store.stats()
    finally:
        store.close()
    if args.json:
        emit_json(stats)
    else:
        labels = {
            "cases": "办件",
            "messages_applied": "已处理消息",
            "duplicates_refused": "重复消息（已忽略）",
            "out_of_order_refused": "乱序消息（已退回）",
            "messages_rejected": "拒收消息",
            "decisions": "部门决定",
            "files": "材料文件",
            "evaluations": "评价",
            "events": "事件",
            "catalogs": "目录版本",
            "terminals": "终端",
        }
        for key, label in labels.items():
            print(f"{label}：{stats[key]}")
    return 0
