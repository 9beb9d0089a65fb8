"""``onestop print``: the hall's documents from sample data or from a stored case, and checking
the signed QR code of a receipt."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cases.receipts import hall_day
from app.cli.common import add_settings_option, emit_json, system_actor, write_output
from app.errors import InvalidInput
from app.settings import load_settings


def register(commands: Any) -> None:
    parser = commands.add_parser("print", help="打印文书：样例、办件文书、校验受理凭证二维码")
    sub = parser.add_subparsers(dest="action", metavar="操作")
    sub.required = True

    sample = sub.add_parser("sample", help="用内置样例数据生成文书（--list 列出全部）")
    sample.add_argument("document", nargs="?", help="文书名称")
    sample.add_argument("--list", action="store_true", help="列出可生成的文书，一行一个")
    sample.add_argument("--out", type=Path, default=None, metavar="文件", help="输出的 PDF 文件")
    add_settings_option(sample)
    sample.set_defaults(run=run_sample)

    case = sub.add_parser("case", help="为已保存的办件生成文书")
    case.add_argument("receipt_no", help="受理编号")
    case.add_argument("document", help="文书名称（onestop print sample --list）")
    case.add_argument("--out", type=Path, default=None, metavar="文件", help="输出的 PDF 文件")
    add_settings_option(case)
    case.set_defaults(run=run_case)

    verify = sub.add_parser("verify", help="校验扫描到的受理凭证二维码是否为本厅签发")
    verify.add_argument("text", help="二维码内容")
    add_settings_option(verify)
    verify.add_argument("--json", action="store_true", help="以 JSON 输出")
    verify.set_defaults(run=run_verify)


# The names the README and the clerks use, and the code names (both are accepted).
CHINESE_NAMES = {
    "受理通知书": "acceptance", "告知承诺书": "commitment", "不予受理通知书": "not_accepted",
    "补正材料一次性告知书": "supplement", "办理结果送达回执": "delivery",
    "撤回及材料退还回执": "withdrawal", "撤回申请及材料退还回执": "withdrawal",
    "容缺材料补交提醒": "reminder", "补交提醒": "reminder",
    "办事指南": "plan", "办事指南（个人清单）": "plan", "受理凭条": "ticket_acceptance",
    "预申请凭条": "ticket_pre_application", "材料清单": "ticket_material_list",
}  # fmt: skip


def document_code(name: str) -> str:
    """A document's code from its Chinese name or its code (the rest are refused where used)."""
    return CHINESE_NAMES.get(name.strip(), name.strip())


def _listing() -> str:
    from printing.samples import DOCUMENT_NAMES

    chinese = {code: name for name, code in reversed(CHINESE_NAMES.items())}
    return "\n".join(f"{chinese.get(code, code)}\t{code}" for code in DOCUMENT_NAMES)


def run_sample(args: argparse.Namespace) -> int:
    from printing.a4 import Letterhead
    from printing.samples import (
        DOCUMENT_NAMES,
        TICKET_NAMES,
        sample_pdf,
        sample_ticket,
        throwaway_keys,
    )
    from printing.thermal import profile_of

    if args.list:
        print(_listing())
        return 0
    if not args.document:
        raise InvalidInput("请指定文书名称。", hint=f"可选：{'、'.join(CHINESE_NAMES)}。")
    code = document_code(args.document)
    if code not in DOCUMENT_NAMES:
        raise InvalidInput(
            f"没有样例文书“{args.document}”。",
            hint=f"可选：{'、'.join(dict.fromkeys(_listing().split()[::2]))}。",
        )
    settings = load_settings(args.settings)
    letterhead = Letterhead.of(settings)
    if code in TICKET_NAMES:
        profile = profile_of(settings.printing.ticket)
        data = sample_ticket(code, letterhead, throwaway_keys(), profile)
        write_output(data, args.out or Path(f"{args.document}.bin"))
        return 0
    data = sample_pdf(code, letterhead, throwaway_keys())
    write_output(data, args.out or Path(f"{args.document}.pdf"))
    return 0


def run_case(args: argparse.Namespace) -> int:
    from app.bootstrap import build_core
    from app.guide.engine import Planner
    from printing.a4 import Letterhead
    from printing.documents import Context, render_case, render_plan
    from printing.samples import TICKET_NAMES, ticket_for
    from printing.thermal import profile_of, ticket_bytes

    settings = load_settings(args.settings)
    document = document_code(args.document)
    core = build_core(settings)
    try:
        case = core.cases.get(args.receipt_no)
        core.access.record(system_actor(settings), case.receipt_no, "export", document)
        catalog = core.cases.catalog_for(case.catalog_version)
        scenario = catalog.scenarios.get(case.scenario_code) if catalog else None
        letterhead = Letterhead.of(settings)
        plan = None
        if document in (*TICKET_NAMES, "plan") and catalog and scenario:
            plan = Planner(catalog).plan(case.scenario_code, case.answers, {}, case.chosen_items)
        if document in TICKET_NAMES:
            ticket = ticket_for(document, case, plan, letterhead, core.receipt_keys)
            suffix, data = ".bin", ticket_bytes(ticket, profile_of(settings.printing.ticket))
        elif document == "plan":
            if plan is None or scenario is None:
                raise InvalidInput(f"本终端已没有办件所用的事项目录 {case.catalog_version} 版。")
            suffix, data = ".pdf", render_plan(plan, scenario, letterhead, at=case.created_at)
        else:
            suffix = ".pdf"
            serial = core.cases.serial_in_year(case.receipt_no)
            data = render_case(
                document,
                Context(
                    case,
                    scenario,
                    letterhead,
                    core.receipt_keys,
                    serial,
                    hall_day(core.cases.clock()),
                ),
            )
    finally:
        core.close()
    write_output(data, args.out or Path(f"{case.receipt_no}-{args.document}{suffix}"))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from app.security.keys import load_keys
    from printing.qr import verify

    settings = load_settings(args.settings)
    keys = load_keys(settings.key_file).receipt
    checked = verify(args.text, keys, legacy=settings.printing.legacy_key)
    if args.json:
        emit_json(
            {"receipt_no": checked.receipt_no, "genuine": checked.genuine, "reason": checked.reason}
        )
    elif checked.genuine:
        print(f"✓ 本厅签发的受理凭证：{checked.receipt_no}")
    else:
        print(f"✗ {checked.reason}")
    return 0 if checked.genuine else 1
