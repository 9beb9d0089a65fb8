"""``onestop keys init|rotate|show`` — the hall's key file (:mod:`app.security.keys`): made once on
the hall's first terminal and copied to the others, rotated by command, listed without secrets."""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.common import add_settings_option, emit_json
from app.security.keys import PURPOSE_LABELS, PURPOSES, init_keys, read_rings, rotate
from app.settings import load_settings


def register(commands: Any) -> None:
    parser = commands.add_parser("keys", help="大厅密钥：生成、轮换、查看（不显示密钥本身）")
    actions = parser.add_subparsers(dest="action", required=True, metavar="操作")
    init = actions.add_parser("init", help="在本大厅第一台终端生成密钥文件（已有则不覆盖）")
    add_settings_option(init)
    init.set_defaults(run=run_init)
    change = actions.add_parser(
        "rotate", help="换一把新的密钥，旧的留作核验；旧密钥文件没有审计密钥时用它添加"
    )
    change.add_argument(
        "purpose",
        choices=list(PURPOSES),
        metavar="用途",
        help="receipt：凭条二维码；audit：审计记录的哈希链",
    )
    add_settings_option(change)
    change.set_defaults(run=run_rotate)
    show = actions.add_parser("show", help="查看密钥文件的位置、各密钥编号和正在使用的一把")
    add_settings_option(show)
    show.add_argument("--json", action="store_true", help="输出 JSON")
    show.set_defaults(run=run_show)


def run_init(args: argparse.Namespace) -> int:
    path = load_settings(args.settings).key_file
    keys = init_keys(path)
    print(
        f"已生成大厅密钥文件 {path}（仅本账号可读），凭条签名密钥编号 {keys.receipt.current}，"
        f"审计链密钥编号 {keys.audit.current}。\n"
        "请把这个文件原样复制到本大厅其他每台终端的同一位置，并妥善备份；不要放进数据目录。"
    )
    return 0


def run_rotate(args: argparse.Namespace) -> int:
    path = load_settings(args.settings).key_file
    key_id = rotate(path, args.purpose)
    kept = {
        "receipt": "旧密钥仍用于核验已发出的凭条",
        "audit": "此后的审计记录用它计算哈希，旧密钥仍用于校验此前的记录",
    }[args.purpose]
    print(
        f"新的{PURPOSE_LABELS[args.purpose]}密钥 {key_id} 已启用，{kept}。\n"
        f"请把 {path} 重新复制到本大厅其他每台终端，再重新启动它们。"
    )
    return 0


def run_show(args: argparse.Namespace) -> int:
    path = load_settings(args.settings).key_file
    rings = read_rings(path)
    data: dict[str, Any] = {"file": str(path)}
    for purpose in PURPOSES:
        ring = rings.get(purpose)
        data[purpose] = {"current": ring.current, "keys": sorted(ring.keys)} if ring else None
    if args.json:
        emit_json(data)
        return 0
    print(f"密钥文件：{path}")
    for purpose, label in PURPOSE_LABELS.items():
        ring = rings.get(purpose)
        if ring is None:
            print(f"{label}：尚未生成，请运行 onestop keys rotate {purpose} 添加")
        else:
            print(f"{label}：正在使用 {ring.current}；可核验 {'、'.join(sorted(ring.keys))}")
    return 0
