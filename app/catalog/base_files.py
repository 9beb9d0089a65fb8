"""Base scenario files: their name, their YAML, and the area a hall asks for.

The YAML is for a hall's catalog maintainer to read: Chinese as it is, keys in the model's order,
absent values left out, so that importing the same guide again gives the same bytes.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from app.catalog.base import BaseScenario
from app.errors import CatalogError

SUFFIX = ".base.yaml"


def base_file_name(base: BaseScenario) -> str:
    return f"{base.header.theme_code}-{base.header.area_code}{SUFFIX}"


def _pruned(value: Any) -> Any:
    if isinstance(value, dict):
        pruned = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    """Long texts as they are; lists indented under their key, as people write YAML."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def base_yaml(base: BaseScenario) -> str:
    header = (
        f"# {base.header.name}（{base.header.area_name or base.header.area_code}）基础事项\n"
        "# 由 onestop catalog import 从省平台办事指南生成，请勿手工修改；\n"
        "# 本厅的调整写在叠加文件中。\n"
    )
    body = yaml.dump(
        _pruned(base.model_dump(mode="json")),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
    return header + body


def area_code(code: str) -> str:
    """The 6-digit area code a guide names (``43`` + the last 4 digits of its checklist code),
    from what a hall types: that code itself, or the platform's 12-digit code of an
    implementation — ``430101000000`` (市直) is the city ``430100``, ``430102999000`` (区本级) the
    district ``430102``. The 12-digit rule is read from the platform's implementation lists
    (inferred)."""
    code = code.strip()
    if re.fullmatch(r"[0-9]{6}", code):
        return code
    if re.fullmatch(r"[0-9]{4}01000000", code):
        return code[:4] + "00"
    if re.fullmatch(r"[0-9]{6}999000", code):
        return code[:6]
    raise CatalogError(
        f"无法识别的地区代码“{code[:20]}”",
        hint="请写 6 位行政区划代码（如 430100 长沙市、430102 芙蓉区），"
        "或平台的 12 位地区代码（如 430101000000 长沙市直、430102999000 芙蓉区区本级）。",
    )
