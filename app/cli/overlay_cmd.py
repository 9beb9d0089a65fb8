"""``onestop catalog diff A B`` and ``onestop catalog adopt SCENARIO BASE``, and what a re-import
tells the maintainer: what changed in the guide and which overlay entries no longer fit."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.catalog.adopt import adopt, overlay_yaml
from app.catalog.base import BaseScenario
from app.catalog.changes import Change, changes
from app.catalog.importer import import_guide
from app.catalog.models import Scenario
from app.catalog.overlay import Overlay, compose, overlay_file_name
from app.catalog.reading import Refused, read_yaml
from app.cli.common import emit_json
from app.errors import CatalogError

STALE_CODES = ("E-OVERLAY-DANGLING", "E-OVERLAY-UNHANDLED")


def register_overlay(sub: Any) -> None:
    diff = sub.add_parser("diff", help="比较同一一件事两个地区（或新旧两版）的指南")
    diff.add_argument("first", type=Path, metavar="甲", help="指南 .json 或基础事项 .base.yaml")
    diff.add_argument("second", type=Path, metavar="乙", help="指南 .json 或基础事项 .base.yaml")
    diff.add_argument("--json", action="store_true", help="以 JSON 输出")
    diff.set_defaults(run=run_diff)

    adopt_parser = sub.add_parser(
        "adopt", help="把手工编写的一件事文件改写为基础事项之上的叠加文件"
    )
    adopt_parser.add_argument("scenario", type=Path, metavar="一件事.yaml")
    adopt_parser.add_argument("base", type=Path, metavar="基础事项.base.yaml")
    adopt_parser.add_argument(
        "--out", type=Path, default=None, metavar="文件", help="默认写在基础事项文件旁边"
    )
    adopt_parser.set_defaults(run=run_adopt)


def _yaml_data(path: Path) -> Any:
    try:
        parsed = read_yaml(path)
    except Refused as exc:
        where = f"第 {exc.line} 行" if exc.line else ""
        raise CatalogError(f"{path} {where}无法读取：{exc.message}", hint="请检查文件。") from None
    except OSError as exc:
        raise CatalogError(
            f"无法读取 {path}：{exc.strerror or exc}", hint="请检查文件名和路径。"
        ) from None
    if parsed is None:
        raise CatalogError(f"{path} 是空文件", hint="请给出基础事项文件或指南。")
    return parsed.data


def read_base(path: Path) -> BaseScenario:
    """A base from a guide (``.json``, imported in memory) or a base file (``.base.yaml``)."""
    if path.suffix.lower() == ".json":
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CatalogError(
                f"无法读取指南文件 {path}：{exc.strerror or exc}", hint="请检查文件名和路径。"
            ) from None
        return import_guide(raw, str(path)).base
    try:
        return BaseScenario.model_validate(_yaml_data(path))
    except ValidationError:
        raise CatalogError(
            f"{path} 不是基础事项文件（或被手工改坏了）",
            hint="请给出 onestop catalog import 写出的 .base.yaml，或指南 .json。",
        ) from None


def run_diff(args: argparse.Namespace) -> int:
    first, second = read_base(args.first), read_base(args.second)
    if first.header.theme_code != second.header.theme_code:
        raise CatalogError(
            f"两份指南不是同一个一件事：{first.header.name}（{first.header.theme_code}）与"
            f"{second.header.name}（{second.header.theme_code}）",
            hint="请比较同一一件事在两个地区（或新旧两版）的指南。",
        )
    found = changes(first, second)
    if args.json:
        emit_json(
            {
                "first": _label(first),
                "second": _label(second),
                "changes": [c.to_dict() for c in found],
            }
        )
        return 0
    print(f"{first.header.name}：{_label(first)} → {_label(second)}")
    if not found:
        print("  两份指南的内容相同。")
    for change in found:
        print(f"  {change.message}")
    return 0


def _label(base: BaseScenario) -> str:
    return f"{base.header.area_name or ''}（{base.header.area_code}）"


def run_adopt(args: argparse.Namespace) -> int:
    try:
        scenario = Scenario.model_validate(_yaml_data(args.scenario))
    except ValidationError:
        raise CatalogError(
            f"{args.scenario} 不是有效的一件事文件",
            hint="请先用 onestop catalog check 检查并改正它。",
        ) from None
    base = read_base(args.base)
    target = args.out or args.base.with_name(overlay_file_name(args.base.name))
    result = adopt(scenario, base, args.base.name)
    from app.cli.import_cmd import write_file

    write_file(target.parent, target.name, overlay_yaml(result.overlay, scenario.name))
    print(f"{args.scenario} → {target}")
    if result.overrides:
        print(f"  与指南不同、由叠加文件改写的值（{len(result.overrides)} 处，请逐一复核）：")
        for line in result.overrides:
            print(f"    {line}")
    for word, entries in (
        ("指南有而原文件没有（已写为 omit，待复核）", result.unmatched_guide),
        ("原文件有而指南没有（写在 extra_ 中）", result.extras),
    ):
        if entries:
            print(f"  {word}：{'；'.join(entries)}")
    return 0


def reimport_lines(folder: Path, old: BaseScenario | None, new: BaseScenario) -> list[str]:
    """What replacing ``old`` by ``new`` in ``folder`` means for the maintainer."""
    if old is None:
        return []
    if old.guide_sha256 == new.guide_sha256:
        return ["  指南与上次导入的相同，没有变化。"]
    found: list[Change] = changes(old, new)
    lines = [f"  与上次导入相比（{len(found)} 处变化）："]
    lines += [f"    {c.message}" for c in found] or ["    内容相同（仅平台内部标识或格式不同）。"]
    lines += stale_overlay_lines(folder, new)
    return lines


def stale_overlay_lines(folder: Path, new: BaseScenario) -> list[str]:
    """Overlay entries in ``folder`` that refer to parts the new base no longer has, and parts
    of the new base no overlay entry takes up."""
    from app.catalog.base_files import base_file_name

    name = base_file_name(new)
    path = folder / overlay_file_name(name)
    if not path.exists():
        return []
    try:
        overlay = Overlay.model_validate(_yaml_data(path))
    except (ValidationError, CatalogError):
        return [f"  叠加文件 {path.name} 无法读取，请用 onestop catalog check 检查。"]
    stale = [f for f in compose(new, overlay).findings if f.code in STALE_CODES]
    if not stale:
        return [
            f"  叠加文件 {path.name} 的引用全部有效；复核后请把其中的 reviewed_guide 改为 "
            f"{new.guide_sha256}"
        ]
    return [f"  叠加文件 {path.name} 需要修改（{len(stale)} 处）："] + [
        f"    {f.message}" for f in stale
    ]
