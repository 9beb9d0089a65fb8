"""``onestop db upgrade`` and ``onestop audit verify``: the schema and the audit chain.

``audit verify`` checks the chain with the hall's audit keys, against the anchors recorded here
and — when a platform is configured, or with ``--platform`` — against the platform's latest
anchor of this database's trail, so a tail removed after an anchor, a head moved back or a chain
rewritten from some point are reported too. ``db upgrade`` keys the chain and seals personal
data in place as start-up does, saying how much; ``db rekey`` makes a new data key the one that
seals and reseals everything under it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from app.bootstrap import (
    attach_data_keys,
    before_upgrade,
    catalogs,
    catch_up,
    file_store,
    start_keyed_chain,
)
from app.calendar.workdays import WorkCalendar
from app.cases.anchors import AuditAnchors
from app.cases.audit_verify import WHAT_TO_DO, AnchorPoint, AuditReport, chains_of, verify
from app.cases.catalogs import CaseCatalogs
from app.cases.complaints import Complaints
from app.cli.common import add_settings_option, emit_json
from app.db.backup import back_up, restore_sqlite
from app.db.engine import Database, make_engine
from app.db.migrate import current_revision, head_revision, upgrade
from app.errors import OneStopError
from app.security.data_keys import DataKeys
from app.security.keys import AuditKeys, load_keys
from app.security.resealing import Resealed, seal_existing
from app.settings import Settings, load_settings

PLATFORM_ANCHOR = "平台上的最新锚点"


def _database_options(parser: argparse.ArgumentParser) -> None:
    add_settings_option(parser)
    parser.add_argument(
        "--url", default=None, metavar="URL", help="数据库地址，覆盖设置文件中的地址"
    )
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")


def register(commands: Any) -> None:
    db = commands.add_parser("db", help="数据库：升级结构（先自动备份）、备份、恢复，启用审计密钥")
    sub = db.add_subparsers(dest="action", metavar="操作")
    sub.required = True
    up = sub.add_parser("upgrade", help="把数据库结构升级到本程序的版本（启动时也会自动执行）")
    _database_options(up)
    up.add_argument(
        "--no-backup",
        action="store_true",
        help="升级前不备份（仅在已用其他方式备份了数据库时使用）",
    )
    up.set_defaults(run=run_upgrade)
    backup = sub.add_parser(
        "backup", help="现在备份数据库（SQLite 在线备份；PostgreSQL 用 pg_dump），保留最近几份"
    )
    _database_options(backup)
    backup.set_defaults(run=run_backup)
    restore = sub.add_parser(
        "restore",
        help="用备份替换本机的 SQLite 数据库（先关闭本终端的所有程序；被替换的库保留为 .replaced）",
    )
    add_settings_option(restore)
    restore.add_argument(
        "backup", metavar="备份文件", help="onestop db backup 或升级前生成的 .sqlite3 文件"
    )
    restore.set_defaults(run=run_restore)
    rekey = sub.add_parser(
        "rekey",
        help="换一把新的数据密钥，把个人信息和扫描件全部用它重新加密（可中断，再运行一次接着做）",
    )
    _database_options(rekey)
    rekey.set_defaults(run=run_rekey)

    audit = commands.add_parser("audit", help="审计记录：校验哈希链")
    sub = audit.add_subparsers(dest="action", metavar="操作")
    sub.required = True
    check = sub.add_parser(
        "verify",
        help="逐条校验审计记录（用大厅审计密钥），并与本机和平台上的审计锚点核对，"
        "发现被改动、删除、插入、截断或重写的记录",
    )
    _database_options(check)
    where = check.add_mutually_exclusive_group()
    where.add_argument(
        "--platform",
        action="store_true",
        help="必须与平台上的最新锚点核对（联系不上平台也算发现问题）；默认配置了平台时尽量核对",
    )
    where.add_argument("--offline", action="store_true", help="不联系平台，只用本机记录核对")
    check.set_defaults(run=run_verify)


def _url(args: argparse.Namespace) -> tuple[Settings, str]:
    settings = load_settings(args.settings)
    return settings, args.url or settings.database_url


def _progress(args: argparse.Namespace) -> Any:
    if args.json:
        return None
    return lambda table, rows: print(f"  正在加密 {table}：已处理 {rows} 项", flush=True)


def _sealed_text(done: Resealed | None, db: Database) -> str:
    sealer = db.sealer
    if sealer is None:
        return ""
    text = f"个人信息和扫描件由本大厅数据密钥 {sealer.current} 加密保存（SM4-GCM）"
    if done is None or not done.total:
        return text + "。"
    text += f"；这次加密了 {sum(done.rows.values())} 行记录、{done.files} 个扫描件"
    if db.dialect == "postgresql":
        text += "。PostgreSQL 会保留旧的行版本，请在空闲时对该数据库运行 VACUUM FULL"
    return text + "。"


def _complaints(db: Database, settings: Settings) -> Complaints:
    calendar = WorkCalendar(settings.calendar.holidays, settings.calendar.workdays)
    return Complaints(db, calendar, settings.evaluations)


def _caught_up_text(done: dict[str, Any]) -> str:
    """What the upgrade did for the cases from before it (:mod:`app.backfills`)."""
    parts = []
    if ledger := done.get("transfer_ledger"):
        parts.append(
            f"为 {ledger['cases']} 个升级前受理、仍在办理的办件补登了 {ledger['papers']} 份"
            f"待流转纸质材料；{ledger['untraced']} 个升级前已办结的办件材料去向无登记，"
            "已写入各自的办件记录（流转查询中可见）"
        )
    if opened := done.get("complaints"):
        parts.append(f"为升级前的差评补开了 {opened['opened']} 个差评工单（已逾期的请尽快处理）")
    return "；".join(parts) + "。"


def run_upgrade(args: argparse.Namespace) -> int:
    settings, url = _url(args)
    engine = make_engine(url, busy_timeout_s=settings.database.busy_timeout_s)
    try:
        backup = None if args.no_backup else before_upgrade(settings)
        before, after = upgrade(
            engine,
            waiting=lambda say: print(say, file=sys.stderr, flush=True),
            backup=backup,
        )
        made = backup.made if backup else None
        db = Database(engine, audit_keys=AuditKeys(settings.key_file))
        data_keys = attach_data_keys(db, settings, create=True)
        key_id = start_keyed_chain(db, settings.terminal.name)
        done = None
        caught_up = None
        if data_keys is not None:
            files = file_store(db, settings)
            done = seal_existing(
                db, data_keys, files, settings.terminal.name, progress=_progress(args)
            )
            caught_up = catch_up(
                db, settings, CaseCatalogs(*catalogs(settings)), _complaints(db, settings)
            )
        sealed = _sealed_text(done, db)
    finally:
        engine.dispose()
    if args.json:
        emit_json(
            {
                "before": before,
                "after": after,
                "head": head_revision(),
                "audit_key": key_id,
                "data_key": db.sealer.current if db.sealer else None,
                "sealed_rows": done.rows if done else {},
                "sealed_files": done.files if done else 0,
                "backup": str(made.path) if made else None,
                "caught_up": caught_up or {},
            }
        )
        return 0
    if made is not None:
        print(f"升级前已备份数据库：{made.path}（{_size(made.bytes)}）。")
    if before == after:
        print(f"数据库结构已是最新（版本 {after}）。")
    else:
        print(f"数据库结构已从 {before or '空库'} 升级到 {after}。")
    if key_id:
        print(f"审计记录由大厅审计密钥 {key_id} 保护。")
    else:
        print(
            f"没能读取大厅密钥文件 {settings.key_file}，审计记录还没有启用密钥保护："
            "请按 onestop keys show 的提示准备好密钥文件，再运行一次 onestop db upgrade。"
        )
    if caught_up:
        print(_caught_up_text(caught_up))
    if sealed:
        print(sealed)
    else:
        print(
            "个人信息还没有加密：大厅密钥文件缺少数据密钥保护 [data]（或读不到）。"
            "请按 onestop keys show 的提示补上，再运行一次 onestop db upgrade。"
        )
    return 0


def _size(count: int) -> str:
    return f"{count / 1_048_576:.1f} MB" if count >= 1_048_576 else f"{max(1, count // 1024)} KB"


def run_backup(args: argparse.Namespace) -> int:
    settings, url = _url(args)
    engine = make_engine(url, busy_timeout_s=settings.database.busy_timeout_s)
    try:
        schema = current_revision(engine) or "empty"
        made = back_up(engine, schema, settings.backups_dir, keep=settings.database.keep_backups)
    finally:
        engine.dispose()
    if args.json:
        emit_json({"backup": str(made.path), "schema": made.schema, "bytes": made.bytes})
    else:
        print(f"已备份数据库（结构版本 {made.schema}）：{made.path}（{_size(made.bytes)}）。")
        print(f"备份文件夹只保留最近 {settings.database.keep_backups} 份。")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    settings = load_settings(args.settings)
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        raise OneStopError(
            "大厅模式的 PostgreSQL 数据库不用本命令恢复。",
            hint="请信息管理员先停止大厅所有终端，再用 pg_restore 恢复："
            f"pg_restore --clean --if-exists --dbname=<数据库地址> {args.backup}"
            "（见说明书“升级与回退”）。",
        )
    source = Path(args.backup)
    if not source.is_file():
        raise OneStopError(
            f"找不到备份文件 {source}。", hint="请用 onestop db backup 生成的文件路径。"
        )
    database = Path(url.database or "")
    restore_sqlite(source, database)
    print(f"已用 {source} 恢复数据库 {database}；原来的数据库保留为 {database.name}.replaced。")
    print("请启动与这份备份同一版本的 OneStop（备份文件名中是它的结构版本）。")
    return 0


def run_rekey(args: argparse.Namespace) -> int:
    """A new data key, then everything resealed under it; a run that was interrupted (or an
    upgrade that did not finish) is finished first instead of making yet another key."""
    settings, url = _url(args)
    engine = make_engine(url, busy_timeout_s=settings.database.busy_timeout_s)
    try:
        upgrade(engine)
        db = Database(engine, audit_keys=AuditKeys(settings.key_file))
        data_keys = DataKeys(db, load_keys(settings.key_file).data)
        db.seal_with(data_keys.sealer())
        start_keyed_chain(db, settings.terminal.name)
        resumed = data_keys.needs_resealing(data_keys.sealer())
        if not resumed:
            data_keys.rotate()
        db.seal_with(data_keys.sealer())
        done = seal_existing(
            db,
            data_keys,
            file_store(db, settings),
            settings.terminal.name,
            progress=_progress(args),
        )
        current = db.sealer.current if db.sealer else ""
    finally:
        engine.dispose()
    if args.json:
        emit_json(
            {
                "data_key": current,
                "resumed": resumed,
                "sealed_rows": done.rows if done else {},
                "sealed_files": done.files if done else 0,
            }
        )
        return 0
    if resumed:
        print(f"上次换数据密钥（或加密）没有做完，已接着完成：现用数据密钥 {current}。")
    else:
        print(f"新的数据密钥 {current} 已启用。")
    print(_sealed_text(done, db) + "旧的数据密钥已删除。")
    return 0


@dataclass
class PlatformCheck:
    """What the platform said about the hall's audit trails: ``points`` the latest anchor of each
    of this database's chains, ``others`` this terminal's anchors of other trails; or why it
    could not say."""

    asked: bool = False
    points: list[AnchorPoint] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    error: str = ""


def _platform_anchor(
    settings: Settings, args: argparse.Namespace, ours: list[str]
) -> PlatformCheck:
    """The platform's latest anchor of each of ``ours`` (this database's chains): asked with
    ``--platform``, or by default when a platform is configured (not with ``--offline``)."""
    configured = bool(settings.platform.url and settings.platform.token)
    if args.offline or not (configured or args.platform):
        return PlatformCheck()
    if not configured:
        return PlatformCheck(
            asked=True,
            error="没有配置省级平台的地址或本终端的凭证，无法与平台核对"
            "（请在 settings.toml 的 [platform] 中填写 url 和 token）",
        )
    from sync.client import HttpPlatform, PlatformError

    platform = HttpPlatform(
        settings.platform.url, settings.platform.token, timeout_s=settings.platform.timeout_s
    )
    try:
        chains = platform.audit_chains()
    except PlatformError as exc:
        return PlatformCheck(asked=True, error=str(exc))
    finally:
        platform.close()
    check = PlatformCheck(asked=True)
    for held in chains:
        if held.chain in ours:
            check.points.append(
                AnchorPoint(
                    held.entry_id, held.entry_hash, held.key_id, PLATFORM_ANCHOR, chain=held.chain
                )
            )
        elif held.terminal == settings.terminal.name:
            check.others.append(
                f"平台上还有本终端（{held.terminal}）发出的另一条审计链 {held.chain} 的锚点"
                f"（到第 {held.entry_id} 条，{held.received_at:%Y-%m-%d %H:%M}）：若本机没有重装或"
                "换过数据库，说明审计记录被整体替换过，请报告大厅信息管理员。"
            )
    return check


def run_verify(args: argparse.Namespace) -> int:
    settings, url = _url(args)
    keys = load_keys(settings.key_file).audit
    engine = make_engine(url, busy_timeout_s=settings.database.busy_timeout_s)
    try:
        upgrade(engine)
        db = Database(engine, audit_keys=AuditKeys.of(keys))
        attach_data_keys(db, settings, create=True)  # the entries' contents are sealed
        with db.read() as session:
            chains = chains_of(session)
        platform = _platform_anchor(settings, args, chains)
        with db.read() as session:
            report = verify(session, keys, platform=platform.points)
        acknowledged = AuditAnchors(db).last_acknowledged()
    finally:
        engine.dispose()
    problems = list(report.problems)
    if platform.error and args.platform:
        problems.append(f"无法与平台上的审计锚点核对：{platform.error}")
    if platform.asked and not platform.error and not platform.points and acknowledged:
        problems.append(
            f"平台上没有这条审计链的锚点，本机却记有平台确认过的锚点（到第 "
            f"{acknowledged.entry_id} 条）：平台地址、凭证或审计记录被改动过。"
        )
    if args.json:
        emit_json(_as_json(report, problems, platform))
    else:
        _print(report, problems, platform)
    return 1 if problems else 0


def _as_json(report: AuditReport, problems: list[str], platform: PlatformCheck) -> dict[str, Any]:
    return {
        "ok": not problems,
        "entries": report.entries,
        "problems": problems,
        "more_problems": report.more,
        "hint": WHAT_TO_DO if problems else "",
        "head": report.head_id,
        "key_id": report.key_id,
        "keyed_from": report.keyed_from,
        "chain": report.chain_id,
        "chains": [
            {
                "terminal": c.terminal,
                "chain": c.chain_id,
                "entries": c.entries,
                "head": c.head_id,
                "key_id": c.key_id,
            }
            for c in report.chains
        ],
        "purged": report.purged,
        "anchors": [{"entry_id": a.entry_id, "held_by": a.source} for a in report.anchors],
        "platform": {
            "asked": platform.asked,
            "entry_id": max((p.entry_id for p in platform.points), default=None),
            "chains": {p.chain: p.entry_id for p in platform.points},
            "error": platform.error,
            "notes": platform.others,
        },
    }


def _print(report: AuditReport, problems: list[str], platform: PlatformCheck) -> None:
    if problems:
        print(
            f"✗ 审计记录被改动：共 {report.entries} 条，发现 {len(problems) + report.more} 处问题："
        )
        for problem in problems:
            print(f"  - {problem}")
        if report.more:
            print(f"  - ……另有 {report.more} 处问题未列出（--json 同样只列出前面的）。")
        print(WHAT_TO_DO)
        return
    keyed = (
        f"第 {report.keyed_from} 条起由大厅审计密钥保护（现用 {report.key_id}）"
        if report.keyed_from
        else "尚无记录"
    )
    print(f"✓ 审计记录完整：{report.entries} 条，哈希链校验通过，{keyed}。")
    if report.purged:
        print(
            f"  其中 {report.purged} 条记录中的个人信息已按保存期限清除（以摘要校验，不是问题）。"
        )
    anchored = [a.entry_id for a in report.anchors]
    if anchored:
        print(f"  与 {len(anchored)} 个审计锚点一致（最远到第 {max(anchored)} 条）。")
    if len(report.chains) > 1:
        print(f"  共 {len(report.chains)} 条审计链（每台终端一条）：")
        for chain in report.chains:
            whose = f"终端 {chain.terminal}" if chain.terminal else "升级前的全大厅链"
            print(f"    {whose}：{chain.entries} 条，到第 {chain.head_id} 条")
    if platform.points:
        latest = "、".join(str(p.entry_id) for p in platform.points)
        which = "各条链的最新锚点" if len(platform.points) > 1 else "最新锚点"
        print(f"  平台上的{which}（第 {latest} 条）与本机一致。")
    elif platform.error:
        print(f"  ！未能与平台核对：{platform.error}；可稍后用 --platform 再核对一次。")
    elif not platform.asked:
        print("  未与平台核对（没有配置平台或使用了 --offline）。")
    else:
        print("  平台上还没有这个数据库审计链的锚点（同步运行后会陆续发送）。")
    for note in platform.others:
        print(f"  ！{note}")
