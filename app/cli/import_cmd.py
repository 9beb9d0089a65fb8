"""``onestop catalog import GUIDE.json… [--area CODE] [--out FOLDER] [--json]``.

Every guide is read and imported before anything is written, so one bad file leaves the folder as
it was; each base file is written whole (a temporary file, then renamed).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from app.catalog.base import BaseScenario
from app.catalog.base_files import area_code, base_file_name, base_yaml
from app.catalog.changes import changes
from app.catalog.importer import GuideRejected, Imported, ImportReport, import_guide
from app.cli.common import emit_json
from app.cli.overlay_cmd import read_base, reimport_lines, stale_overlay_lines
from app.errors import CatalogError

COUNT_WORDS = (
    ("items", "事项"),
    ("materials", "材料"),
    ("conditions", "受理条件"),
    ("faq", "常见问题"),
    ("service_points", "办理地点"),
    ("charges", "收费项目"),
)


def register_import(sub: Any) -> None:
    parser = sub.add_parser("import", help="从省平台办事指南（JSON）生成基础事项文件")
    parser.add_argument("guides", nargs="+", type=Path, metavar="指南.json", help="指南文件")
    parser.add_argument(
        "--area",
        default=None,
        metavar="地区代码",
        help="只接受本地区的指南（6 位行政区划代码或平台 12 位地区代码）",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("."), metavar="文件夹", help="写入的文件夹（默认当前）"
    )
    parser.add_argument("--json", action="store_true", help="以 JSON 输出导入报告")
    parser.set_defaults(run=run_import)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(f"找不到指南文件 {path}", hint="请检查文件名和路径。") from None
    except IsADirectoryError:
        raise CatalogError(f"{path} 是文件夹，不是指南文件", hint="请给出 .json 文件。") from None
    except OSError as exc:
        raise CatalogError(
            f"无法读取指南文件 {path}：{exc.strerror or exc}", hint="请检查文件权限。"
        ) from None


def write_file(folder: Path, name: str, text: str) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".import-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        target = folder / name
        os.replace(temporary, target)
    except OSError as exc:
        raise CatalogError(
            f"无法写入文件夹 {folder}：{exc.strerror or exc}",
            hint="请检查路径和权限，或用 --out 换一个文件夹。",
        ) from None
    return target


def run_import(args: argparse.Namespace) -> int:
    wanted = area_code(args.area) if args.area is not None else None
    imported: list[tuple[Path, Imported]] = []
    for path in args.guides:
        result = import_guide(_read(path), str(path))
        header = result.base.header
        if wanted is not None and header.area_code != wanted:
            raise GuideRejected(
                f"指南文件 {path} 是{header.area_name or ''}（{header.area_code}）的指南，"
                f"不是 --area 指定的地区 {wanted}",
                hint="请导入本地区的指南，或改正 --area。",
            )
        imported.append((path, result))
    names = [base_file_name(r.base) for _, r in imported]
    if len(set(names)) < len(names):
        raise CatalogError(
            "有两份指南属于同一个一件事和地区，会写成同一个文件",
            hint="每个一件事每个地区只导入一份指南。",
        )
    rows = []
    for (path, result), name in zip(imported, names, strict=True):
        before = _previous(args.out / name)
        target = write_file(args.out, name, base_yaml(result.base))
        rows.append((path, target, result, before))
    if args.json:
        emit_json(
            {
                "imported": [
                    {
                        **_row(path, target, r),
                        "changes": _changes(before, r),
                        "overlay": stale_overlay_lines(args.out, r.base) if before else [],
                    }
                    for path, target, r, before in rows
                ]
            }
        )
        return 0
    for path, target, result, before in rows:
        _print(path, target, result)
        for line in reimport_lines(args.out, before, result.base):
            print(line)
    return 0


def _previous(path: Path) -> BaseScenario | None:
    """The base this import replaces, to say what changed; none if absent or unreadable."""
    if not path.exists():
        return None
    try:
        return read_base(path)
    except CatalogError:
        return None


def _changes(before: BaseScenario | None, result: Imported) -> list[dict[str, str]] | None:
    if before is None:
        return None
    return [c.to_dict() for c in changes(before, result.base)]


def _row(path: Path, target: Path, result: Imported) -> dict[str, Any]:
    header = result.base.header
    return {
        "guide": str(path),
        "base": str(target),
        "name": header.name,
        "theme_code": header.theme_code,
        "area_code": header.area_code,
        "area_name": header.area_name,
        **{k: v for k, v in result.report.to_dict().items() if k != "file"},
    }


def _print(path: Path, target: Path, result: Imported) -> None:
    header = result.base.header
    report: ImportReport = result.report
    print(f"{path} → {target}")
    print(f"  {header.name}（{header.area_name or ''} {header.area_code}）")
    print("  已导入：" + "，".join(f"{word} {report.counts[key]} 项" for key, word in COUNT_WORDS))
    if report.unmapped:
        print(f"  未导入的字段（{len(report.unmapped)} 个，含义不明或为平台内部标识，原值见下）：")
        for entry in report.unmapped:
            print(f"    {entry.path}（{entry.count} 处）：{'、'.join(entry.values)}")
    else:
        print("  指南中的字段全部导入。")
    if report.internal:
        examples = "、".join(key for key, _ in report.internal[:3])
        print(
            f"  平台内部标识/时间戳，未导入：{report.internal_count} 处"
            f"（{examples} 等 {len(report.internal)} 种键；--json 列出每种的次数）"
        )
    for note in report.notes:
        print(f"  注意：{note}")
